/**
 * The `omnithread` command: the production server, the demo, and the tools an operator needs
 * (signing keys, API keys, password hashes, a configuration check). Plain Node on built JS.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { generateApiKey } from "../auth/api-keys.ts";
import { generateKeyRingConfig, type KeyRingConfig, loadKeyRing } from "../auth/keys.ts";
import { hashPassword } from "../auth/passwords.ts";
import { newWebhookSecret } from "../auth/webhook-signature.ts";
import { botApi, telegramOf } from "../channels/telegram/index.ts";
import { type Config, ConfigError, type Env, loadConfig } from "../config.ts";
import { devKeyPath, jsonOrFile, startServer } from "../node.ts";
import { DEMO_EMAIL } from "./mail-simulator/index.ts";
import { DEMO_MESSENGER } from "./messenger-simulator/index.ts";
import { PACKAGE_ROOT } from "./paths.ts";
import { DEMO_PASSWORD, productionProblems } from "./production.ts";
import { DEMO_SMS } from "./sms-simulator/index.ts";
import { DEMO_TELEGRAM } from "./telegram-simulator/index.ts";
import { DEMO_WHATSAPP } from "./whatsapp-simulator/index.ts";

const HELP = `omnithread: one conversation thread across web chat, Messenger, Telegram, email and callbacks

Usage: omnithread <command> [options]

Commands:
  start                 run the server for production (needs OMNITHREAD_SITES and OMNITHREAD_KEYS)
  start --demo          run the demo shop on the memory store (what \`npm start\` runs)
  keys                  print a new signing key ring for OMNITHREAD_KEYS
  keys --rotate FILE    print FILE's ring with a new signing key in front (the old one retires)
  keys --api-key ID     print a new API key and the sites-file entry with its hash
  keys --webhook-secret print a new whsec_ secret for a site's webhook endpoint
  hash-password         read a password (stdin, or a prompt) and print its hash for the sites file
  check-config          check the environment and the sites file; print every problem (exit 1)
  telegram-webhook      point each site's Telegram bot at PUBLIC_URL/webhooks/telegram (setWebhook)

Options:
  -h, --help            this text
  -v, --version         the version

Configuration is read from environment variables; see the README's "Configuration".`;

/** What a command writes: standard output for results, standard error for everything else. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Env;
  /** The password for `hash-password`, read from stdin or a prompt. */
  readPassword(): Promise<string>;
}

const nodeIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  readPassword,
};

/**
 * Runs one command line; answers the exit code. `start` resolves once the server listens (it
 * then runs until SIGTERM).
 *
 * @example
 * process.exitCode = await runCli(["check-config"]);
 */
export async function runCli(argv: string[], io: CliIo = nodeIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    io.out(JSON.parse(readFileSync(`${PACKAGE_ROOT}/package.json`, "utf8")).version);
    return 0;
  }
  if (values.help || command === undefined || command === "help") {
    io.out(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (rest.length > 0) {
    io.err(`Unexpected argument "${rest[0]}"\n\n${HELP}`);
    return 2;
  }
  try {
    switch (command) {
      case "start":
        return await start(io, values.demo === true);
      case "keys":
        if (values["webhook-secret"]) {
          io.out(newWebhookSecret());
          return 0;
        }
        return await keys(io, values.rotate, values["api-key"]);
      case "hash-password":
        io.out(await hashPassword(checkedPassword(await io.readPassword())));
        return 0;
      case "check-config":
        return await checkConfig(io);
      case "telegram-webhook":
        return await telegramWebhook(io);
      default:
        io.err(`Unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`omnithread ${command}: the configuration has problems:`);
      for (const problem of error.problems) io.err(`  - ${problem}`);
      return 1;
    }
    if (error instanceof TypeError) {
      io.err(`omnithread ${command}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      demo: { type: "boolean" },
      rotate: { type: "string" },
      "api-key": { type: "string" },
      "webhook-secret": { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}

async function start(io: CliIo, demo: boolean): Promise<number> {
  if (!demo) {
    await startServer({ env: io.env, signals: true, production: true });
    return 0;
  }
  // The demo binds this machine only unless told otherwise; its simulators play Meta and a
  // mailbox for the bundled demo sites only.
  const env: Env = { HOST: "127.0.0.1", ...io.env };
  const bundled = !env.OMNITHREAD_SITES;
  const server = await startServer({
    env,
    signals: true,
    messengerSimulator: bundled,
    telegramSimulator: bundled,
    whatsappSimulator: bundled,
    smsSimulator: bundled,
    mailSimulator: bundled,
  });
  const url = server.config.publicUrl;
  const demoSite = server.config.sites.find((site) => site.id === "demo");
  const lines = [
    "",
    "  ┌─────────────────────────────────────────────────────────────────────┐",
    "  │ omnithread DEMO: published passwords and keys, data kept in memory. │",
    "  │ Not for production: run `omnithread start` with your own settings.  │",
    "  └─────────────────────────────────────────────────────────────────────┘",
    `  demo shop:        ${url}/`,
    `  agent console:    ${url}/console/`,
  ];
  if (demoSite && bundled) lines.push(`  demo agent login: agent@example.com / ${DEMO_PASSWORD}`);
  if (demoSite?.messenger?.pageId === DEMO_MESSENGER.pageId)
    lines.push(`  Messenger simulator: ${url}/demo/messenger`);
  if (demoSite?.telegram?.botToken === DEMO_TELEGRAM.botToken)
    lines.push(`  Telegram simulator:  ${url}/demo/telegram`);
  if (demoSite?.whatsapp?.phoneNumberId === DEMO_WHATSAPP.phoneNumberId)
    lines.push(`  WhatsApp simulator:  ${url}/demo/whatsapp`);
  if (demoSite?.sms?.accountSid === DEMO_SMS.accountSid)
    lines.push(`  SMS simulator:       ${url}/demo/sms`);
  if (
    demoSite?.email?.replyDomain === DEMO_EMAIL.replyDomain &&
    server.email.transport.kind === "log"
  )
    lines.push(`  demo webmail:     ${url}/demo/mail`);
  lines.push("");
  io.err(lines.join("\n"));
  return 0;
}

async function keys(io: CliIo, rotate?: string, apiKeyId?: string): Promise<number> {
  if (rotate !== undefined && apiKeyId !== undefined) {
    throw new TypeError("--rotate and --api-key are separate tasks: give one");
  }
  if (apiKeyId !== undefined) {
    const { key, entry } = await generateApiKey(apiKeyId);
    io.out(JSON.stringify({ key, apiKey: entry }, null, 2));
    io.err("Give `key` to the caller once (it is not kept anywhere); put `apiKey` in the site's");
    io.err('"apiKeys" in the sites file.');
    return 0;
  }
  const fresh = await generateKeyRingConfig();
  if (rotate === undefined) {
    io.out(JSON.stringify(fresh, null, 2));
    return 0;
  }
  const current = JSON.parse(readFileSync(rotate, "utf8")) as KeyRingConfig;
  await loadKeyRing(current).catch((error: Error) => {
    throw new TypeError(`${rotate} is not a key ring: ${error.message}`);
  });
  const now = Math.floor(Date.now() / 1000);
  const rotated: KeyRingConfig = {
    keys: [
      ...fresh.keys,
      ...current.keys.map((key) => ({ ...key, retiredAt: key.retiredAt ?? now })),
    ],
    secrets: [...fresh.secrets, ...current.secrets],
  };
  io.out(JSON.stringify(rotated, null, 2));
  return 0;
}

/** Every problem `omnithread start` would refuse, and the key ring's, in one list. */
async function checkConfig(io: CliIo): Promise<number> {
  const problems: string[] = [];
  const noted = <T>(work: () => T): T | null => {
    try {
      return work();
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else problems.push(String((error as Error).message));
      return null;
    }
  };
  const sites = noted(() => jsonOrFile(io.env.OMNITHREAD_SITES, null, "OMNITHREAD_SITES"));
  const config: Config | null = sites === null ? null : noted(() => loadConfig(io.env, sites));
  problems.push(...(await productionProblems(io.env, config, devKeyPath(io.env))));
  const ring = noted(() => jsonOrFile(io.env.OMNITHREAD_KEYS, null, "OMNITHREAD_KEYS"));
  if (ring !== null) {
    try {
      await loadKeyRing(JSON.parse(ring) as KeyRingConfig);
    } catch (error) {
      problems.push(`OMNITHREAD_KEYS: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    io.err(`${problems.length} problem${problems.length === 1 ? "" : "s"}:`);
    for (const problem of problems) io.err(`  - ${problem}`);
    return 1;
  }
  const ids = config!.sites.map((site) => site.id).join(", ");
  io.out(
    `configuration ok: sites ${ids}; store ${config!.store.kind}; public URL ${config!.publicUrl}`,
  );
  return 0;
}

/**
 * `setWebhook` for every site with a Telegram bot: its updates go to this server's public URL,
 * with the site's `webhookSecret` as the `secret_token` Telegram sends back. Exit 1 when a site's
 * call failed (the others are still made).
 */
async function telegramWebhook(io: CliIo): Promise<number> {
  const sites = jsonOrFile(io.env.OMNITHREAD_SITES, null, "OMNITHREAD_SITES");
  if (sites === null)
    throw new TypeError("OMNITHREAD_SITES is not set: the bots are in the sites file");
  const config = loadConfig(io.env, sites);
  const bots = config.sites.flatMap((site) => {
    const telegram = telegramOf(site);
    return telegram ? [{ site, telegram }] : [];
  });
  if (bots.length === 0)
    throw new TypeError(
      "no site has a Telegram bot (telegram in the sites file, or TELEGRAM_BOT_TOKEN)",
    );
  const api = botApi({
    apiUrl: config.telegramApiUrl,
    fetch: (input, init) => fetch(input, init),
    retry: { attempts: 3, baseMs: 500 },
  });
  const url = `${config.publicUrl}/webhooks/telegram`;
  let failed = 0;
  for (const { site, telegram } of bots) {
    try {
      await api.setWebhook(telegram.botToken, { url, secret: telegram.webhookSecret });
      io.out(`${site.id}: @${telegram.botUsername} sends its updates to ${url}`);
    } catch (error) {
      failed++;
      io.err(`${site.id}: @${telegram.botUsername}: ${(error as Error).message}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

function checkedPassword(password: string): string {
  if (password.length < 10) throw new TypeError("the password must be at least 10 characters");
  return password;
}

/** The whole of stdin when piped; a prompt with the typing hidden (twice) on a terminal. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, "");
  }
  const ask = (question: string) =>
    new Promise<string>((done) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      // Echo nothing but the question while the password is typed.
      (rl as unknown as { _writeToOutput(s: string): void })._writeToOutput = (s: string) => {
        if (s.includes(question)) process.stderr.write(question);
      };
      rl.question(question, (answer) => {
        rl.close();
        process.stderr.write("\n");
        done(answer);
      });
    });
  const first = await ask("Password: ");
  if ((await ask("Again: ")) !== first) throw new TypeError("the two passwords differ");
  return first;
}
