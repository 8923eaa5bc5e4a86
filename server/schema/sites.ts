/**
 * The sites file (`OMNITHREAD_SITES`) as one schema: what `loadConfig` reads, the messages a
 * mistake gets (each with its path), and the JSON Schema editors use (`npm run schema` writes
 * `schema/sites.schema.json` from it). Its output is the `SiteConfig` list the server runs on.
 */
import * as v from "valibot";
import { MAX_ATTACHMENT_BYTES } from "../attachments/policy.ts";
import { API_KEY_ID, API_KEY_SCOPES } from "../auth/api-keys.ts";
import { WEBHOOK_SECRET_PREFIX, webhookKey } from "../auth/webhook-signature.ts";
import { validateHours } from "../core/hours.ts";
import { FEED_TYPES } from "../store/types.ts";
import { domain, email, got, httpUrl, isHttpUrl, origin, strict } from "./fields.ts";

export const SITE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A string with something in it besides spaces. */
const filled = v.pipe(
  v.string("must be a non-empty string"),
  v.check((value) => value.trim() !== "", "must be a non-empty string"),
);

/** A whole number from `min` to `max`, showing what it got. */
function count(min: number, max: number) {
  const message = got(`must be a whole number from ${min} to ${max}`);
  return v.pipe(
    v.number(message),
    v.integer(message),
    v.minValue(min, message),
    v.maxValue(max, message),
  );
}

const HOURS_SHAPE = 'must be { "timeZone": "...", "days": { "mon": ["09:00", "17:00"], ... } }';
const WINDOW = 'must be ["HH:MM", "HH:MM"]';
const time = v.pipe(v.string(WINDOW), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, WINDOW));
const window = v.optional(v.strictTuple([time, time], WINDOW));

/**
 * Opening hours in their own time zone. `validateHours` (server/core/hours.ts) stays the rule: its
 * message starts with the field below the block (`.timeZone "Mars/Base" is not an IANA time
 * zone`), and the reader of the issue puts the block's path before it.
 */
const hours = v.pipe(
  strict(
    {
      timeZone: v.pipe(filled, v.description("An IANA time zone, e.g. Europe/Amsterdam.")),
      days: strict(
        {
          mon: window,
          tue: window,
          wed: window,
          thu: window,
          fri: window,
          sat: window,
          sun: window,
        },
        HOURS_SHAPE,
      ),
    },
    HOURS_SHAPE,
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    const value = dataset.value as { timeZone?: unknown; days?: unknown } | undefined;
    if (typeof value?.timeZone !== "string") return;
    // A broken day must not hide a broken zone: the zone is checked on its own when the rest fails.
    const subject =
      dataset.typed && !dataset.issues ? value : { timeZone: value.timeZone, days: {} };
    try {
      validateHours(subject as Parameters<typeof validateHours>[0], "");
    } catch (error) {
      addIssue({ message: (error as Error).message });
    }
  }),
  v.description(
    '`mon`…`sun` → ["09:00", "17:00"]; a window may cross midnight (["22:00", "02:00"]).',
  ),
);

const agent = v.pipe(
  strict({
    email: v.pipe(email, v.description("What the agent logs in with; one site's agent only.")),
    name: v.optional(filled),
    passwordHash: v.pipe(
      filled,
      v.startsWith("scrypt$", "must be an scrypt$ hash"),
      v.description("The output of `npx omnithread hash-password`."),
    ),
    skills: v.optional(
      v.array(v.string("must be an array of strings"), "must be an array of strings"),
    ),
  }),
  v.transform(({ name, ...rest }) => ({ ...rest, name: name ?? rest.email })),
);

const messenger = strict({
  pageId: filled,
  appSecret: filled,
  verifyToken: filled,
  pageAccessToken: filled,
  linkBase: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.check(
        (value) => value.startsWith("/") || isHttpUrl(value),
        got("must be a path like /demo/messenger or an http(s) URL"),
      ),
      v.description(
        "Where handoff links point (`?ref=<handle>` appended); default https://m.me/<pageId>.",
      ),
    ),
  ),
});

const whatsapp = strict({
  phoneNumberId: v.pipe(v.string("must be a string"), v.regex(/^\d{5,20}$/, got("must be digits"))),
  number: v.pipe(
    v.string("must be a string"),
    v.regex(
      /^[1-9]\d{6,14}$/,
      got("must be the number's digits with the country code, like 31201234567"),
    ),
  ),
  accessToken: filled,
  appSecret: filled,
  verifyToken: filled,
  linkBase: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.check(
        (value) => value.startsWith("/") || isHttpUrl(value),
        got("must be a path like /demo/whatsapp or an http(s) URL"),
      ),
      v.description(
        "Where handoff links point (`?text=<prefill>` appended); default https://wa.me/<number>.",
      ),
    ),
  ),
  prefill: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.regex(/^[^\n]{1,60}$/, got("must be one line of at most 60 characters")),
      v.description("The prefilled words before the one-time code; default `Continue my chat`."),
    ),
  ),
  template: v.optional(
    strict({
      name: v.pipe(
        v.string("must be a string"),
        v.regex(/^[a-z0-9_]{1,512}$/, got("must be a template name: a-z, 0-9 and _")),
      ),
      language: v.pipe(
        v.string("must be a string"),
        v.regex(
          /^[a-z]{2,3}(_[A-Z]{2})?$/,
          got("must be a template language code like en_US or nl"),
        ),
      ),
      textParameter: v.optional(v.boolean("must be true or false")),
    }),
  ),
});

const telegram = strict({
  botToken: v.pipe(
    v.string("must be a string"),
    v.regex(
      /^\d+:[A-Za-z0-9_-]{20,}$/,
      got("must be a bot token as BotFather gives it, like 123456:ABC-DEF…"),
    ),
  ),
  botUsername: v.pipe(
    v.string("must be a string"),
    v.regex(
      /^[A-Za-z][A-Za-z0-9_]{3,31}$/,
      got("must be the bot's username without @, like ShopHelpBot"),
    ),
  ),
  // setWebhook's secret_token: 1–256 of A-Z a-z 0-9 _ -; 16 at least, so it cannot be guessed.
  webhookSecret: v.pipe(
    v.string("must be a string"),
    v.regex(/^[A-Za-z0-9_-]{16,256}$/, got("must be 16 to 256 characters of A-Z a-z 0-9 _ -")),
  ),
  linkBase: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.check(
        (value) => value.startsWith("/") || isHttpUrl(value),
        got("must be a path like /demo/telegram or an http(s) URL"),
      ),
      v.description(
        "Where handoff links point (`?start=<handle>` appended); default https://t.me/<botUsername>.",
      ),
    ),
  ),
});

const sms = strict({
  accountSid: v.pipe(
    v.string("must be a string"),
    v.regex(/^AC[0-9a-f]{32}$/, got("must be the Twilio account SID: AC and 32 hex digits")),
  ),
  authToken: v.pipe(
    v.string("must be a string"),
    v.regex(/^[0-9A-Za-z]{16,}$/, got("must be the Twilio account's auth token")),
  ),
  from: v.pipe(
    v.string("must be a string"),
    v.regex(/^\+[1-9]\d{6,14}$/, got("must be the number in E.164, like +3197010000000")),
  ),
  help: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.regex(/^[^\n]{1,300}$/, got("must be one line of at most 300 characters")),
      v.description("What HELP answers; default: the site's name, web address and how to stop."),
    ),
  ),
  callbacks: v.optional(v.boolean("must be true or false")),
});

/** The most an unseen reply waits before it is emailed: a day; later would be news to nobody. */
export const MAX_UNSEEN_REPLY_DELAY_S = 86_400;
const delay = got(`must be a number of seconds from 0 to ${MAX_UNSEEN_REPLY_DELAY_S}`);

const emailBlock = strict({
  from: email,
  replyDomain: domain,
  unseenReplyDelaySeconds: v.optional(
    v.pipe(v.number(delay), v.minValue(0, delay), v.maxValue(MAX_UNSEEN_REPLY_DELAY_S, delay)),
  ),
  transcriptOnResolve: v.optional(v.boolean(got("must be true or false"))),
});

const callback = strict(
  {
    country: v.optional(
      v.pipe(v.string(got('must be like "NL"')), v.regex(/^[A-Z]{2}$/, got('must be like "NL"'))),
    ),
    hours: v.optional(hours),
    windowMinutes: v.optional(count(15, 480)),
    daysAhead: v.optional(count(1, 14)),
    remindMinutes: v.optional(count(0, 120)),
  },
  "must be an object ({} takes every default)",
);

/** A server's key (`omnithread keys --api-key <id>` prints one): its id, hash and scopes. */
const apiKey = strict({
  id: v.pipe(
    v.string(got("must be a string")),
    v.regex(API_KEY_ID, got("must be 1–32 of a-z, 0-9 and -, starting with a letter or digit")),
  ),
  hash: v.pipe(
    v.string(got("must be a string")),
    v.regex(/^[0-9a-f]{64}$/, got("must be the key's SHA-256, 64 lowercase hex digits")),
  ),
  scopes: v.pipe(
    v.array(
      v.picklist(API_KEY_SCOPES, got(`must be one of ${API_KEY_SCOPES.join(", ")}`)),
      "must be an array",
    ),
    v.minLength(1, "must name at least one scope"),
  ),
});

const SECRET_SHAPE = `must be ${WEBHOOK_SECRET_PREFIX} and the key in base64 (at least 24 bytes)`;

/** An endpoint the site's feed is sent to, signed by the Standard Webhooks specification. */
const webhook = strict({
  url: v.pipe(
    httpUrl,
    v.description(
      "Where the webhooks are POSTed. http and loopback are allowed (the operator's own call): never point it at an internal service.",
    ),
  ),
  secret: v.pipe(
    v.string(got(SECRET_SHAPE)),
    v.check((value) => {
      try {
        return webhookKey(value).length >= 24;
      } catch {
        return false;
      }
    }, got(SECRET_SHAPE)),
    v.description(
      "The receiver verifies signatures with it; `omnithread keys --webhook-secret` prints one.",
    ),
  ),
  events: v.optional(
    v.pipe(
      v.array(
        v.picklist(FEED_TYPES, got(`must be one of ${FEED_TYPES.join(", ")}`)),
        "must be an array",
      ),
      v.minLength(1, "must name at least one event type"),
    ),
    () => [...FEED_TYPES],
  ),
});

const MIME = /^[a-z]+\/[a-z0-9][a-z0-9.+-]*$/;

/** What files the site takes (docs/architecture.md §12); each field falls back to the default. */
const attachmentRules = strict(
  {
    maxBytes: v.optional(
      v.pipe(
        count(1, MAX_ATTACHMENT_BYTES),
        v.description("The largest file taken, in bytes (default 10 MB, at most 100 MB)."),
      ),
    ),
    maxTotalBytes: v.optional(
      v.pipe(
        count(1, 10 * MAX_ATTACHMENT_BYTES),
        v.description(
          "What one conversation's visitor may send in all, in bytes (default 100 MB).",
        ),
      ),
    ),
    types: v.optional(
      v.pipe(
        v.array(
          v.pipe(v.string(), v.regex(MIME, got("must be a MIME type such as image/png"))),
          "must be an array of MIME types",
        ),
        v.description("The types taken, as their bytes are (default images, PDF, text, office)."),
      ),
    ),
  },
  'must be { "maxBytes"?, "maxTotalBytes"?, "types"? }',
);

export const Site = v.pipe(
  strict({
    id: v.pipe(
      filled,
      v.regex(SITE_ID, got(`must match ${SITE_ID}`)),
      v.description("The `data-site` of the script tag; unique in the file."),
    ),
    name: v.optional(filled),
    origins: v.optional(v.array(origin, "must be an array of origins"), []),
    url: v.optional(httpUrl),
    identitySecret: v.optional(filled),
    locale: v.optional(filled, "en"),
    greeting: v.optional(filled),
    greetings: v.optional(
      strict(
        { first: v.optional(filled), returning: v.optional(filled), customer: v.optional(filled) },
        'must be { "first"?, "returning"?, "customer"? }',
      ),
    ),
    customerAttribute: v.optional(filled),
    businessHours: v.optional(hours),
    agents: v.optional(v.array(agent, "must be an array"), []),
    messenger: v.optional(messenger),
    telegram: v.optional(telegram),
    whatsapp: v.optional(whatsapp),
    sms: v.optional(sms),
    email: v.optional(emailBlock),
    callback: v.optional(callback),
    apiKeys: v.optional(v.array(apiKey, "must be an array")),
    webhooks: v.optional(v.array(webhook, "must be an array")),
    attachments: v.optional(attachmentRules),
    retention: v.optional(
      strict(
        {
          resolvedDays: v.pipe(
            count(0, 3650),
            v.description("Days a resolved conversation is kept; 0 erases it at the next sweep."),
          ),
        },
        'must be { "resolvedDays": N }',
      ),
    ),
  }),
  v.transform(({ name, ...rest }) => ({ ...rest, name: name ?? rest.id })),
);

export const SITES_SHAPE = 'must be { "sites": [ { "id": ... }, ... ] } with at least one site';

const root = strict(
  {
    $schema: v.optional(
      v.pipe(
        v.string("must be a string"),
        v.description("The JSON Schema of this file, for editors."),
      ),
    ),
    sites: v.pipe(v.array(Site, SITES_SHAPE), v.minLength(1, SITES_SHAPE)),
  },
  SITES_SHAPE,
);
type SitesRoot = v.InferOutput<typeof root>;

type Path = NonNullable<v.BaseIssue<unknown>["path"]>;

/** Where `sites[i]…` sits, as valibot's issues write paths. */
function at(root: unknown, ...keys: Array<string | number>): Path {
  const path: Path[number][] = [];
  let input = root as Record<string | number, unknown>;
  for (const key of keys) {
    const value = input?.[key];
    path.push({
      type: typeof key === "number" ? "array" : "object",
      origin: "value",
      input,
      key,
      value,
    } as Path[number]);
    input = value as Record<string | number, unknown>;
  }
  return path as Path;
}

/**
 * What one site cannot know: ids unique in the file, each agent's email on one site only (a
 * login finds its site by the email), and each API key id too (a key finds its site by it). Run on whatever was read, so these come with the rest.
 */
const acrossSites = v.rawCheck<SitesRoot>(({ dataset, addIssue }) => {
  const file = dataset.value as { sites?: unknown } | undefined;
  if (!Array.isArray(file?.sites)) return;
  const ids = new Map<string, number>();
  const emails = new Map<string, string>();
  const keyIds = new Map<string, string>();
  file.sites.forEach(
    (site: { id?: unknown; agents?: unknown; apiKeys?: unknown } | undefined, i) => {
      if (typeof site?.id === "string") {
        const first = ids.get(site.id);
        if (first === undefined) ids.set(site.id, i);
        else
          addIssue({
            message: `: site id "${site.id}" appears twice (sites[${first}].id has it too)`,
            path: at(file, "sites", i, "id"),
          });
      }
      if (Array.isArray(site?.apiKeys)) {
        site.apiKeys.forEach((key: { id?: unknown } | undefined, j) => {
          if (typeof key?.id !== "string") return;
          const first = keyIds.get(key.id);
          if (first === undefined) keyIds.set(key.id, `sites[${i}].apiKeys[${j}]`);
          else
            addIssue({
              message: `: API key id "${key.id}" is also ${first}.id: a key finds its site by its id`,
              path: at(file, "sites", i, "apiKeys", j, "id"),
            });
        });
      }
      if (!Array.isArray(site?.agents)) return;
      site.agents.forEach((agent: { email?: unknown } | undefined, j) => {
        if (typeof agent?.email !== "string" || agent.email.trim() === "") return;
        const address = agent.email.trim().toLowerCase();
        const first = emails.get(address);
        if (first === undefined) emails.set(address, `sites[${i}].agents[${j}]`);
        else
          addIssue({
            message: `: "${address}" is also ${first}.email: an agent's email may appear once in the file (its login finds the site by it)`,
            path: at(file, "sites", i, "agents", j, "email"),
          });
      });
    },
  );
});

/**
 * The whole sites file. `$schema` lets an editor find `schema/sites.schema.json`.
 *
 * @example
 * const result = v.safeParse(SitesFile, JSON.parse(text));
 */
export const SitesFile = v.pipe(
  root,
  acrossSites,
  v.metadata({
    title: "omnithread sites file",
    description:
      "The sites one omnithread server serves (OMNITHREAD_SITES): origins, agents, hours and channel settings.",
  }),
);

export type SitesFileOutput = v.InferOutput<typeof SitesFile>;
export type SiteOutput = v.InferOutput<typeof Site>;
