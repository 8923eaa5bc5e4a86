import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hubSignature, verifySignature } from "./signature.ts";

const secret = "app-secret-0123456789";
/** Meta's bytes: escaped unicode and slashes, as it serializes them. */
const raw =
  '{"object":"page","entry":[{"id":"42","messaging":[{"message":{"text":"caf\\u00e9 https:\\/\\/x"}}]}]}';
const bytes = new TextEncoder().encode(raw);
const metaSigns = (body: string, key = secret) =>
  `sha256=${createHmac("sha256", key).update(body, "utf8").digest("hex")}`;

describe("X-Hub-Signature-256", () => {
  it("accepts Meta's signature over the raw bytes", async () => {
    expect(await verifySignature(metaSigns(raw), bytes, secret)).toBe(true);
    expect(await hubSignature(secret, bytes)).toBe(metaSigns(raw));
  });

  it("accepts upper-case hex and surrounding space", async () => {
    const header = metaSigns(raw).replace(/[0-9a-f]{64}/, (h) => h.toUpperCase());
    expect(await verifySignature(` ${header} `, bytes, secret)).toBe(true);
  });

  it("refuses a re-serialized body: the signature covers Meta's exact bytes", async () => {
    const reserialized = new TextEncoder().encode(JSON.stringify(JSON.parse(raw)));
    expect(await verifySignature(metaSigns(raw), reserialized, secret)).toBe(false);
  });

  it("refuses another secret, an altered body, and malformed headers", async () => {
    expect(await verifySignature(metaSigns(raw, "other-secret"), bytes, secret)).toBe(false);
    const altered = new TextEncoder().encode(raw.replace("42", "43"));
    expect(await verifySignature(metaSigns(raw), altered, secret)).toBe(false);
    for (const header of [
      undefined,
      null,
      "",
      "sha256=",
      metaSigns(raw).replace("sha256=", "sha1="),
      metaSigns(raw).slice(0, -2),
      `${metaSigns(raw)}00`,
      metaSigns(raw).replace(/.$/, "g"),
      metaSigns(raw).replace("sha256=", ""),
    ]) {
      expect(await verifySignature(header, bytes, secret), String(header)).toBe(false);
    }
  });

  it("refuses everything when the secret is empty", async () => {
    expect(await verifySignature(metaSigns(raw, ""), bytes, "")).toBe(false);
  });
});
