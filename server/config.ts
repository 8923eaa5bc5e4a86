import * as v from "valibot";
import type { ApiKeyEntry } from "./auth/api-keys.ts";
import type { BusinessHours } from "./core/hours.ts";
import type { LogLevel } from "./log.ts";
import { pathOf } from "./schema/check.ts";
import {
  EMAIL_VARIABLES,
  Environment,
  MESSENGER_VARIABLES,
  overrideValues,
  SMS_VARIABLES,
  TELEGRAM_VARIABLES,
  WHATSAPP_VARIABLES,
  WHOLE,
} from "./schema/env.ts";
import { SITES_SHAPE, type SiteOutput, SitesFile, type SitesFileOutput } from "./schema/sites.ts";
import type { FeedType } from "./store/types.ts";

/**
 * Configuration: environment variables and the sites file, validated once at start with
 * messages that name the bad variable or the sites file's path. The rules are the schemas of
 * `server/schema/env.ts` and `server/schema/sites.ts`; this file tells their issues and puts the
 * two together. Web-only: the Node entry reads files and passes text.
 */

export interface AgentConfig {
  email: string;
  name: string;
  /** `scrypt$N$r$p$salt$hash`, see `server/auth/passwords.ts`. */
  passwordHash: string;
  /** Languages (`nl`) and topics (`billing`) this agent takes first when routing. */
  skills?: string[];
}

export interface MessengerConfig {
  pageId: string;
  appSecret: string;
  verifyToken: string;
  pageAccessToken: string;
  /**
   * Where handoff links point, `?ref=<handle>` appended: `https://m.me/<pageId>` by default (or
   * `https://m.me/<page username>`). A path is taken relative to `PUBLIC_URL` (the demo's
   * Messenger simulator uses `/demo/messenger`).
   */
  linkBase?: string;
}

/** A Telegram bot (docs/architecture.md §5), one per site: BotFather gives the token and name. */
export interface TelegramConfig {
  /** `123456:ABC…` from BotFather; it is also the Bot API path's secret. */
  botToken: string;
  /** The bot's username without `@`: handoff links are `https://t.me/<botUsername>?start=…`. */
  botUsername: string;
  /** The `secret_token` given to `setWebhook`: Telegram sends it in `X-Telegram-Bot-Api-Secret-Token`. */
  webhookSecret: string;
  /** Where handoff links point instead of t.me (`?start=` appended); a path is taken relative to `PUBLIC_URL`. */
  linkBase?: string;
}

/**
 * A WhatsApp business number on Meta's Cloud API (docs/architecture.md §5), one per site: the Meta
 * app's WhatsApp setup gives the ids, the token and the app secret.
 */
export interface WhatsAppConfig {
  /** The business number's id in the Cloud API (`…/<phoneNumberId>/messages`). */
  phoneNumberId: string;
  /** The business number as digits, country code first: handoff links are `https://wa.me/<number>`. */
  number: string;
  /** A system user's access token with `whatsapp_business_messaging`. */
  accessToken: string;
  /** The Meta app's secret: it signs every webhook (`X-Hub-Signature-256`). */
  appSecret: string;
  /** What the webhook's subscription check (`hub.verify_token`) must carry. */
  verifyToken: string;
  /** Where handoff links point instead of wa.me (`?text=` appended); a path is taken relative to `PUBLIC_URL`. */
  linkBase?: string;
  /** The prefilled words before the one-time code, `Continue my chat` by default. */
  prefill?: string;
  /**
   * An approved template sent instead of a free-form reply once the 24-hour window has closed;
   * without one such a reply is refused (409 `window_closed`). With `textParameter`, the agent's
   * reply fills the template body's one variable `{{1}}`.
   */
  template?: { name: string; language: string; textParameter?: boolean };
}

/**
 * A site's text-message number on Twilio (docs/architecture.md §5): texts go out from it by
 * Twilio's REST API, and Twilio posts what people text to it to `/webhooks/sms/twilio`.
 */
export interface SmsConfig {
  /** `AC…`: the Twilio account the number belongs to. */
  accountSid: string;
  /** The account's auth token: it authenticates sends and signs every webhook (`X-Twilio-Signature`). */
  authToken: string;
  /** The site's number in E.164 (`+3197010000000`): texts come from it, replies go to it. */
  from: string;
  /** What HELP answers; by default the site's name, its web address and how to stop. */
  help?: string;
  /** Callback confirmations and reminders by text too, when the visitor gave a mobile number (default true). */
  callbacks?: boolean;
}

export interface EmailConfig {
  from: string;
  replyDomain: string;
  /**
   * How long an agent's web reply may stay unseen by the visitor's widget before it is emailed
   * (when the visitor gave an address). Default 300; 0 emails it at once unless already shown.
   */
  unseenReplyDelaySeconds?: number;
  /** Email the full transcript when an agent resolves, even if the visitor did not ask. */
  transcriptOnResolve?: boolean;
}

/** Phone callbacks (docs/architecture.md §5): offered when a site has this block. */
export interface CallbackConfig {
  /** The phone field's default country (ISO 3166-1 alpha-2); else the visitor's locale's. */
  country?: string;
  /** When agents call; default the site's business hours (none: any time). */
  hours?: BusinessHours;
  /** The length of the windows offered to the visitor, in minutes. Default 60. */
  windowMinutes?: number;
  /** How many days ahead windows are offered. Default 3. */
  daysAhead?: number;
  /** How long before an unclaimed window starts the agents are reminded, in minutes. Default 10. */
  remindMinutes?: number;
}

/** The default of `email.unseenReplyDelaySeconds`. */
export const DEFAULT_UNSEEN_REPLY_DELAY_S = 300;

export interface SiteConfig {
  id: string;
  name: string;
  /** Browser origins allowed to call the visitor API, e.g. `https://shop.example`. */
  origins: string[];
  /** The site's home page: where resume links land when the thread's first page is unknown. */
  url?: string;
  /** HS256 secret the site's backend signs identity proofs with. */
  identitySecret?: string;
  locale: string;
  /** The widget's first line, unless the script tag sets `data-greeting`. */
  greeting?: string;
  /** Greetings by journey stage; each falls back to `greeting`. */
  greetings?: { first?: string; returning?: string; customer?: string };
  /** The attribute that makes a visitor a known customer when above 0 (default `orders`). */
  customerAttribute?: string;
  businessHours?: BusinessHours;
  agents: AgentConfig[];
  messenger?: MessengerConfig;
  telegram?: TelegramConfig;
  whatsapp?: WhatsAppConfig;
  sms?: SmsConfig;
  email?: EmailConfig;
  callback?: CallbackConfig;
  /** Keys servers call the agent API with (the sites file keeps their hashes only). */
  apiKeys?: ApiKeyEntry[];
  /** Where the site's feed is sent as Standard Webhooks. */
  webhooks?: WebhookConfig[];
  /** What files the site takes; unset fields are the defaults (server/attachments/policy.ts). */
  attachments?: { maxBytes?: number; maxTotalBytes?: number; types?: string[] };
  /** Conversations resolved this many days ago are erased (0: at the next sweep). */
  retention?: { resolvedDays: number };
}

export interface WebhookConfig {
  url: string;
  /** `whsec_<base64>`: the key the receiver checks signatures with. */
  secret: string;
  /** The feed types it takes; every type when the sites file leaves it out. */
  events: FeedType[];
}

export interface Config {
  port: number;
  publicUrl: string;
  store:
    | { kind: "memory" }
    | { kind: "redis"; upstash: { url: string; token: string } }
    | { kind: "redis"; url: string };
  sites: SiteConfig[];
  /** Honour `X-Forwarded-For` (only behind a proxy you run). */
  trustProxy: boolean;
  graphApiUrl: string;
  /** `TELEGRAM_API_URL`: the Bot API's base, `https://api.telegram.org` by default. */
  telegramApiUrl: string;
  /** `TWILIO_API_URL`: Twilio's REST API base, `https://api.twilio.com` by default. */
  twilioApiUrl: string;
  email: EmailServerConfig;
  /** `ATTACHMENTS`: where files live. */
  attachments: AttachmentsConfig;
  /** `LOG_LEVEL`: lines below it are dropped (default `info`). */
  logLevel: LogLevel;
}

/**
 * Where attachments' bytes are kept: the local filesystem (`fs:<dir>`; `dir` null for the
 * default, `.omnithread/attachments` under the data directory), an S3-compatible bucket, or the
 * worker's R2 binding.
 */
export type AttachmentsConfig =
  | { kind: "fs"; dir: string | null }
  | {
      kind: "s3";
      bucket: string;
      endpoint: string;
      accessKeyId: string;
      secretAccessKey: string;
      region?: string;
    }
  | { kind: "r2" };

/** How this server sends and receives mail (the sites file holds each site's addresses). */
export interface EmailServerConfig {
  /** `SMTP_URL` → SMTP (Node); `POSTMARK_SERVER_TOKEN` (+ `EMAIL_API_URL`) → HTTP; else `log`. */
  transport:
    | { kind: "smtp"; url: string }
    | { kind: "postmark"; serverToken: string; apiUrl?: string }
    | { kind: "log" };
  /** `SMTP_LISTEN_PORT`: the Node entry receives mail itself on this port (0 = any free one). */
  listenPort?: number;
  /** `EMAIL_INBOUND_SECRET`: required by the raw and Postmark inbound webhooks. */
  inboundSecret?: string;
  /** `MAILGUN_SIGNING_KEY`: checks the Mailgun inbound webhook's signature. */
  mailgunSigningKey?: string;
}

export type Env = Record<string, string | undefined>;

/**
 * Configuration mistakes: each problem names the variable or sites-file path and what it should
 * be. The message holds them all, one a line, so one start (or `omnithread check-config`) tells
 * everything to fix.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: string[];
  constructor(problems: string | string[]) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"));
    this.problems = list;
  }
}

/** `[0]`, `.id`: a path as a reader writes it, from valibot's issue path. */
function where(issue: v.BaseIssue<unknown>): string {
  return pathOf(issue);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * One issue as a sentence after its path: `sites[0].origin: unknown key, did you mean "origins"?`,
 * `PORT must be an integer …`. A message starting with ":" or "." continues the path (an unknown
 * key; `validateHours`' `.timeZone "Mars/Base" is not …`); {@link WHOLE} marks a sentence of its own.
 */
function sentence(path: string, issue: v.BaseIssue<unknown>): { at: string; text: string } {
  const message = issue.message;
  if (message.startsWith(WHOLE)) return { at: message, text: message.slice(WHOLE.length) };
  if (issue.received === "undefined" && issue.expected !== "never" && issue.kind === "schema") {
    return { at: path, text: `${path} is required` };
  }
  if (message.startsWith(".")) {
    const at = path + message.split(" ", 1)[0];
    return { at, text: path + message };
  }
  if (!path) return { at: "", text: message };
  return { at: path, text: `${path}${message.startsWith(":") ? "" : " "}${message}` };
}

/** Every issue as a sentence, the first one of each place only (a field says its first problem). */
function sentences(
  issues: readonly v.BaseIssue<unknown>[],
  told: (issue: v.BaseIssue<unknown>) => { at: string; text: string } | undefined,
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const issue of issues) {
    const said = told(issue);
    if (!said || seen.has(said.at)) continue;
    seen.add(said.at);
    out.push(said.text);
  }
  return out;
}

/** The first site's settings the environment gave (single-site installs), by their paths. */
interface Overrides {
  /** `sites.0.messenger.appSecret` → `MESSENGER_APP_SECRET`, for every key the block may take. */
  variables: Map<string, string>;
  /** The paths whose value came from the environment. */
  given: Set<string>;
  /** What the missing key's sentence names: `MESSENGER_X is required when Messenger is configured`. */
  what: Map<string, string>;
}

/** Single-site installs configure channels by environment; it wins over the sites file. */
function applyEnvOverrides(raw: unknown, vars: Env): Overrides {
  const env = overrideValues(vars);
  const overrides: Overrides = { variables: new Map(), given: new Set(), what: new Map() };
  const site = isObject(raw) && Array.isArray(raw.sites) ? raw.sites[0] : undefined;
  if (!isObject(site)) return overrides;
  const blocks = [
    ["messenger", MESSENGER_VARIABLES, "Messenger"],
    ["telegram", TELEGRAM_VARIABLES, "Telegram"],
    ["whatsapp", WHATSAPP_VARIABLES, "WhatsApp"],
    ["sms", SMS_VARIABLES, "SMS"],
    ["email", EMAIL_VARIABLES, "email"],
  ] as const;
  for (const [block, variables, name] of blocks) {
    const entries = Object.entries(variables) as Array<[string, keyof typeof env]>;
    if (!entries.some(([, variable]) => env[variable] !== undefined)) continue;
    const merged: Record<string, unknown> = isObject(site[block]) ? { ...site[block] } : {};
    for (const [key, variable] of entries) {
      const path = `sites.0.${block}.${key}`;
      overrides.variables.set(path, variable);
      overrides.what.set(path, name);
      if (env[variable] !== undefined) {
        merged[key] = env[variable];
        overrides.given.add(path);
      }
    }
    site[block] = merged;
  }
  return overrides;
}

const dotted = (issue: v.BaseIssue<unknown>) =>
  (issue.path ?? []).map((item) => String(item.key)).join(".");

/**
 * Reads the whole configuration from the environment; `sitesJson` is the sites file's text
 * (the Node entry resolves a path; an edge runtime passes the variable itself). Both are read by
 * one schema each (`server/schema/env.ts`, `server/schema/sites.ts`). Throws one
 * {@link ConfigError} listing every problem found.
 *
 * @example
 * const config = loadConfig(process.env, readFileSync("demo/sites.json", "utf8"));
 */
export function loadConfig(env: Env, sitesJson: string): Config {
  const vars: Env = Object.fromEntries(
    Object.entries(env).filter(([, value]) => typeof value === "string"),
  );
  const problems: string[] = [];
  const read = v.safeParse(Environment, vars);
  if (!read.success)
    problems.push(...sentences(read.issues, (issue) => sentence(where(issue), issue)));
  const badVariables = new Set(read.success ? [] : read.issues.map(where));

  let raw: unknown;
  let sites: SiteConfig[] = [];
  try {
    raw = JSON.parse(sitesJson);
  } catch (error) {
    problems.push(`OMNITHREAD_SITES is not valid JSON: ${(error as Error).message}`);
  }
  if (raw !== undefined) {
    const overrides = applyEnvOverrides(raw, vars);
    const file = v.safeParse(SitesFile, raw);
    if (file.success) sites = file.output.sites;
    else
      problems.push(
        ...sentences(file.issues, (issue) => {
          const path = dotted(issue);
          const variable = overrides.variables.get(path);
          const said = sentence(where(issue), issue);
          if (path === "sites" && issue.received === "undefined") {
            return { at: "", text: `OMNITHREAD_SITES ${SITES_SHAPE}` };
          }
          if (!variable) {
            return {
              at: said.at,
              text: said.at ? `OMNITHREAD_SITES: ${said.text}` : `OMNITHREAD_SITES ${said.text}`,
            };
          }
          // The value came from the environment, or the block did: name the variable.
          const missing = issue.received === "undefined" || vars[variable]?.trim() === "";
          if (missing) {
            return {
              at: variable,
              text: `${variable} is required when ${overrides.what.get(path)} is configured`,
            };
          }
          if (!overrides.given.has(path))
            return { at: said.at, text: `OMNITHREAD_SITES: ${said.text}` };
          if (badVariables.has(variable)) return undefined; // told once, by the environment's schema
          return { at: variable, text: `${variable} ${issue.message}` };
        }),
      );
  }
  if (problems.length > 0 || !read.success) throw new ConfigError(problems);

  const { port, publicUrl } = read.output;
  const demo = sites.find((s) => s.id === "demo");
  if (demo) {
    // The demo page is served by this server, whatever port it runs on.
    const own = [new URL(publicUrl).origin, `http://localhost:${port}`, `http://127.0.0.1:${port}`];
    demo.origins = [...new Set([...demo.origins, ...own])];
    demo.url ??= `${publicUrl}/`;
  }
  return { ...read.output, sites };
}

// The schemas' output is what the server runs on: a change to either side fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sites: Same<SiteOutput, SiteConfig> = true;
const _file: SiteConfig[] = [] as SitesFileOutput["sites"];
const _env: Same<v.InferOutput<typeof Environment>, Omit<Config, "sites">> = true;
void _sites;
void _file;
void _env;
