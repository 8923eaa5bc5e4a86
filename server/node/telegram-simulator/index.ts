import type { Config, TelegramConfig } from "../../config.ts";
import { errorBody } from "../../errors.ts";
import { formFields, uploadBody } from "../phone-simulator/form.ts";
import { type PhoneSimulator, phoneSimulator } from "../phone-simulator/index.ts";
import { createBotApiEmulator } from "./bot-api.ts";

/** The JSON calls stay small; only a file the bot sends may be large. */
const SMALL_BYTES = 16 * 1024;

/**
 * The demo's Telegram simulator (Node only): with no Telegram settings, `npm start` plays
 * Telegram's side on this machine. `/demo/telegram?start=<handle>` is the bot's chat as the t.me
 * link opens it, with Telegram's Start button; what the person types goes to our own
 * `/webhooks/telegram` as an `Update` with the webhook's secret header, and our `sendMessage`
 * calls reach the Bot API emulation at `/demo/telegram-api`, which shows them on the phone.
 */

/** The demo bot's settings: public on purpose, good for nothing but this simulator. */
export const DEMO_TELEGRAM: TelegramConfig = {
  botToken: "7000000001:DEMO-simulator-only-bot-token-000000",
  botUsername: "omnithread_demo_bot",
  webhookSecret: "demo-telegram-webhook-secret",
  linkBase: "/demo/telegram",
};

export interface TelegramSimulator {
  /** Where the Telegram channel's Bot API calls go. */
  apiUrl: string;
  phone: PhoneSimulator;
}

/**
 * Sets the simulator up for the demo site when it has no Telegram settings of its own (the
 * caller also checks that `TELEGRAM_API_URL` is unset). Answers null when there is nothing to
 * simulate. `localUrl` is how this process reaches itself (`http://127.0.0.1:<port>`).
 *
 * @example
 * const simulator = telegramSimulator(config, `http://127.0.0.1:${config.port}`);
 * if (simulator) app.route("/", simulator.phone.routes);
 */
export function telegramSimulator(config: Config, localUrl: string): TelegramSimulator | null {
  const site = config.sites.find((s) => s.id === "demo");
  if (!site || site.telegram) return null;
  site.telegram = { ...DEMO_TELEGRAM };
  const bot = DEMO_TELEGRAM;
  let updateId = 1;
  let messageId = 1;

  const phone = phoneSimulator({
    path: "/demo/telegram",
    platform: "Telegram",
    siteName: site.name,
    // A private chat's id is the user's: ten digits here.
    person: { pattern: /^[1-9]\d{9}$/, digits: 9, prefix: "6" },
    linkParam: "start",
    async deliver(chatId, text) {
      const command = text.match(/^\/\w+/)?.[0];
      const res = await fetch(`${localUrl}/webhooks/telegram`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": bot.webhookSecret,
        },
        body: JSON.stringify({
          update_id: updateId++,
          message: {
            message_id: messageId++,
            from: {
              id: Number(chatId),
              is_bot: false,
              first_name: "Demo visitor",
              language_code: "en",
            },
            chat: { id: Number(chatId), first_name: "Demo visitor", type: "private" },
            date: Math.floor(Date.now() / 1000),
            text,
            ...(command
              ? { entities: [{ offset: 0, length: command.length, type: "bot_command" }] }
              : {}),
          },
        }),
      });
      return res.status;
    },
  });

  const api = createBotApiEmulator({
    tokens: [bot.botToken],
    // The phone shows a file the bot sent by its kind and name.
    onSent: (message) =>
      phone.push(message.chatId, {
        from: "business",
        text: message.file ? `[${message.file.kind}] ${message.file.name}` : message.text,
      }),
  });
  phone.routes.post("/demo/telegram-api/*", uploadBody, async (c) => {
    const path = new URL(c.req.url).pathname.slice("/demo/telegram-api".length);
    if (!c.req.header("content-type")?.startsWith("multipart/form-data")) {
      if (Number(c.req.header("content-length") ?? 0) > SMALL_BYTES) {
        return c.json(errorBody("payload_too_large", "Too large"), 413);
      }
      const { status, body } = api.handle({ path, body: await c.req.text() });
      return c.json(body as object, status as 200);
    }
    // sendPhoto and sendDocument: the files of the form, beside its text fields.
    const form = await formFields(await c.req.formData());
    const { status, body } = api.handle({ path, body: "", form });
    return c.json(body as object, status as 200);
  });

  return { apiUrl: `${localUrl}/demo/telegram-api`, phone };
}
