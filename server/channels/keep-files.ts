import type { ChannelName } from "../../sdk/protocol.ts";
import type { StoredAttachment } from "../store/types.ts";
import type { ChannelPort } from "./port.ts";

/** A file a message brought by a channel, before it is kept: its platform's link expires. */
export interface ArrivingFile {
  /** Unique on the channel (its message id and the file's place in it): kept once under it. */
  key: string;
  name: string;
  /** How the thread names its kind when it could not be kept, e.g. `photo`, `document`. */
  kind: string;
  /** Reads the bytes from the platform, at most `maxBytes` (more: `payload_too_large`, `tooLarge`). */
  download(maxBytes: number, tooLarge: string): Promise<Uint8Array>;
}

/**
 * Keeps the files of one inbound message in our storage before the message is stored, so the
 * message names them (docs/architecture.md §12). A file that cannot be kept (too large, a type the
 * site does not take, a download that failed) becomes a line of the message's text saying so:
 * the agent knows something was sent, and can ask for it another way.
 *
 * @example
 * const { attachments, lines } = await keepFiles(port, conversation, "telegram", files);
 * await port.threads.postVisitorMessage(id, { clientId, text: [caption, ...lines].join("\n"), attachments });
 */
export async function keepFiles(
  port: Pick<ChannelPort, "attachments" | "site">,
  conversation: { id: string; siteId: string },
  channel: ChannelName,
  files: readonly ArrivingFile[],
): Promise<{ attachments: StoredAttachment[] | undefined; lines: string[] }> {
  const attachments: StoredAttachment[] = [];
  const lines: string[] = [];
  const site = port.site(conversation.siteId);
  for (const file of files) {
    const outcome = await port.attachments.keep(conversation, site, {
      key: file.key,
      name: file.name,
      from: channel,
      download: file.download,
    });
    if ("kept" in outcome) attachments.push(outcome.kept);
    else lines.push(`[${file.kind}] ${file.name}: not kept (${outcome.refused})`);
  }
  return { attachments: attachments.length ? attachments : undefined, lines };
}
