import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { equalBytes, fromBase64Url, randomBytes, sameSecret, toBase64Url } from "./bytes.ts";

describe("equalBytes", () => {
  it("is true only for the same bytes of the same length", () => {
    expect(equalBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(equalBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(equalBytes(new Uint8Array(), new Uint8Array())).toBe(true);
  });
});

describe("base64url", () => {
  it("encodes without padding in the URL-safe alphabet", () => {
    expect(toBase64Url(new Uint8Array([251, 255]))).toBe("-_8");
    expect(toBase64Url(new TextEncoder().encode("foobar"))).toBe("Zm9vYmFy");
  });

  it("round-trips any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
  });

  it("accepts padding and refuses other characters", () => {
    expect(fromBase64Url("Zm8=")).toEqual(new TextEncoder().encode("fo"));
    expect(() => fromBase64Url("Zm+v")).toThrow(TypeError);
    expect(() => fromBase64Url("Zm9v Y")).toThrow(TypeError);
    expect(() => fromBase64Url("Z")).toThrow(TypeError);
  });
});

describe("randomBytes", () => {
  it("returns the requested number of fresh bytes", () => {
    expect(randomBytes(16)).toHaveLength(16);
    expect(randomBytes(16)).not.toEqual(randomBytes(16));
  });
});

describe("sameSecret", () => {
  it("matches equal secrets only, and never an empty expected one", async () => {
    expect(await sameSecret("verify-me", "verify-me")).toBe(true);
    expect(await sameSecret("verify-me", "verify-you")).toBe(false);
    expect(await sameSecret("verify", "verify-me")).toBe(false);
    expect(await sameSecret("", "")).toBe(false);
  });
});
