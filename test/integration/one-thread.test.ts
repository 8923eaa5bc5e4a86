import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationSnapshot, ThreadEvent } from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import {
  eventually,
  handoffLink,
  loginSiteAgents,
  SUITE_LIMITS,
  suiteSite,
  threadOf,
  webVisitor,
} from "../helpers/channel-suite.ts";
import { type GraphApiPeer, startGraphApiPeer } from "../helpers/graph-api-peer.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";
import { startTelegramApiPeer, type TelegramApiPeer } from "../helpers/telegram-api-peer.ts";

/**
 * The mission in one run: a visitor starts on the website, goes on in Telegram, then in
 * WhatsApp, then comes back to the website on another device; the agent answers each time from
 * the console without naming a channel, and every answer reaches the visitor where they are. One
 * real server, the Bot API and the Cloud API played by peers on 127.0.0.1, webhooks as the
 * platforms send them (the secret header, the signed raw body).
 */

const BOT = {
  botToken: "7001:AAshop-bot-token-0123456789abcdef",
  botUsername: "shop_help_bot",
  webhookSecret: "shop-webhook-secret-0123",
};
const NUMBER = {
  phoneNumberId: "110245678901234",
  number: "15550142233",
  accessToken: "EAAG-shop-cloud-api-token",
  appSecret: "app-secret-of-the-shops-meta-app",
  verifyToken: "verify-shop-whatsapp",
};
const CHAT_ID = 6_103_847_251;
const WA_ID = "447700900123";
const ORIGIN = "https://shop.example";

let server: RunningServer;
let telegram: TelegramApiPeer;
let meta: GraphApiPeer;
let agent: string;

beforeAll(async () => {
  telegram = await startTelegramApiPeer({ tokens: [BOT.botToken] });
  meta = await startGraphApiPeer({
    accessTokens: [],
    whatsapp: { accessTokens: [NUMBER.accessToken], phoneNumberIds: [NUMBER.phoneNumberId] },
  });
  const sites = { sites: [suiteSite("shop", { telegram: BOT, whatsapp: NUMBER })] };
  server = await startTestServer(
    {
      OMNITHREAD_SITES: JSON.stringify(sites),
      TELEGRAM_API_URL: telegram.url,
      GRAPH_API_URL: meta.url,
    },
    SUITE_LIMITS,
  );
  agent = (await loginSiteAgents(server.url, ["shop"])).shop;
});
afterAll(async () => {
  await server?.stop();
  await telegram?.stop();
  await meta?.stop();
});

let updateId = 900_000;
let messageId = 1;
/** The visitor types in their private chat with the bot; Telegram posts the update. */
async function inTelegram(text: string) {
  const res = await api(server.url, "/webhooks/telegram", {
    headers: { "x-telegram-bot-api-secret-token": BOT.webhookSecret },
    body: {
      update_id: updateId++,
      message: {
        message_id: messageId++,
        from: { id: CHAT_ID, is_bot: false, first_name: "Dana", language_code: "en" },
        chat: { id: CHAT_ID, first_name: "Dana", type: "private" },
        date: Math.floor(Date.now() / 1000),
        text,
        ...(text.startsWith("/start")
          ? { entities: [{ offset: 0, length: 6, type: "bot_command" }] }
          : {}),
      },
    },
  });
  expect(res.status).toBe(200);
}

let wamids = 0;
/** The visitor sends a WhatsApp message; Meta posts the signed webhook (the fixture's shape). */
async function inWhatsApp(text: string) {
  const body = JSON.parse(readFileSync("test/fixtures/whatsapp/webhook-text.json", "utf8"));
  const value = body.entry[0].changes[0].value;
  value.metadata = { display_phone_number: NUMBER.number, phone_number_id: NUMBER.phoneNumberId };
  value.contacts[0].wa_id = WA_ID;
  Object.assign(value.messages[0], {
    from: WA_ID,
    id: `wamid.one-thread-${wamids++}`,
    timestamp: String(Math.floor(Date.now() / 1000)),
    text: { body: text },
  });
  meta.cloud.customerWrote(WA_ID);
  const raw = JSON.stringify(body);
  const res = await fetch(`${server.url}/webhooks/whatsapp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${createHmac("sha256", NUMBER.appSecret).update(raw).digest("hex")}`,
    },
    body: raw,
  });
  expect(res.status).toBe(200);
}

/** The agent answers from the console without naming a channel: the thread's active one. */
async function agentAnswers(id: string, text: string) {
  const res = await api<{ event: ThreadEvent; deliveredVia: string }>(
    server.url,
    `/v1/agent/conversations/${id}/messages`,
    { token: agent, body: { text } },
  );
  expect(res.status).toBe(201);
  return res.body.deliveredVia;
}

/** A resume link followed in a browser on another device: the site's page, then the thread. */
async function resumeOnWeb(link: string): Promise<ConversationSnapshot> {
  const opened = await fetch(link, { redirect: "manual" });
  expect(opened.status).toBe(302);
  const landing = new URL(opened.headers.get("location")!);
  expect(landing.origin).toBe(ORIGIN);
  const code = new URLSearchParams(landing.hash.slice(1)).get("omnithread-resume")!;
  const resumed = await api<ConversationSnapshot>(server.url, "/v1/resume", {
    headers: { origin: ORIGIN },
    body: { code },
  });
  expect(resumed.status).toBe(200);
  return resumed.body;
}

describe("one thread across the web, Telegram and WhatsApp", () => {
  it("keeps every message, once, in one conversation, and each answer reaches the visitor where they are", async () => {
    const web = await webVisitor(server.url, "shop", "Hi, my parcel has not arrived");

    // Web → Telegram: the t.me link's /start links the chat; the bot says where they are.
    const start = (await handoffLink(server.url, web, "telegram")).searchParams.get("start")!;
    await inTelegram(`/start ${start}`);
    await inTelegram("Writing from Telegram now: order 42");
    await eventually(() => telegram.sentTo(String(CHAT_ID)).length >= 1, "the bot's welcome");
    expect(await agentAnswers(web.id, "Found it: it left the depot today")).toBe("telegram");
    await eventually(
      () =>
        telegram
          .sentTo(String(CHAT_ID))
          .some((m) => m.text === "Found it: it left the depot today"),
      "the answer in Telegram",
    );

    // Telegram → WhatsApp: the handoff's code in the prefilled text links the number.
    const prefill = (await handoffLink(server.url, web, "whatsapp")).searchParams.get("text")!;
    await inWhatsApp(prefill);
    await inWhatsApp("On WhatsApp now: can it go to my neighbour?");
    const welcome = await eventually(
      () => meta.cloud.sent.find((m) => m.to === WA_ID && m.text.includes("/r/")),
      "the WhatsApp welcome with a resume link",
    );
    expect(await agentAnswers(web.id, "Yes, number 14 will take it")).toBe("whatsapp");
    await eventually(
      () => meta.cloud.sent.some((m) => m.to === WA_ID && m.text === "Yes, number 14 will take it"),
      "the answer in WhatsApp",
    );
    // Nothing went to the channel the visitor left.
    expect(telegram.sentTo(String(CHAT_ID)).map((m) => m.text)).not.toContain(
      "Yes, number 14 will take it",
    );

    // WhatsApp → the web on another device, by the resume link in the welcome.
    const link = welcome.text.match(/https?:\/\/\S+\/r\/\S+/)![0];
    const back = await resumeOnWeb(link);
    expect(back.conversation.id).toBe(web.id);
    const sent = await api(server.url, "/v1/messages", {
      token: back.token,
      body: { clientId: "back-1", text: "Back on the website: thanks!" },
    });
    expect(sent.status).toBe(201);
    expect(await agentAnswers(web.id, "You are welcome")).toBe("web");

    // The agent reads one thread: every message once, in order, each on its channel.
    const { events, conversation } = await threadOf(server.url, agent, web.id);
    const said = events
      .filter((e) => e.type === "message" && e.author.role !== "bot")
      .map((e) => [e.channel, e.author.role, e.text]);
    expect(said).toEqual([
      ["web", "visitor", "Hi, my parcel has not arrived"],
      ["telegram", "visitor", "Writing from Telegram now: order 42"],
      ["telegram", "agent", "Found it: it left the depot today"],
      ["whatsapp", "visitor", prefill],
      ["whatsapp", "visitor", "On WhatsApp now: can it go to my neighbour?"],
      ["whatsapp", "agent", "Yes, number 14 will take it"],
      ["web", "visitor", "Back on the website: thanks!"],
      ["web", "agent", "You are welcome"],
    ]);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
    expect(conversation.channels.map((c) => c.channel).sort()).toEqual([
      "telegram",
      "web",
      "whatsapp",
    ]);

    // The visitor, back on the web, reads the whole conversation too.
    const history = await api<{ events: ThreadEvent[] }>(server.url, "/v1/conversation?after=0", {
      token: back.token,
    });
    const texts = history.body.events.filter((e) => e.type === "message").map((e) => e.text);
    for (const [, , text] of said) expect(texts.filter((t) => t === text)).toHaveLength(1);
  });
});
