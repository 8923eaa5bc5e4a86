import type { ThreadEvent } from "../../sdk/protocol.ts";
import type { AttachmentRecord, StoredAttachment } from "../store/types.ts";
import type { ChannelPort } from "./port.ts";

const sizeOf = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;

/**
 * An agent's reply with every file as a line: its name, size and signed download link (it works
 * for about a week; the thread gives a fresh one after). A channel that sends no files itself
 * carries them this way: the link reaches the visitor whatever the platform takes
 * (docs/architecture.md §12).
 *
 * @example
 * const outgoing = await withFileLinks(port, event);
 * await api.sendMessage(token, chatId, outgoing.text);
 */
export async function withFileLinks(
  port: Pick<ChannelPort, "attachments">,
  event: ThreadEvent,
): Promise<ThreadEvent> {
  return (await carryFiles(port, event, () => "")).event;
}

/** A file a channel sends itself: what it is and its bytes. */
export interface CarriedFile {
  record: AttachmentRecord;
  bytes: Uint8Array;
}

/**
 * Splits a reply's files between the channel and links: `refuse(file, carried)` answers why the
 * channel cannot carry a file (given the bytes it carries already; "" for no reason worth a
 * word), or null when it can. The files it carries come back with their bytes; every other one
 * is a line with its link under the words, saying why when there is a reason
 * (`📎 video.mp4 (80.0 MB): https://… (too large to attach)`).
 *
 * @example
 * const { carried, event: reply } = await carryFiles(port, event, (file, sent) => sent + file.size > MAX ? "too large to attach" : null);
 */
export async function carryFiles(
  port: Pick<ChannelPort, "attachments">,
  event: ThreadEvent,
  refuse: (file: StoredAttachment, carriedBytes: number) => string | null,
): Promise<{ carried: CarriedFile[]; event: ThreadEvent }> {
  if (!event.attachments?.length) return { carried: [], event };
  const carried: CarriedFile[] = [];
  const lines: string[] = [];
  let bytes = 0;
  for (const file of event.attachments) {
    const why = refuse(file, bytes);
    if (why === null) {
      carried.push(await port.attachments.read(file.id));
      bytes += file.size;
      continue;
    }
    const link = await port.attachments.link(file.id);
    lines.push(`📎 ${file.name} (${sizeOf(file.size)}): ${link}${why ? ` (${why})` : ""}`);
  }
  const text = [event.text, ...lines].filter((line) => line !== "").join("\n");
  return { carried, event: { ...event, text } };
}
