import type { WebhookBody } from "./schema.ts";

/**
 * The Cloud API's webhook body, read into plain events per business number: customers'
 * messages and the statuses of ours. Everything else (other fields, echoes, errors of the
 * account) is left out and acknowledged.
 */

/** A file a customer sent: Meta keeps it by media `id` (fetched with the access token). */
export interface WhatsAppFile {
  type: string;
  mediaId: string;
  mimeType?: string;
  name?: string;
  sha256?: string;
}

export type WhatsAppEvent =
  | {
      kind: "message";
      /** The business number the message was sent to (`metadata.phone_number_id`). */
      phoneNumberId: string;
      /** The customer's WhatsApp id: their number in international form, digits only. */
      waId: string;
      wamid: string;
      /** When Meta says it was sent, Unix seconds (0 when absent). */
      timestamp: number;
      /** What the thread shows: the text, a caption, a button's title, then a line per file. */
      text: string;
      files: WhatsAppFile[];
      profileName?: string;
    }
  | {
      kind: "status";
      phoneNumberId: string;
      wamid: string;
      status: "sent" | "delivered" | "read" | "failed";
      recipientId: string;
      timestamp: number;
      error?: { code?: number; title: string; details?: string };
    };

/** The longest text one WhatsApp message adds to the thread. */
export const MAX_EVENT_TEXT = 8000;

const STATUSES = new Set(["sent", "delivered", "read", "failed"]);
const MEDIA_TYPES = ["image", "document", "audio", "video", "sticker"] as const;

type RawMessage = NonNullable<
  NonNullable<WebhookBody["entry"][number]["changes"]>[number]["value"]
>["messages"];

const seconds = (value: string | undefined) => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

function filesOf(message: NonNullable<RawMessage>[number]): WhatsAppFile[] {
  const files: WhatsAppFile[] = [];
  for (const type of MEDIA_TYPES) {
    const media = message[type];
    if (!media?.id) continue;
    files.push({
      type,
      mediaId: media.id,
      ...(media.mime_type ? { mimeType: media.mime_type } : {}),
      ...(media.filename ? { name: media.filename } : {}),
      ...(media.sha256 ? { sha256: media.sha256 } : {}),
    });
  }
  return files;
}

function textOf(message: NonNullable<RawMessage>[number], files: WhatsAppFile[]): string {
  const media = MEDIA_TYPES.map((type) => message[type]).find(Boolean);
  const said =
    message.text?.body ??
    media?.caption ??
    message.button?.text ??
    message.interactive?.button_reply?.title ??
    message.interactive?.list_reply?.title ??
    "";
  // A type we do not show (a location, a reaction, contacts): the agent still sees it came.
  // Files go with the message as attachments, so a file alone has no text.
  if (!said && files.length === 0 && message.type) return `[${message.type}]`;
  return said.slice(0, MAX_EVENT_TEXT);
}

/**
 * Reads a verified webhook body into events, in the order Meta sent them.
 *
 * @example
 * for (const event of parseWebhook(v.parse(WebhookBody, body))) await handle(event);
 */
export function parseWebhook(body: WebhookBody): WhatsAppEvent[] {
  const events: WhatsAppEvent[] = [];
  for (const entry of body.entry) {
    for (const change of entry.changes ?? []) {
      const value = change.value;
      const phoneNumberId = value?.metadata?.phone_number_id;
      if (change.field !== "messages" || !value || !phoneNumberId) continue;
      const names = new Map(
        (value.contacts ?? []).map((c) => [c.wa_id ?? "", c.profile?.name ?? ""]),
      );
      for (const message of value.messages ?? []) {
        const files = filesOf(message);
        const text = textOf(message, files);
        if (!text && files.length === 0) continue;
        const profileName = names.get(message.from);
        events.push({
          kind: "message",
          phoneNumberId,
          waId: message.from,
          wamid: message.id,
          timestamp: seconds(message.timestamp),
          text,
          files,
          ...(profileName ? { profileName } : {}),
        });
      }
      for (const status of value.statuses ?? []) {
        if (!STATUSES.has(status.status)) continue;
        const error = status.errors?.[0];
        events.push({
          kind: "status",
          phoneNumberId,
          wamid: status.id,
          status: status.status as "sent",
          recipientId: status.recipient_id ?? "",
          timestamp: seconds(status.timestamp),
          ...(error
            ? {
                error: {
                  ...(error.code !== undefined ? { code: error.code } : {}),
                  title: error.title ?? error.message ?? "failed",
                  ...(error.error_data?.details ? { details: error.error_data.details } : {}),
                },
              }
            : {}),
        });
      }
    }
  }
  return events;
}
