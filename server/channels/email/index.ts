import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { CallbackRequest, Conversation, ThreadEvent } from "../../../sdk/protocol.ts";
import { DEFAULT_UNSEEN_REPLY_DELAY_S, type SiteConfig } from "../../config.ts";
import { visibleToVisitor } from "../../core/visibility.ts";
import { AppError, errorBody } from "../../errors.ts";
import { readJsonBody } from "../../http/body.ts";
import { SHOWN_TTL_MS, shownKey } from "../../realtime/shown.ts";
import { route } from "../../schema/route.ts";
import { carryFiles } from "../file-links.ts";
import type { ChannelPort } from "../port.ts";
import type { Channel } from "../types.ts";
import { normalizeAddress, parseReplyAddress } from "./address.ts";
import { type InboundOutcome, openHandle, receiveMail, siteOfDomain } from "./inbound.ts";
import {
  composeCallbackNotice,
  composeReply,
  composeTranscript,
  type MailTransport,
} from "./message.ts";
import { type EmailSite, SENT_EVENT, sendThreadMail } from "./outbound.ts";
import { type InboundMail, parseMailgun, parsePostmark, parseRaw } from "./parse.ts";
import { InboundOutcomeBody, MailgunForm, PostmarkInbound } from "./schema.ts";
import { inboundAuthorized, mailgunSignatureValid } from "./signature.ts";

export { loggable } from "./address.ts";
export type { InboundOutcome } from "./inbound.ts";
export type { MailMessage, MailTransport } from "./message.ts";

export interface EmailOptions {
  /** How mail leaves: SMTP (Node), an HTTP API (`postmarkTransport`) or `logTransport`. */
  transport: MailTransport;
  /** `EMAIL_INBOUND_SECRET`: the raw and Postmark webhooks need it (Bearer, or Basic password). */
  inboundSecret?: string;
  /** `MAILGUN_SIGNING_KEY`: the Mailgun webhook is checked by its signature with it. */
  mailgunSigningKey?: string;
  /** How old a Mailgun timestamp may be (either way), in seconds. */
  mailgunMaxAgeS?: number;
  /** Handoff mails per conversation per hour: a widget must not become a spam cannon. */
  handoffsPerHour?: number;
}

/** The email channel: the Channel, plus the inbound path the Node SMTP listener feeds. */
export interface EmailChannel extends Channel {
  readonly transport: MailTransport;
  /** Applies one raw RFC 5322 message, with the SMTP envelope when there was one. */
  receiveRaw(
    s: ChannelPort,
    raw: string | Uint8Array,
    envelope?: { from?: string | null; to?: string[] },
  ): Promise<InboundOutcome>;
  /**
   * Whether an SMTP recipient may be accepted: `reply+<valid handle>@<a site's reply domain>`.
   * Answers why not otherwise.
   */
  checkRecipient(
    s: ChannelPort,
    address: string,
  ): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/**
 * What a mail server of ours says to a recipient `checkRecipient` refused: the SMTP listener's
 * 550 text, an Email Worker's `setReject` reason.
 *
 * @example
 * if (!verdict.ok) message.setReject(recipientRefusal(verdict.reason));
 */
export function recipientRefusal(reason: string): string {
  return reason === "expired"
    ? "5.1.1 This reply address has expired"
    : "5.1.1 No such recipient here";
}

/**
 * What a reply attaches in all: Postmark takes 10 MB a message, and many mail servers little
 * more once base64 has grown it by a third. Files past it go as links.
 */
const MAX_MAIL_ATTACHMENTS = 10 * 1024 * 1024;

/** Mail with attachments is large; above this, the provider is told 413. */
const MAX_INBOUND_BYTES = 30 * 1024 * 1024;
const MAILGUN_MAX_AGE_S = 5 * 60;
/** A token is remembered longer than a timestamp stays fresh, so no replay slips between. */
const MAILGUN_TOKEN_MEMORY_MS = 3 * MAILGUN_MAX_AGE_S * 1000;

function emailOf(site: SiteConfig): EmailSite | null {
  const e = site.email;
  return e && normalizeAddress(e.from) && typeof e.replyDomain === "string" && e.replyDomain.trim()
    ? (site as EmailSite)
    : null;
}

function mustEmail(site: SiteConfig): EmailSite {
  const e = emailOf(site);
  if (!e)
    throw new AppError("channel_not_configured", `Email is not configured for site "${site.id}"`);
  return e;
}

const linkedAddress = (conversation: Conversation) =>
  conversation.channels.find((c) => c.channel === "email")?.address;

/** Once-guards (`Store.hit`) outlive the follow-ups they guard. */
const GUARD_MS = SHOWN_TTL_MS;

const localeOf = (site: SiteConfig, conversation: { context: { locale?: string } }) =>
  conversation.context.locale ?? site.locale;

const answered = {
  200: {
    description: "What happened to the mail: accepted, ignored or parked",
    schema: InboundOutcomeBody,
  },
};

/** The inbound mail webhooks' contracts: each body is read only after its sender is proven. */
const INBOUND_ROUTES = {
  raw: route({
    summary: "Receive a mail as raw RFC 5322 bytes (an email worker, a pipe from an MTA)",
    description: "`X-Envelope-From` and `X-Envelope-To` may pass the SMTP envelope along.",
    tag: "webhooks",
    auth: "secret",
    rawBody: "message/rfc822",
    responses: answered,
  }),
  postmark: route({
    summary: "Receive a mail from Postmark's inbound webhook",
    description:
      "Postmark retries any answer but 200: a mail that cannot be placed is parked, 200.",
    tag: "webhooks",
    auth: "secret",
    rawBody: { mediaType: "application/json", schema: PostmarkInbound },
    responses: answered,
  }),
  mailgun: route({
    summary: "Receive a mail from a Mailgun route (forward)",
    description:
      "Signed in the form itself (`timestamp`, `token`, `signature`, HMAC-SHA256 with the signing key); a bad or replayed signature answers 406, which tells Mailgun not to retry.",
    tag: "webhooks",
    auth: "signature",
    rawBody: { mediaType: "multipart/form-data", schema: MailgunForm },
    responses: answered,
  }),
};

/** Answers what happened to a mail; 2xx either way so providers do not retry for ever. */
function outcomeResponse(c: Context, outcome: InboundOutcome) {
  return c.json(outcome, outcome.status === "accepted" && !outcome.duplicate ? 201 : 200);
}

function webhookRoutes(s: ChannelPort, options: EmailOptions, channel: EmailChannel): Hono {
  const routes = new Hono();
  routes.use(
    "*",
    bodyLimit({
      maxSize: MAX_INBOUND_BYTES,
      onError: (c) =>
        c.json(errorBody("payload_too_large", "Inbound mail is limited to 30 MB"), 413),
    }),
  );

  const requireSecret = async (c: Context) => {
    if (!options.inboundSecret) {
      throw new AppError("forbidden", "EMAIL_INBOUND_SECRET is not set: inbound mail is off");
    }
    if (!(await inboundAuthorized(c.req.header("authorization"), options.inboundSecret))) {
      throw new AppError("unauthorized", "Send Authorization: Bearer <EMAIL_INBOUND_SECRET>");
    }
  };

  routes.post("/raw", INBOUND_ROUTES.raw, async (c) => {
    await requireSecret(c);
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (raw.length === 0) throw new AppError("bad_request", "The body is an RFC 5322 message");
    // An email worker may pass the envelope along.
    const envelopeFrom = c.req.header("x-envelope-from");
    const envelopeTo = c.req.header("x-envelope-to");
    return outcomeResponse(
      c,
      await channel.receiveRaw(s, raw, {
        ...(envelopeFrom !== undefined ? { from: envelopeFrom } : {}),
        ...(envelopeTo ? { to: envelopeTo.split(",") } : {}),
      }),
    );
  });

  routes.post("/postmark", INBOUND_ROUTES.postmark, async (c) => {
    await requireSecret(c);
    const body = await readJsonBody(c);
    // Postmark retries any non-200 answer; a mail we cannot place is parked and answered 200.
    const outcome = await receiveMail(s, parsePostmark(body));
    return c.json(outcome, 200);
  });

  routes.post("/mailgun", INBOUND_ROUTES.mailgun, async (c) => {
    if (!options.mailgunSigningKey) {
      return c.json(errorBody("forbidden", "MAILGUN_SIGNING_KEY is not set"), 406);
    }
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      return c.json(errorBody("bad_request", "Mailgun posts a form"), 406);
    }
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === "string" ? v : "";
    };
    const fields = {
      timestamp: field("timestamp"),
      token: field("token"),
      signature: field("signature"),
    };
    // 406 is what tells Mailgun not to retry: a post that fails its signature never will pass.
    if (
      !/^\d{1,12}$/.test(fields.timestamp) ||
      !fields.token ||
      !(await mailgunSignatureValid(fields, options.mailgunSigningKey))
    ) {
      return c.json(errorBody("unauthorized", "Mailgun signature does not match"), 406);
    }
    const age = Math.abs(s.now() / 1000 - Number(fields.timestamp));
    if (age > (options.mailgunMaxAgeS ?? MAILGUN_MAX_AGE_S)) {
      return c.json(errorBody("unauthorized", "Mailgun timestamp is stale"), 406);
    }
    const seen = await s.store.hit(`mailgun:token:${fields.token}`, MAILGUN_TOKEN_MEMORY_MS);
    if (seen.count > 1) {
      return c.json(errorBody("conflict", "This Mailgun token was used already"), 406);
    }
    const mail: InboundMail = await parseMailgun(form);
    return c.json(await receiveMail(s, mail), 200);
  });

  return routes;
}

/**
 * The email channel (docs/architecture.md §5): a handoff mails the transcript so far with
 * `Reply-To: reply+<handle>@<replyDomain>`, our `Message-ID` and the resume link; replies come
 * back by webhook (raw, Postmark, Mailgun) or the Node SMTP listener and land in the thread;
 * agents' replies go out by mail, threaded by `In-Reply-To`/`References`. Web APIs only: the
 * transport is injected.
 *
 * @example
 * const email = emailChannel({ transport: postmarkTransport({ serverToken }), inboundSecret });
 * createApp({ config, store, keyRing, channels: [email] });
 */
export function emailChannel(options: EmailOptions): EmailChannel {
  const { transport } = options;
  const channel: EmailChannel = {
    name: "email",
    transport,

    configured: (site) => emailOf(site) !== null,

    async handoff(s, conversation, input) {
      const site = mustEmail(s.site(conversation.siteId));
      const address = normalizeAddress(input.email);
      if (!address) {
        throw new AppError("bad_request", "email must be a valid address like name@example.com");
      }
      if (input.transcript !== undefined && typeof input.transcript !== "boolean") {
        throw new AppError("bad_request", '"transcript" must be true or false');
      }
      if (siteOfDomain(s, address.split("@")[1]!)) {
        throw new AppError("bad_request", "email must be the visitor's own address");
      }
      // Every handoff mails an address the visitor typed: limit it per thread and per address,
      // so the site's From line cannot be turned into a way to mail strangers.
      const perThread = await s.store.hit(`email-handoff:${conversation.id}`, 3_600_000);
      const addressFree = await mayMail(s, address);
      if (perThread.count > (options.handoffsPerHour ?? 5) || !addressFree) {
        throw new AppError("rate_limited", "Too many emails to this address; try later", 600);
      }
      const events = await s.threads.eventsAfter(conversation.id, 0, "visitor");
      // Sent first: a mail that did not go out links nothing.
      await sendThreadMail(s, transport, {
        site,
        conversation,
        to: address,
        kind: "transcript",
        automatic: true,
        // Remembered with the handoff: the transcript goes out again when an agent resolves.
        data: { handoff: true, transcriptOnResolve: input.transcript === true },
        compose: (resumeLink) =>
          composeTranscript({
            events,
            siteName: site.name,
            locale: localeOf(site, conversation),
            resumeLink,
          }),
      });
      await s.threads.linkChannel(conversation.id, "email", address);
      return { status: 202, body: { channel: "email", address } };
    },

    async deliver(s, conversation, event) {
      await sendReply(s, conversation, event);
    },

    webReplied(s, conversation, event) {
      const site = emailOf(s.site(conversation.siteId));
      if (!site || !linkedAddress(conversation)) return;
      if (event.type !== "message" || event.author.role !== "agent") return;
      const delayS = site.email.unseenReplyDelaySeconds ?? DEFAULT_UNSEEN_REPLY_DELAY_S;
      // In-process: a crash of this instance before the delay drops the follow-up mail (the
      // reply itself is in the thread, and the resume link of the next mail shows it).
      const timer = setTimeout(() => {
        void unseenFollowUp(s, conversation.id, event).catch((error) =>
          s.log.error("unseen reply email failed", {
            conversationId: conversation.id,
            seq: event.seq,
            error: String(error),
          }),
        );
      }, delayS * 1000);
      (timer as { unref?: () => void }).unref?.();
    },

    callbackChanged(s, conversation, callback) {
      s.defer(
        callbackNotice(s, conversation, callback).catch((error) =>
          s.log.error("callback confirmation email failed", {
            conversationId: conversation.id,
            error: String(error),
          }),
        ),
      );
    },

    async resolved(s, conversation) {
      try {
        await transcriptOnResolve(s, conversation);
      } catch (error) {
        s.log.error("transcript on resolve failed", {
          conversationId: conversation.id,
          error: String(error),
        });
      }
    },

    webhooks: (s) => webhookRoutes(s, options, channel),

    async receiveRaw(s, raw, envelope = {}) {
      return receiveMail(s, await parseRaw(raw, envelope));
    },

    async checkRecipient(s, address) {
      const parsed = parseReplyAddress(address);
      if (!parsed || !siteOfDomain(s, parsed.domain)) return { ok: false, reason: "unknown" };
      const found = await openHandle(s, parsed.handle, parsed.domain);
      return "conversation" in found ? { ok: true } : { ok: false, reason: found.refused };
    },
  };

  /** Mails an agent's reply into the thread's mail, with the resume link. */
  async function sendReply(
    s: ChannelPort,
    conversation: Conversation,
    event: ThreadEvent,
    data?: Record<string, unknown>,
  ): Promise<void> {
    const site = mustEmail(s.site(conversation.siteId));
    const to = linkedAddress(conversation);
    if (!to) throw new AppError("channel_unavailable", "The visitor has not continued by email");
    // Files go as MIME parts up to what mail servers take; beyond that, as links.
    const { carried, event: reply } = await carryFiles(s, event, (file, sent) =>
      sent + file.size > MAX_MAIL_ATTACHMENTS ? "too large to attach" : null,
    );
    await sendThreadMail(s, transport, {
      attachments: carried.map(({ record, bytes }) => ({
        filename: record.name,
        contentType: record.type,
        content: bytes,
      })),
      site,
      conversation,
      to,
      kind: "reply",
      seq: event.seq,
      ...(data ? { data } : {}),
      compose: (resumeLink) =>
        composeReply({
          event: reply,
          siteName: site.name,
          locale: localeOf(site, conversation),
          resumeLink,
        }),
    });
  }

  /**
   * The delay is over: the reply is emailed unless a visitor socket was sent it (the shown mark
   * reached its seq), the email link is gone, or another timer took it already.
   */
  async function unseenFollowUp(s: ChannelPort, conversationId: string, event: ThreadEvent) {
    if ((await s.store.raiseMark(shownKey(conversationId), 0, SHOWN_TTL_MS)) >= event.seq) return;
    const conversation = await s.store.getConversation(conversationId);
    if (!conversation || !linkedAddress(conversation)) return;
    const first = await s.store.hit(`email-unseen:${conversationId}:${event.seq}`, GUARD_MS);
    if (first.count > 1) return;
    await sendReply(s, conversation, event, { reason: "unseen" });
  }

  /**
   * Counts a mail to an address the visitor only typed (a handoff, a callback confirmation)
   * against one hourly limit per address: the site's From line is no way to mail strangers.
   */
  async function mayMail(s: ChannelPort, address: string): Promise<boolean> {
    const hit = await s.store.hit(`email-handoff-to:${address}`, 3_600_000);
    return hit.count <= (options.handoffsPerHour ?? 5);
  }

  /**
   * Confirms a callback by mail when the visitor gave an address (or continues by email): when
   * requested and when scheduled; once per change, and within the same per-address limit as
   * handoffs, since the address was only typed.
   */
  async function callbackNotice(
    s: ChannelPort,
    conversation: Conversation,
    callback: CallbackRequest,
  ): Promise<void> {
    const site = emailOf(s.site(conversation.siteId));
    const to = normalizeAddress(callback.email) ?? linkedAddress(conversation);
    if (!site || !to) return;
    if (callback.status !== "requested" && callback.status !== "scheduled") return;
    const first = await s.store.hit(`email-callback:${callback.id}:${callback.version}`, GUARD_MS);
    if (first.count > 1) return;
    if (!(await mayMail(s, to))) return;
    await sendThreadMail(s, transport, {
      site,
      conversation,
      to,
      kind: "callback",
      automatic: true,
      data: { callbackId: callback.id, status: callback.status },
      compose: (resumeLink) =>
        composeCallbackNotice({
          callback,
          siteName: site.name,
          locale: localeOf(site, conversation),
          resumeLink,
        }),
    });
  }

  /**
   * Resolved: the full transcript goes to the linked address when the visitor asked for it at
   * handoff (the latest handoff decides) or the site always sends it; once per resolve.
   */
  async function transcriptOnResolve(s: ChannelPort, conversation: Conversation) {
    const site = emailOf(s.site(conversation.siteId));
    const to = linkedAddress(conversation);
    if (!site || !to) return;
    // Reads are capped (MAX_EVENTS_PER_READ): the thread's start for the transcript, as the
    // handoff mail has it, and its tail for this resolve.
    const [events, tail] = await Promise.all([
      s.store.eventsAfter(conversation.id, 0),
      s.store.eventsAfter(conversation.id, Math.max(0, conversation.lastSeq - 50)),
    ]);
    const all = [...events, ...tail];
    const handoff = all.findLast((e) => e.name === SENT_EVENT && e.data?.handoff === true);
    if (!site.email.transcriptOnResolve && handoff?.data?.transcriptOnResolve !== true) return;
    const resolved =
      tail.findLast((e) => e.name === "conversation.resolved")?.seq ?? conversation.lastSeq;
    const first = await s.store.hit(`email-resolved:${conversation.id}:${resolved}`, GUARD_MS);
    if (first.count > 1) return;
    const visible = events.filter(visibleToVisitor);
    await sendThreadMail(s, transport, {
      site,
      conversation,
      to,
      kind: "transcript",
      automatic: true,
      data: { reason: "resolved", resolved },
      compose: (resumeLink) =>
        composeTranscript({
          events: visible,
          siteName: site.name,
          locale: localeOf(site, conversation),
          resumeLink,
        }),
    });
  }

  return channel;
}
