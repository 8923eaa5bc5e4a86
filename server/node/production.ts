import { resolve } from "node:path";
import { verifyPassword } from "../auth/passwords.ts";
import type { Config, Env } from "../config.ts";
import { DEMO_EMAIL } from "./mail-simulator/index.ts";
import { DEMO_MESSENGER } from "./messenger-simulator/index.ts";
import { DEMO_SMS } from "./sms-simulator/index.ts";
import { DEMO_TELEGRAM } from "./telegram-simulator/index.ts";
import { DEMO_WHATSAPP } from "./whatsapp-simulator/index.ts";

/** The demo agent's password: published in the README, so it must never guard a real console. */
export const DEMO_PASSWORD = "omnithread-demo";
/** The demo site's id: its sites-file entry is public, secrets included. */
export const DEMO_SITE_ID = "demo";
/** The demo site's identity secret, as published in `demo/sites.json`. */
const DEMO_IDENTITY_SECRET = "demo-identity-secret-change-me-0123456789";

/** Whether a site's channel block holds any of the demo's values for these fields. */
const demoIn = <T extends object>(given: T | undefined, demo: T, fields: readonly (keyof T)[]) =>
  given !== undefined && fields.some((field) => given[field] === demo[field]);

/**
 * What stops `omnithread start` (production): the demo's published settings, development keys,
 * the demo simulators. Each problem names what to set instead, with its sites-file path.
 *
 * @example
 * const problems = await productionProblems(process.env, config, devKeyPath);
 * if (problems.length > 0) throw new ConfigError(problems);
 */
export async function productionProblems(
  env: Env,
  config: Config | null,
  devKeyPath: string,
): Promise<string[]> {
  const problems: string[] = [];
  if (!env.OMNITHREAD_SITES) {
    problems.push(
      "OMNITHREAD_SITES: not set; production needs your sites file (JSON text or a path), not the demo's",
    );
  }
  if (!env.OMNITHREAD_KEYS) {
    problems.push(
      "OMNITHREAD_KEYS: not set; production refuses the development key ring: make one with `omnithread keys > keys.json` and set OMNITHREAD_KEYS=keys.json",
    );
  } else if (
    !env.OMNITHREAD_KEYS.trim().startsWith("{") &&
    resolve(env.OMNITHREAD_KEYS) === devKeyPath
  ) {
    problems.push(
      `OMNITHREAD_KEYS: "${env.OMNITHREAD_KEYS}" is the development key ring; make one with \`omnithread keys > keys.json\``,
    );
  }
  if (env.OMNITHREAD_DEMO_PUBLIC) {
    problems.push(
      "OMNITHREAD_DEMO_PUBLIC: the demo simulators are for `omnithread start --demo` only; unset it",
    );
  }
  if (/\/demo\/twilio\/?$/.test(env.TWILIO_API_URL ?? "")) {
    problems.push(
      "TWILIO_API_URL: points at the demo's SMS simulator; unset it for Twilio's, or give your own",
    );
  }
  if (/\/demo\/telegram-api\/?$/.test(env.TELEGRAM_API_URL ?? "")) {
    problems.push(
      "TELEGRAM_API_URL: points at the demo's Telegram simulator; unset it for Telegram's, or give your own",
    );
  }
  if (/\/demo\/graph\/?$/.test(env.GRAPH_API_URL ?? "")) {
    problems.push(
      "GRAPH_API_URL: points at the demo's Graph simulator; unset it for Meta's, or give your own",
    );
  }
  for (const [index, site] of (config?.sites ?? []).entries()) {
    const at = `OMNITHREAD_SITES: sites[${index}]`;
    if (site.id === DEMO_SITE_ID) {
      problems.push(
        `${at}.id: "${DEMO_SITE_ID}" is the demo site; give your site an id of its own`,
      );
    }
    if (site.identitySecret === DEMO_IDENTITY_SECRET) {
      problems.push(`${at}.identitySecret: the demo's published secret; set a long random one`);
    }
    for (const [i, agent] of site.agents.entries()) {
      if (await verifyPassword(DEMO_PASSWORD, agent.passwordHash)) {
        problems.push(
          `${at}.agents[${i}].passwordHash: the demo's published password; make one with \`omnithread hash-password\``,
        );
      }
    }
    const demoChannels = [
      [
        "messenger",
        "Messenger",
        demoIn(site.messenger, DEMO_MESSENGER, ["appSecret", "linkBase"]),
        "page's",
      ],
      [
        "telegram",
        "Telegram",
        demoIn(site.telegram, DEMO_TELEGRAM, ["botToken", "webhookSecret"]),
        "bot's",
      ],
      [
        "whatsapp",
        "WhatsApp",
        demoIn(site.whatsapp, DEMO_WHATSAPP, ["appSecret", "accessToken"]),
        "number's",
      ],
      ["sms", "SMS", demoIn(site.sms, DEMO_SMS, ["authToken", "accountSid"]), "Twilio number's"],
    ] as const;
    for (const [block, name, isDemo, own] of demoChannels) {
      if (isDemo)
        problems.push(`${at}.${block}: the demo's ${name} simulator settings; use your ${own} own`);
    }
    if (site.email?.replyDomain === DEMO_EMAIL.replyDomain) {
      problems.push(
        `${at}.email.replyDomain: the demo webmail's domain; use a domain you receive mail for`,
      );
    }
  }
  return problems;
}
