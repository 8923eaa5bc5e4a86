/// <reference types="mocha" />
// The built dist/widget.js: `window.omnithread` takes calls queued before the script loads, in
// order, and direct calls after.
import { equal, settle, waitFor } from "./helpers.ts";

type Api = {
  open(): void;
  close(): void;
  toggle(): void;
  on(event: string, fn: (value?: unknown) => void): () => void;
  push(...calls: unknown[]): number;
};
const win = window as unknown as { omnithread: Api | unknown[] };

function load(attributes: Record<string, string>): HTMLScriptElement {
  const script = document.createElement("script");
  script.src = "/dist/widget.js";
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  document.body.append(script);
  return script;
}

describe("script tag: window.omnithread", () => {
  const seen: string[] = [];
  const launcher = () =>
    document.querySelector("omnithread-widget")!.shadowRoot!.querySelector("button.launcher")!;

  before(async () => {
    // What a page does before the script arrives (like $crisp.push).
    win.omnithread = win.omnithread || [];
    const queue = win.omnithread as unknown[];
    queue.push(["on", "ready", () => seen.push("ready")]);
    queue.push(["on", "open", () => seen.push("open")]);
    queue.push(["on", "close", () => seen.push("close")]);
    queue.push(["open"]);
    queue.push((api: Api) => seen.push(`function:${typeof api.toggle}`));
    queue.push(["noSuchMethod"]);
    load({ "data-site": "demo", "data-locale": "xx", "data-position": "left" });
    await waitFor(() => seen.includes("ready"), "ready");
  });

  it("replays queued calls in order at load, then fires ready", () => {
    equal(seen.join(), "open,function:function,ready");
    equal(launcher().getAttribute("aria-label"), "Close chat", "opened by the queued call");
  });

  it("falls back to English for an unknown data-locale", () => {
    const dialog = document
      .querySelector("omnithread-widget")!
      .shadowRoot!.querySelector('[role="dialog"]')!;
    equal(dialog.getAttribute("aria-label"), "Chat");
  });

  it("takes direct calls and pushes after load", async () => {
    const api = win.omnithread as Api;
    equal(Array.isArray(api), false);
    api.close();
    equal(seen.at(-1), "close");
    equal(launcher().getAttribute("aria-label"), "Open chat");
    api.push(["toggle"]);
    equal(seen.at(-1), "open");
    api.toggle();
    equal(seen.at(-1), "close");
    const late = await new Promise<string>((done) => api.on("ready", () => done("late ready")));
    equal(late, "late ready", "ready listeners added after load are called");
  });

  it("mounts once even when the script is included twice", async () => {
    load({ "data-site": "demo" });
    await settle();
    await new Promise((wait) => setTimeout(wait, 200));
    equal(document.querySelectorAll("omnithread-widget").length, 1);
  });
});
