import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTelegramApiPeer } from "../../test/helpers/telegram-api-peer.ts";
import { hashApiKey } from "../auth/api-keys.ts";
import { generateKeyRingConfig, type KeyRingConfig, loadKeyRing } from "../auth/keys.ts";
import { hashPassword, verifyPassword } from "../auth/passwords.ts";
import { webhookKey } from "../auth/webhook-signature.ts";
import type { Env } from "../config.ts";
import { type CliIo, runCli } from "./cli.ts";
import { DEMO_SMS } from "./sms-simulator/index.ts";
import { DEMO_TELEGRAM } from "./telegram-simulator/index.ts";
import { DEMO_WHATSAPP } from "./whatsapp-simulator/index.ts";

/** Runs one command line with its own environment; answers the exit code and what it wrote. */
async function cli(argv: string[], env: Env = {}, password = "") {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env,
    readPassword: async () => password,
  };
  const code = await runCli(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let dir: string;
let keysFile: string;
let goodSites: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "omnithread-cli-"));
  keysFile = join(dir, "keys.json");
  writeFileSync(keysFile, JSON.stringify(await generateKeyRingConfig()));
  goodSites = JSON.stringify({
    sites: [
      {
        id: "shop",
        origins: ["https://shop.example"],
        identitySecret: "a-long-random-secret-of-the-shop-0123456789",
        agents: [
          {
            email: "ana@shop.example",
            passwordHash: await hashPassword("ana's own password", { N: 1024 }),
          },
        ],
      },
    ],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("omnithread --help", () => {
  it("lists every command", async () => {
    const { code, out } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const command of [
      "start ",
      "start --demo",
      "keys ",
      "keys --rotate FILE",
      "keys --api-key ID",
      "keys --webhook-secret",
      "hash-password",
      "check-config",
    ]) {
      expect(out).toContain(command);
    }
  });

  it("refuses an unknown command or flag with the usage and exit 2", async () => {
    expect(await cli(["serve"])).toMatchObject({
      code: 2,
      err: expect.stringContaining('Unknown command "serve"'),
    });
    expect((await cli(["start", "--prod"])).code).toBe(2);
    expect((await cli([])).code).toBe(2);
  });
});

describe("omnithread check-config", () => {
  it("passes a production configuration: exit 0 with what it found", async () => {
    const env = {
      OMNITHREAD_SITES: goodSites,
      OMNITHREAD_KEYS: keysFile,
      OMNITHREAD_STORE: "redis",
      REDIS_URL: "redis://127.0.0.1:6379",
    };
    const { code, out, err } = await cli(["check-config"], env);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("configuration ok: sites shop; store redis");
  });

  it("prints every problem with its path, the production rules too, and exits 1", async () => {
    const demoSites = readFileSync("demo/sites.json", "utf8");
    const broken = JSON.parse(demoSites);
    broken.sites[0].origins.push("not a url");
    broken.sites.push({ id: "other", callback: { daysAhead: 99 } });
    const { code, err } = await cli(["check-config"], {
      OMNITHREAD_SITES: JSON.stringify(broken),
      OMNITHREAD_KEYS: '{"keys": [], "secrets": []}',
      PORT: "-1",
    });
    expect(code).toBe(1);
    for (const problem of [
      "PORT must be an integer from 0 to 65535",
      "sites[0].origins[1] must be an absolute http(s) URL",
      "sites[1].callback.daysAhead must be a whole number from 1 to 14",
      "OMNITHREAD_KEYS: Key ring: no signing keys configured",
    ]) {
      expect(err).toContain(problem);
    }
    // A broken file says what is broken, not yet what production would refuse of it.
    const demo = await cli(["check-config"], { OMNITHREAD_SITES: demoSites });
    expect(demo.code).toBe(1);
    for (const problem of [
      'sites[0].id: "demo" is the demo site',
      "sites[0].identitySecret: the demo's published secret",
      "sites[0].agents[0].passwordHash: the demo's published password",
      "OMNITHREAD_KEYS: not set",
    ]) {
      expect(demo.err).toContain(problem);
    }
  });

  it("names OMNITHREAD_SITES when it is unset, or neither JSON nor a file", async () => {
    expect((await cli(["check-config"], { OMNITHREAD_KEYS: keysFile })).err).toContain(
      "OMNITHREAD_SITES: not set",
    );
    expect(
      (await cli(["check-config"], { OMNITHREAD_SITES: "sites.jsn", OMNITHREAD_KEYS: keysFile }))
        .err,
    ).toContain('OMNITHREAD_SITES is neither JSON nor an existing file: "sites.jsn"');
  });
});

describe("omnithread start", () => {
  it("refuses the demo's settings in production, naming what to set, before listening", async () => {
    const { code, err } = await cli(["start"], {
      OMNITHREAD_SITES: readFileSync("demo/sites.json", "utf8"),
      OMNITHREAD_DEMO_PUBLIC: "1",
      PORT: "0",
    });
    expect(code).toBe(1);
    expect(err).toContain("omnithread start: the configuration has problems");
    expect(err).toContain("OMNITHREAD_KEYS: not set");
    expect(err).toContain(
      "OMNITHREAD_DEMO_PUBLIC: the demo simulators are for `omnithread start --demo` only",
    );
    expect(err).toContain('"demo" is the demo site');
  });

  it("refuses the demo simulators' Messenger, Telegram and WhatsApp settings and webmail domain in a sites file", async () => {
    const sites = JSON.parse(goodSites);
    sites.sites[0].telegram = { ...DEMO_TELEGRAM, linkBase: "https://t.me/shop_bot" };
    sites.sites[0].whatsapp = { ...DEMO_WHATSAPP, linkBase: "https://wa.me/15550000001" };
    sites.sites[0].sms = DEMO_SMS;
    sites.sites[0].messenger = {
      pageId: "demo-page",
      appSecret: "demo-app-secret-for-the-simulator-only",
      verifyToken: "demo-verify-token",
      pageAccessToken: "demo-page-access-token",
    };
    sites.sites[0].email = { from: "support@demo.example", replyDomain: "reply.demo.example" };
    const { code, err } = await cli(["start"], {
      OMNITHREAD_SITES: JSON.stringify(sites),
      OMNITHREAD_KEYS: keysFile,
      GRAPH_API_URL: "http://127.0.0.1:8787/demo/graph",
      TELEGRAM_API_URL: "http://127.0.0.1:8787/demo/telegram-api",
      TWILIO_API_URL: "http://127.0.0.1:8787/demo/twilio",
    });
    expect(code).toBe(1);
    expect(err).toContain("sites[0].messenger: the demo's Messenger simulator settings");
    expect(err).toContain("sites[0].email.replyDomain: the demo webmail's domain");
    expect(err).toContain("GRAPH_API_URL: points at the demo's Graph simulator");
    expect(err).toContain("TELEGRAM_API_URL: points at the demo's Telegram simulator");
    expect(err).toContain("sites[0].telegram: the demo's Telegram simulator settings");
    expect(err).toContain("sites[0].whatsapp: the demo's WhatsApp simulator settings");
    expect(err).toContain("sites[0].sms: the demo's SMS simulator settings");
    expect(err).toContain("TWILIO_API_URL: points at the demo's SMS simulator");
  });
});

describe("omnithread keys", () => {
  it("prints a fresh ring the server loads", async () => {
    const { code, out } = await cli(["keys"]);
    expect(code).toBe(0);
    const ring = JSON.parse(out) as KeyRingConfig;
    await expect(loadKeyRing(ring)).resolves.toBeDefined();
    expect(ring.keys[0]?.retiredAt).toBeUndefined();
  });

  it("--rotate puts a new signing key first and retires the old ones, keeping them", async () => {
    const before = JSON.parse(readFileSync(keysFile, "utf8")) as KeyRingConfig;
    const { code, out } = await cli(["keys", "--rotate", keysFile]);
    expect(code).toBe(0);
    const after = JSON.parse(out) as KeyRingConfig;
    expect(after.keys).toHaveLength(before.keys.length + 1);
    expect(after.keys[0]?.kid).not.toBe(before.keys[0]?.kid);
    expect(after.keys[0]?.retiredAt).toBeUndefined();
    expect(after.keys[1]).toMatchObject({
      kid: before.keys[0]?.kid,
      retiredAt: expect.any(Number),
    });
    expect(after.secrets.slice(1)).toEqual(before.secrets);
    await expect(loadKeyRing(after)).resolves.toBeDefined();
  });

  it("--rotate refuses a file that is not a key ring", async () => {
    const notRing = join(dir, "sites.json");
    writeFileSync(notRing, goodSites);
    const { code, err } = await cli(["keys", "--rotate", notRing]);
    expect(code).toBe(1);
    expect(err).toContain("is not a key ring");
  });

  it("--api-key prints a key and the sites-file entry holding its SHA-256", async () => {
    const { code, out } = await cli(["keys", "--api-key", "crm"]);
    expect(code).toBe(0);
    const { key, apiKey } = JSON.parse(out) as {
      key: string;
      apiKey: { id: string; hash: string; scopes: string[] };
    };
    expect(key).toMatch(/^ot_sk_crm_[a-z2-7]{32}$/);
    expect(apiKey).toEqual({
      id: "crm",
      hash: await hashApiKey(key),
      scopes: ["agent", "contacts", "webhooks"],
    });
    expect(apiKey.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse((await cli(["keys", "--api-key", "crm"])).out).key).not.toBe(key);
    expect((await cli(["keys", "--api-key", "my_crm"])).code).toBe(1);
  });

  it("--webhook-secret prints a fresh whsec_ secret of 32 random bytes", async () => {
    const { code, out } = await cli(["keys", "--webhook-secret"]);
    expect(code).toBe(0);
    expect(webhookKey(out.trim())).toHaveLength(32);
    expect((await cli(["keys", "--webhook-secret"])).out).not.toBe(out);
  });
});

describe("omnithread telegram-webhook", () => {
  it("points each site's bot at PUBLIC_URL/webhooks/telegram with its secret, and exits 1 when one is refused", async () => {
    const bot = await startTelegramApiPeer({ tokens: ["7001:AAshop-bot-token-0123456789abcdef"] });
    const site = (id: string, botToken: string) => ({
      id,
      origins: [`https://${id}.example`],
      telegram: {
        botToken,
        botUsername: `${id}_help_bot`,
        webhookSecret: `${id}-webhook-secret-0123`,
      },
    });
    try {
      const env = {
        PUBLIC_URL: "https://chat.shop.example",
        TELEGRAM_API_URL: bot.url,
        OMNITHREAD_SITES: JSON.stringify({
          sites: [
            site("shop", "7001:AAshop-bot-token-0123456789abcdef"),
            site("outlet", "7002:AArevoked-token-0123456789abcdef"),
          ],
        }),
      };
      const { code, out, err } = await cli(["telegram-webhook"], env);
      expect(out).toBe(
        "shop: @shop_help_bot sends its updates to https://chat.shop.example/webhooks/telegram",
      );
      expect(err).toContain("outlet: @outlet_help_bot: Telegram refused setWebhook: Unauthorized");
      expect(code).toBe(1);
      expect(bot.webhooks).toEqual([
        {
          token: "7001:AAshop-bot-token-0123456789abcdef",
          url: "https://chat.shop.example/webhooks/telegram",
          secret: "shop-webhook-secret-0123",
        },
      ]);
      const none = await cli(["telegram-webhook"], { OMNITHREAD_SITES: goodSites });
      expect(none.code).toBe(1);
      expect(none.err).toContain("no site has a Telegram bot");
    } finally {
      await bot.stop();
    }
  });
});

describe("omnithread hash-password", () => {
  it("prints a hash the server verifies the password against", async () => {
    const { code, out } = await cli(["hash-password"], {}, "correct horse battery");
    expect(code).toBe(0);
    expect(out).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword("correct horse battery", out)).toBe(true);
    expect(await verifyPassword("correct horse", out)).toBe(false);
  });

  it("refuses a password too short to guard a console", async () => {
    const { code, err } = await cli(["hash-password"], {}, "short");
    expect(code).toBe(1);
    expect(err).toContain("at least 10 characters");
  });
});

describe("omnithread start --demo (npm start)", () => {
  it("says it is a demo on start, serves the shop, and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/cli.ts", "start", "--demo"], {
      env: { PATH: process.env.PATH, PORT: "0", OMNITHREAD_DATA_DIR: dir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => child.once("exit", done));
    for (let i = 0; i < 200 && !stderr.includes("agent console"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stderr).toContain("omnithread DEMO: published passwords and keys");
    expect(stderr).toContain("Not for production");
    expect(stderr).toContain("agent@example.com / omnithread-demo");
    const listening = stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { message: string; url?: string })
      .find((line) => line.message === "listening");
    const port = new URL(listening!.url!).port;
    const shop = await fetch(`http://127.0.0.1:${port}/`);
    expect(shop.status).toBe(200);
    expect(await shop.text()).toContain("widget.js");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
