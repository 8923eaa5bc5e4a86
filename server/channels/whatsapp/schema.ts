/**
 * The Cloud API's webhook body as a schema (read only after `X-Hub-Signature-256` matched). Only
 * the envelope can fail: a body that is not `{ object: "whatsapp_business_account", entry: [...] }`
 * is not Meta's (400). Inside it nothing fails: a field of the wrong type reads as absent, so one
 * odd message is acknowledged rather than retried by Meta for days. Message types we do not act
 * on (reactions, locations, contacts …) pass through and are shown by their type.
 */
import * as v from "valibot";
import { loose, plainObject, sifted, tolerant } from "../../schema/fields.ts";

const part = <const E extends v.ObjectEntries>(entries: E) => tolerant(loose(entries));
const str = tolerant(v.string());

/** An image, a document, audio, video or a sticker: Meta keeps the bytes by `id` for a while. */
export const Media = part({
  id: str,
  mime_type: str,
  sha256: str,
  caption: str,
  filename: str,
});

export const Message = loose({
  from: v.string(),
  id: v.string(),
  /** Unix seconds, as a string. */
  timestamp: str,
  type: str,
  text: part({ body: str }),
  image: Media,
  document: Media,
  audio: Media,
  video: Media,
  sticker: Media,
  /** A tap on a quick-reply button of a template. */
  button: part({ text: str, payload: str }),
  interactive: part({
    type: str,
    button_reply: part({ id: str, title: str }),
    list_reply: part({ id: str, title: str }),
  }),
});

export const StatusError = loose({
  code: tolerant(v.number()),
  title: str,
  message: str,
  error_data: part({ details: str }),
});

export const Status = loose({
  id: v.string(),
  status: v.string(),
  timestamp: str,
  recipient_id: str,
  errors: tolerant(sifted(StatusError)),
});

export const Value = part({
  messaging_product: str,
  metadata: part({ display_phone_number: str, phone_number_id: str }),
  contacts: tolerant(sifted(loose({ wa_id: str, profile: part({ name: str }) }))),
  messages: tolerant(sifted(Message)),
  statuses: tolerant(sifted(Status)),
});

/** `POST /webhooks/whatsapp`: entries per business account, changes per field. */
export const WebhookBody = plainObject(
  v.object(
    {
      object: v.literal("whatsapp_business_account"),
      entry: v.array(
        loose({
          id: str,
          changes: tolerant(sifted(loose({ field: str, value: Value }))),
        }),
      ),
    },
    'must be a WhatsApp webhook: { "object": "whatsapp_business_account", "entry": [...] }',
  ),
);

export type WebhookBody = v.InferOutput<typeof WebhookBody>;
