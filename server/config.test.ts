import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const demo = readFileSync(new URL("../demo/sites.json", import.meta.url), "utf8");

describe("loadConfig", () => {
  it("runs the demo on the memory store with no variables at all", () => {
    const config = loadConfig({}, demo);
    expect(config).toMatchObject({
      port: 8787,
      publicUrl: "http://localhost:8787",
      store: { kind: "memory" },
    });
    expect(config.sites[0]?.origins).toEqual(
      expect.arrayContaining(["http://localhost:8787", "http://127.0.0.1:8787"]),
    );
  });

  it("lets the demo site allow its own origin on whatever port it runs", () => {
    const config = loadConfig({ PORT: "9100", PUBLIC_URL: "https://chat.example.com" }, demo);
    expect(config.sites[0]?.origins).toEqual(
      expect.arrayContaining([
        "https://chat.example.com",
        "http://localhost:9100",
        "http://127.0.0.1:9100",
      ]),
    );
  });

  it.each([
    [{ PORT: "eighty" }, /PORT/],
    [{ PUBLIC_URL: "chat.example.com" }, /PUBLIC_URL/],
    [{ OMNITHREAD_STORE: "postgres" }, /OMNITHREAD_STORE/],
    [{ OMNITHREAD_STORE: "redis" }, /REDIS_URL/],
    [{ OMNITHREAD_STORE: "redis", REDIS_URL: "http://x" }, /REDIS_URL/],
    [
      { OMNITHREAD_STORE: "redis", UPSTASH_REDIS_REST_URL: "https://u.example" },
      /UPSTASH_REDIS_REST_TOKEN/,
    ],
    [
      { MESSENGER_PAGE_ID: "1" },
      /MESSENGER_APP_SECRET|MESSENGER_PAGE_ACCESS_TOKEN|MESSENGER_VERIFY_TOKEN/,
    ],
    [{ EMAIL_FROM: "support@example.com" }, /EMAIL_REPLY_DOMAIN/],
  ])("names the bad variable: %j", (env, message) => {
    expect(() => loadConfig(env, demo)).toThrow(ConfigError);
    expect(() => loadConfig(env, demo)).toThrow(message);
  });

  it("chooses Redis over TCP or over Upstash REST", () => {
    expect(
      loadConfig({ OMNITHREAD_STORE: "redis", REDIS_URL: "redis://127.0.0.1:6379" }, demo).store,
    ).toEqual({
      kind: "redis",
      url: "redis://127.0.0.1:6379",
    });
    const upstash = loadConfig(
      {
        OMNITHREAD_STORE: "redis",
        UPSTASH_REDIS_REST_URL: "https://u.example/",
        UPSTASH_REDIS_REST_TOKEN: "t",
      },
      demo,
    );
    expect(upstash.store).toEqual({
      kind: "redis",
      upstash: { url: "https://u.example", token: "t" },
    });
  });

  it("lets the environment configure the first site's Messenger", () => {
    const config = loadConfig(
      {
        MESSENGER_PAGE_ID: "p",
        MESSENGER_APP_SECRET: "s",
        MESSENGER_VERIFY_TOKEN: "v",
        MESSENGER_PAGE_ACCESS_TOKEN: "t",
      },
      demo,
    );
    expect(config.sites[0]?.messenger).toEqual({
      pageId: "p",
      appSecret: "s",
      verifyToken: "v",
      pageAccessToken: "t",
    });
  });

  it.each([
    ["not json", /not valid JSON/],
    ['{"sites":[]}', /at least one site/],
    ['{"sites":[{"id":"Bad Id"}]}', /sites\[0\]\.id/],
    ['{"sites":[{"id":"a","origins":["https://a.example/path"]}]}', /origins\[0\]/],
    ['{"sites":[{"id":"a"},{"id":"a"}]}', /appears twice/],
    ['{"sites":[{"id":"a","agents":[{"email":"x@y","passwordHash":"plain"}]}]}', /passwordHash/],
    [
      '{"sites":[{"id":"a","email":{"from":"s@a.example","replyDomain":"r.a.example","unseenReplyDelaySeconds":-1}}]}',
      /email\.unseenReplyDelaySeconds must be a number of seconds from 0/,
    ],
    [
      '{"sites":[{"id":"a","email":{"from":"s@a.example","replyDomain":"r.a.example","unseenReplyDelaySeconds":"5"}}]}',
      /email\.unseenReplyDelaySeconds/,
    ],
    [
      '{"sites":[{"id":"a","email":{"from":"s@a.example","replyDomain":"r.a.example","transcriptOnResolve":"yes"}}]}',
      /email\.transcriptOnResolve must be true or false/,
    ],
  ])("refuses a broken sites file: %s", (json, message) => {
    expect(() => loadConfig({}, json)).toThrow(message);
  });

  it("reads the email continuity settings, and keeps them under EMAIL_FROM overrides", () => {
    const json = JSON.stringify({
      sites: [
        {
          id: "a",
          email: {
            from: "s@a.example",
            replyDomain: "r.a.example",
            unseenReplyDelaySeconds: 0.5,
            transcriptOnResolve: true,
          },
        },
      ],
    });
    expect(loadConfig({}, json).sites[0]?.email).toEqual({
      from: "s@a.example",
      replyDomain: "r.a.example",
      unseenReplyDelaySeconds: 0.5,
      transcriptOnResolve: true,
    });
    expect(loadConfig({ EMAIL_FROM: "t@a.example" }, json).sites[0]?.email).toMatchObject({
      from: "t@a.example",
      unseenReplyDelaySeconds: 0.5,
      transcriptOnResolve: true,
    });
  });

  it("reports every problem at once, each with its variable or sites-file path", () => {
    const json = JSON.stringify({
      sites: [
        {
          id: "shop",
          origins: ["https://shop.example", "shop.example"],
          agents: [
            { email: "a@shop.example", passwordHash: "plain" },
            { email: "", passwordHash: "scrypt$1" },
          ],
          callback: { windowMinutes: 5 },
        },
        { id: "Bad Id!" },
      ],
    });
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", LOG_LEVEL: "loud", GRAPH_API_URL: "graph" }, json);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const expected of [
      /^PORT must be an integer/,
      /sites\[0\]\.origins\[1\] must be an absolute http\(s\) URL/,
      /sites\[0\]\.agents\[0\]\.passwordHash must be an scrypt\$ hash/,
      /sites\[0\]\.agents\[1\]\.email must be a non-empty string/,
      /sites\[0\]\.callback\.windowMinutes must be a whole number from 15/,
      /sites\[1\]\.id must match/,
      /^GRAPH_API_URL must be an absolute http\(s\) URL/,
      /^LOG_LEVEL must be one of debug, info, warn, error/,
    ]) {
      expect(
        problems.some((problem) => expected.test(problem)),
        String(expected),
      ).toBe(true);
    }
    expect(problems).toHaveLength(8);
    expect((error as ConfigError).message.split("\n")).toEqual(problems);
  });
});
