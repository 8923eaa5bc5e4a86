import type { Update } from "./schema.ts";

/** A file a visitor sent (a photo at its largest size, a document): Telegram keeps it by `fileId`. */
export interface TelegramFile {
  type: "photo" | "document";
  fileId: string;
  name?: string;
  mimeType?: string;
  size?: number;
}

/** What one update means for a thread; `chatId` is a private chat's, which is the visitor's. */
export type TelegramEvent =
  | { kind: "start"; chatId: string; messageId: number; date: number; payload?: string }
  | { kind: "stop"; chatId: string; messageId: number; date: number }
  | {
      kind: "message";
      chatId: string;
      messageId: number;
      date: number;
      text: string;
      files: TelegramFile[];
      from?: { name?: string; username?: string; languageCode?: string };
    }
  | { kind: "blocked" | "unblocked"; chatId: string; date: number }
  | { kind: "other" };

/** The longest text one Telegram message adds to the thread (text or caption plus file lines). */
export const MAX_EVENT_TEXT = 8000;

/** `/start`, `/start@ShopBot`, `/start <payload>`: a deep link's payload rides on `/start`. */
const COMMAND = /^\/(start|stop)(?:@\w+)?(?:\s+(\S+))?\s*$/;

function filesOf(message: NonNullable<Update["message"]>): TelegramFile[] {
  const files: TelegramFile[] = [];
  // Telegram sends a photo at several sizes, smallest first: the last is the original's.
  const photo = message.photo?.at(-1);
  if (photo) {
    files.push({
      type: "photo",
      fileId: photo.file_id,
      ...(photo.file_size !== undefined ? { size: photo.file_size } : {}),
    });
  }
  const doc = message.document;
  if (doc) {
    files.push({
      type: "document",
      fileId: doc.file_id,
      ...(doc.file_name ? { name: doc.file_name } : {}),
      ...(doc.mime_type ? { mimeType: doc.mime_type } : {}),
      ...(doc.file_size !== undefined ? { size: doc.file_size } : {}),
    });
  }
  return files;
}

/** What the thread shows: the text, or a file's caption (the files go with it as attachments). */
function textOf(message: NonNullable<Update["message"]>): string {
  return (message.text ?? message.caption ?? "").slice(0, MAX_EVENT_TEXT);
}

/**
 * Reads one update of private chats: a `/start` (with a deep link's payload or none), a `/stop`,
 * a message (text, photo, document), the bot blocked or unblocked. Groups, channels, edits and
 * everything else are `other`: acknowledged, not acted on.
 *
 * @example
 * const event = parseUpdate(v.parse(Update, body));
 * if (event.kind === "start") await redeem(event.payload);
 */
export function parseUpdate(update: Update): TelegramEvent {
  const member = update.my_chat_member;
  if (member) {
    const chatId = member.chat?.id;
    const status = member.new_chat_member?.status;
    if (member.chat?.type !== "private" || !chatId || member.date === undefined) {
      return { kind: "other" };
    }
    if (status === "kicked") return { kind: "blocked", chatId, date: member.date };
    if (status === "member") return { kind: "unblocked", chatId, date: member.date };
    return { kind: "other" };
  }
  const message = update.message;
  const chatId = message?.chat?.id;
  if (message?.chat?.type !== "private" || !chatId) return { kind: "other" };
  if (message.message_id === undefined || message.date === undefined) return { kind: "other" };
  if (message.from?.is_bot) return { kind: "other" };
  const base = { chatId, messageId: message.message_id, date: message.date };
  const command = message.text?.match(COMMAND);
  if (command?.[1] === "start")
    return { kind: "start", ...base, ...(command[2] ? { payload: command[2] } : {}) };
  if (command?.[1] === "stop") return { kind: "stop", ...base };
  const files = filesOf(message);
  const text = textOf(message);
  if (!text && files.length === 0) return { kind: "other" };
  const from = message.from;
  const name = [from?.first_name, from?.last_name].filter(Boolean).join(" ");
  return {
    kind: "message",
    ...base,
    text,
    files,
    ...(from
      ? {
          from: {
            ...(name ? { name } : {}),
            ...(from.username ? { username: from.username } : {}),
            ...(from.language_code ? { languageCode: from.language_code } : {}),
          },
        }
      : {}),
  };
}
