import { describe, expect, it } from "vitest";
import { htmlToText } from "./html.ts";
import { stripReply } from "./strip.ts";

const read = (html: string, subject = "Re: Your order") =>
  stripReply(htmlToText(html, { forward: /^fwd?:/i.test(subject) }), { subject }).text;

describe("htmlToText", () => {
  it("turns blocks into lines, decodes entities and quotes blockquotes", () => {
    const html =
      '<html><head><style>p{}</style></head><body><div dir="ltr">Hi &amp; thanks&nbsp;&#x1F44D;<br>Ana</div><div class="gmail_quote"><div>On Mon wrote:</div><blockquote>Old <b>text</b><blockquote>older</blockquote></blockquote></div></body></html>';
    expect(htmlToText(html)).toBe("Hi & thanks 👍\nAna\nOn Mon wrote:\n> Old text\n> > older");
    expect(stripReply(htmlToText(html)).text).toBe("Hi & thanks 👍\nAna");
  });

  it("never lets markup through as text it did not have", () => {
    expect(htmlToText("<script>alert(1)</script><p>&lt;b&gt;</p>")).toBe("<b>");
  });

  it("cuts Gmail's quote on its classes, in any language, and keeps inline answers", () => {
    const reply =
      '<div dir="ltr">Hvala, stiglo je.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">pet, 3. sij 2025. u 10:15 Trgovina &lt;s@shop.example&gt;:<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex">Je li paket stigao?</blockquote></div>';
    expect(read(reply)).toBe("Hvala, stiglo je.");
    const inline =
      '<div class="gmail_quote"><div class="gmail_attr">On Mon, Shop wrote:</div><blockquote class="gmail_quote">Which size?</blockquote><div>L</div><blockquote class="gmail_quote">Which colour?</blockquote><div>Blue</div><blockquote class="gmail_quote">Thanks, the shop</blockquote></div>';
    expect(read(inline)).toBe("> Which size?\nL\n\n> Which colour?\nBlue");
  });

  it("takes everything after Outlook's divRplyFwdMsg as history, though it is not nested", () => {
    const html =
      '<div>Yes, Tuesday works.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>De :</b> Boutique<br><b>Envoyé :</b> lundi<br></div><div>Mardi ou mercredi ?</div><div>Merci</div>';
    expect(htmlToText(html)).toBe(
      "Yes, Tuesday works.\n> De : Boutique\n> Envoyé : lundi\n> Mardi ou mercredi ?\n> Merci",
    );
    expect(read(html)).toBe("Yes, Tuesday works.");
  });

  it("cuts Yahoo's and Thunderbird's quotes", () => {
    const yahoo =
      '<div>Ok for me.</div><div class="yahoo_quoted"><div>On Monday, Shop wrote:</div><div>Shall we ship?</div></div>';
    expect(read(yahoo)).toBe("Ok for me.");
    const thunderbird =
      '<p>Danke!</p><div class="moz-cite-prefix">Am 06.01.25 um 09:00 schrieb Shop:<br></div><blockquote type="cite">Hallo</blockquote>';
    expect(read(thunderbird)).toBe("Danke!");
  });

  it("keeps a forward: Gmail's forwarded quote and Apple's cited forward stay text", () => {
    const gmail =
      '<div>See below.</div><div class="gmail_quote"><div class="gmail_attr">---------- Forwarded message ---------<br>From: Bank &lt;b@bank.example&gt;<br></div><blockquote class="gmail_quote">Your card is on its way.</blockquote></div>';
    expect(read(gmail, "Fwd: Card")).toBe(
      "See below.\n\n---------- Forwarded message ---------\nFrom: Bank <b@bank.example>\nYour card is on its way.",
    );
    const apple =
      '<div>FYI</div><div><br><div>Begin forwarded message:</div><br><blockquote type="cite"><div><b>From: </b>Bank</div><div>Your card is on its way.</div></blockquote></div>';
    expect(read(apple, "Fwd: Card")).toContain("Your card is on its way.");
    expect(read(apple, "Fwd: Card")).not.toContain("> ");
  });

  it("keeps Outlook's forwarded history when the subject says it is a forward", () => {
    const html =
      '<div>Please look at this.</div><hr><div id="divRplyFwdMsg"><b>From:</b> Bank<br><b>Sent:</b> Monday<br></div><div>Your card is on its way.</div>';
    expect(read(html, "FW: Card")).toContain("Your card is on its way.");
    expect(read(html, "RE: Card")).toBe("Please look at this.");
  });
});
