/**
 * Telegram's webhook body, an `Update` of the Bot API, as a schema (read only after the secret
 * header matched). Only the envelope can fail: a body that is not an object with a numeric
 * `update_id` is not Telegram's (400). Inside it nothing fails: a field of the wrong type reads as
 * absent, so one odd update is acknowledged rather than retried by Telegram for a day. What we do
 * not act on (edited messages, channel posts, callback queries …) passes through unread.
 */
import * as v from "valibot";
import { loose, plainObject, sifted, tolerant } from "../../schema/fields.ts";

const part = <const E extends v.ObjectEntries>(entries: E) => tolerant(loose(entries));
const str = tolerant(v.string());
const int = tolerant(v.pipe(v.number(), v.safeInteger()));
/** Chat and user ids: integers up to 52 bits, kept as decimal strings. */
const id = tolerant(v.pipe(v.number(), v.safeInteger(), v.transform(String)));

export const User = part({
  id,
  is_bot: tolerant(v.boolean()),
  first_name: str,
  last_name: str,
  username: str,
  language_code: str,
});

export const Chat = part({ id, type: str, username: str, first_name: str, last_name: str });

export const PhotoSize = loose({
  file_id: v.string(),
  file_unique_id: str,
  width: int,
  height: int,
  file_size: int,
});

export const Document = part({
  file_id: v.string(),
  file_unique_id: str,
  file_name: str,
  mime_type: str,
  file_size: int,
});

export const Message = part({
  message_id: int,
  date: int,
  chat: Chat,
  from: User,
  text: str,
  caption: str,
  photo: tolerant(sifted(PhotoSize)),
  document: Document,
});

/** `my_chat_member`: the bot's own membership in a chat changed (a private chat: blocked, unblocked). */
export const ChatMemberUpdated = part({
  chat: Chat,
  from: User,
  date: int,
  old_chat_member: part({ status: str }),
  new_chat_member: part({ status: str }),
});

/** `POST /webhooks/telegram`: one `Update`. */
export const Update = plainObject(
  v.object(
    {
      update_id: v.pipe(v.number(), v.safeInteger()),
      message: Message,
      edited_message: Message,
      my_chat_member: ChatMemberUpdated,
    },
    'must be a Telegram Update: { "update_id": N, ... }',
  ),
);

export type Update = v.InferOutput<typeof Update>;
