import { createHmac } from "node:crypto";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { TWILIO_SIGNATURE_HEADER, twilioSignature, verifyTwilioSignature } from "./signature.ts";

const authToken = "12345678901234567890123456789012";
const url = "https://chat.example.com/webhooks/sms/twilio";
/** An inbound SMS webhook as Twilio posts it (form fields, already decoded). */
const params: Record<string, string> = {
  ToCountry: "NL",
  ToState: "",
  SmsMessageSid: "SM0123456789abcdef0123456789abcdef",
  NumMedia: "0",
  ToCity: "",
  FromZip: "",
  SmsSid: "SM0123456789abcdef0123456789abcdef",
  FromState: "",
  SmsStatus: "received",
  FromCity: "",
  Body: "Dank je wel 👋 café",
  FromCountry: "NL",
  To: "+3197010000000",
  MessagingServiceSid: "MG0123456789abcdef0123456789abcdef",
  ToZip: "",
  NumSegments: "1",
  MessageSid: "SM0123456789abcdef0123456789abcdef",
  AccountSid: "AC0123456789abcdef0123456789abcdef",
  From: "+31612345678",
  ApiVersion: "2010-04-01",
};
const twilioSigns = (
  at = url,
  fields: Record<string, string | string[]> = params,
  key = authToken,
) => twilio.getExpectedTwilioSignature(key, at, fields);

describe("X-Twilio-Signature", () => {
  it("names the header as Hono's lower-cased headers carry it", () => {
    expect(TWILIO_SIGNATURE_HEADER).toBe(twilio.SIGNATURE_HEADER.toLowerCase());
  });

  it("computes what the twilio package computes, and twilio accepts it", async () => {
    const ours = await twilioSignature(authToken, url, params);
    expect(ours).toBe(twilioSigns());
    expect(ours).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(twilio.validateRequest(authToken, ours, url, params)).toBe(true);
    expect(
      twilio.validateRequest(
        authToken,
        ours,
        "https://chat.example.com:443/webhooks/sms/twilio",
        params,
      ),
    ).toBe(true);
  });

  it("accepts Twilio's signature, with the default port added or removed", async () => {
    expect(await verifyTwilioSignature(twilioSigns(), authToken, url, params)).toBe(true);
    const withPort = "https://chat.example.com:443/webhooks/sms/twilio";
    expect(await verifyTwilioSignature(twilioSigns(), authToken, withPort, params)).toBe(true);
    expect(await verifyTwilioSignature(twilioSigns(withPort), authToken, url, params)).toBe(true);
    const http = "http://chat.example.com/webhooks/sms/twilio";
    expect(
      await verifyTwilioSignature(
        twilioSigns(http),
        authToken,
        "http://chat.example.com:80/webhooks/sms/twilio",
        params,
      ),
    ).toBe(true);
  });

  it("keeps the query and the path exactly as requested", async () => {
    const withQuery = "https://chat.example.com/webhooks/sms/twilio?site=shop&x=caf%C3%A9'";
    expect(await twilioSignature(authToken, withQuery, params)).toBe(twilioSigns(withQuery));
    expect(await verifyTwilioSignature(twilioSigns(withQuery), authToken, withQuery, params)).toBe(
      true,
    );
    const ipv6 = "https://[2001:db8::1]:443/webhooks/sms/twilio";
    expect(
      await verifyTwilioSignature(
        twilioSigns("https://[2001:db8::1]/webhooks/sms/twilio"),
        authToken,
        ipv6,
        params,
      ),
    ).toBe(true);
  });

  it("accepts and refuses the same URLs as twilio.validateRequest", async () => {
    const urls = [
      url,
      "https://chat.example.com:443/webhooks/sms/twilio",
      "https://chat.example.com:8443/webhooks/sms/twilio",
      "http://chat.example.com/webhooks/sms/twilio",
      "http://chat.example.com:80/webhooks/sms/twilio",
      "https://user:pw@chat.example.com/webhooks/sms/twilio",
      "https://chat.example.com/webhooks/sms/twilio?a=1",
    ];
    for (const signed of urls) {
      for (const requested of urls) {
        const signature = twilioSigns(signed);
        expect(
          await verifyTwilioSignature(signature, authToken, requested, params),
          `${signed} → ${requested}`,
        ).toBe(twilio.validateRequest(authToken, signature, requested, params));
      }
    }
  });

  it("refuses a changed Body, URL or auth token", async () => {
    const signature = twilioSigns();
    const changed = { ...params, Body: "Dank je wel 👋 cafe" };
    expect(await verifyTwilioSignature(signature, authToken, url, changed)).toBe(false);
    const extra = { ...params, Extra: "" };
    expect(await verifyTwilioSignature(signature, authToken, url, extra)).toBe(false);
    for (const other of [
      "https://chat.example.com/webhooks/sms/other",
      "http://chat.example.com/webhooks/sms/twilio",
      "https://chat.example.com/webhooks/sms/twilio?site=shop",
      "https://chat.example.com/webhooks/sms/twilio/",
      "https://evil.example.com/webhooks/sms/twilio",
      "https://chat.example.com:8443/webhooks/sms/other",
    ]) {
      expect(await verifyTwilioSignature(signature, authToken, other, params)).toBe(false);
    }
    const otherToken = "abcdefabcdefabcdefabcdefabcdefab";
    expect(await verifyTwilioSignature(signature, otherToken, url, params)).toBe(false);
    expect(
      await verifyTwilioSignature(twilioSigns(url, params, otherToken), authToken, url, params),
    ).toBe(false);
    expect(await verifyTwilioSignature(signature, "", url, params)).toBe(false);
  });

  it("refuses a missing or malformed header", async () => {
    const signature = twilioSigns();
    for (const header of [
      undefined,
      null,
      "",
      " ",
      "not base64!",
      signature.slice(0, -2),
      `${signature}AAAA`,
      signature.replace(/^./, (c) => (c === "A" ? "B" : "A")),
      createHmac("sha1", authToken).update(url).digest("hex"),
      twilio.getExpectedTwilioSignature(authToken, url, params, twilio.HMAC_SHA256),
    ]) {
      expect(await verifyTwilioSignature(header, authToken, url, params)).toBe(false);
    }
  });

  it("signs a repeated name's values sorted and once each, as the twilio package does", async () => {
    const repeated = { ...params, Tag: ["vip", "billing", "vip", "Billing"] };
    const ours = await twilioSignature(authToken, url, repeated);
    expect(ours).toBe(twilioSigns(url, repeated));
    expect(
      await verifyTwilioSignature(ours, authToken, url, {
        ...params,
        Tag: ["Billing", "billing", "vip"],
      }),
    ).toBe(true);
    expect(
      await verifyTwilioSignature(ours, authToken, url, { ...params, Tag: ["vip", "billing"] }),
    ).toBe(false);
  });

  it("sorts by code point (UTF-8 byte order), so emoji come after U+E000–U+FFFF", async () => {
    const fields = { X: ["😀", "\uff61"], "\uff62": "a", "😁": "b" };
    const text = `${url}X\uff61X😀\uff62a😁b`;
    expect(await twilioSignature(authToken, url, fields)).toBe(
      createHmac("sha1", authToken).update(text, "utf8").digest("base64"),
    );
  });
});
