import type { Conversation } from "../../../sdk/protocol.ts";
import type { SiteConfig, TelegramConfig } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { type Account, findThread, linkAccount, threadFor } from "../identity-thread.ts";
import { keepFiles } from "../keep-files.ts";
import { appendSystem as appendLine, type Later, storeWelcome, webLink } from "../messaging-app.ts";
import type { ChannelPort } from "../port.ts";
import type { BotApi } from "./bot-api.ts";
import { REACH_NOTICES } from "./reachable.ts";
import type { TelegramEvent } from "./update.ts";

/**
 * What Telegram updates do to threads. A deep link `t.me/<bot>?start=<handle>` arrives as
 * `/start <handle>` from the visitor's private chat: a valid handle of this site links that chat
 * to the conversation, once; later messages from the chat land there (which thread a chat writes
 * to: `../identity-thread.ts`). Idempotent under Telegram's redeliveries: messages by chat and
 * message id, links and notices by their own keys, bot answers once per key.
 */

/** A site with Telegram set up. */
export type TelegramSite = SiteConfig & { telegram: TelegramConfig };

export interface InboundContext {
  port: ChannelPort;
  site: TelegramSite;
  api: BotApi;
  later: Later[];
}

/** Start payloads shaped like our handles; a bot's other deep links are not ours. */
const HANDLE_LIKE = /^[a-z2-7]{40,48}$/i;
/** How long a refusal's answer is remembered, so a redelivered update is not answered twice. */
const ANSWERED_MS = 86_400_000;

const account = (chatId: string): Account => ({
  channel: "telegram",
  kind: "telegram",
  value: chatId,
});
const iso = (ms: number) => new Date(ms).toISOString();
/** Telegram's `date` (seconds), never later than now. */
const sentAt = (ctx: InboundContext, date: number) => iso(Math.min(date * 1000, ctx.port.now()));

const appendSystem = (
  ctx: InboundContext,
  conversationId: string,
  input: Parameters<typeof appendLine>[3],
) => appendLine(ctx.port, "telegram", conversationId, input);

/** Sends a bot line after the 200; a failure is noted in the thread when there is one. */
function sendLater(
  ctx: InboundContext,
  chatId: string,
  text: string,
  onFailure?: (e: unknown) => Promise<void>,
) {
  ctx.later.push(async () => {
    try {
      await ctx.api.sendMessage(ctx.site.telegram.botToken, chatId, text);
    } catch (error) {
      if (onFailure) await onFailure(error);
      else throw error;
    }
  });
}

/**
 * The bot's first answer in a conversation: where the visitor is, and the resume link back to the
 * website chat. Kept in the thread as the bot's message under a fixed key (so redeliveries add it
 * once), sent after the webhook is answered.
 */
async function welcome(ctx: InboundContext, conversationId: string, chatId: string): Promise<void> {
  const { port, site } = ctx;
  const stored = await storeWelcome(
    port,
    "telegram",
    site,
    conversationId,
    "Thanks, you are connected",
  );
  if (!stored) return;
  sendLater(ctx, chatId, stored.text, (error) =>
    port.threads.noteDeliveryFailure(conversationId, stored.event, error),
  );
}

const REFUSALS = {
  expired: "has expired",
  invalid: "is not valid",
  taken: "belongs to a conversation already continued in another Telegram account",
} as const;

/**
 * Redeems a `/start <handle>`: a valid handle of this site links the chat to its conversation; one
 * already continued by ANOTHER chat, a forged, altered or expired one links nothing, and the bot
 * answers with a polite line and the site's web address (once per update).
 */
async function redeem(
  ctx: InboundContext,
  event: Extract<TelegramEvent, { kind: "start" }>,
  handle: string,
  updateId: number,
): Promise<void> {
  const { port, site } = ctx;
  let target: Conversation | null = null;
  let refusal: keyof typeof REFUSALS | null = null;
  try {
    const { conversationId } = await port.handles.open(handle, "telegram");
    target = await port.store.getConversation(conversationId);
    // Another site's handle proves nothing here.
    if (target?.siteId !== site.id) target = null;
    if (!target) refusal = "invalid";
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    refusal = error.code === "token_expired" ? "expired" : "invalid";
  }
  const bound = target?.channels.find((c) => c.channel === "telegram")?.address;
  if (target && bound && bound !== event.chatId) refusal = "taken";

  if (refusal || !target) {
    const reason = refusal ?? "invalid";
    port.log.warn("telegram link refused", { siteId: site.id, reason });
    const first = await port.store.hit(`telegram:refused:${site.id}:${updateId}`, ANSWERED_MS);
    if (first.count === 1) {
      sendLater(
        ctx,
        event.chatId,
        `Sorry, this link ${REFUSALS[reason]}, so it could not open your conversation. Please continue on our website: ${webLink(site)}`,
      );
    }
    return;
  }

  const linked = await linkAccount(port, target, account(event.chatId));
  await appendSystem(ctx, linked.id, {
    name: "telegram.opened",
    text: "Opened the conversation in Telegram",
    clientId: `telegram:opened:${event.chatId}`,
    data: { chatId: event.chatId, sentAt: sentAt(ctx, event.date) },
  });
  await welcome(ctx, linked.id, event.chatId);
}

/**
 * Applies one update of a verified webhook to the threads.
 *
 * @example
 * await handleUpdate({ port, site, api, later }, parseUpdate(update), update.update_id);
 */
export async function handleUpdate(
  ctx: InboundContext,
  event: TelegramEvent,
  updateId: number,
): Promise<void> {
  const { port, site } = ctx;
  switch (event.kind) {
    case "start": {
      if (event.payload && HANDLE_LIKE.test(event.payload)) {
        await redeem(ctx, event, event.payload, updateId);
        return;
      }
      // The bot opened without one of our links: the chat goes on in its own thread.
      const thread = await threadFor(port, site.id, account(event.chatId));
      await welcome(ctx, thread.id, event.chatId);
      return;
    }
    case "message": {
      const thread = await threadFor(port, site.id, account(event.chatId));
      const clientId = `telegram:${event.chatId}:${event.messageId}`;
      const { attachments, lines } = await keepFiles(
        port,
        thread,
        "telegram",
        event.files.map((file, i) => ({
          key: `${clientId}:${i}`,
          name: file.name ?? (file.type === "photo" ? "photo.jpg" : "document"),
          kind: file.type,
          download: (max, tooLarge) =>
            ctx.api.downloadFile(site.telegram.botToken, file.fileId, max, tooLarge),
        })),
      );
      await port.threads.postVisitorMessage(thread.id, {
        clientId,
        text: [event.text, ...lines].filter(Boolean).join("\n"),
        attachments,
        channel: "telegram",
        data: {
          sentAt: sentAt(ctx, event.date),
          ...(event.from ? { from: event.from } : {}),
          ...(event.files.length ? { files: event.files } : {}),
        },
      });
      await welcome(ctx, thread.id, event.chatId);
      return;
    }
    case "stop":
    case "blocked":
    case "unblocked": {
      // Only a chat that has a thread here has anyone to tell.
      const thread = await findThread(port, site.id, account(event.chatId));
      if (!thread) return;
      const name = (
        {
          stop: "telegram.stopped",
          blocked: "telegram.blocked",
          unblocked: "telegram.unblocked",
        } as const
      )[event.kind];
      await appendSystem(ctx, thread.id, {
        name,
        text: REACH_NOTICES[name],
        clientId: `${name}:${updateId}`,
        data: { chatId: event.chatId, sentAt: sentAt(ctx, event.date) },
      });
      return;
    }
    default:
      return;
  }
}
