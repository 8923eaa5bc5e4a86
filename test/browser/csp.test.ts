/// <reference types="mocha" />
// The widget on a page whose CSP forbids inline styles and scripts: its styles come from a
// constructable stylesheet and CSSOM custom properties, which `style-src 'self'` allows.
import { equal, waitFor } from "./helpers.ts";

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:";

describe("strict CSP", () => {
  it("renders a styled launcher under style-src 'self'", async () => {
    const frame = document.createElement("iframe");
    frame.style.cssText = "width:400px;height:400px;border:0";
    frame.srcdoc = `<!doctype html><html lang="en"><head>
      <meta http-equiv="Content-Security-Policy" content="${CSP}"><title>CSP</title></head>
      <body><script src="/dist/widget.js" data-site="demo" data-color="#a00000"></script></body></html>`;
    document.body.append(frame);
    try {
      const launcher = await waitFor(
        () =>
          frame.contentDocument
            ?.querySelector("omnithread-widget")
            ?.shadowRoot?.querySelector<HTMLElement>("button.launcher"),
        "launcher in the CSP page",
      );
      const style = frame.contentWindow!.getComputedStyle(launcher);
      equal(style.position, "fixed");
      equal(style.borderTopLeftRadius, "50%");
      equal(style.backgroundColor, "rgb(160, 0, 0)", "data-color applied through CSSOM");
      equal(
        (launcher.getRootNode() as ShadowRoot).querySelectorAll("style").length,
        0,
        "no <style> element",
      );
    } finally {
      frame.remove();
    }
  });
});
