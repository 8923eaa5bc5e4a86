/// <reference types="mocha" />
// Locales: every string in every locale; the launcher's strings in widget.js, the rest of a locale
// in its pack, served by the real server and fetched only once the visitor opens the chat, with
// no English shown first.
import * as i18n from "../../widget/i18n.ts";
import {
  AWAY,
  channelText,
  GO_APP,
  INPUT,
  KEYS,
  LAUNCHER_KEYS,
  LOCALES,
  loadStrings,
  packUrl,
  RATE,
  RATED,
  strings,
  TYPING,
  UNREAD,
  VIA_APP,
} from "../../widget/i18n.ts";
import {
  CONFIG,
  destroyAll,
  equal,
  type Mounted,
  mount,
  SOURCE_LOCALES,
  server,
  sourceStrings,
  waitFor,
} from "./helpers.ts";

afterEach(async () => {
  await destroyAll();
  await server.closeLinks();
});

describe("i18n", () => {
  it("names each messaging app, email and the callback in the badge and the menu", () => {
    const en = strings("en");
    equal(channelText(en, GO_APP, "whatsapp"), "Continue on WhatsApp");
    equal(channelText(en, GO_APP, "telegram"), "Continue on Telegram");
    equal(channelText(en, VIA_APP, "messenger"), "via Messenger");
    equal(channelText(en, GO_APP, "email"), "Continue by email");
    equal(channelText(en, VIA_APP, "callback"), "via phone");
    // A channel this widget has no words for shows its name rather than nothing.
    equal(channelText(en, GO_APP, "sms"), "sms");
    for (const locale of LOCALES) {
      const t = sourceStrings(locale);
      for (const [app, name] of [
        ["messenger", "Messenger"],
        ["telegram", "Telegram"],
        ["whatsapp", "WhatsApp"],
      ]) {
        for (const first of [GO_APP, VIA_APP]) {
          const text = channelText(t, first, app!);
          equal(text.includes(name!) && !text.includes("{0}"), true, `${locale} ${app}: ${text}`);
        }
      }
    }
  });

  it("has every string in every locale", () => {
    equal(LOCALES.join(), "en,nl,ru,hr,pl,de,fr,es");
    equal(Object.keys(SOURCE_LOCALES).join(), LOCALES.join(), "one module per locale");
    for (const locale of LOCALES) {
      const t = sourceStrings(locale);
      equal(t.length, KEYS.length, `${locale} has ${KEYS.length} strings`);
      for (const [i, key] of KEYS.entries())
        equal(typeof t[i] === "string" && t[i].length > 0, true, `${locale}.${key}`);
      equal(t[TYPING].includes("{0}"), true, `${locale}.typing has {0}`);
      equal(t[UNREAD].includes("{0}"), true, `${locale}.unread has {0}`);
      equal(t[RATE].includes("{0}"), true, `${locale}.rate has {0}`);
      equal(t[RATED].includes("{0}"), true, `${locale}.rated has {0}`);
      if (locale !== "en")
        equal(t[AWAY] === sourceStrings("en")[AWAY], false, `${locale}.away translated`);
    }
  });

  it("names each string's index after its key", () => {
    const indexes = i18n as unknown as Record<string, unknown>;
    for (const [i, key] of KEYS.entries()) equal(indexes[key.toUpperCase()], i, key);
  });

  it("holds every locale's launcher, and English's panel, without a request", () => {
    for (const locale of LOCALES) {
      const t = strings(locale);
      const source = sourceStrings(locale);
      for (const i of LAUNCHER_KEYS.keys()) equal(t[i], source[i], `${locale}.${KEYS[i]}`);
      equal(t[AWAY], sourceStrings("en")[AWAY], `${locale}: English until its pack is here`);
    }
  });
});

describe("locale packs", () => {
  it("are served by the server as the source has them, cacheable for good by any origin", async () => {
    for (const locale of LOCALES.filter((l) => l !== "en")) {
      // The test page is another origin than the server: a fetch that succeeds proves CORS.
      const response = await fetch(packUrl(CONFIG.server, locale));
      equal(response.status, 200, locale);
      equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
      equal(
        JSON.stringify(await response.json()),
        JSON.stringify(SOURCE_LOCALES[locale]!.panel),
        `${locale}: the pack is the source's panel`,
      );
      equal(
        JSON.stringify(await loadStrings(CONFIG.server, locale)),
        JSON.stringify(sourceStrings(locale)),
      );
    }
    const stale = await fetch(`${CONFIG.server}/widget-locales/nl.0000000000.json`);
    equal(stale.status, 404, "another build's pack is gone, not some other row");
  });

  /** Records the textarea's label each time the dialog is (re)drawn with one, from mount on. */
  function watchLabels(m: Mounted): string[] {
    const seen: string[] = [];
    new MutationObserver(() => {
      const label = m.root.querySelector("textarea")?.getAttribute("aria-label");
      if (label && seen.at(-1) !== label) seen.push(label);
    }).observe(m.root, { subtree: true, childList: true, attributes: true });
    return seen;
  }

  it("a Dutch widget: the launcher at once, the panel in Dutch once opened, never English first", async () => {
    const requests: string[] = [];
    const from = performance.now();
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.startTime >= from) requests.push(entry.name);
    });
    observer.observe({ type: "resource" });
    try {
      const m = mount({ locale: "nl" });
      const seen = watchLabels(m);
      equal(m.$("button.launcher").getAttribute("aria-label"), "Chat openen");
      await new Promise((wait) => setTimeout(wait, 200));
      equal(requests.filter((url) => url.startsWith(CONFIG.server)).join(), "", "no request yet");
      m.widget.open();
      const input = await waitFor(() => m.root.querySelector("textarea"), "the panel");
      equal(input.getAttribute("aria-label"), sourceStrings("nl")[INPUT]);
      equal(seen.join("|"), sourceStrings("nl")[INPUT], "no other label was ever shown");
      equal(m.root.activeElement, input, "focus in the composer once it is there");
      await waitFor(() => requests.some((url) => url.includes("/widget-locales/nl.")), "the pack");
      await waitFor(() => requests.some((url) => url.includes("/v1/conversations")), "the start");
      // Closed and opened again: at once, with no second request.
      m.widget.close();
      m.widget.open();
      equal(m.$('[role="dialog"]').hidden, false, "open again at once");
      await new Promise((wait) => setTimeout(wait, 100));
      equal(requests.filter((url) => url.includes("/widget-locales/")).length, 1, "one pack");
    } finally {
      observer.disconnect();
    }
  });

  it("shows the panel in English when the pack cannot be fetched", async () => {
    const link = await server.link({ down: true });
    const m = mount({ server: link.url, locale: "de" });
    equal(m.$("button.launcher").getAttribute("aria-label"), "Chat öffnen");
    m.widget.open();
    const input = await waitFor(() => m.root.querySelector("textarea"), "the panel");
    equal(input.getAttribute("aria-label"), sourceStrings("en")[INPUT], "English");
    equal(m.$(".head button").getAttribute("aria-label"), "Chat schließen", "the launcher's own");
  });
});
