import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateKeyRingConfig } from "../auth/keys.ts";
import { ConfigError } from "../config.ts";
import { edgeSetup } from "./setup.ts";

const sites = readFileSync("demo/sites.json", "utf8");
const keys = JSON.stringify(await generateKeyRingConfig());
const good = {
  PUBLIC_URL: "https://chat.example.com",
  UPSTASH_REDIS_REST_URL: "https://eu1-fine-cat.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "token",
  OMNITHREAD_SITES: sites,
  OMNITHREAD_KEYS: keys,
};

const refusal = (bindings: Record<string, unknown>) => {
  try {
    edgeSetup(bindings);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("accepted");
};

describe("the edge configuration", () => {
  it("reads the Node variables from the bindings, with the store on Upstash", () => {
    const {
      config,
      upstash,
      keys: ring,
    } = edgeSetup({
      ...good,
      ASSETS: { fetch() {} }, // not text: not configuration
      EMAIL_FROM: "support@shop.example",
      EMAIL_REPLY_DOMAIN: "reply.shop.example",
      POSTMARK_SERVER_TOKEN: "pm",
    });
    expect(config.publicUrl).toBe("https://chat.example.com");
    expect(upstash).toEqual({ url: "https://eu1-fine-cat.upstash.io", token: "token" });
    expect(config.email.transport).toEqual({ kind: "postmark", serverToken: "pm" });
    expect(config.sites[0]?.email?.replyDomain).toBe("reply.shop.example");
    expect(ring.keys).toHaveLength(1);
  });

  it.each([
    [{ PUBLIC_URL: undefined }, /PUBLIC_URL must be set/],
    [{ OMNITHREAD_STORE: "memory" }, /OMNITHREAD_STORE must be "redis"/],
    [
      { UPSTASH_REDIS_REST_URL: undefined, REDIS_URL: "redis://10.0.0.1" },
      /REDIS_URL is Redis over TCP/,
    ],
    [{ UPSTASH_REDIS_REST_TOKEN: "" }, /UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN/],
    [{ SMTP_URL: "smtp://mail.example:587" }, /SMTP_URL needs Node/],
    [{ SMTP_LISTEN_PORT: "25" }, /SMTP_LISTEN_PORT needs Node/],
    [{ OMNITHREAD_SITES: "/etc/omnithread/sites.json" }, /OMNITHREAD_SITES must be the sites/],
    [{ OMNITHREAD_KEYS: undefined }, /OMNITHREAD_KEYS must be set/],
    [{ OMNITHREAD_KEYS: "[1,2]" }, /OMNITHREAD_KEYS must be a key ring/],
    [{ PUBLIC_URL: "chat.example.com" }, /PUBLIC_URL must be an absolute/],
  ])("refuses %o, naming the variable", (change, message) => {
    expect(refusal({ ...good, ...change })).toMatch(message);
  });

  it("never echoes a secret that fails to parse", () => {
    const message = refusal({ ...good, OMNITHREAD_KEYS: '{"keys": [{"d": "PRIVATE-PART' });
    expect(message).toMatch(/OMNITHREAD_KEYS is not valid JSON/);
    expect(message).not.toContain("PRIVATE");
  });
});
