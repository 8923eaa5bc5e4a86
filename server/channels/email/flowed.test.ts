import { describe, expect, it } from "vitest";
import { decodeFlowed } from "./flowed.ts";
import { parseRaw } from "./parse.ts";

const thunderbird = (body: string, params = "format=flowed") =>
  [
    "From: Ana Horvat <ana@example.com>",
    "To: reply@shop.example",
    "Subject: Re: Your order",
    "Message-ID: <f1@example.com>",
    "User-Agent: Mozilla Thunderbird",
    "MIME-Version: 1.0",
    `Content-Type: text/plain; charset=UTF-8; ${params}`,
    "Content-Transfer-Encoding: 7bit",
    "",
    body,
  ].join("\r\n");

describe("format=flowed (RFC 3676)", () => {
  it("ends a paragraph where the quote depth changes, so the reply stays apart from the quote", async () => {
    const body = [
      "On 03/01/2025 10:15, Shop wrote:",
      "> Hi ",
      "Hello, the parcel came ",
      "today.",
    ].join("\r\n");
    const mail = await parseRaw(thunderbird(body));
    expect(mail.text.trimEnd().split("\n")).toEqual([
      "On 03/01/2025 10:15, Shop wrote:",
      "> Hi ",
      "Hello, the parcel came today.",
    ]);
  });

  it("joins quoted lines of the same depth without repeating the marks", () => {
    const text = ">> Older ones \n>> go on\n> Your order \n> shipped.\nThanks";
    expect(decodeFlowed(text, false)).toBe(">> Older ones go on\n> Your order shipped.\nThanks");
  });

  it("removes space stuffing, the DelSp space, and never flows the signature line", async () => {
    expect(decodeFlowed(" From me, with a stuffed line", false)).toBe(
      "From me, with a stuffed line",
    );
    const mail = await parseRaw(
      thunderbird("Danke f \r\nür alles\r\n-- \r\nAna", "format=flowed; delsp=yes"),
    );
    expect(mail.text.trimEnd().split("\n")).toEqual(["Danke für alles", "-- ", "Ana"]);
  });
});
