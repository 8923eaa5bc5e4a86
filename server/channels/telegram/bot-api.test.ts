import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import {
  BLOCKED,
  createBotApiEmulator,
  TOO_MANY_REQUESTS,
} from "../../node/telegram-simulator/bot-api.ts";
import { BotBlocked, botApi, MAX_TEXT } from "./bot-api.ts";

const TOKEN = "7001:AAtest-bot-token-0123456789abcdef";

/** The client against the Bot API emulator, called in-process; waits are recorded, not slept. */
function setup() {
  const telegram = createBotApiEmulator({ tokens: [TOKEN] });
  const waits: number[] = [];
  const api = botApi({
    apiUrl: "https://api.telegram.test",
    retry: { attempts: 3, baseMs: 10 },
    sleep: async (ms) => {
      waits.push(ms);
    },
    fetch: async (input, init) => {
      const { status, body } = telegram.handle({
        path: new URL(String(input)).pathname,
        body: String(init?.body ?? ""),
      });
      return new Response(JSON.stringify(body), { status });
    },
  });
  return { telegram, api, waits };
}

describe("the Bot API client", () => {
  it("sends text over 4,096 characters as several messages, in order, each within the limit", async () => {
    const { telegram, api } = setup();
    const text = Array.from({ length: 1500 }, (_, i) => `word${i}`).join(" ");
    const ids = await api.sendMessage(TOKEN, "42", text);
    expect(ids.length).toBe(telegram.sent.length);
    expect(telegram.sent.length).toBeGreaterThan(1);
    for (const m of telegram.sent) expect(m.text.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(telegram.sent.map((m) => m.text).join(" ")).toBe(text);
  });

  it("waits out a 429's retry_after, and refuses a wait over 10 s as rate_limited with that wait", async () => {
    const { telegram, api, waits } = setup();
    telegram.failNext(1, TOO_MANY_REQUESTS(3));
    await api.sendMessage(TOKEN, "42", "hi");
    expect(waits).toEqual([3000]);
    expect(telegram.sent.map((m) => m.text)).toEqual(["hi"]);

    telegram.failNext(1, TOO_MANY_REQUESTS(35));
    const error = await api.sendMessage(TOKEN, "42", "later").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "rate_limited", retryAfter: 35 });
  });

  it("retries a 5xx, tells a blocked bot apart, and carries Telegram's description on a refusal", async () => {
    const { telegram, api } = setup();
    telegram.failNext(2, { status: 502, description: "Bad Gateway" });
    await api.sendMessage(TOKEN, "42", "through");
    expect(telegram.calls.map((c) => c.status)).toEqual([502, 502, 200]);

    telegram.failNext(1, BLOCKED);
    await expect(api.sendMessage(TOKEN, "42", "x")).rejects.toBeInstanceOf(BotBlocked);

    const wrong = await api.sendMessage("7001:wrong", "42", "x").catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: "upstream_failed" });
    expect((wrong as Error).message).toContain("Unauthorized");
  });

  it("sets the webhook with its secret, for the updates the channel reads", async () => {
    const { telegram, api } = setup();
    expect(
      await api.setWebhook(TOKEN, {
        url: "https://chat.example/webhooks/telegram",
        secret: "s3cret-s3cret-s3cret",
      }),
    ).toBe(true);
    expect(telegram.calls[0]!.body).toEqual({
      url: "https://chat.example/webhooks/telegram",
      secret_token: "s3cret-s3cret-s3cret",
      allowed_updates: ["message", "my_chat_member"],
    });
  });
});
