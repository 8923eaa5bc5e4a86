import { describe, expect, it } from "vitest";
import { parseRaw } from "../../channels/email/parse.ts";
import { stripReply } from "../../channels/email/strip.ts";
import { type DemoMail, quoteHistory, replyMessage } from "./index.ts";

const mail: DemoMail = {
  seq: 1,
  date: "2030-06-03T10:00:00.000Z",
  message: {
    from: '"Demo shop" <support@demo.example>',
    to: "ana@example.com",
    replyTo: "reply+abc123@reply.demo.example",
    subject: "Your conversation with Demo shop",
    text: "Here is your conversation.\n\nYou: Hi\nLink: https://x.example/r/abc",
    html: "<p>Here is your conversation.</p>",
    messageId: "<m2.abc@reply.demo.example>",
    inReplyTo: "<m1.abc@reply.demo.example>",
    references: ["<m1.abc@reply.demo.example>"],
  },
};

describe("the demo webmail's replies", () => {
  it("quotes the history as Gmail writes it", () => {
    expect(quoteHistory(mail).split("\n")).toEqual([
      "On Mon, Jun 3, 2030 at 10:00 AM Demo shop <support@demo.example> wrote:",
      "> Here is your conversation.",
      ">",
      "> You: Hi",
      "> Link: https://x.example/r/abc",
    ]);
  });

  it("writes a real RFC 5322 reply that threads and strips back to the new text", async () => {
    const raw = replyMessage(mail, "Größe M, bitte\r\nBcc: evil@x.example", new Date(0));
    expect(raw).toContain("\r\n\r\n");
    const parsed = await parseRaw(raw);
    expect(parsed.from).toBe("ana@example.com");
    expect(parsed.recipients).toContain("reply+abc123@reply.demo.example");
    expect(parsed.subject).toBe("Re: Your conversation with Demo shop");
    expect(parsed.replyTo).toEqual(["<m2.abc@reply.demo.example>", "<m1.abc@reply.demo.example>"]);
    expect(parsed.messageId).toMatch(/^<[0-9a-f-]{36}@example\.com>$/);
    // A line break in the text stays in the body: it never becomes a header.
    expect(parsed.header("bcc")).toBeUndefined();
    expect(stripReply(parsed.text)).toEqual({
      text: "Größe M, bitte\nBcc: evil@x.example",
      stripped: true,
    });
  });
});
