/**
 * The visitor API's inputs and answers (`/v1/conversations`, `/v1/messages`, `/v1/handoff`, …):
 * each body and query is parsed by its schema in `route()`, and the same schema documents the
 * route. Bodies are loose: unknown fields are ignored ("more fields welcome"). The wire types stay
 * in `sdk/protocol.ts`; the checks at the end fail `npm run typecheck` on a drift.
 */
import * as v from "valibot";
import type * as P from "../../sdk/protocol.ts";
import { LIMITS } from "../../sdk/protocol.ts";
import { isTimeZone } from "../core/hours.ts";
import { isCountry } from "../core/phone.ts";
import {
  attachmentIds,
  attributes,
  clientId,
  EMAIL,
  email,
  filled,
  flag,
  instant,
  locale,
  loose,
  maybe,
  needsContent,
  pageUrl,
  seqText,
  upTo,
  whole,
  words,
} from "./fields.ts";
import {
  type Assert,
  CallbackWindow,
  Conversation,
  type Same,
  ThreadEvent,
  VisitorCallback,
} from "./frames.ts";

/** A referrer may be empty (a visit typed in): read as none. */
const referrer = v.union([v.literal(""), pageUrl()], "must be an http(s) URL");

/**
 * What a browser may report about the visitor. The server stamps each page's time itself (it
 * cannot trust the browser's), see {@link stampContext}.
 */
export const VisitorContext = loose({
  url: v.optional(pageUrl()),
  referrer: v.optional(referrer),
  locale: v.optional(locale),
  pages: v.optional(
    v.pipe(
      v.array(
        loose({ url: pageUrl(), title: maybe(upTo(300)) }),
        "must be an array of at most 50 pages",
      ),
      v.maxLength(50, "must be an array of at most 50 pages"),
    ),
  ),
  attributes: v.optional(attributes),
});

/** The context as stored: pages stamped with the server's time, an empty referrer dropped. */
export function stampContext(
  input: v.InferOutput<typeof VisitorContext> | undefined,
  nowIso: string,
): P.ConversationContext {
  if (!input) return {};
  const { pages, referrer, ...rest } = input;
  const context: P.ConversationContext = { ...rest };
  if (referrer) context.referrer = referrer;
  if (pages) {
    context.pages = pages.map(({ url, title }) => ({
      url,
      ...(title !== undefined ? { title } : {}),
      at: nowIso,
    }));
  }
  return context;
}

export const StartBody = loose({ siteId: words(64), context: v.optional(VisitorContext) });

export const IdentifyBody = loose({
  // Empty is a proof that fails (401), not a malformed body.
  jwt: v.pipe(upTo(4096), v.description("The site's signed identity of its user (a JWT)")),
});

export const ContextBody = loose({ context: v.optional(VisitorContext) });

/** `?after=<seq>`: events after this seq (0, the default, is all of them). */
export const AfterQuery = loose({ after: seqText });

/** `GET /v1/events?after=`: absent here, `Last-Event-ID` says where to go on from. */
export const EventsQuery = loose({ after: v.optional(seqText) });

export const MessageBody = needsContent(
  loose({
    clientId,
    text: v.optional(words(LIMITS.messageChars)),
    attachments: v.optional(attachmentIds),
  }),
);

export const CsatBody = loose({ rating: whole(1, 5), comment: maybe(upTo(1000)) });

export const MessengerHandoff = loose({ channel: v.literal("messenger") });

export const EmailHandoff = loose({
  channel: v.literal("email"),
  email,
  /** Mail the transcript again when an agent resolves the conversation. */
  transcript: v.optional(flag),
});

/** An address for a confirmation: optional, and blank reads as none. */
const confirmationEmail = v.pipe(
  v.string("must be a string"),
  v.trim(),
  v.check(
    (value) => value === "" || EMAIL.test(value),
    "must be an email address like ana@example.com",
  ),
  v.toLowerCase(),
  v.transform((value) => value || undefined),
  v.examples(["", "ana@example.com"]),
);

export const CallbackHandoff = loose({
  channel: v.literal("callback"),
  /** E.164, or a national number of `country`; `core/phone.ts` reads it. */
  // International examples: valid whatever `country` says.
  phone: v.pipe(filled(40), v.examples(["+31 20 123 4567", "+1 212 555 0100"])),
  country: maybe(
    v.pipe(
      v.string("must be a string"),
      v.toUpperCase(),
      v.check(isCountry, "must be a country code like NL"),
      v.metadata({ pattern: "^[A-Za-z]{2}$" }),
      v.examples(["NL", "US", "DE"]), // ISO 3166-1 codes the phone library knows
    ),
  ),
  window: v.union(
    [v.literal("asap"), loose({ from: instant, to: instant })],
    'must be { "from", "to" } or "asap"',
  ),
  timeZone: v.pipe(
    filled(64),
    v.check(isTimeZone, "must be an IANA time zone like Europe/Amsterdam"),
    v.description("An IANA time zone, e.g. Europe/Amsterdam"),
    v.examples(["Europe/Amsterdam", "America/New_York", "UTC"]),
  ),
  note: maybe(upTo(1000)),
  email: maybe(confirmationEmail),
});

export const TelegramHandoff = loose({ channel: v.literal("telegram") });
export const WhatsAppHandoff = loose({ channel: v.literal("whatsapp") });
export const SmsHandoff = loose({
  channel: v.literal("sms"),
  /** E.164, or a national number of the site's country; `core/phone.ts` reads it. */
  phone: v.pipe(filled(40), v.examples(["+31 6 12345678", "+1 212 555 0100"])),
});

/** `POST /v1/handoff`: one body per channel, told apart by `channel`. */
export const HandoffBody = v.variant(
  "channel",
  [MessengerHandoff, EmailHandoff, CallbackHandoff, TelegramHandoff, WhatsAppHandoff, SmsHandoff],
  "must be one of messenger, email, callback, telegram, whatsapp, sms",
);

export const ResumeBody = loose({
  code: v.pipe(
    v.string("must be a string"),
    v.regex(/^[a-z2-7]{1,64}$/, "must be the code from the resume link (a–z, 2–7)"),
  ),
});

// ---- Answers (documentation) ----

export const SiteInfo = loose({
  id: v.string(),
  name: v.string(),
  locale: v.string(),
  greeting: v.optional(v.string()),
  stage: v.picklist(["first", "returning", "customer"]),
  open: v.boolean(),
  agentsOnline: v.boolean(),
  channels: v.array(v.picklist(["messenger", "email", "callback", "telegram", "whatsapp", "sms"])),
});

export const Snapshot = loose({
  token: v.string(),
  conversation: Conversation,
  events: v.array(ThreadEvent),
  site: SiteInfo,
});

export const ConversationAnswer = loose({ conversation: Conversation });
export const HistoryAnswer = loose({ conversation: Conversation, events: v.array(ThreadEvent) });
export const EventAnswer = loose({ event: ThreadEvent });
export const LinkAnswer = loose({ url: v.string() });
export const EmailHandoffAnswer = loose({ channel: v.literal("email"), address: v.string() });
export const CallbackAnswer = loose({ callback: VisitorCallback });
export const CallbacksAnswer = loose({ callbacks: v.array(VisitorCallback) });
export const CallbackWindowsAnswer = loose({
  asap: v.boolean(),
  windows: v.array(CallbackWindow),
  country: v.string(),
  timeZone: v.string(),
});

// ---- Each schema against its protocol type ----

type Out<S extends v.GenericSchema> = v.InferOutput<S>;
/** A visitor's context before the server stamps it: pages without `at`, no labels. */
type ReportedContext = Omit<P.ConversationContext, "pages" | "labels"> & {
  pages?: Omit<P.PageVisit, "at">[];
};

export type VisitorSchemaChecks = [
  Assert<Out<typeof VisitorContext> extends ReportedContext ? true : false>,
  Assert<ReportedContext extends Out<typeof VisitorContext> ? true : false>,
  Assert<Same<Out<typeof StartBody>["siteId"], P.StartConversationRequest["siteId"]>>,
  Assert<Same<Out<typeof MessageBody>, P.SendMessageRequest>>,
  Assert<Same<Out<typeof CallbackHandoff>, P.CallbackHandoffRequest>>,
  Assert<Same<Out<typeof SiteInfo>, P.SiteInfo>>,
  Assert<Same<Out<typeof Snapshot>, P.ConversationSnapshot>>,
  Assert<Same<Out<typeof HistoryAnswer>, P.ConversationResponse>>,
  Assert<Same<Out<typeof EventAnswer>, P.SendMessageResponse>>,
  Assert<Same<Out<typeof CallbackWindowsAnswer>, P.CallbackWindowsResponse>>,
];
