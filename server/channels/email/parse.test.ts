import { describe, expect, it } from "vitest";
import { parseMailgun } from "./parse.ts";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

describe("parseMailgun", () => {
  it("keeps the author's name from the parsed form's from", async () => {
    const mail = await parseMailgun(
      form({
        recipient: "reply+abc@reply.shop.example",
        sender: "ivan@example.ru",
        from: '"Иван Петров" <Ivan@Example.ru>',
        "body-plain": "Спасибо",
      }),
    );
    expect(mail).toMatchObject({ from: "ivan@example.ru", fromName: "Иван Петров" });
    const bare = await parseMailgun(form({ from: "ana@example.com", "body-plain": "Hi" }));
    expect(bare.from).toBe("ana@example.com");
    expect(bare.fromName).toBeUndefined();
  });

  it("reads a MIME route's body-mime with the envelope", async () => {
    const raw = [
      "From: =?KOI8-R?B?6dfBziDwxdTSz9c=?= <ivan@example.ru>",
      "To: The shop <support@shop.example>",
      "Message-ID: <m1@example.ru>",
      "In-Reply-To: <ot.x@reply.shop.example>",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Hello",
    ].join("\r\n");
    const mail = await parseMailgun(
      form({ recipient: "reply+abc@reply.shop.example", sender: "", "body-mime": raw }),
    );
    expect(mail).toMatchObject({
      from: "ivan@example.ru",
      fromName: "Иван Петров",
      messageId: "<m1@example.ru>",
      replyTo: ["<ot.x@reply.shop.example>"],
      returnPath: "",
    });
    expect(mail.text.trim()).toBe("Hello");
    expect(mail.recipients[0]).toBe("reply+abc@reply.shop.example");
  });
});
