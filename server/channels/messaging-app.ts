import { bodyLimit } from "hono/body-limit";
import type { ChannelName, ThreadEvent } from "../../sdk/protocol.ts";
import type { SiteConfig } from "../config.ts";
import { AppError, errorBody } from "../errors.ts";
import type { ChannelPort } from "./port.ts";

/**
 * What the messaging-app channels (Messenger, Telegram, WhatsApp) do alike around their
 * webhooks: which settings make a channel usable, the system lines and the first answer they add
 * to a thread, and the sends that wait until the platform has its 200.
 */

/** A send queued while a webhook is handled, run once it is answered. */
export type Later = () => Promise<void>;

/** A platform's webhook body is small (Meta batches, Telegram sends one update): 1 MB is not theirs. */
export const webhookBodyLimit = bodyLimit({
  maxSize: 1024 * 1024,
  onError: (c) => c.json(errorBody("payload_too_large", "Webhook bodies are limited to 1 MB"), 413),
});

/**
 * The channel's settings when every named field is a non-empty string, else null: a half-filled
 * block (say, a token still to come) leaves the channel off rather than failing at send time.
 *
 * @example
 * const telegram = filledSettings(site.telegram, ["botToken", "botUsername", "webhookSecret"]);
 */
export function filledSettings<T extends object>(
  settings: T | undefined,
  fields: readonly (keyof T)[],
): T | null {
  if (!settings) return null;
  return fields.every((f) => typeof settings[f] === "string" && String(settings[f]).trim() !== "")
    ? settings
    : null;
}

/** The settings, or `channel_not_configured` naming the platform and the site. */
export function requireSettings<T>(settings: T | null, platform: string, site: SiteConfig): T {
  if (!settings) {
    throw new AppError(
      "channel_not_configured",
      `${platform} is not configured for site "${site.id}"`,
    );
  }
  return settings;
}

/** The site's own page: where a visitor whose link failed can go on. */
export const webLink = (site: SiteConfig) => site.url ?? `${site.origins[0] ?? ""}/`;

/** Adds a system line from the channel (link opened, refused, a delivery status …). */
export async function appendSystem(
  port: ChannelPort,
  channel: ChannelName,
  conversationId: string,
  input: { name: string; text: string; clientId: string; data: Record<string, unknown> },
): Promise<void> {
  await port.store.append(conversationId, {
    type: "system",
    channel,
    author: { role: "system" },
    createdAt: new Date(port.now()).toISOString(),
    ...input,
  });
}

/**
 * Stores the first answer in a conversation on this channel, with the resume link back to the
 * website chat, under `<channel>:welcome` so redeliveries and concurrent webhooks add it once.
 * Answers the event and its text to send, or null when it was stored before.
 *
 * @example
 * const welcome = await storeWelcome(port, "telegram", site, conversation.id, "Thanks, you are connected");
 * if (welcome) later.push(() => send(welcome.text));
 */
export async function storeWelcome(
  port: ChannelPort,
  channel: ChannelName,
  site: SiteConfig,
  conversationId: string,
  lead: string,
): Promise<{ event: ThreadEvent; text: string } | null> {
  const link = await port.resumeLink(conversationId);
  const text = `${lead}: we will answer you here. To go on in the chat on our website, with the whole conversation, open ${link}`;
  const { event, duplicate } = await port.store.append(conversationId, {
    type: "message",
    channel,
    author: { role: "bot", name: site.name },
    text,
    clientId: `${channel}:welcome`,
    createdAt: new Date(port.now()).toISOString(),
  });
  return duplicate ? null : { event, text };
}

/**
 * Runs the sends a webhook queued, after its answer (`port.defer` keeps an edge runtime alive
 * for them). What was stored goes out even when a later event failed: its replay finds it stored.
 */
export function sendAfterAnswer(port: ChannelPort, channel: ChannelName, later: Later[]): void {
  port.defer(
    Promise.all(
      later.map((task) =>
        task().catch((error) => port.log.error(`${channel} send failed`, { error: String(error) })),
      ),
    ),
  );
}
