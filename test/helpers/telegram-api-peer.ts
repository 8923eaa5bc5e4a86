import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type BotApiEmulator,
  createBotApiEmulator,
} from "../../server/node/telegram-simulator/bot-api.ts";

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
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const { status, body } = bot.handle({
        path: url.pathname,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: bot.calls,
    sent: bot.sent,
    webhooks: bot.webhooks,
    failNext: bot.failNext,
    reset: bot.reset,
    sentTo: (chatId) => bot.sent.filter((m) => m.chatId === chatId),
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
