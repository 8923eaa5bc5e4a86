import { pickLocale } from "./i18n.ts";

/** What a site owner sets on the script tag (docs/architecture.md §4), resolved. */
export interface WidgetConfig {
  /** The omnithread server: where `widget.js` came from. */
  server: string;
  siteId: string;
  /** One of the supported locales (en, nl, ru, hr, pl, de, fr, es). */
  locale: string;
  position: "left" | "right";
  color?: string | undefined;
  greeting?: string | undefined;
  zIndex?: string | undefined;
  /** For the `<style nonce>` fallback in browsers without constructable stylesheets. */
  nonce?: string | undefined;
}

/** The widget's own script element: `document.currentScript`, else the tag that loaded it. */
export function findScript(doc: Document): HTMLScriptElement | null {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.site) return current;
  return doc.querySelector<HTMLScriptElement>('script[data-site][src*="widget.js"]');
}

/**
 * Reads the script tag's `data-*` attributes; null when `data-site` is missing.
 *
 * @example
 * // <script async src="https://chat.example.com/widget.js" data-site="demo" data-locale="nl">
 * readConfig(script) // { server: "https://chat.example.com", siteId: "demo", locale: "nl", position: "right" }
 */
export function readConfig(
  script: HTMLScriptElement,
  languages: readonly string[],
): WidgetConfig | null {
  const data = script.dataset;
  if (!data.site) return null;
  // The server is the folder widget.js was served from: https://chat.example.com/widget.js → https://chat.example.com
  const server = new URL(".", script.src || location.href).href.replace(/\/$/, "");
  return {
    server,
    siteId: data.site,
    locale: pickLocale([data.locale, ...languages]),
    position: data.position === "left" ? "left" : "right",
    color: data.color,
    greeting: data.greeting,
    zIndex: data.zIndex,
    nonce: data.nonce || script.nonce || undefined,
  };
}

const RESUME = /[#&]omnithread-resume=([^&]*)/;

/**
 * A resume link's one-time code from the URL fragment (`#omnithread-resume=<code>`), removed
 * from the address bar so it is neither bookmarked nor shared.
 */
export function takeResumeCode(): string | null {
  const match = RESUME.exec(location.hash);
  if (!match) return null;
  const rest = location.hash.replace(match[0], "").replace(/^#?&?/, "");
  const url = location.pathname + location.search + (rest ? `#${rest}` : "");
  history.replaceState(history.state, "", url);
  return decodeURIComponent(match[1] ?? "") || null;
}
