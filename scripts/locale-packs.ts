/**
 * The widget's locale packs (see widget/i18n.ts): each locale's panel strings but English's, as
 * `widget-locales/<locale>.<version>.json` next to widget.js. `version` hashes every pack, so a
 * changed translation is a new URL and the server can let browsers cache packs for good. The
 * widget's build writes them and tells the bundle the version (`vite.widget.config.ts`); the
 * browser tests, which run the widget's source, are told the same version.
 */
import { createHash } from "node:crypto";
import { LOCALES, type Panel } from "../widget/i18n.ts";
import { panel as de } from "../widget/locales/de.ts";
import { panel as es } from "../widget/locales/es.ts";
import { panel as fr } from "../widget/locales/fr.ts";
import { panel as hr } from "../widget/locales/hr.ts";
import { panel as nl } from "../widget/locales/nl.ts";
import { panel as pl } from "../widget/locales/pl.ts";
import { panel as ru } from "../widget/locales/ru.ts";

const PANELS: Record<string, Panel> = { nl, ru, hr, pl, de, fr, es };

export interface LocalePacks {
  version: string;
  /** File name (`nl.<version>.json`) → its JSON text. */
  files: Record<string, string>;
}

/**
 * @example
 * const { version, files } = localePacks(); // files["nl.<version>.json"] === '["Chat","Hallo! …",…]'
 */
export function localePacks(): LocalePacks {
  const missing = LOCALES.filter((locale) => locale !== "en" && !PANELS[locale]);
  if (missing.length) throw new Error(`locale-packs: no pack for ${missing.join(", ")}`);
  const json = Object.entries(PANELS).map(
    ([locale, panel]) => [locale, JSON.stringify(panel)] as const,
  );
  const version = createHash("sha256").update(JSON.stringify(json)).digest("hex").slice(0, 10);
  const files = Object.fromEntries(
    json.map(([locale, text]) => [`${locale}.${version}.json`, text]),
  );
  return { version, files };
}
