import { describe, expect, it } from "vitest";
import {
  loggable,
  messageIds,
  newMessageId,
  normalizeAddress,
  parseMessageId,
  parseReplyAddress,
  replyAddress,
} from "./address.ts";

const handle = "a".repeat(44);

describe("addresses", () => {
  it("normalizes plain addresses and refuses anything a header could hide in", () => {
    expect(normalizeAddress(" Ana.H@Example.COM ")).toBe("ana.h@example.com");
    for (const bad of [
      "ana",
      "ana@localhost",
      "Ana <ana@x.example>",
      "ana@x.example\r\nBcc: all@x.example",
      `${"a".repeat(65)}@x.example`,
      "a..b@x.example",
      42,
    ]) {
      expect(normalizeAddress(bad)).toBe(null);
    }
  });

  it("builds and reads reply addresses within 64 octets", () => {
    const address = replyAddress(handle, "Reply.Example.com");
    expect(address).toBe(`reply+${handle}@reply.example.com`);
    expect(address.split("@")[0]!.length).toBeLessThanOrEqual(64);
    expect(parseReplyAddress(`<${address.toUpperCase()}>`)).toEqual({
      handle,
      domain: "reply.example.com",
    });
    expect(parseReplyAddress("support@reply.example.com")).toBe(null);
    expect(() => replyAddress("a".repeat(60), "x.example")).toThrow(TypeError);
  });

  it("builds and reads our Message-IDs", () => {
    const id = newMessageId(handle, "reply.example.com");
    expect(id).toMatch(/^<ot\.a{44}\.[0-9a-f]{16}@reply\.example\.com>$/);
    expect(parseMessageId(id)).toEqual({ handle, domain: "reply.example.com" });
    expect(parseMessageId("<CAF=abc@mail.gmail.com>")).toBe(null);
    expect(messageIds("<a@x>\r\n <b@y>")).toEqual(["<a@x>", "<b@y>"]);
  });

  it("masks the handle of our addresses and Message-IDs in log lines, and nothing else", () => {
    const address = replyAddress(handle, "reply.example.com");
    const id = newMessageId(handle, "reply.example.com");
    expect(loggable(address)).toBe("reply+…@reply.example.com");
    expect(loggable(`Ana <${address.toUpperCase()}>`)).not.toContain(handle.toUpperCase());
    expect(loggable(id)).toMatch(/^<ot\.…\.[0-9a-f]{16}@reply\.example\.com>$/);
    expect(loggable("ana@example.com")).toBe("ana@example.com");
    expect(loggable("<CAF=abc@mail.gmail.com>")).toBe("<CAF=abc@mail.gmail.com>");
  });
});
