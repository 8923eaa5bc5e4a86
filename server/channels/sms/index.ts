import { Hono } from "hono";
import * as v from "valibot";
import type { CallbackRequest, Conversation } from "../../../sdk/protocol.ts";
import type { SiteConfig, SmsConfig } from "../../config.ts";
import { callbackTime } from "../../core/callback-time.ts";
import { defaultCountry, isLandline, normalizePhone } from "../../core/phone.ts";
import { AppError, errorBody } from "../../errors.ts";
import { enforceLimit } from "../../http/rate-limit.ts";
import { route } from "../../schema/route.ts";
import { withFileLinks } from "../file-links.ts";
import { linkAccount } from "../identity-thread.ts";
import { filledSettings, requireSettings, webhookBodyLimit } from "../messaging-app.ts";
import type { ChannelPort } from "../port.ts";
import type { Channel } from "../types.ts";
import {
  account,
  receiveStatus,
  receiveText,
  SENT_MARK_MS,
  type SmsSite,
  sentKey,
} from "./inbound.ts";
import { isOptedOut, recordOptOut } from "./optout.ts";
import { IncomingMessage, MessageStatus } from "./schema.ts";
import { splitForSms } from "./segments.ts";
import { TWILIO_SIGNATURE_HEADER, verifyTwilioSignature } from "./signature.ts";
import { fill, smsWordsFor } from "./texts.ts";
import { SmsUnsubscribed, type TwilioClient, twilioClient } from "./twilio.ts";

export interface SmsOptions {
  /** Twilio's REST API base (`TWILIO_API_URL`), `https://api.twilio.com` in production. */
  apiUrl: string;
  fetch?: typeof fetch;
  /** Attempts per text (1 = no retry) and the first backoff. */
  retry?: { attempts: number; baseMs: number };
  sleep?: (ms: number) => Promise<void>;
}

/** Handoff texts one conversation may send an hour, and one number may receive a day. */
const HANDOFFS = {
  perConversation: { limit: 3, windowMs: 3_600_000 },
  perNumber: { limit: 5, windowMs: 86_400_000 },
};
/** A reply is sent as texts of at most this many segments each (Twilio takes 1,600 characters). */
const SEGMENTS_PER_TEXT = 10;
const TWIML = (inner = "") => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
const xmlText = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The site's SMS settings when all three are there, else null. */
export function smsOf(site: SiteConfig): SmsConfig | null {
  return filledSettings(site.sms, ["accountSid", "authToken", "from"]);
}

function mustSms(site: SiteConfig): SmsConfig {
  return requireSettings(smsOf(site), "SMS", site);
}

const number = (conversation: Conversation) =>
  conversation.channels.find((c) => c.channel === "sms")?.address;

/** What the agent can do instead of texting a number that said STOP. */
function fallbacks(conversation: Conversation): string {
  const ways = conversation.channels.some((c) => c.channel === "email") ? ["reply by email"] : [];
  ways.push("send a resume link by another channel; texts reach them again once they text START");
  return ways.join(", or ");
}

/**
 * The form Twilio posted, if its `X-Twilio-Signature` is right for one of the sites whose number
 * it names: the site and the fields. Twilio signs the URL configured on the number, which is
 * `PUBLIC_URL` + the path here, whatever address a proxy forwarded the request to.
 */
async function signedForm(
  port: ChannelPort,
  header: string | undefined,
  path: string,
  body: string,
  numberOf: (form: Record<string, string>) => string | undefined,
): Promise<{ site: SmsSite; form: Record<string, string> } | null> {
  const form = Object.fromEntries(new URLSearchParams(body));
  const url = `${port.publicUrl}${path}`;
  for (const site of port.sites) {
    const sms = smsOf(site);
    if (!sms || sms.from !== numberOf(form) || sms.accountSid !== form.AccountSid) continue;
    if (await verifyTwilioSignature(header, sms.authToken, url, form)) {
      return { site: site as SmsSite, form };
    }
  }
  return null;
}

/** One of Twilio's webhooks: what it is, the form's schema, whose number it names, what it does. */
interface TwilioHook {
  path: "/twilio" | "/twilio/status";
  summary: string;
  description: string;
  what: string;
  schema: typeof IncomingMessage | typeof MessageStatus;
  /** The site's number in the form: `To` of a text to it, `From` of a status of one it sent. */
  ours: (form: Record<string, string>) => string | undefined;
  /** Acts on the signed, read form; answers a text for the TwiML to send back, or null. */
  act: (site: SmsSite, form: Record<string, string>) => Promise<string | null>;
}

function webhookRoutes(port: ChannelPort, api: Pick<TwilioClient, "downloadMedia">): Hono {
  const routes = new Hono();
  const unsigned = errorBody(
    "unauthorized",
    `${TWILIO_SIGNATURE_HEADER} does not match the request for any site's number`,
  );
  const hooks: TwilioHook[] = [
    {
      path: "/twilio",
      summary: "Receive text messages (Twilio)",
      description:
        "Twilio's incoming-message webhook, form-encoded (`MessageSid`, `AccountSid`, `From`, `To`, `Body`, `NumMedia`, `MediaUrl<i>`), checked by `X-Twilio-Signature` (HMAC-SHA1 over PUBLIC_URL + this path + the sorted fields, with the auth token) before it is read. STOP / START / HELP are honoured; anything else lands in the number's thread. Answers TwiML: empty, or HELP's answer.",
      what: "message",
      schema: IncomingMessage,
      ours: (form) => form.To,
      act: (site, form) => receiveText(port, site, form, api),
    },
    {
      path: "/twilio/status",
      summary: "Receive the status of a text we sent (Twilio)",
      description:
        "Twilio's status callback for a reply (`MessageSid`, `MessageStatus`, `ErrorCode`), signed as the incoming webhook. A failed or undelivered text is shown in its thread as `delivery.failed` with Twilio's code.",
      what: "status",
      schema: MessageStatus,
      ours: (form) => form.From,
      act: async (site, form) => {
        await receiveStatus(port, site, form);
        return null;
      },
    },
  ];

  for (const hook of hooks) {
    routes.post(
      hook.path,
      route({
        summary: hook.summary,
        description: hook.description,
        tag: "webhooks",
        auth: "signature",
        rawBody: { mediaType: "application/x-www-form-urlencoded", schema: hook.schema },
        responses: { 200: { description: "TwiML", mediaType: "text/xml" } },
      }),
      webhookBodyLimit,
      async (c) => {
        const signed = await signedForm(
          port,
          c.req.header(TWILIO_SIGNATURE_HEADER),
          `/webhooks/sms${hook.path}`,
          await c.req.text(),
          hook.ours,
        );
        if (!signed) return c.json(unsigned, 401);
        const read = v.safeParse(hook.schema, signed.form);
        if (!read.success) {
          const problem = read.issues[0].message;
          return c.json(errorBody("bad_request", `Not a Twilio ${hook.what}: ${problem}`), 400);
        }
        const answer = await hook.act(signed.site, signed.form);
        c.header("Content-Type", "text/xml; charset=utf-8");
        return c.body(TWIML(answer ? `<Message>${xmlText(answer)}</Message>` : ""));
      },
    );
  }
  return routes;
}

/**
 * The SMS channel (docs/architecture.md §5), on Twilio's API and webhook format: a handoff texts
 * the visitor's number from the site's with a short resume link and links the number; texts
 * from it land in the thread; agent replies go by `Messages.json`, never to a number that said
 * STOP. Web APIs only.
 *
 * @example
 * const { app } = createApp({ config, store, keyRing, channels: [smsChannel({ apiUrl: config.twilioApiUrl })] });
 */
export function smsChannel(options: SmsOptions): Channel {
  const api: TwilioClient = twilioClient({
    apiUrl: options.apiUrl,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    retry: options.retry ?? { attempts: 3, baseMs: 250 },
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });

  async function text(
    port: ChannelPort,
    site: SmsConfig & { siteId: string },
    conversation: Conversation,
    to: string,
    body: string,
  ): Promise<string[]> {
    const sids: string[] = [];
    try {
      for (const part of splitForSms(body, SEGMENTS_PER_TEXT)) {
        sids.push(
          await api.send(
            site,
            {
              from: site.from,
              to,
              body: part,
              statusCallback: `${port.publicUrl}/webhooks/sms/twilio/status`,
            },
            fallbacks(conversation),
          ),
        );
      }
    } catch (error) {
      // Twilio knew of a STOP we missed: keep it, so the next reply is refused before it is stored.
      if (error instanceof SmsUnsubscribed)
        await recordOptOut(port, site.siteId, to, true, port.now());
      throw error;
    }
    return sids;
  }

  return {
    name: "sms",

    configured: (site) => smsOf(site) !== null,

    async handoff(port, conversation, input) {
      const site = port.site(conversation.siteId);
      const sms = mustSms(site);
      const { e164 } = normalizePhone(
        String(input.phone ?? ""),
        defaultCountry(site.callback?.country, conversation.context.locale ?? site.locale),
      );
      if (isLandline(e164)) {
        throw new AppError(
          "bad_request",
          '"phone" is a landline, which cannot receive text messages',
        );
      }
      // Every handoff texts a number the visitor typed: limited per thread and per number, so
      // the site's number cannot be turned into a way to text strangers.
      await enforceLimit(port.store, "sms-handoff", conversation.id, HANDOFFS.perConversation);
      await enforceLimit(port.store, "sms-handoff-to", `${site.id}:${e164}`, HANDOFFS.perNumber);
      if (await isOptedOut(port, site.id, e164)) {
        throw new AppError(
          "channel_unavailable",
          `This number texted STOP to ${sms.from}: text START to it to get texts again`,
        );
      }
      const link = await port.shortResumeLink(conversation.id);
      const words = smsWordsFor(conversation.context.locale ?? site.locale);
      // Sent first: a text that did not go out links nothing.
      await text(
        port,
        { ...sms, siteId: site.id },
        conversation,
        e164,
        fill(words.handoff, { name: site.name, link }),
      );
      await linkAccount(port, conversation, account(e164));
      return { status: 202, body: { channel: "sms", address: e164 } };
    },

    async checkDelivery(port, conversation) {
      const to = number(conversation);
      if (to && (await isOptedOut(port, conversation.siteId, to))) {
        throw new SmsUnsubscribed(fallbacks(conversation));
      }
    },

    async deliver(port, conversation, event) {
      const sms = mustSms(port.site(conversation.siteId));
      const to = number(conversation);
      if (!to)
        throw new AppError("channel_unavailable", "The visitor has not continued by text message");
      const sids = await text(
        port,
        { ...sms, siteId: conversation.siteId },
        conversation,
        to,
        (await withFileLinks(port, event)).text,
      );
      // The statuses Twilio reports later name the MessageSid: they find this reply by it.
      for (const sid of sids) {
        await port.store.raiseMark(sentKey(conversation.id, sid), event.seq, SENT_MARK_MS);
      }
    },

    callbackChanged(port, conversation, callback) {
      if (callback.status !== "requested" && callback.status !== "scheduled") return;
      port.defer(
        callbackText(port, conversation, callback, "callback").catch((error) =>
          port.log.error("callback confirmation text failed", {
            conversationId: conversation.id,
            error: String(error),
          }),
        ),
      );
    },

    callbackDue(port, conversation, callback) {
      port.defer(
        callbackText(port, conversation, callback, "reminder").catch((error) =>
          port.log.error("callback reminder text failed", {
            conversationId: conversation.id,
            error: String(error),
          }),
        ),
      );
    },

    webhooks: (port) => webhookRoutes(port, api),
  };

  /**
   * A callback requested or scheduled (`callback`), or its call near (`reminder`): told by text
   * to the number to be called, when it takes texts (not a landline, no STOP) and the site leaves
   * `sms.callbacks` on; once per change.
   */
  async function callbackText(
    port: ChannelPort,
    conversation: Conversation,
    callback: CallbackRequest,
    kind: "callback" | "reminder",
  ): Promise<void> {
    const site = port.site(conversation.siteId);
    const sms = smsOf(site);
    if (!sms || sms.callbacks === false) return;
    const to = callback.phone;
    if (isLandline(to) || (await isOptedOut(port, site.id, to))) return;
    const once = `sms-${kind}:${callback.id}:${callback.version}`;
    if ((await port.store.hit(once, 86_400_000)).count > 1) return;
    const locale = conversation.context.locale ?? site.locale;
    const body = fill(smsWordsFor(locale)[kind], {
      name: site.name,
      phone: to,
      when: callbackTime(callback, locale),
    });
    await text(port, { ...sms, siteId: site.id }, conversation, to, body);
  }
}
