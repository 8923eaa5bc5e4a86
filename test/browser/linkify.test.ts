/// <reference types="mocha" />
import { findScript, readConfig, takeResumeCode } from "../../widget/config.ts";
import { format, OPEN, pickLocale, strings } from "../../widget/i18n.ts";
import { linkify, safeHref } from "../../widget/linkify.ts";
import { textOn } from "../../widget/widget.tsx";
import { equal } from "./helpers.ts";

const json = (value: unknown) => JSON.stringify(value);

describe("linkify", () => {
  it("keeps plain text as one part", () => {
    equal(json(linkify("hello <b>world</b>")), json(["hello <b>world</b>"]));
    equal(json(linkify("")), json([]));
  });

  it("turns http and https URLs into links, leaving sentence punctuation out", () => {
    equal(
      json(linkify("see https://example.com/a?b=1. and (http://x.test/path), ok")),
      json([
        "see ",
        { href: "https://example.com/a?b=1", text: "https://example.com/a?b=1" },
        ". and (",
        { href: "http://x.test/path", text: "http://x.test/path" },
        "), ok",
      ]),
    );
  });

  it("keeps a closing parenthesis that belongs to the URL", () => {
    equal(
      json(linkify("https://en.wikipedia.org/wiki/Widget_(GUI)")),
      json([
        {
          href: "https://en.wikipedia.org/wiki/Widget_(GUI)",
          text: "https://en.wikipedia.org/wiki/Widget_(GUI)",
        },
      ]),
    );
  });

  it("never links other schemes", () => {
    for (const text of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:x",
      "ftp://example.com",
      "file:///etc/passwd",
      "https:/broken",
    ])
      equal(json(linkify(text)), json([text]), text);
  });

  it("stops URLs at quotes and angle brackets", () => {
    const parts = linkify(`<a href="https://evil.test/x" onclick="y">`);
    equal(json(parts[1]), json({ href: "https://evil.test/x", text: "https://evil.test/x" }));
  });

  it("answers only http(s) hrefs", () => {
    equal(safeHref("https://m.me/page?ref=abc"), "https://m.me/page?ref=abc");
    equal(safeHref("javascript:alert(1)"), null);
    equal(safeHref("not a url"), null);
  });
});

describe("pickLocale", () => {
  it("picks data-locale, then the browser's languages, then English", () => {
    equal(pickLocale(["nl"]), "nl");
    equal(pickLocale(["de-AT", "en"]), "de");
    equal(pickLocale(["xx", "pt-BR", "fr-CA"]), "fr");
    equal(pickLocale([undefined, "ru_RU"]), "ru");
    equal(pickLocale(["xx", "yy"]), "en");
    equal(pickLocale([]), "en");
    equal(strings("zz")[OPEN], "Open chat");
    equal(format("{0} is typing…", "Alex"), "Alex is typing…");
  });
});

describe("config", () => {
  const script = (attributes: Record<string, string>) => {
    const element = document.createElement("script");
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    return element;
  };

  it("reads the script tag and derives the server from its src", () => {
    const config = readConfig(
      script({
        src: "https://chat.example.com/widget.js?v=2",
        "data-site": "demo",
        "data-locale": "pl",
        "data-position": "left",
        "data-color": "#123456",
        "data-greeting": "Hej",
        "data-z-index": "10",
        "data-nonce": "abc",
      }),
      ["en"],
    );
    equal(
      json(config),
      json({
        server: "https://chat.example.com",
        siteId: "demo",
        locale: "pl",
        position: "left",
        color: "#123456",
        greeting: "Hej",
        zIndex: "10",
        nonce: "abc",
      }),
    );
    equal(
      readConfig(script({ src: "https://x.test/chat/widget.js", "data-site": "s" }), [])?.server,
      "https://x.test/chat",
    );
    equal(
      readConfig(script({ src: "https://x.test/widget.js" }), []),
      null,
      "data-site is required",
    );
  });

  it("finds its script by data-site and src when currentScript is gone", () => {
    const element = script({
      src: "https://chat.example.com/widget.js",
      "data-site": "demo",
      type: "text/plain",
    });
    document.body.append(element);
    try {
      equal(findScript(document), element);
    } finally {
      element.remove();
    }
  });
});

describe("resume fragment", () => {
  it("takes the code and removes it from the address bar", () => {
    const before = location.href;
    try {
      history.replaceState(null, "", "?page=1#top&omnithread-resume=abc234");
      equal(takeResumeCode(), "abc234");
      equal(location.search + location.hash, "?page=1#top");
      history.replaceState(null, "", "#omnithread-resume=xyz");
      equal(takeResumeCode(), "xyz");
      equal(location.hash, "");
      equal(location.href.endsWith("#"), false, "no empty fragment left");
      equal(takeResumeCode(), null);
    } finally {
      history.replaceState(null, "", before);
    }
  });
});

describe("colour", () => {
  it("picks the text colour with the better contrast", () => {
    equal(textOn("#1d4ed8"), "#fff");
    equal(textOn("#ffdd00"), "#000");
    equal(textOn("#fff"), "#000");
    equal(textOn("#000"), "#fff");
    equal(textOn("rebeccapurple"), undefined);
  });
});
