import type { Conversation } from "../../../sdk/protocol.ts";
import type { MessengerConfig, SiteConfig } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { type Account, linkAccount, threadFor as threadForAccount } from "../identity-thread.ts";
import { keepFiles } from "../keep-files.ts";
import { appendSystem as appendLine, type Later, storeWelcome } from "../messaging-app.ts";
import type { ChannelPort } from "../port.ts";
import { openWindow } from "../reply-window.ts";
import type { SendClient } from "./send.ts";
import { isFile, type MessengerEvent, type Referral } from "./webhook.ts";
import { HUMAN_AGENT_WINDOW_MS, RESPONSE_WINDOW_MS } from "./window.ts";

/**
 * What Messenger's webhook events do to threads: a redeemed `ref` links the sender's PSID to the
 * conversation the handle names, and later messages from that PSID land there (which thread a
 * PSID writes to: `../identity-thread.ts`).
 */

/** A site with Messenger set up. */
export type MessengerSite = SiteConfig & { messenger: MessengerConfig };

export interface InboundContext {
  s: ChannelPort;
  site: MessengerSite;
  client: SendClient;
  /** Collects sends to run after the webhook is answered. */
  later: Later[];
}

/** Refs shaped like our handles; other m.me refs (a site's own campaign links) are not ours. */
const HANDLE_LIKE = /^[a-z2-7]{40,48}$/i;

const iso = (ms: number) => new Date(ms).toISOString();

/** Meta's time of an interaction, never later than now. */
const sentAt = (ctx: InboundContext, timestamp: number) => iso(Math.min(timestamp, ctx.s.now()));

const appendSystem = (
  ctx: InboundContext,
  conversationId: string,
  input: Parameters<typeof appendLine>[3],
) => appendLine(ctx.s, "messenger", conversationId, input);

const account = (psid: string): Account => ({ channel: "messenger", kind: "psid", value: psid });
const threadFor = (ctx: InboundContext, psid: string) =>
  threadForAccount(ctx.s, ctx.site.id, account(psid));

const REFUSALS = {
  expired: "has expired",
  invalid: "is not valid",
  taken: "belongs to a conversation already continued by another Messenger account",
} as const;

/**
 * Redeems a `ref`: a valid handle of this site links the PSID to its conversation, once; a
 * handle whose conversation is linked to ANOTHER PSID, a forged, altered or expired one is
 * refused: the PSID goes on in its own thread (a fresh one when it is new here) and agents get
 * a note. A ref not shaped like our handles is someone else's campaign link: ignored (null).
 */
async function redeem(
  ctx: InboundContext,
  psid: string,
  referral: Referral,
  timestamp: number,
): Promise<Conversation | null> {
  if (!HANDLE_LIKE.test(referral.ref)) return null;
  const { s, site } = ctx;
  let target: Conversation | null = null;
  let refusal: keyof typeof REFUSALS | null = null;
  try {
    const { conversationId } = await s.handles.open(referral.ref, "messenger");
    target = await s.store.getConversation(conversationId);
    // Another site's handle proves nothing here.
    if (target?.siteId !== site.id) target = null;
    if (!target) refusal = "invalid";
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    refusal = error.code === "token_expired" ? "expired" : "invalid";
  }
  const bound = target?.channels.find((c) => c.channel === "messenger")?.address;
  if (target && bound && bound !== psid) refusal = "taken";
  const at = sentAt(ctx, timestamp);
  const key = `${psid}:${timestamp}`;

  if (refusal || !target) {
    const reason = refusal ?? "invalid";
    const own = await threadFor(ctx, psid);
    await appendSystem(ctx, own.id, {
      name: "messenger.link_refused",
      text: `Opened Messenger with a link that ${REFUSALS[reason]}: not linked to that conversation`,
      clientId: `messenger:refused:${key}`,
      data: {
        psid,
        reason,
        sentAt: at,
        ...(referral.source ? { source: referral.source } : {}),
        ...(target ? { conversationId: target.id } : {}),
      },
    });
    await openWindow(s, own.id, "messenger", at, HUMAN_AGENT_WINDOW_MS);
    if (target && reason === "taken") {
      await appendSystem(ctx, target.id, {
        name: "messenger.link_conflict",
        text: "Another Messenger account opened this conversation's link; it was not linked and has its own conversation",
        clientId: `messenger:conflict:${key}`,
        data: { psid, conversationId: own.id },
      });
    }
    return own;
  }

  const linked = await linkAccount(s, target, account(psid));
  await appendSystem(ctx, linked.id, {
    name: "messenger.opened",
    text: "Opened the conversation in Messenger",
    clientId: `messenger:opened:${key}`,
    data: { psid, sentAt: at, ...(referral.source ? { source: referral.source } : {}) },
  });
  await openWindow(s, linked.id, "messenger", at, HUMAN_AGENT_WINDOW_MS);
  return linked;
}

/**
 * The first Messenger message of a conversation gets one automatic line with the resume link,
 * kept in the thread as the bot's message (sent as a `RESPONSE`). Stored first under a fixed key (so Meta's retries
 * and concurrent deliveries add it once), sent after the webhook is answered.
 */
async function welcome(ctx: InboundContext, conversationId: string, psid: string): Promise<void> {
  const { s, site } = ctx;
  const stored = await storeWelcome(
    s,
    "messenger",
    site,
    conversationId,
    "Thanks for your message",
  );
  if (!stored) return;
  const { event, text } = stored;
  ctx.later.push(async () => {
    try {
      await ctx.client.send({
        accessToken: site.messenger.pageAccessToken,
        psid,
        text,
        policy: { messagingType: "RESPONSE" },
      });
    } catch (error) {
      await s.threads.noteDeliveryFailure(conversationId, event, error);
    }
  });
}

/** The file name at the end of a CDN link's path (`…/476_n.jpg?…`), if it has one. */
function nameInUrl(url: string): string | undefined {
  const last = new URL(url).pathname.split("/").pop();
  return last && /\.\w{2,5}$/.test(last) ? decodeURIComponent(last) : undefined;
}

/**
 * Applies one webhook event of a verified body to the threads. Idempotent under Meta's
 * redeliveries: messages by their `mid`, links and notes by their own keys.
 *
 * @example
 * for (const event of entry.events) await handleEvent({ s, site, client, later }, event);
 */
export async function handleEvent(ctx: InboundContext, event: MessengerEvent): Promise<void> {
  switch (event.kind) {
    case "referral":
      await redeem(ctx, event.psid, event.referral, event.timestamp);
      return;
    case "postback":
      // The Get Started button carries the ref of a new thread; other postbacks are not ours.
      if (event.referral) await redeem(ctx, event.psid, event.referral, event.timestamp);
      return;
    case "message": {
      const redeemed = event.referral
        ? await redeem(ctx, event.psid, event.referral, event.timestamp)
        : null;
      const thread = redeemed ?? (await threadFor(ctx, event.psid));
      const at = sentAt(ctx, event.timestamp);
      const { attachments, lines } = await keepFiles(
        ctx.s,
        thread,
        "messenger",
        event.attachments.filter(isFile).map((file, i) => ({
          key: `messenger:${event.mid}:${i}`,
          name: file.title ?? nameInUrl(file.url) ?? file.type,
          kind: file.type,
          download: (max, tooLarge) => ctx.client.download(file.url, max, tooLarge),
        })),
      );
      await ctx.s.threads.postVisitorMessage(thread.id, {
        clientId: event.mid,
        text: [event.text, ...lines].filter(Boolean).join("\n"),
        attachments,
        channel: "messenger",
        data: {
          sentAt: at,
          ...(event.attachments.length ? { attachments: event.attachments } : {}),
        },
      });
      await openWindow(ctx.s, thread.id, "messenger", at, HUMAN_AGENT_WINDOW_MS);
      // Also on a redelivered message: an earlier attempt may have stopped before this. Only
      // as a RESPONSE: an automatic line may not use the HUMAN_AGENT tag, so a message Meta
      // delivers more than 24 hours late gets none.
      if (ctx.s.now() - event.timestamp < RESPONSE_WINDOW_MS) {
        await welcome(ctx, thread.id, event.psid);
      }
      return;
    }
    default:
      // Echoes of our own sends, deliveries, reads: nothing to add to the thread.
      return;
  }
}
