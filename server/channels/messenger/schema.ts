/**
 * Meta's Messenger webhook, as schemas: the POST's body (read
 * only after `X-Hub-Signature-256` matched the raw bytes). Only the envelope can fail (a body that
 * is not an object, or without an `entry` array, is not Meta's: 400). Inside it nothing is trusted
 * and nothing fails: a field of the wrong type reads as absent and an entry or event that is not
 * an object is dropped, so one odd event never makes Meta retry (and at last disable) a webhook.
 * What we do not act on (deliveries, reads, reactions, standby, `user_ref` senders) passes through
 * unread and is acknowledged.
 */
import * as v from "valibot";
import { loose, plainObject, sifted, tolerant } from "../../schema/fields.ts";

/** An object of tolerant fields, or absent (also when it is not an object). */
const part = <const E extends v.ObjectEntries>(entries: E) => tolerant(loose(entries));

/** A string that is not empty. */
const str = tolerant(v.pipe(v.string(), v.nonEmpty()));
/** Ids arrive as strings; some older payloads and examples carry numbers. */
const id = tolerant(
  v.union([
    v.pipe(v.string(), v.nonEmpty()),
    v.pipe(v.number(), v.safeInteger(), v.transform(String)),
  ]),
);
/** Meta's `timestamp` in ms; newer payloads may send a numeric string, or seconds. */
const timestamp = tolerant(
  v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number))]),
    v.finite(),
    v.gtValue(0),
    v.transform((n) => (n < 1e12 ? n * 1000 : n)),
    v.description("Milliseconds since 1970 (seconds and numeric strings are read too)"),
  ),
);

/** How the person arrived: an m.me link's `ref` (ours are handles), an ad, a QR code. */
export const Referral = part({ ref: str, source: str, type: str });

/** `image`, `video`, `audio`, `file`, `fallback` (a shared link: its url and title may sit on top). */
export const Attachment = loose({
  type: str,
  payload: part({ url: str, title: str }),
  url: str,
  title: str,
});

export const Message = part({
  mid: str,
  text: str,
  /** A message the page sent (`message_echoes`): never the visitor's. */
  is_echo: tolerant(v.boolean()),
  quick_reply: part({ payload: str }),
  attachments: tolerant(sifted(Attachment)),
});

/** One `messaging[]` item: a message, a postback, a referral, or something else (acknowledged). */
export const MessagingEvent = loose({
  sender: part({ id }),
  recipient: part({ id }),
  timestamp,
  message: Message,
  postback: part({ mid: str, payload: str, title: str, referral: Referral }),
  referral: Referral,
});

/** One `entry[]` item: a page's batch (`id` is the page's). */
export const Entry = loose({
  id,
  time: tolerant(v.number()),
  messaging: tolerant(sifted(MessagingEvent)),
});

/** The POST body: `{ object: "page", entry: [...] }`; another `object` is acknowledged, unread. */
export const WebhookBody = plainObject(
  v.object(
    { object: tolerant(v.string()), entry: sifted(Entry) },
    'must be { "object": "page", "entry": [...] }',
  ),
);

export type WebhookBody = v.InferOutput<typeof WebhookBody>;
export type MessagingEvent = v.InferOutput<typeof MessagingEvent>;
