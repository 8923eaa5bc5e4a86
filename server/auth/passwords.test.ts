import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./passwords.ts";

const FAST = { N: 1024 };

describe("hashPassword", () => {
  it("writes scrypt$N$r$p$salt$hash with a fresh 16-byte salt and 32-byte key", async () => {
    const a = await hashPassword("hunter2", FAST);
    const b = await hashPassword("hunter2", FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it("refuses a cost that is not a power of two or above the cap", async () => {
    await expect(hashPassword("x", { N: 1000 })).rejects.toThrow(TypeError);
    await expect(hashPassword("x", { N: 2 ** 18 })).rejects.toThrow(TypeError);
  });
});

describe("verifyPassword", () => {
  it("accepts the right password and refuses others", async () => {
    const stored = await hashPassword("correct horse", FAST);
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct horsE", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("round-trips with the default parameters", async () => {
    const stored = await hashPassword("omnithread-demo");
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword("omnithread-demo", stored)).toBe(true);
    expect(await verifyPassword("omnithread-dem0", stored)).toBe(false);
  });

  it("matches a password however its accents were composed", async () => {
    const stored = await hashPassword("caf\u00e9", FAST);
    expect(await verifyPassword("cafe\u0301", stored)).toBe(true);
  });

  it("answers false for malformed or hostile stored strings", async () => {
    const good = await hashPassword("pw", FAST);
    const [, , , , salt, hash] = good.split("$");
    const malformed = [
      "",
      "plaintext",
      good.replace("scrypt$", "bcrypt$"),
      good.slice(0, good.lastIndexOf("$")),
      `${good}$extra`,
      `scrypt$1000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 18}$8$1$${salt}$${hash}`, // N above the cap
      `scrypt$${2 ** 17}$16$1$${salt}$${hash}`, // 256 MiB
      `scrypt$1024$0$1$${salt}$${hash}`,
      `scrypt$1024$8$99$${salt}$${hash}`,
      `scrypt$01024$8$1$${salt}$${hash}`,
      `scrypt$1024$8$1$${salt}$${hash}!`,
      `scrypt$1024$8$1$$${hash}`,
      `scrypt$1024$8$1$${salt}$AAAA`,
    ];
    for (const stored of malformed) {
      expect(await verifyPassword("pw", stored), stored).toBe(false);
    }
    expect(await verifyPassword("pw", good)).toBe(true);
  });
});
