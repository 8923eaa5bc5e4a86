import { type BusinessHours, validateHours } from "./core/hours.ts";
import { type LogLevel, logLevel } from "./log.ts";

/**
 * Configuration: environment variables and the sites file, validated once at start with
 * messages that name the bad variable. Web-only: the Node entry reads files and passes text.
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
/** A day: a later follow-up would be news to nobody. */
const MAX_UNSEEN_REPLY_DELAY_S = 86_400;

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
  email?: EmailConfig;
  callback?: CallbackConfig;
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
  email: EmailServerConfig;
  /** `LOG_LEVEL`: lines below it are dropped (default `info`). */
  logLevel: LogLevel;
}

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

/** Runs one part of the validation; its problem is noted and the rest goes on being checked. */
type Attempt = <T>(work: () => T) => T | undefined;

function collector(): { attempt: Attempt; problems: string[] } {
  const problems: string[] = [];
  const attempt: Attempt = (work) => {
    try {
      return work();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  return { attempt, problems };
}

const SITE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function fail(message: string): never {
  throw new ConfigError(message);
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${name} must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    fail(`${name} must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

function origin(where: string, value: unknown): string {
  if (typeof value !== "string")
    fail(`${where} must be a string origin like "https://shop.example"`);
  const url = httpUrl(where, value);
  const parsed = new URL(url);
  if (parsed.origin !== url)
    fail(`${where} must be an origin (scheme://host[:port]), got "${value}"`);
  return parsed.origin;
}

function text(where: string, value: unknown, optional = false): string | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string" || value.trim() === "") fail(`${where} must be a non-empty string`);
  return value;
}

/** A plain `local@domain.tld` address (a From address; no display name). */
function emailAddress(where: string, value: unknown): string {
  if (
    typeof value !== "string" ||
    !/^[^\s@<>"]{1,64}@[a-z0-9.-]+\.[a-z]{2,63}$/i.test(value.trim())
  ) {
    fail(`${where} must be a plain address like support@example.com, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

/** A DNS name like `reply.example.com` (the reply addresses' domain). */
function domainName(where: string, value: unknown): string {
  if (
    typeof value !== "string" ||
    !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(value.trim())
  ) {
    fail(`${where} must be a domain name like reply.example.com, got ${JSON.stringify(value)}`);
  }
  return value.trim().toLowerCase();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseSite(raw: unknown, index: number, attempt: Attempt): SiteConfig {
  const at = `OMNITHREAD_SITES: sites[${index}]`;
  if (!isObject(raw)) fail(`${at} must be an object`);
  const id = attempt(() => {
    const value = text(`${at}.id`, raw.id)!;
    if (!SITE_ID.test(value)) fail(`${at}.id must match ${SITE_ID}, got "${value}"`);
    return value;
  });
  const origins = raw.origins ?? [];
  if (!Array.isArray(origins)) attempt(() => fail(`${at}.origins must be an array of origins`));
  const agents = raw.agents ?? [];
  if (!Array.isArray(agents)) attempt(() => fail(`${at}.agents must be an array`));
  const each = <T>(list: unknown, parse: (item: unknown, i: number) => T): T[] =>
    Array.isArray(list)
      ? list.flatMap((item, i) => {
          const parsed = attempt(() => parse(item, i));
          return parsed === undefined ? [] : [parsed];
        })
      : [];
  const site: SiteConfig = {
    id: id ?? `sites[${index}]`,
    name: attempt(() => text(`${at}.name`, raw.name, true)) ?? id ?? "",
    origins: each(origins, (o, i) => origin(`${at}.origins[${i}]`, o)),
    locale: attempt(() => text(`${at}.locale`, raw.locale, true)) ?? "en",
    agents: each(agents, (a, i) => {
      const where = `${at}.agents[${i}]`;
      if (!isObject(a)) fail(`${where} must be an object`);
      const email = text(`${where}.email`, a.email)!.toLowerCase();
      const hash = text(`${where}.passwordHash`, a.passwordHash)!;
      if (!hash.startsWith("scrypt$")) fail(`${where}.passwordHash must be an scrypt$ hash`);
      const agent: AgentConfig = {
        email,
        name: text(`${where}.name`, a.name, true) ?? email,
        passwordHash: hash,
      };
      if (a.skills !== undefined) {
        if (!Array.isArray(a.skills) || !a.skills.every((x) => typeof x === "string")) {
          fail(`${where}.skills must be an array of strings`);
        }
        agent.skills = a.skills as string[];
      }
      return agent;
    }),
  };
  attempt(() => parseSiteOptions(site, raw, at));
  return site;
}

/** The optional parts of a site, from greetings to the email block. */
function parseSiteOptions(site: SiteConfig, raw: Record<string, unknown>, at: string): void {
  const greeting = text(`${at}.greeting`, raw.greeting, true);
  if (greeting !== undefined) site.greeting = greeting;
  const home = text(`${at}.url`, raw.url, true);
  if (home !== undefined) site.url = httpUrl(`${at}.url`, home);
  const secret = text(`${at}.identitySecret`, raw.identitySecret, true);
  if (secret !== undefined) site.identitySecret = secret;
  if (raw.businessHours !== undefined) {
    site.businessHours = parseHours(`${at}.businessHours`, raw.businessHours);
  }
  if (raw.greetings !== undefined) {
    if (!isObject(raw.greetings))
      fail(`${at}.greetings must be { "first"?, "returning"?, "customer"? }`);
    const greetings: NonNullable<SiteConfig["greetings"]> = {};
    for (const stage of ["first", "returning", "customer"] as const) {
      const value = text(`${at}.greetings.${stage}`, raw.greetings[stage], true);
      if (value !== undefined) greetings[stage] = value;
    }
    site.greetings = greetings;
  }
  const customerAttribute = text(`${at}.customerAttribute`, raw.customerAttribute, true);
  if (customerAttribute !== undefined) site.customerAttribute = customerAttribute;
  if (raw.callback !== undefined) site.callback = parseCallback(`${at}.callback`, raw.callback);
  if (isObject(raw.messenger)) site.messenger = raw.messenger as unknown as MessengerConfig;
  if (isObject(raw.email)) {
    site.email = {
      from: emailAddress(`${at}.email.from`, raw.email.from),
      replyDomain: domainName(`${at}.email.replyDomain`, raw.email.replyDomain),
    };
    const delay = raw.email.unseenReplyDelaySeconds;
    if (delay !== undefined) {
      if (
        typeof delay !== "number" ||
        !Number.isFinite(delay) ||
        delay < 0 ||
        delay > MAX_UNSEEN_REPLY_DELAY_S
      ) {
        fail(
          `${at}.email.unseenReplyDelaySeconds must be a number of seconds from 0 to ${MAX_UNSEEN_REPLY_DELAY_S}, got ${JSON.stringify(delay)}`,
        );
      }
      site.email.unseenReplyDelaySeconds = delay;
    }
    const onResolve = raw.email.transcriptOnResolve;
    if (onResolve !== undefined) {
      if (typeof onResolve !== "boolean") {
        fail(
          `${at}.email.transcriptOnResolve must be true or false, got ${JSON.stringify(onResolve)}`,
        );
      }
      site.email.transcriptOnResolve = onResolve;
    }
  }
}

/** A whole number in a range, or undefined when absent; anything else stops the start. */
function wholeNumber(where: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(`${where} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseHours(where: string, value: unknown): BusinessHours {
  if (!isObject(value) || !isObject(value.days)) {
    fail(`${where} must be { "timeZone": "...", "days": { "mon": ["09:00", "17:00"], ... } }`);
  }
  const hours = value as unknown as BusinessHours;
  try {
    validateHours(hours, where);
  } catch (error) {
    fail((error as Error).message);
  }
  return hours;
}

function parseCallback(where: string, raw: unknown): CallbackConfig {
  if (!isObject(raw)) fail(`${where} must be an object ({} takes every default)`);
  const callback: CallbackConfig = {};
  const country = text(`${where}.country`, raw.country, true);
  if (country !== undefined) {
    if (!/^[A-Z]{2}$/.test(country)) fail(`${where}.country must be like "NL", got "${country}"`);
    callback.country = country;
  }
  if (raw.hours !== undefined) callback.hours = parseHours(`${where}.hours`, raw.hours);
  const numbers = {
    windowMinutes: wholeNumber(`${where}.windowMinutes`, raw.windowMinutes, 15, 480),
    daysAhead: wholeNumber(`${where}.daysAhead`, raw.daysAhead, 1, 14),
    remindMinutes: wholeNumber(`${where}.remindMinutes`, raw.remindMinutes, 0, 120),
  };
  for (const [name, value] of Object.entries(numbers)) {
    if (value !== undefined) callback[name as keyof typeof numbers] = value;
  }
  return callback;
}

/** Parses the sites file's JSON text, noting every problem through `attempt`. */
function parseSites(json: string, attempt: Attempt): SiteConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    fail(`OMNITHREAD_SITES is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(raw) || !Array.isArray(raw.sites) || raw.sites.length === 0) {
    fail('OMNITHREAD_SITES must be { "sites": [ { "id": ... }, ... ] } with at least one site');
  }
  const sites = raw.sites.flatMap((site, index) => {
    const parsed = attempt(() => parseSite(site, index, attempt));
    return parsed ? [parsed] : [];
  });
  const ids = new Set<string>();
  for (const site of sites) {
    if (ids.has(site.id))
      attempt(() => fail(`OMNITHREAD_SITES: site id "${site.id}" appears twice`));
    ids.add(site.id);
  }
  return sites;
}

/** Single-site installs configure channels by environment; it wins over the sites file. */
function applyEnvOverrides(site: SiteConfig, env: Env): void {
  const fromEnv = {
    pageId: env.MESSENGER_PAGE_ID,
    pageAccessToken: env.MESSENGER_PAGE_ACCESS_TOKEN,
    appSecret: env.MESSENGER_APP_SECRET,
    verifyToken: env.MESSENGER_VERIFY_TOKEN,
  };
  if (Object.values(fromEnv).some((v) => v !== undefined)) {
    const merged: Partial<MessengerConfig> = { ...site.messenger, ...definedOnly(fromEnv) };
    for (const key of Object.keys(fromEnv) as Array<keyof MessengerConfig>) {
      const variable = `MESSENGER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
      if (!merged[key]) fail(`${variable} is required when Messenger is configured`);
    }
    site.messenger = merged as MessengerConfig;
  }
  if (env.EMAIL_FROM !== undefined || env.EMAIL_REPLY_DOMAIN !== undefined) {
    const merged = {
      ...site.email,
      ...definedOnly({ from: env.EMAIL_FROM, replyDomain: env.EMAIL_REPLY_DOMAIN }),
    };
    if (!merged.from) fail("EMAIL_FROM is required when email is configured");
    if (!merged.replyDomain) fail("EMAIL_REPLY_DOMAIN is required when email is configured");
    site.email = {
      ...site.email,
      from: emailAddress("EMAIL_FROM", merged.from),
      replyDomain: domainName("EMAIL_REPLY_DOMAIN", merged.replyDomain),
    };
  }
}

function definedOnly<T extends Record<string, string | undefined>>(
  values: T,
): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof T, string>
  >;
}

const set = (value: string | undefined): value is string => value !== undefined && value !== "";

/** The mail transport and inbound settings from `SMTP_URL`, `POSTMARK_SERVER_TOKEN` & co. */
function emailServerConfig(env: Env): EmailServerConfig {
  let transport: EmailServerConfig["transport"] = { kind: "log" };
  if (set(env.SMTP_URL) && set(env.POSTMARK_SERVER_TOKEN)) {
    fail("Set SMTP_URL or POSTMARK_SERVER_TOKEN, not both: they name the mail transport");
  }
  if (set(env.SMTP_URL)) {
    if (!/^smtps?:\/\/[^/\s]+/.test(env.SMTP_URL)) {
      fail(
        `SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465, got "${env.SMTP_URL.replace(/\/\/[^@/]*@/, "//***@")}"`,
      );
    }
    transport = { kind: "smtp", url: env.SMTP_URL };
  } else if (set(env.POSTMARK_SERVER_TOKEN)) {
    transport = {
      kind: "postmark",
      serverToken: env.POSTMARK_SERVER_TOKEN,
      ...(set(env.EMAIL_API_URL) ? { apiUrl: httpUrl("EMAIL_API_URL", env.EMAIL_API_URL) } : {}),
    };
  } else if (set(env.EMAIL_API_URL)) {
    fail("EMAIL_API_URL needs POSTMARK_SERVER_TOKEN");
  }
  const email: EmailServerConfig = { transport };
  if (set(env.SMTP_LISTEN_PORT)) {
    const listen = Number(env.SMTP_LISTEN_PORT);
    if (!/^\d+$/.test(env.SMTP_LISTEN_PORT) || listen > 65535) {
      fail(`SMTP_LISTEN_PORT must be an integer from 0 to 65535, got "${env.SMTP_LISTEN_PORT}"`);
    }
    email.listenPort = listen;
  }
  if (set(env.EMAIL_INBOUND_SECRET)) {
    if (env.EMAIL_INBOUND_SECRET.length < 16 || /\s/.test(env.EMAIL_INBOUND_SECRET)) {
      fail("EMAIL_INBOUND_SECRET must be at least 16 characters with no spaces");
    }
    email.inboundSecret = env.EMAIL_INBOUND_SECRET;
  }
  if (set(env.MAILGUN_SIGNING_KEY)) email.mailgunSigningKey = env.MAILGUN_SIGNING_KEY;
  return email;
}

function parsePort(env: Env): number {
  const port = env.PORT === undefined || env.PORT === "" ? 8787 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  return port;
}

function parseStore(env: Env): Config["store"] {
  const storeKind = env.OMNITHREAD_STORE || "memory";
  if (storeKind === "memory") return { kind: "memory" };
  if (storeKind !== "redis")
    fail(`OMNITHREAD_STORE must be "memory" or "redis", got "${storeKind}"`);
  if (env.UPSTASH_REDIS_REST_URL || env.UPSTASH_REDIS_REST_TOKEN) {
    const url = httpUrl(
      "UPSTASH_REDIS_REST_URL",
      text("UPSTASH_REDIS_REST_URL", env.UPSTASH_REDIS_REST_URL)!,
    );
    const token = text("UPSTASH_REDIS_REST_TOKEN", env.UPSTASH_REDIS_REST_TOKEN)!;
    return { kind: "redis", upstash: { url, token } };
  }
  if (env.REDIS_URL) {
    if (!/^rediss?:\/\//.test(env.REDIS_URL))
      fail(`REDIS_URL must start with redis:// or rediss://`);
    return { kind: "redis", url: env.REDIS_URL };
  }
  fail(
    "OMNITHREAD_STORE=redis needs REDIS_URL, or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN",
  );
}

/**
 * Reads the whole configuration from the environment; `sitesJson` is the sites file's text
 * (the Node entry resolves a path; an edge runtime passes the variable itself). Throws one
 * {@link ConfigError} listing every problem found.
 *
 * @example
 * const config = loadConfig(process.env, readFileSync("demo/sites.json", "utf8"));
 */
export function loadConfig(env: Env, sitesJson: string): Config {
  const { attempt, problems } = collector();
  const port = attempt(() => parsePort(env)) ?? 8787;
  const publicUrl =
    (env.PUBLIC_URL ? attempt(() => httpUrl("PUBLIC_URL", env.PUBLIC_URL!)) : undefined) ??
    `http://localhost:${port}`;
  const store = attempt(() => parseStore(env));
  const sites = attempt(() => parseSites(sitesJson, attempt)) ?? [];
  if (sites[0]) attempt(() => applyEnvOverrides(sites[0]!, env));
  const demo = sites.find((s) => s.id === "demo");
  if (demo) {
    // The demo page is served by this server, whatever port it runs on.
    const own = [new URL(publicUrl).origin, `http://localhost:${port}`, `http://127.0.0.1:${port}`];
    demo.origins = [...new Set([...demo.origins, ...own])];
    demo.url ??= `${publicUrl}/`;
  }
  const email = attempt(() => emailServerConfig(env));
  const graphApiUrl = env.GRAPH_API_URL
    ? attempt(() => httpUrl("GRAPH_API_URL", env.GRAPH_API_URL!))
    : "https://graph.facebook.com";
  const level = attempt(() => {
    try {
      return logLevel(env.LOG_LEVEL);
    } catch (error) {
      fail((error as Error).message);
    }
  });
  if (problems.length > 0 || !store || !email || !graphApiUrl || !level)
    throw new ConfigError(problems);

  return {
    port,
    publicUrl,
    store,
    sites,
    email,
    trustProxy: env.TRUST_PROXY === "1" || env.TRUST_PROXY === "true",
    graphApiUrl,
    logLevel: level,
  };
}
