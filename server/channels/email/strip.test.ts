import { describe, expect, it } from "vitest";
import { stripReply } from "./strip.ts";

describe("stripReply", () => {
  it("cuts Gmail's wrapped attribution and the quote", () => {
    const text = [
      "Yes, order 1234.",
      "",
      "On Mon, Jan 6, 2025 at 9:00 AM The Shop <",
      "support@shop.example> wrote:",
      "",
      "> Which order is it?",
      "> Thanks",
    ].join("\r\n");
    expect(stripReply(text)).toEqual({ text: "Yes, order 1234.", stripped: true });
  });

  it("cuts Apple Mail's attribution", () => {
    const text =
      "Thanks!\n\n> On 6 Jan 2025, at 09:00, The Shop <support@shop.example> wrote:\n>\n> Hello";
    expect(stripReply(text).text).toBe("Thanks!");
    const unquoted = "Thanks!\n\nOn 6 Jan 2025, at 09:00, The Shop <s@x.example> wrote:\n\n> Hello";
    expect(stripReply(unquoted).text).toBe("Thanks!");
  });

  it("cuts Outlook's header block, with or without the rule or the Original Message line", () => {
    const ruled = [
      "It arrived, thank you.",
      "",
      "________________________________",
      "From: The Shop <support@shop.example>",
      "Sent: Monday, January 6, 2025 9:00 AM",
      "To: ana@example.com",
      "Subject: Your conversation",
      "",
      "Hello Ana",
    ].join("\n");
    expect(stripReply(ruled).text).toBe("It arrived, thank you.");
    const original = "Fine.\n\n-----Original Message-----\nFrom: Shop\nSent: today\n\nOld";
    expect(stripReply(original).text).toBe("Fine.");
    const dutch = "Prima.\n\nVan: Shop <s@x.example>\nVerzonden: maandag\nAan: ana\n\nOud";
    expect(stripReply(dutch).text).toBe("Prima.");
  });

  it("knows attributions in the seeds' languages", () => {
    expect(
      stripReply("Danke\n\nAm 06.01.2025 um 09:00 schrieb Shop <s@x.example>:\n> Hallo").text,
    ).toBe("Danke");
    expect(
      stripReply("Спасибо\n\n6 янв. 2025 г., в 9:00, Shop <s@x.example> написал(а):\n> Привет")
        .text,
    ).toBe("Спасибо");
    expect(stripReply("Dziękuję\n\nW dniu 6.01.2025 o 09:00 Shop napisał:\n> Cześć").text).toBe(
      "Dziękuję",
    );
  });

  it("drops the signature and device footers", () => {
    expect(stripReply("See you\n-- \nAna Horvat\nACME d.o.o.").text).toBe("See you");
    expect(stripReply("See you\n\nSent from my iPhone").text).toBe("See you");
  });

  it("keeps interleaved answers with the quoted lines they answer", () => {
    const text = "> Which order?\n1234\n> Which colour?\nBlue\n> Anything else?";
    expect(stripReply(text).text).toBe("> Which order?\n1234\n\n> Which colour?\nBlue");
  });

  it("keeps a bottom-posted answer", () => {
    const text = "On Mon, Jan 6, 2025 at 9:00 AM Shop <s@x.example> wrote:\n> Which order?\n\n1234";
    expect(stripReply(text).text).toBe("1234");
  });

  it("leaves plain text alone, and never answers empty", () => {
    expect(stripReply("Just a question:\nwhere is it?")).toEqual({
      text: "Just a question:\nwhere is it?",
      stripped: false,
    });
    expect(stripReply("> only a quote").text).toBe("> only a quote");
    // A sentence that merely ends in "wrote:" without a quote after it is the reply itself.
    expect(stripReply("On Monday my colleague wrote:\nthe parcel is late").text).toContain(
      "the parcel is late",
    );
  });

  it("cuts verbless and unmarked headers, and the old mail a phone puts under its footer", () => {
    expect(
      stripReply("Да, верно\n\nср, 30 апр. 2025 г. в 15:19, Shop <s@x.example>:\n\nOld").text,
    ).toBe("Да, верно");
    expect(
      stripReply('Fine\n\n30.09.2017, 18.30, "Shop" <s@x.example>:\n\nOld, no marks').text,
    ).toBe("Fine");
    expect(stripReply("Dobro\n\nPoslano s mog iPhonea\n\nShop wrote:\n\nOld").text).toBe("Dobro");
    const sentence = "Sent from my desk, is much easier than the phone.";
    expect(stripReply(sentence).text).toBe(sentence);
  });

  it("keeps a forward whole, also Outlook's, which only its subject tells from a reply", () => {
    const outlook = "See below\n\nFrom: Bank\nSent: Monday\nTo: Ana\nSubject: Card\n\nYour card";
    expect(stripReply(outlook, { subject: "RE: Card" }).text).toBe("See below");
    expect(stripReply(outlook, { subject: "WG: Card" })).toEqual({
      text: outlook,
      stripped: false,
      forwarded: true,
    });
  });
});
