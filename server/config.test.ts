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
    [{ ATTACHMENTS: "ftp://files" }, /ATTACHMENTS.*fs:<dir>, s3:\/\/<bucket> or r2/],
    [{ ATTACHMENTS: "s3://shop-files" }, /S3_ENDPOINT/],
    [{ ATTACHMENTS: "s3://shop-files", S3_ENDPOINT: "https://s3.example" }, /S3_ACCESS_KEY_ID/],
  ])("names the bad variable: %j", (env, message) => {
    expect(() => loadConfig(env, demo)).toThrow(ConfigError);
    expect(() => loadConfig(env, demo)).toThrow(message);
  });

  it("keeps attachments on disk by default, or where ATTACHMENTS says", () => {
    expect(loadConfig({}, demo).attachments).toEqual({ kind: "fs", dir: null });
    expect(loadConfig({ ATTACHMENTS: "fs:/var/lib/omnithread/files" }, demo).attachments).toEqual({
      kind: "fs",
      dir: "/var/lib/omnithread/files",
    });
    expect(loadConfig({ ATTACHMENTS: "r2" }, demo).attachments).toEqual({ kind: "r2" });
    const s3 = {
      ATTACHMENTS: "s3://shop-files",
      S3_ENDPOINT: "https://s3.eu-west-1.amazonaws.com",
      S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
      S3_SECRET_ACCESS_KEY: "secret",
      S3_REGION: "eu-west-1",
    };
    expect(loadConfig(s3, demo).attachments).toEqual({
      kind: "s3",
      bucket: "shop-files",
      endpoint: "https://s3.eu-west-1.amazonaws.com",
      accessKeyId: "AKIAEXAMPLE",
      secretAccessKey: "secret",
      region: "eu-west-1",
    });
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
      // One email rule for the whole server (server/schema/fields.ts), not "a non-empty string".
      /sites\[0\]\.agents\[1\]\.email must be an email address like ana@example.com/,
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

  it("refuses unknown keys with their path and the nearest known key, all of them at once", () => {
    const json = JSON.stringify({
      sites: [
        { id: "a", origin: ["https://a.example"], bussinessHours: {} },
        { id: "b", agents: [{ email: "b@b.example", passwordHash: "scrypt$x", nmae: "B" }] },
      ],
      site: [],
    });
    expect(problemsOf({}, json)).toEqual([
      'OMNITHREAD_SITES: sites[0].origin: unknown key, did you mean "origins"?',
      'OMNITHREAD_SITES: sites[0].bussinessHours: unknown key, did you mean "businessHours"?',
      'OMNITHREAD_SITES: sites[1].agents[0].nmae: unknown key, did you mean "name"?',
      'OMNITHREAD_SITES: site: unknown key, did you mean "sites"?',
    ]);
  });

  it("allows $schema, for editors", () => {
    const file = JSON.parse(demo);
    file.$schema = "./schema/sites.schema.json";
    expect(loadConfig({}, JSON.stringify(file)).sites[0]?.id).toBe("demo");
  });

  it("refuses an incomplete messenger block, naming the missing key", () => {
    const json = JSON.stringify({
      sites: [{ id: "a", messenger: { pageId: "p", appSecret: "s" } }],
    });
    expect(problemsOf({}, json)).toEqual([
      "OMNITHREAD_SITES: sites[0].messenger.verifyToken is required",
      "OMNITHREAD_SITES: sites[0].messenger.pageAccessToken is required",
    ]);
    // The environment may give the first site what the file leaves out; what neither gives is named.
    expect(problemsOf({ MESSENGER_VERIFY_TOKEN: "v" }, json)).toEqual([
      "MESSENGER_PAGE_ACCESS_TOKEN is required when Messenger is configured",
    ]);
    const both = loadConfig(
      { MESSENGER_VERIFY_TOKEN: "v", MESSENGER_PAGE_ACCESS_TOKEN: "t" },
      json,
    );
    expect(both.sites[0]?.messenger).toEqual({
      pageId: "p",
      appSecret: "s",
      verifyToken: "v",
      pageAccessToken: "t",
    });
  });

  it("refuses the same agent email on two sites (a login finds its site by it)", () => {
    const agent = (email: string) => ({ email, passwordHash: "scrypt$x" });
    const json = JSON.stringify({
      sites: [
        { id: "a", agents: [agent("ana@example.com")] },
        { id: "b", agents: [agent("bo@example.com"), agent(" ANA@example.com")] },
      ],
    });
    expect(problemsOf({}, json)).toEqual([
      'OMNITHREAD_SITES: sites[1].agents[1].email: "ana@example.com" is also sites[0].agents[0].email: an agent\'s email may appear once in the file (its login finds the site by it)',
    ]);
  });

  it("reports a repeated site id along with the other problems", () => {
    const json = JSON.stringify({ sites: [{ id: "a" }, { id: "a", locale: "" }] });
    expect(problemsOf({}, json)).toEqual([
      "OMNITHREAD_SITES: sites[1].locale must be a non-empty string",
      'OMNITHREAD_SITES: sites[1].id: site id "a" appears twice (sites[0].id has it too)',
    ]);
  });

  it("reads email addresses by the server's one rule", () => {
    const site = (from: string) =>
      JSON.stringify({ sites: [{ id: "a", email: { from, replyDomain: "r.a.example" } }] });
    for (const bad of ["support@", "a b@a.example", "Support <s@a.example>", "s@localhost"]) {
      expect(problemsOf({}, site(bad))).toEqual([
        "OMNITHREAD_SITES: sites[0].email.from must be an email address like ana@example.com",
      ]);
    }
    expect(loadConfig({}, site(" S@A.example ")).sites[0]?.email?.from).toBe("s@a.example");
    expect(problemsOf({ EMAIL_FROM: "nobody" }, site("s@a.example"))).toEqual([
      "EMAIL_FROM must be an email address like ana@example.com",
    ]);
  });

  it("tells the business hours' problems from validateHours with their path", () => {
    const hours = (businessHours: unknown) =>
      JSON.stringify({ sites: [{ id: "a", businessHours }] });
    expect(problemsOf({}, hours({ timeZone: "Mars/Base", days: {} }))).toEqual([
      'OMNITHREAD_SITES: sites[0].businessHours.timeZone "Mars/Base" is not an IANA time zone',
    ]);
    // A broken day does not hide a broken zone.
    expect(
      problemsOf({}, hours({ timeZone: "Mars/Base", days: { mon: ["9", "17:00"], mn: [] } })),
    ).toEqual([
      'OMNITHREAD_SITES: sites[0].businessHours.days.mon[0] must be ["HH:MM", "HH:MM"]',
      'OMNITHREAD_SITES: sites[0].businessHours.days.mn: unknown key, did you mean "mon"?',
      'OMNITHREAD_SITES: sites[0].businessHours.timeZone "Mars/Base" is not an IANA time zone',
    ]);
    expect(problemsOf({}, hours("9-5"))).toEqual([
      'OMNITHREAD_SITES: sites[0].businessHours must be { "timeZone": "...", "days": { "mon": ["09:00", "17:00"], ... } }',
    ]);
  });

  it("keeps the environment's messages, and lets unknown variables be", () => {
    expect(
      problemsOf(
        {
          SMTP_URL: "smtp://user:secret@mail.example:587",
          POSTMARK_SERVER_TOKEN: "t",
          EMAIL_INBOUND_SECRET: "short",
          SMTP_LISTEN_PORT: "25a",
          HOME: "/root",
          SOMETHING_ELSE: "x",
        },
        demo,
      ),
    ).toEqual([
      'SMTP_LISTEN_PORT must be an integer from 0 to 65535, got "25a"',
      "EMAIL_INBOUND_SECRET must be at least 16 characters with no spaces",
      "Set SMTP_URL or POSTMARK_SERVER_TOKEN, not both: they name the mail transport",
    ]);
    expect(problemsOf({ SMTP_URL: "http://user:secret@mail.example" }, demo)).toEqual([
      'SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465, got "http://***@mail.example"',
    ]);
    expect(problemsOf({ EMAIL_API_URL: "https://api.example" }, demo)).toEqual([
      "EMAIL_API_URL needs POSTMARK_SERVER_TOKEN",
    ]);
    const config = loadConfig(
      {
        PORT: "",
        POSTMARK_SERVER_TOKEN: "t",
        EMAIL_API_URL: "https://api.example/",
        SMTP_LISTEN_PORT: "0",
        LOG_LEVEL: "DEBUG",
        TRUST_PROXY: "1",
        MAILGUN_SIGNING_KEY: "k",
        EMAIL_INBOUND_SECRET: "0123456789abcdef",
      },
      demo,
    );
    expect(config).toMatchObject({
      port: 8787,
      logLevel: "debug",
      trustProxy: true,
      graphApiUrl: "https://graph.facebook.com",
      email: {
        transport: { kind: "postmark", serverToken: "t", apiUrl: "https://api.example" },
        listenPort: 0,
        inboundSecret: "0123456789abcdef",
        mailgunSigningKey: "k",
      },
    });
  });
});

/** The problems `loadConfig` throws, or none. */
function problemsOf(env: Record<string, string>, json: string): string[] {
  try {
    loadConfig(env, json);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}
