import type { ThreadEvent } from "../../sdk/protocol.ts";
import type { ChannelPort } from "./port.ts";

const sizeOf = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;

/**
 * An agent's reply as a channel sends it when it carries files: the words, then one line per
 * file with its name, size and signed download link (it works for about a week; the thread gives
 * a fresh one after). Every channel carries files this way for now: the link reaches the
 * visitor wherever they are, whatever the platform takes (docs/architecture.md §12).
 *
 * @example
 * const outgoing = await withFileLinks(port, event);
 * await api.sendMessage(token, chatId, outgoing.text);
 */
export async function withFileLinks(
  port: Pick<ChannelPort, "attachments">,
  event: ThreadEvent,
): Promise<ThreadEvent> {
  if (!event.attachments?.length) return event;
  const lines = await Promise.all(
    event.attachments.map(
      async (file) =>
        `📎 ${file.name} (${sizeOf(file.size)}): ${await port.attachments.link(file.id)}`,
    ),
  );
  return { ...event, text: [event.text, ...lines].filter((line) => line !== "").join("\n") };
}
