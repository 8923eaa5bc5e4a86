import { multipartFields } from "../../server/node/phone-simulator/form.ts";
import {
  type BotApiEmulator,
  createBotApiEmulator,
} from "../../server/node/telegram-simulator/bot-api.ts";
import { servePeer } from "./peer-server.ts";

/**
 * Telegram's Bot API, played on 127.0.0.1 for the tests: the emulator of
 * `server/node/telegram-simulator/bot-api.ts` behind a plain `node:http` server, at the paths
 * Telegram uses (`/bot<token>/<method>`).
 *
 * @example
 * const bot = await startTelegramApiPeer({ tokens: ["123:abc"] });
 * const server = await startTestServer({ TELEGRAM_API_URL: bot.url, ... });
 * bot.failNext(1, TOO_MANY_REQUESTS(1));
 */
export interface TelegramApiPeer extends Omit<BotApiEmulator, "handle"> {
  url: string;
  /** Messages the bot sent to one chat, oldest first. */
  sentTo(chatId: string): BotApiEmulator["sent"];
  stop(): Promise<void>;
}

export async function startTelegramApiPeer(options: {
  tokens: string[];
}): Promise<TelegramApiPeer> {
  const bot = createBotApiEmulator({ tokens: options.tokens });
  const peer = await servePeer(async (request) => {
    if (!request.contentType.startsWith("multipart/form-data")) return bot.handle(request);
    // The Bot API takes files as multipart/form-data: read as a browser's FormData would.
    return bot.handle({
      ...request,
      form: await multipartFields(request.bytes, request.contentType),
    });
  });
  return {
    url: peer.url,
    calls: bot.calls,
    sent: bot.sent,
    webhooks: bot.webhooks,
    failNext: bot.failNext,
    addFile: bot.addFile,
    reset: bot.reset,
    sentTo: (chatId) => bot.sent.filter((m) => m.chatId === chatId),
    stop: peer.stop,
  };
}
