/**
 * The environment as one schema: each variable of ours with its "must be" message (the reader of
 * the issue puts the variable's name first), the rules between them (a transport named twice, a
 * store without its address), and an output `loadConfig` uses as it is. Any other variable passes:
 * the environment holds everything else too.
 */
import * as v from "valibot";
import type { AttachmentsConfig } from "../config.ts";
import { LOG_LEVELS, type LogLevel } from "../log.ts";
import { DOMAIN, EMAIL, got, httpUrl } from "./fields.ts";

type Path = NonNullable<v.BaseIssue<unknown>["path"]>;

/** Variables where set-to-nothing still counts as set: an override of the first site being made. */
const KEPT_BLANK = new Set([
  "MESSENGER_PAGE_ID",
  "MESSENGER_PAGE_ACCESS_TOKEN",
  "MESSENGER_APP_SECRET",
  "MESSENGER_VERIFY_TOKEN",
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_BOT_USERNAME",
  "TELEGRAM_WEBHOOK_SECRET",
  "WHATSAPP_PHONE_NUMBER_ID",
  "WHATSAPP_NUMBER",
  "WHATSAPP_ACCESS_TOKEN",
  "WHATSAPP_APP_SECRET",
  "WHATSAPP_VERIFY_TOKEN",
  "TWILIO_ACCOUNT_SID",
  "TWILIO_AUTH_TOKEN",
  "TWILIO_FROM",
  "EMAIL_FROM",
  "EMAIL_REPLY_DOMAIN",
]);

/** Unset, or set to nothing: both mean the default (`PORT=` runs on 8787). */
function withoutBlanks(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) => value !== "" || KEPT_BLANK.has(name)),
  );
}

const unlessBlank = <S extends v.GenericSchema<string, unknown>>(schema: S) => v.optional(schema);

/** An override of the first site: checked here when it has a value, by the sites file's rule. */
function override(rule: RegExp, message: v.ErrorMessage<v.CheckIssue<string>>) {
  return v.optional(
    v.pipe(
      v.string(),
      v.check((value) => value === "" || rule.test(value.trim()), message),
    ),
  );
}

const PORT = got("must be an integer from 0 to 65535");
const port = v.pipe(
  v.string(),
  v.check((value) => {
    const n = Number(value);
    return Number.isInteger(n) && n >= 0 && n <= 65535;
  }, PORT),
  v.transform(Number),
);
const listenPort = v.pipe(
  v.string(),
  v.check((value) => /^\d+$/.test(value) && Number(value) <= 65535, PORT),
  v.transform(Number),
);

const redisUrl = v.pipe(
  v.string(),
  v.regex(/^rediss?:\/\//, "must start with redis:// or rediss://"),
);

/** Where attachments live: `fs:<dir>` (Node), `s3://<bucket>`, or `r2` (a worker's binding). */
const attachments = v.pipe(
  v.string(),
  v.regex(
    /^(fs:.+|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|r2)$/,
    got("must be fs:<dir>, s3://<bucket> or r2"),
  ),
);

/** `smtp://user:pass@host:587`; the message hides the credentials of what it got. */
const smtpUrl = v.pipe(
  v.string(),
  v.regex(
    /^smtps?:\/\/[^/\s]+/,
    (issue) =>
      `must look like smtp://user:pass@host:587 or smtps://host:465, got "${String(issue.input).replace(/\/\/[^@/]*@/, "//***@")}"`,
  ),
);

const inboundSecret = v.pipe(
  v.string(),
  v.check(
    (value) => value.length >= 16 && !/\s/.test(value),
    "must be at least 16 characters with no spaces",
  ),
);

const level = v.pipe(
  v.string(),
  v.check(
    (value) => (LOG_LEVELS as readonly string[]).includes(value.toLowerCase()),
    got(`must be one of ${LOG_LEVELS.join(", ")}`),
  ),
  v.transform((value) => value.toLowerCase() as LogLevel),
);

const store = v.pipe(
  v.string(),
  v.picklist(["memory", "redis"], got('must be "memory" or "redis"')),
);

/** Any string: set, even to nothing, it counts (a Messenger or email override being made). */
const raw = v.optional(v.string());

export const EnvFields = v.looseObject({
  PORT: unlessBlank(port),
  PUBLIC_URL: unlessBlank(httpUrl),
  OMNITHREAD_STORE: unlessBlank(store),
  REDIS_URL: unlessBlank(redisUrl),
  UPSTASH_REDIS_REST_URL: unlessBlank(httpUrl),
  UPSTASH_REDIS_REST_TOKEN: unlessBlank(v.string()),
  MESSENGER_PAGE_ID: raw,
  MESSENGER_PAGE_ACCESS_TOKEN: raw,
  MESSENGER_APP_SECRET: raw,
  MESSENGER_VERIFY_TOKEN: raw,
  GRAPH_API_URL: unlessBlank(httpUrl),
  TELEGRAM_BOT_TOKEN: raw,
  TELEGRAM_BOT_USERNAME: raw,
  TELEGRAM_WEBHOOK_SECRET: raw,
  TELEGRAM_API_URL: unlessBlank(httpUrl),
  TWILIO_API_URL: unlessBlank(httpUrl),
  WHATSAPP_PHONE_NUMBER_ID: raw,
  WHATSAPP_NUMBER: raw,
  WHATSAPP_ACCESS_TOKEN: raw,
  WHATSAPP_APP_SECRET: raw,
  WHATSAPP_VERIFY_TOKEN: raw,
  TWILIO_ACCOUNT_SID: raw,
  TWILIO_AUTH_TOKEN: raw,
  TWILIO_FROM: raw,
  EMAIL_FROM: override(EMAIL, "must be an email address like ana@example.com"),
  EMAIL_REPLY_DOMAIN: override(DOMAIN, got("must be a domain name like reply.example.com")),
  SMTP_URL: unlessBlank(smtpUrl),
  POSTMARK_SERVER_TOKEN: unlessBlank(v.string()),
  EMAIL_API_URL: unlessBlank(httpUrl),
  SMTP_LISTEN_PORT: unlessBlank(listenPort),
  EMAIL_INBOUND_SECRET: unlessBlank(inboundSecret),
  MAILGUN_SIGNING_KEY: unlessBlank(v.string()),
  LOG_LEVEL: unlessBlank(level),
  TRUST_PROXY: raw,
  ATTACHMENTS: unlessBlank(attachments),
  S3_ENDPOINT: unlessBlank(httpUrl),
  S3_ACCESS_KEY_ID: unlessBlank(v.string()),
  S3_SECRET_ACCESS_KEY: unlessBlank(v.string()),
  S3_REGION: unlessBlank(v.string()),
});

const issueAt = (name: string): Path => [
  { type: "object", origin: "value", input: {}, key: name, value: undefined } as Path[number],
];

/** The rules between variables; each told whole (`Set SMTP_URL or POSTMARK_SERVER_TOKEN, not both …`). */
const together = v.rawCheck<v.InferOutput<typeof EnvFields>>(({ dataset, addIssue }) => {
  const env = dataset.value as Record<string, unknown>; // read even when a variable failed
  const set = (name: string) => typeof env[name] === "string" && env[name] !== "";
  const whole = (message: string) => addIssue({ message: `! ${message}` });
  if (typeof env.ATTACHMENTS === "string" && env.ATTACHMENTS.startsWith("s3://")) {
    for (const name of ["S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const) {
      if (!set(name))
        addIssue({ message: "is required with ATTACHMENTS=s3://…", path: issueAt(name) });
    }
  }
  if (set("SMTP_URL") && set("POSTMARK_SERVER_TOKEN")) {
    whole("Set SMTP_URL or POSTMARK_SERVER_TOKEN, not both: they name the mail transport");
  }
  if (set("EMAIL_API_URL") && !set("POSTMARK_SERVER_TOKEN")) {
    whole("EMAIL_API_URL needs POSTMARK_SERVER_TOKEN");
  }
  if (env.OMNITHREAD_STORE !== "redis") return;
  if (set("UPSTASH_REDIS_REST_URL") || set("UPSTASH_REDIS_REST_TOKEN")) {
    for (const [name, other] of [
      ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
      ["UPSTASH_REDIS_REST_TOKEN", "UPSTASH_REDIS_REST_URL"],
    ] as const) {
      if (!set(name)) addIssue({ message: `is required with ${other}`, path: issueAt(name) });
    }
  } else if (!set("REDIS_URL")) {
    whole(
      "OMNITHREAD_STORE=redis needs REDIS_URL, or UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN",
    );
  }
});

/** The Messenger settings the environment may give the first site, by their variables. */
export const MESSENGER_VARIABLES = {
  pageId: "MESSENGER_PAGE_ID",
  appSecret: "MESSENGER_APP_SECRET",
  verifyToken: "MESSENGER_VERIFY_TOKEN",
  pageAccessToken: "MESSENGER_PAGE_ACCESS_TOKEN",
} as const;
/** The Telegram settings the environment may give the first site. */
export const TELEGRAM_VARIABLES = {
  botToken: "TELEGRAM_BOT_TOKEN",
  botUsername: "TELEGRAM_BOT_USERNAME",
  webhookSecret: "TELEGRAM_WEBHOOK_SECRET",
} as const;
/** The WhatsApp settings the environment may give the first site. */
export const WHATSAPP_VARIABLES = {
  phoneNumberId: "WHATSAPP_PHONE_NUMBER_ID",
  number: "WHATSAPP_NUMBER",
  accessToken: "WHATSAPP_ACCESS_TOKEN",
  appSecret: "WHATSAPP_APP_SECRET",
  verifyToken: "WHATSAPP_VERIFY_TOKEN",
} as const;
/** The SMS settings (a Twilio number) the environment may give the first site. */
export const SMS_VARIABLES = {
  accountSid: "TWILIO_ACCOUNT_SID",
  authToken: "TWILIO_AUTH_TOKEN",
  from: "TWILIO_FROM",
} as const;
/** The email settings the environment may give the first site. */
export const EMAIL_VARIABLES = { from: "EMAIL_FROM", replyDomain: "EMAIL_REPLY_DOMAIN" } as const;

type OverrideVariable =
  | (typeof MESSENGER_VARIABLES)[keyof typeof MESSENGER_VARIABLES]
  | (typeof TELEGRAM_VARIABLES)[keyof typeof TELEGRAM_VARIABLES]
  | (typeof WHATSAPP_VARIABLES)[keyof typeof WHATSAPP_VARIABLES]
  | (typeof SMS_VARIABLES)[keyof typeof SMS_VARIABLES]
  | (typeof EMAIL_VARIABLES)[keyof typeof EMAIL_VARIABLES];

/** The override variables' values, each read by name (test/deploy checks wrangler.toml by these reads). */
export function overrideValues(
  env: Record<string, string | undefined>,
): Record<OverrideVariable, string | undefined> {
  return {
    MESSENGER_PAGE_ID: env.MESSENGER_PAGE_ID,
    MESSENGER_APP_SECRET: env.MESSENGER_APP_SECRET,
    MESSENGER_VERIFY_TOKEN: env.MESSENGER_VERIFY_TOKEN,
    MESSENGER_PAGE_ACCESS_TOKEN: env.MESSENGER_PAGE_ACCESS_TOKEN,
    TELEGRAM_BOT_TOKEN: env.TELEGRAM_BOT_TOKEN,
    TELEGRAM_BOT_USERNAME: env.TELEGRAM_BOT_USERNAME,
    TELEGRAM_WEBHOOK_SECRET: env.TELEGRAM_WEBHOOK_SECRET,
    WHATSAPP_PHONE_NUMBER_ID: env.WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_NUMBER: env.WHATSAPP_NUMBER,
    WHATSAPP_ACCESS_TOKEN: env.WHATSAPP_ACCESS_TOKEN,
    WHATSAPP_APP_SECRET: env.WHATSAPP_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: env.WHATSAPP_VERIFY_TOKEN,
    TWILIO_ACCOUNT_SID: env.TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: env.TWILIO_AUTH_TOKEN,
    TWILIO_FROM: env.TWILIO_FROM,
    EMAIL_FROM: env.EMAIL_FROM,
    EMAIL_REPLY_DOMAIN: env.EMAIL_REPLY_DOMAIN,
  };
}

/**
 * The environment, read: what the server runs on, and what it overrides of the first site.
 *
 * @example
 * const result = v.safeParse(Environment, process.env);
 */
export const Environment = v.pipe(
  v.record(v.string(), v.optional(v.string()), "must be an object of variables"),
  v.transform((env) => withoutBlanks(env) as v.InferInput<typeof EnvFields>),
  EnvFields,
  together,
  v.transform((env) => {
    const transport =
      env.SMTP_URL !== undefined
        ? { kind: "smtp" as const, url: env.SMTP_URL }
        : env.POSTMARK_SERVER_TOKEN !== undefined
          ? {
              kind: "postmark" as const,
              serverToken: env.POSTMARK_SERVER_TOKEN,
              ...(env.EMAIL_API_URL !== undefined ? { apiUrl: env.EMAIL_API_URL } : {}),
            }
          : { kind: "log" as const };
    const port = env.PORT ?? 8787;
    return {
      port,
      publicUrl: env.PUBLIC_URL ?? `http://localhost:${port}`,
      store:
        env.OMNITHREAD_STORE !== "redis"
          ? { kind: "memory" as const }
          : env.UPSTASH_REDIS_REST_URL !== undefined
            ? {
                kind: "redis" as const,
                upstash: { url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN! },
              }
            : { kind: "redis" as const, url: env.REDIS_URL! },
      trustProxy: env.TRUST_PROXY === "1" || env.TRUST_PROXY === "true",
      graphApiUrl: env.GRAPH_API_URL ?? "https://graph.facebook.com",
      telegramApiUrl: env.TELEGRAM_API_URL ?? "https://api.telegram.org",
      twilioApiUrl: env.TWILIO_API_URL ?? "https://api.twilio.com",
      logLevel: env.LOG_LEVEL ?? ("info" as LogLevel),
      attachments: attachmentsConfig(env),
      email: {
        transport,
        ...(env.SMTP_LISTEN_PORT !== undefined ? { listenPort: env.SMTP_LISTEN_PORT } : {}),
        ...(env.EMAIL_INBOUND_SECRET !== undefined
          ? { inboundSecret: env.EMAIL_INBOUND_SECRET }
          : {}),
        ...(env.MAILGUN_SIGNING_KEY !== undefined
          ? { mailgunSigningKey: env.MAILGUN_SIGNING_KEY }
          : {}),
      },
    };
  }),
);

/** `ATTACHMENTS` and its S3 settings, read (checked together above). */
function attachmentsConfig(env: {
  ATTACHMENTS?: string | undefined;
  S3_ENDPOINT?: string | undefined;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_REGION?: string | undefined;
}): AttachmentsConfig {
  const where = env.ATTACHMENTS;
  if (where === "r2") return { kind: "r2" };
  if (where?.startsWith("s3://")) {
    return {
      kind: "s3",
      bucket: where.slice("s3://".length),
      endpoint: env.S3_ENDPOINT!,
      accessKeyId: env.S3_ACCESS_KEY_ID!,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
      ...(env.S3_REGION ? { region: env.S3_REGION } : {}),
    };
  }
  return { kind: "fs", dir: where?.startsWith("fs:") ? where.slice(3) : null };
}

/** A problem between variables is told whole; the reader of the issue drops this mark. */
export const WHOLE = "! ";
