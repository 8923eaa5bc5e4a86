/// <reference types="mocha" />
// The built dist/widget.js, loaded the way a site embeds it: nothing but the launcher until the
// visitor opens the chat: no request, no storage, no cookie.
import { assert, equal, settle, waitFor } from "./helpers.ts";

type Api = { open(): void; on(event: string, fn: () => void): void };
const win = window as unknown as { omnithread?: Api | unknown[] };

describe("script tag: privacy before open", () => {
  const requests: string[] = [];
  let loadedAt = 0;

  before(async () => {
    localStorage.clear();
    sessionStorage.clear();
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      requests.push(`fetch ${String(input instanceof Request ? input.url : input)}`);
      return realFetch(input, init);
    };
    const RealSocket = window.WebSocket;
    window.WebSocket = class extends RealSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        requests.push(`websocket ${url}`);
        super(url, protocols);
      }
    };
    const open = XMLHttpRequest.prototype.open;
    XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, ...args: unknown[]) {
      requests.push(`xhr ${String(args[1])}`);
      return Reflect.apply(open, this, args);
    } as typeof open;
    const beacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      requests.push(`beacon ${url}`);
      return beacon(url, data);
    };
    const ready = new Promise<void>((done) => {
      win.omnithread = [["on", "ready", done]];
    });
    loadedAt = performance.now();
    const script = document.createElement("script");
    script.async = true;
    script.src = "/dist/widget.js";
    script.dataset.site = "demo";
    script.dataset.locale = "nl";
    document.body.append(script);
    await ready;
    await settle();
    await new Promise((wait) => setTimeout(wait, 300));
  });

  it("shows the launcher in the page's language", () => {
    const host = document.querySelector("omnithread-widget")!;
    const launcher = host.shadowRoot!.querySelector("button.launcher")!;
    equal(launcher.getAttribute("aria-label"), "Chat openen");
    const start = performance.getEntriesByName("omnithread:script-start")[0]!;
    const shown = performance.getEntriesByName("omnithread:launcher")[0]!;
    assert(shown.startTime >= start.startTime, "marks in order");
  });

  it("makes no request beyond the script itself", () => {
    equal(requests.join("\n"), "", "no fetch, WebSocket, XHR or beacon");
    const loaded = performance
      .getEntriesByType("resource")
      .filter((entry) => entry.startTime >= loadedAt)
      .map((entry) => new URL(entry.name).pathname);
    equal(loaded.join(), "/dist/widget.js", "the only resource loaded since the script tag");
  });

  it("writes nothing to storage and sets no cookie", () => {
    equal(localStorage.length, 0, "localStorage");
    equal(sessionStorage.length, 0, "sessionStorage");
    equal(document.cookie, "", "cookies");
  });

  it("talks to the server only once opened, fetching its locale's pack alongside", async () => {
    (win.omnithread as Api).open();
    await waitFor(() => requests.length > 1, "requests after open");
    // Both go out at once; which leaves first is the browser's business.
    const all = requests.join(", ");
    assert(
      requests.some((r) => r.includes("/v1/conversations")),
      all,
    );
    assert(
      requests.some((r) => /^fetch .*\/dist\/widget-locales\/nl\.[0-9a-f]+\.json$/.test(r)),
      all,
    );
  });

  it("shows the panel in Dutch, from the pack the build wrote", async () => {
    const root = document.querySelector("omnithread-widget")!.shadowRoot!;
    const input = await waitFor(() => root.querySelector("textarea"), "the panel");
    equal(input.getAttribute("aria-label"), "Typ een bericht…");
    // This page has no omnithread server at /dist/v1: the start fails, said in Dutch.
    await waitFor(() => root.querySelector(".status")?.textContent?.startsWith("Geen verbinding"));
  });
});
