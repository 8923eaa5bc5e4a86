import type { Conversation } from "../../../sdk/protocol.ts";
import type { SiteConfig, WhatsAppConfig } from "../../config.ts";
import { type Account, findThread, linkAccount, threadFor } from "../identity-thread.ts";
import { keepFiles } from "../keep-files.ts";
import { appendSystem as appendLine, type Later, storeWelcome, webLink } from "../messaging-app.ts";
import type { ChannelPort } from "../port.ts";
import { openWindow } from "../reply-window.ts";
import type { CloudApi } from "./cloud-api.ts";
import { findCode, redeemCode } from "./code.ts";
import type { WhatsAppEvent } from "./webhook.ts";
import { CUSTOMER_SERVICE_WINDOW_MS } from "./window.ts";

/**
 * What Cloud API webhooks do to threads. The first message carrying a valid one-time code links
 * the customer's WhatsApp id to the code's conversation (once); later messages from that number
 * land there (which thread a number writes to: `../identity-thread.ts`); a number never seen
 * starts a thread of its own in the site's inbox. Every message opens the 24-hour window on the
 * thread's WhatsApp entry. Statuses of our messages (delivered, read, failed) are shown to agents.
 * Idempotent under Meta's redeliveries: messages by `wamid`, notices by their own keys.
 */

/** A site with WhatsApp set up. */
export type WhatsAppSite = SiteConfig & { whatsapp: WhatsAppConfig };

export interface InboundContext {
  port: ChannelPort;
  site: WhatsAppSite;
  api: CloudApi;
  later: Later[];
}

/** How long a wamid is remembered as seen: Meta retries a failed delivery for up to 7 days. */
const SEEN_MS = 7 * 86_400_000;
/** How long the wamid of a message we sent points to its event, for the statuses to come. */
export const SENT_MARK_MS = 30 * 86_400_000;

const account = (waId: string): Account => ({ channel: "whatsapp", kind: "whatsapp", value: waId });
const iso = (ms: number) => new Date(ms).toISOString();
/** Meta's timestamp (seconds), never later than now. */
const sentAt = (ctx: InboundContext, seconds: number) =>
  iso(seconds > 0 ? Math.min(seconds * 1000, ctx.port.now()) : ctx.port.now());

/** Where a sent message's wamid points: its event's seq in the conversation. */
export const sentKey = (conversationId: string, wamid: string) =>
  `whatsapp:sent:${conversationId}:${wamid}`;

const appendSystem = (
  ctx: InboundContext,
  conversationId: string,
  input: Parameters<typeof appendLine>[3],
) => appendLine(ctx.port, "whatsapp", conversationId, input);

/** Sends a line after the 200; a failure is noted in the thread. */
function sendLater(
  ctx: InboundContext,
  waId: string,
  text: string,
  onFailure: (e: unknown) => Promise<void>,
) {
  ctx.later.push(async () => {
    try {
      await ctx.api.sendText({ whatsapp: ctx.site.whatsapp, waId }, text, "");
    } catch (error) {
      await onFailure(error);
    }
  });
}

/** The first answer in a conversation: where the visitor is, and the resume link to the web chat. */
async function welcome(ctx: InboundContext, conversationId: string, waId: string): Promise<void> {
  const { port, site } = ctx;
  const stored = await storeWelcome(
    port,
    "whatsapp",
    site,
    conversationId,
    "Thanks, you are connected",
  );
  if (!stored) return;
  sendLater(ctx, waId, stored.text, (error) =>
    port.threads.noteDeliveryFailure(conversationId, stored.event, error),
  );
}

const REFUSALS = {
  expired: "has expired",
  invalid: "is not valid or was used already",
  taken: "belongs to a conversation already continued from another WhatsApp number",
} as const;

/**
 * The thread a message with a code goes to: the code's conversation when the code is valid (it
 * links the number), else the number's own thread, with a polite line saying why.
 */
async function redeem(
  ctx: InboundContext,
  event: Extract<WhatsAppEvent, { kind: "message" }>,
  code: string,
): Promise<Conversation> {
  const { port, site } = ctx;
  const taken = await redeemCode(port, site.id, code, event.waId);
  let target: Conversation | null = null;
  let refusal: keyof typeof REFUSALS | null = "refusal" in taken ? taken.refusal : null;
  if ("conversationId" in taken) {
    target = await port.store.getConversation(taken.conversationId);
    // Another site's conversation proves nothing here.
    if (target?.siteId !== site.id) [target, refusal] = [null, "invalid"];
  }
  const bound = target?.channels.find((c) => c.channel === "whatsapp")?.address;
  if (target && bound && bound !== event.waId) refusal = "taken";

  if (refusal || !target) {
    const reason = refusal ?? "invalid";
    // A number already writing here that sends something code-shaped (an order reference, the
    // link's text again) is just writing: no refusal to show anyone.
    const known = await findThread(port, site.id, account(event.waId));
    if (known && reason === "invalid") return known;
    port.log.warn("whatsapp link refused", { siteId: site.id, reason });
    const own = known ?? (await threadFor(port, site.id, account(event.waId)));
    await appendSystem(ctx, own.id, {
      name: "whatsapp.link_refused",
      text: `Wrote with a code that ${REFUSALS[reason]}: not linked to another conversation`,
      clientId: `whatsapp:refused:${event.wamid}`,
      data: { waId: event.waId, reason },
    });
    const line = `Sorry, this code ${REFUSALS[reason]}, so it could not open your conversation from our website. We have your message and will answer here; you can also continue on our website: ${webLink(site)}`;
    sendLater(ctx, event.waId, line, async (error) =>
      port.log.error("whatsapp send failed", { error: String(error) }),
    );
    return own;
  }

  const linked = await linkAccount(port, target, account(event.waId));
  await appendSystem(ctx, linked.id, {
    name: "whatsapp.opened",
    text: "Opened the conversation in WhatsApp",
    clientId: `whatsapp:opened:${event.waId}`,
    data: { waId: event.waId, sentAt: sentAt(ctx, event.timestamp) },
  });
  return linked;
}

async function message(
  ctx: InboundContext,
  event: Extract<WhatsAppEvent, { kind: "message" }>,
): Promise<void> {
  const { port, site } = ctx;
  const code = findCode(event.text);
  // A redelivered message must not spend a code twice: the first delivery took it.
  const first =
    (await port.store.hit(`whatsapp:seen:${site.id}:${event.wamid}`, SEEN_MS)).count === 1;
  const thread =
    code && first
      ? await redeem(ctx, event, code)
      : await threadFor(port, site.id, account(event.waId));
  const at = sentAt(ctx, event.timestamp);
  const clientId = `whatsapp:${event.wamid}`;
  const { attachments, lines } = await keepFiles(
    port,
    thread,
    "whatsapp",
    event.files.map((file, i) => ({
      key: `${clientId}:${i}`,
      name: file.name ?? file.type,
      kind: file.type,
      download: (max, tooLarge) =>
        ctx.api.downloadMedia(site.whatsapp, file.mediaId, max, tooLarge),
    })),
  );
  await port.threads.postVisitorMessage(thread.id, {
    clientId,
    text: [event.text, ...lines].filter(Boolean).join("\n"),
    attachments,
    channel: "whatsapp",
    data: {
      sentAt: at,
      ...(event.profileName ? { from: { name: event.profileName } } : {}),
      ...(event.files.length ? { files: event.files } : {}),
    },
  });
  await openWindow(port, thread.id, "whatsapp", at, CUSTOMER_SERVICE_WINDOW_MS);
  if (port.now() - Date.parse(at) < CUSTOMER_SERVICE_WINDOW_MS) {
    await welcome(ctx, thread.id, event.waId);
  }
}

const STATUS_NOTICES = {
  delivered: "Delivered in WhatsApp",
  read: "Read in WhatsApp",
} as const;

/** A status of a message we sent: delivered and read are noted, a failure is shown as one. */
async function status(
  ctx: InboundContext,
  event: Extract<WhatsAppEvent, { kind: "status" }>,
): Promise<void> {
  const { port, site } = ctx;
  if (event.status === "sent") return;
  const thread = await findThread(port, site.id, account(event.recipientId));
  if (!thread) return;
  const seq = await port.store.raiseMark(sentKey(thread.id, event.wamid), 0, SENT_MARK_MS);
  const data = { wamid: event.wamid, status: event.status, ...(seq > 0 ? { seq } : {}) };
  const clientId = `whatsapp:status:${event.wamid}:${event.status}`;
  if (event.status === "failed") {
    const why = [event.error?.title, event.error?.details].filter(Boolean).join(": ");
    await appendSystem(ctx, thread.id, {
      name: "delivery.failed",
      text: `Not delivered by WhatsApp: ${why || "Meta reports a failure"}`,
      clientId,
      data: {
        ...data,
        channel: "whatsapp",
        ...(event.error?.code ? { code: event.error.code } : {}),
      },
    });
    return;
  }
  await appendSystem(ctx, thread.id, {
    name: "whatsapp.status",
    text: STATUS_NOTICES[event.status],
    clientId,
    data,
  });
}

/**
 * Applies one event of a verified webhook to the threads.
 *
 * @example
 * for (const event of parseWebhook(body)) await handleEvent({ port, site, api, later }, event);
 */
export async function handleEvent(ctx: InboundContext, event: WhatsAppEvent): Promise<void> {
  if (event.kind === "message") await message(ctx, event);
  else await status(ctx, event);
}
