import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { decodeBase32, encodeBase32, randomId } from "./base32.ts";

const text = (s: string) => new TextEncoder().encode(s);

describe("base32", () => {
  it("matches the RFC 4648 test vectors, lowercase and unpadded", () => {
    const vectors: Array<[string, string]> = [
      ["", ""],
      ["f", "my"],
      ["fo", "mzxq"],
      ["foo", "mzxw6"],
      ["foob", "mzxw6yq"],
      ["fooba", "mzxw6ytb"],
      ["foobar", "mzxw6ytboi"],
    ];
    for (const [plain, encoded] of vectors) {
      expect(encodeBase32(text(plain))).toBe(encoded);
      expect(decodeBase32(encoded)).toEqual(text(plain));
    }
  });

  it("round-trips any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const encoded = encodeBase32(bytes);
        expect(encoded).toMatch(/^[a-z2-7]*$/);
        expect(decodeBase32(encoded)).toEqual(bytes);
      }),
    );
  });

  it("accepts upper case, as mail systems may send it", () => {
    expect(decodeBase32("MZXW6YTBOI")).toEqual(text("foobar"));
    expect(decodeBase32("MzXw6")).toEqual(text("foo"));
  });

  it("refuses characters outside the alphabet", () => {
    for (const bad of ["mzx0", "mzx1", "mzx8", "mzx9", "mzxw6===", "mz-q", "mz q", "\u212azxq"]) {
      expect(() => decodeBase32(bad), bad).toThrow(AppError);
    }
  });

  it("refuses impossible lengths and stray trailing bits", () => {
    expect(() => decodeBase32("m")).toThrow(/length/);
    expect(() => decodeBase32("mzx")).toThrow(/length/);
    expect(() => decodeBase32("mzxw6y")).toThrow(/length/);
    // "mz" would be "f" plus two set padding bits: a second spelling of "my".
    expect(() => decodeBase32("mz")).toThrow(/canonical/);
  });

  it("throws AppError bad_request, since the text comes off the wire", () => {
    try {
      decodeBase32("!!");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("bad_request");
    }
  });
});

describe("randomId", () => {
  it("is 20 base32 characters of 12 random bytes by default", () => {
    const id = randomId();
    expect(id).toMatch(/^[a-z2-7]{20}$/);
    expect(decodeBase32(id)).toHaveLength(12);
  });

  it("takes another size", () => {
    expect(randomId(5)).toMatch(/^[a-z2-7]{8}$/);
  });

  it("does not repeat", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()));
    expect(ids.size).toBe(1000);
  });
});
