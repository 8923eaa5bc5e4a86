import { Hono } from "hono";
import * as v from "valibot";
import { sameSecret } from "../../auth/bytes.ts";
import type { SiteConfig, TelegramConfig } from "../../config.ts";
import { AppError, errorBody } from "../../errors.ts";
import { parseJsonBytes } from "../../http/body.ts";
import { route } from "../../schema/route.ts";
import { carryFiles } from "../file-links.ts";
import { lastEvent } from "../last-event.ts";
import {
  filledSettings,
  type Later,
  requireSettings,
  sendAfterAnswer,
  webhookBodyLimit,
} from "../messaging-app.ts";
import type { ChannelPort } from "../port.ts";
import type { Channel } from "../types.ts";
import { type BotApi, BotBlocked, botApi, telegramRefuses } from "./bot-api.ts";
import { handleUpdate, type TelegramSite } from "./inbound.ts";
import { REACH_NOTICES, reachOf } from "./reachable.ts";
import { Update } from "./schema.ts";
import { parseUpdate } from "./update.ts";

export interface TelegramOptions {
  /** The Bot API's base URL (`TELEGRAM_API_URL`), `https://api.telegram.org` in production. */
  apiUrl: string;
  /** The HTTP client; the runtime's `fetch` by default. */
  fetch?: typeof fetch;
  /** Attempts per Bot API call (1 = no retry) and the first backoff. */
  retry?: { attempts: number; baseMs: number };
  /** Waits between attempts (429's `retry_after` included); injected so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** The header Telegram sends the webhook's `secret_token` back in. */
export const SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";
/** A t.me deep link is for the visitor's next few days, not for months. */
export const HANDOFF_TTL_S = 3 * 86_400;

/** The site's Telegram settings when all three are there, else null. */
export function telegramOf(site: SiteConfig): TelegramConfig | null {
  return filledSettings(site.telegram, ["botToken", "botUsername", "webhookSecret"]);
}

function mustTelegram(site: SiteConfig): TelegramConfig {
  return requireSettings(telegramOf(site), "Telegram", site);
}

/**
 * `POST /webhooks/telegram`. Which site's bot an update is for: the one whose `webhookSecret` the
 * header carries (compared in constant time), so one bot's updates never write into another's
 * site. The store work happens before the 200, so Telegram retries what failed and the
 * idempotency keys absorb the repeats; the bot's answers go out after it.
 */
function webhookRoutes(port: ChannelPort, api: BotApi): Hono {
  const routes = new Hono();
  const sites = (): TelegramSite[] =>
    port.sites.filter((site): site is TelegramSite => telegramOf(site) !== null);

  routes.post(
    "/",
    route({
      summary: "Receive Telegram updates",
      description:
        "One Bot API `Update` per request, checked by `X-Telegram-Bot-Api-Secret-Token` (a site's `telegram.webhookSecret`, given to `setWebhook`) before it is parsed. Private chats only: `/start <handle>` links the chat to the conversation the handle names, messages (text, photos, documents) land in its thread, `/stop` and a blocked bot are shown to the agent.",
      tag: "webhooks",
      auth: "signature",
      rawBody: { mediaType: "application/json", schema: Update },
      responses: { 200: { description: "Received", mediaType: "application/json" } },
    }),
    webhookBodyLimit,
    async (c) => {
      const secret = c.req.header(SECRET_HEADER) ?? "";
      let site: TelegramSite | undefined;
      for (const candidate of sites()) {
        if (await sameSecret(secret, candidate.telegram.webhookSecret)) site = candidate;
      }
      if (!site) {
        return c.json(
          errorBody("unauthorized", `${SECRET_HEADER} is missing or is no site's webhook secret`),
          401,
        );
      }
      const read = v.safeParse(Update, parseJsonBytes(new Uint8Array(await c.req.arrayBuffer())));
      if (!read.success) {
        return c.json(
          errorBody("bad_request", 'The body must be a Telegram Update: { "update_id": N, ... }'),
          400,
        );
      }
      const later: Later[] = [];
      try {
        await handleUpdate(
          { port, site, api, later },
          parseUpdate(read.output),
          read.output.update_id,
        );
      } catch (error) {
        // Bad data in an update must not make Telegram retry it for a day; a failing store
        // (anything else) answers 500 so it does.
        if (!(error instanceof AppError)) throw error;
        port.log.warn("telegram update skipped", { siteId: site.id, error: error.message });
      } finally {
        sendAfterAnswer(port, "telegram", later);
      }
      return c.json({ ok: true });
    },
  );

  return routes;
}

/**
 * The Telegram channel (docs/architecture.md §5): `t.me/<bot>?start=<handle>` handoffs, the
 * webhook checked by its secret header, and agent replies by `sendMessage` (split at 4,096
 * characters, 429's `retry_after` honoured). A reply is refused before it is stored while the
 * visitor has blocked the bot or sent `/stop`. Web APIs only, so it runs on any runtime.
 *
 * @example
 * const { app } = createApp({ config, store, keyRing, channels: [telegramChannel({ apiUrl: config.telegramApiUrl })] });
 */
export function telegramChannel(options: TelegramOptions): Channel {
  const api = botApi({
    apiUrl: options.apiUrl,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    retry: options.retry ?? { attempts: 3, baseMs: 250 },
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });

  return {
    name: "telegram",

    configured: (site) => telegramOf(site) !== null,

    async handoff(port, conversation) {
      const t = mustTelegram(port.site(conversation.siteId));
      const handle = await port.handles.issue({
        conversationId: conversation.id,
        channel: "telegram",
        ttlSeconds: HANDOFF_TTL_S,
      });
      const url = new URL(
        t.linkBase
          ? new URL(t.linkBase, `${port.publicUrl}/`).href
          : `https://t.me/${encodeURIComponent(t.botUsername)}`,
      );
      url.searchParams.set("start", handle);
      return { status: 200, body: { url: url.href } };
    },

    async checkDelivery(port, conversation) {
      const reach = await lastEvent(port.store, conversation, reachOf);
      if (reach === "blocked") {
        throw new AppError(
          "channel_unavailable",
          "The visitor has blocked the bot in Telegram: reply by email or on the web",
        );
      }
      if (reach === "stopped") {
        throw new AppError(
          "channel_unavailable",
          "The visitor sent /stop in Telegram: reply there once they write again, or by email or on the web",
        );
      }
    },

    async deliver(port, conversation, event) {
      const t = mustTelegram(port.site(conversation.siteId));
      const chatId = conversation.channels.find((c) => c.channel === "telegram")?.address;
      if (!chatId) {
        throw new AppError("channel_unavailable", "The visitor has not continued in Telegram");
      }
      try {
        // The words first, then each file as Telegram shows it; one too large goes as a link.
        const { carried, event: reply } = await carryFiles(port, event, telegramRefuses);
        if (reply.text) await api.sendMessage(t.botToken, chatId, reply.text);
        for (const { record, bytes } of carried) {
          await api.sendFile(t.botToken, chatId, { name: record.name, type: record.type, bytes });
        }
      } catch (error) {
        // Telegram says the bot is blocked: the agent sees it in the thread, and later replies
        // are refused before they are stored.
        if (error instanceof BotBlocked) {
          await port.store.append(conversation.id, {
            type: "system",
            channel: "telegram",
            author: { role: "system" },
            name: "telegram.blocked",
            text: REACH_NOTICES["telegram.blocked"],
            clientId: `telegram.blocked:reply:${event.seq}`,
            createdAt: new Date(port.now()).toISOString(),
            data: { chatId },
          });
        }
        throw error;
      }
    },

    webhooks: (port) => webhookRoutes(port, api),
  };
}

export { botApi } from "./bot-api.ts";
