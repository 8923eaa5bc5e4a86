import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import { createHandleService } from "../../server/auth/handles.ts";
import { loadKeyRing } from "../../server/auth/keys.ts";
import { BLOCKED, TOO_MANY_REQUESTS } from "../../server/node/telegram-simulator/bot-api.ts";
import type { RunningServer } from "../../server/node.ts";
import { feedOf } from "../helpers/agent-api.ts";
import {
  channelTexts,
  conversationsOn,
  eventually,
  handoffLink,
  loginSiteAgents,
  SUITE_LIMITS,
  suiteSite,
  threadOf,
  webVisitor as visitOnWeb,
  type WebVisitor,
} from "../helpers/channel-suite.ts";
import { agentUpload, JPEG, PNG, pdf as pdfOf } from "../helpers/files.ts";
import { api, startTestServer, testKeys } from "../helpers/omnithread.ts";
import { startTelegramApiPeer, type TelegramApiPeer } from "../helpers/telegram-api-peer.ts";

/**
 * Telegram end to end: a real server, updates shaped as the Bot API sends them (an `Update` per
 * request, with the webhook's secret header), and the Bot API played by a peer on 127.0.0.1 that
 * records what `sendMessage` delivered.
 */

const BOTS = {
  shop: { token: "7001:AAshop-bot-token-0123456789abcdef", secret: "shop-webhook-secret-0123" },
  outlet: { token: "7002:AAoutlet-bot-token-0123456789abcd", secret: "outlet-webhook-secret-01" },
} as const;
type SiteId = keyof typeof BOTS;

const SITES = JSON.stringify({
  sites: (Object.keys(BOTS) as SiteId[]).map((id) =>
    suiteSite(id, {
      telegram: {
        botToken: BOTS[id].token,
        botUsername: `${id}_help_bot`,
        webhookSecret: BOTS[id].secret,
      },
    }),
  ),
});
const DAY = 86_400_000;

let server: RunningServer;
let bot: TelegramApiPeer;
const agentTokens: Partial<Record<SiteId, string>> = {};

beforeAll(async () => {
  bot = await startTelegramApiPeer({ tokens: [BOTS.shop.token, BOTS.outlet.token] });
  server = await startTestServer(
    { OMNITHREAD_SITES: SITES, TELEGRAM_API_URL: bot.url },
    SUITE_LIMITS,
  );
  Object.assign(agentTokens, await loginSiteAgents(server.url, Object.keys(BOTS) as SiteId[]));
});
afterAll(async () => {
  await server?.stop();
  await bot?.stop();
});

// ---- Updates as the Bot API sends them ----

let updates = 500_000;
let chats = 0;
/** A private chat's id: the user's id, up to 52 bits like Telegram's. */
const newChat = () => 5_100_000_000 + (Date.now() % 1_000_000) * 100 + chats++;
let messageIds = 1;

const person = (chatId: number) => ({
  id: chatId,
  is_bot: false,
  first_name: "Ana",
  last_name: "Novak",
  username: "ana_n",
  language_code: "nl",
});

/** One `Update` with a private chat's message. */
function messageUpdate(chatId: number, message: Record<string, unknown>) {
  return {
    update_id: updates++,
    message: {
      message_id: messageIds++,
      from: person(chatId),
      chat: {
        id: chatId,
        first_name: "Ana",
        last_name: "Novak",
        username: "ana_n",
        type: "private",
      },
      date: Math.floor(Date.now() / 1000),
      ...message,
    },
  };
}

const text = (chatId: number, value: string) =>
  messageUpdate(chatId, {
    text: value,
    ...(value.startsWith("/")
      ? { entities: [{ offset: 0, length: value.split(" ")[0]!.length, type: "bot_command" }] }
      : {}),
  });

/** What a private chat sends when the user blocks the bot (`kicked`) or unblocks it (`member`). */
const membership = (chatId: number, status: "kicked" | "member") => ({
  update_id: updates++,
  my_chat_member: {
    chat: { id: chatId, first_name: "Ana", type: "private" },
    from: person(chatId),
    date: Math.floor(Date.now() / 1000),
    old_chat_member: {
      user: { id: 7001, is_bot: true, first_name: "Bot" },
      status: status === "kicked" ? "member" : "kicked",
    },
    new_chat_member: { user: { id: 7001, is_bot: true, first_name: "Bot" }, status },
  },
});

const hook = (update: unknown, secret: string = BOTS.shop.secret) =>
  api<Record<string, unknown>>(server.url, "/webhooks/telegram", {
    body: update,
    headers: secret ? { "x-telegram-bot-api-secret-token": secret } : {},
  });

const until = eventually;

// ---- The visitor and the agent ----

type Web = WebVisitor;
const webVisitor = (siteId: SiteId = "shop", first?: string) =>
  visitOnWeb(server.url, siteId, first);

/** `POST /v1/handoff { channel: "telegram" }`: the `start` payload of the answered t.me link. */
async function handoff(web: Web, siteId: SiteId = "shop"): Promise<string> {
  const url = await handoffLink(server.url, web, "telegram");
  expect(`${url.origin}${url.pathname}`).toBe(`https://t.me/${siteId}_help_bot`);
  return url.searchParams.get("start")!;
}

const thread = (id: string, siteId: SiteId = "shop") =>
  threadOf(server.url, agentTokens[siteId]!, id);

const reply = (id: string, value: string, siteId: SiteId = "shop") =>
  api<{ event: ThreadEvent; deliveredVia: string; error?: { code: string; message: string } }>(
    server.url,
    `/v1/agent/conversations/${id}/messages`,
    { token: agentTokens[siteId]!, body: { text: value, channel: "telegram" } },
  );

const telegramTexts = (events: ThreadEvent[]) => channelTexts(events, "telegram");

/** A web visitor who moved to Telegram by the t.me link: their chat is linked. */
async function linked(siteId: SiteId = "shop") {
  const web = await webVisitor(siteId);
  const chatId = newChat();
  expect(
    (await hook(text(chatId, `/start ${await handoff(web, siteId)}`), BOTS[siteId].secret)).status,
  ).toBe(200);
  return { web, chatId, chat: String(chatId) };
}

// ---- Tests ----

describe("the Telegram webhook", () => {
  it("refuses an update without the secret header, or with another's, and lands nothing", async () => {
    const { web, chatId } = await linked();
    const before = (await thread(web.id)).events.length;
    for (const secret of ["", "not-the-secret-of-any-bot", `${BOTS.shop.secret}x`]) {
      const res = await hook(text(chatId, "sneaky"), secret);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: "unauthorized" } });
    }
    expect((await thread(web.id)).events).toHaveLength(before);
  });

  it("answers 400 for a body that is not an Update, and acknowledges updates it does not act on", async () => {
    expect((await hook({ hello: "world" })).status).toBe(400);
    expect((await hook([1, 2])).status).toBe(400);
    // A group's message and an edit are Telegram's, just not ours to act on.
    const group = messageUpdate(newChat(), { text: "hi all" });
    (group.message.chat as { type: string }).type = "group";
    expect((await hook(group)).body).toEqual({ ok: true });
    const edit = { update_id: updates++, edited_message: text(newChat(), "edited").message };
    expect((await hook(edit)).body).toEqual({ ok: true });
  });
});

describe("moving from the web chat to Telegram", () => {
  it("links the chat through /start <handle>, answers with the resume link, and lands later messages in the web thread", async () => {
    const web = await webVisitor("shop", "Where is my parcel?");
    const handle = await handoff(web);
    // A deep link's payload: 1–64 of A-Z a-z 0-9 _ -.
    expect(handle).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const chatId = newChat();
    const chat = String(chatId);

    expect((await hook(text(chatId, `/start ${handle}`))).status).toBe(200);
    let t = await thread(web.id);
    expect(t.conversation.activeChannel).toBe("telegram");
    expect(t.conversation.channels).toContainEqual(
      expect.objectContaining({ channel: "telegram", address: chat }),
    );
    expect(t.events.map((e) => e.name).filter(Boolean)).toEqual(
      expect.arrayContaining(["handoff.requested", "channel.linked", "telegram.opened"]),
    );
    expect(t.contact.identities).toContainEqual(
      expect.objectContaining({ kind: "telegram", value: chat, verified: true }),
    );

    // The bot answers once, with the resume link back to the website chat.
    const [welcome] = await until(
      () => bot.sentTo(chat).length === 1 && bot.sentTo(chat),
      "welcome",
    );
    expect(welcome!.text).toContain(`${server.config.publicUrl}/r/`);
    expect(telegramTexts(t.events)).toEqual([welcome!.text]);

    const update = text(chatId, "Here I am in Telegram");
    await hook(update);
    // Telegram redelivers an update it had no 200 for: absorbed.
    await hook(update);
    t = await thread(web.id);
    const landed = t.events.filter((e) => e.text === "Here I am in Telegram");
    expect(landed).toHaveLength(1);
    expect(landed[0]).toMatchObject({
      type: "message",
      channel: "telegram",
      author: { role: "visitor" },
      data: { from: { name: "Ana Novak", username: "ana_n" } },
    });
    expect(bot.sentTo(chat)).toHaveLength(1);

    // The CRM hears it on the site feed (and its webhooks), from Telegram.
    const heard = (await feedOf(server.url, agentTokens.shop!, web.id)).filter(
      (item) =>
        item.type === "message.created" &&
        item.data.event?.channel === "telegram" &&
        item.data.event.author.role === "visitor",
    );
    expect(heard.map((item) => item.data.event?.text)).toEqual(["Here I am in Telegram"]);
  });

  it("keeps photos and documents in the thread's files (getFile, then the download), the caption as the text", async () => {
    const { web, chatId } = await linked();
    const jpeg = JPEG;
    const pdf = pdfOf("invoice 1041");
    const large = bot.addFile(jpeg, "photos/file_7.jpg");
    const invoice = bot.addFile(pdf, "documents/file_8.pdf");
    const photoUpdate = messageUpdate(chatId, {
      caption: "The broken zip",
      photo: [
        { file_id: "AgAD-small", file_unique_id: "u1", width: 90, height: 67, file_size: 1200 },
        { file_id: large, file_unique_id: "u2", width: 1280, height: 960, file_size: jpeg.length },
      ],
    });
    await hook(photoUpdate);
    await hook(photoUpdate); // Telegram delivers again: kept once, downloaded once
    await hook(
      messageUpdate(chatId, {
        document: {
          file_id: invoice,
          file_unique_id: "u3",
          file_name: "invoice-1041.pdf",
          mime_type: "application/pdf",
          file_size: pdf.length,
        },
      }),
    );
    // A file Telegram no longer has: the thread says what was sent and that it was not kept.
    await hook(
      messageUpdate(chatId, {
        document: { file_id: "gone", file_unique_id: "u4", file_name: "old.pdf" },
      }),
    );
    const events = (await thread(web.id)).events.filter(
      (e) => e.author.role === "visitor" && e.channel === "telegram",
    );
    expect(events.map((e) => e.text)).toEqual([
      "The broken zip",
      "",
      "[document] old.pdf: not kept (Telegram refused getFile: Bad Request: invalid file_id)",
    ]);
    expect(events[0]!.attachments).toEqual([
      expect.objectContaining({ name: "photo.jpg", type: "image/jpeg", size: jpeg.length }),
    ]);
    expect(events[1]!.attachments).toEqual([
      expect.objectContaining({ name: "invoice-1041.pdf", type: "application/pdf" }),
    ]);
    const opened = await fetch(events[1]!.attachments![0]!.url!);
    expect(Buffer.from(await opened.arrayBuffer())).toEqual(pdf);
    expect(bot.calls.filter((c) => c.method === "getFile").map((c) => c.body.file_id)).toEqual([
      large,
      invoice,
      "gone",
    ]);
  });

  it("starts a conversation of its own for a chat that opens the bot without a link", async () => {
    const chatId = newChat();
    await hook(text(chatId, "/start"));
    await hook(text(chatId, "Do you ship to Zagreb?"));
    const mine = await conversationsOn(server.url, agentTokens.shop!, "telegram", String(chatId));
    expect(mine).toHaveLength(1);
    expect(telegramTexts((await thread(mine[0]!.id)).events)).toContain("Do you ship to Zagreb?");
    await until(() => bot.sentTo(String(chatId)).length === 1, "one welcome");
  });
});

describe("links that must be refused", () => {
  it("links nothing for a tampered, expired or other channel's handle, and answers politely with the site's address", async () => {
    const target = await webVisitor();
    const valid = await handoff(target);
    const flip = (ch: string) => (ch === "a" ? "b" : "a");
    const tampered = `${valid.slice(0, 20)}${flip(valid[20]!)}${valid.slice(21)}`;
    const ring = await loadKeyRing(JSON.parse(await testKeys));
    const expired = await createHandleService(ring, { now: () => Date.now() - 10 * DAY }).issue({
      conversationId: target.id,
      channel: "telegram",
      ttlSeconds: 3 * 86_400,
    });
    const messengers = await createHandleService(ring).issue({
      conversationId: target.id,
      channel: "messenger",
      ttlSeconds: 3600,
    });
    for (const [handle, words] of [
      [tampered, "is not valid"],
      [expired, "has expired"],
      [messengers, "is not valid"],
    ] as const) {
      const chatId = newChat();
      const update = text(chatId, `/start ${handle}`);
      expect((await hook(update)).status).toBe(200);
      await hook(update); // redelivered: answered once
      const [answer] = await until(
        () => bot.sentTo(String(chatId)).length > 0 && bot.sentTo(String(chatId)),
        "answer",
      );
      expect(answer!.text).toContain(words);
      expect(answer!.text).toContain("https://shop.example");
      await new Promise((r) => setTimeout(r, 100));
      expect(bot.sentTo(String(chatId))).toHaveLength(1);
    }
    const t = await thread(target.id);
    expect(t.conversation.channels.some((c) => c.channel === "telegram")).toBe(false);
  });

  it("links a handle once: another chat with the same link is refused", async () => {
    const { web, chat } = await linked();
    const handle = await handoff(web);
    const stranger = newChat();
    await hook(text(stranger, `/start ${handle}`));
    const [answer] = await until(
      () => bot.sentTo(String(stranger)).length > 0 && bot.sentTo(String(stranger)),
      "refusal",
    );
    expect(answer!.text).toContain("already continued in another Telegram account");
    const links = (await thread(web.id)).conversation.channels.filter(
      (c) => c.channel === "telegram",
    );
    expect(links.map((c) => c.address)).toEqual([chat]);
  });

  it("never lets one site's bot link another site's conversation", async () => {
    const outletWeb = await webVisitor("outlet");
    const handle = await handoff(outletWeb, "outlet");
    const chatId = newChat();
    // The outlet's handle sent to the shop's bot.
    await hook(text(chatId, `/start ${handle}`), BOTS.shop.secret);
    const t = await thread(outletWeb.id, "outlet");
    expect(t.conversation.channels.some((c) => c.channel === "telegram")).toBe(false);
  });
});

describe("agent replies by sendMessage", () => {
  it("go to the linked chat as the agent wrote them, up to the longest reply in one message", async () => {
    const { web, chat } = await linked();
    const sent = await reply(web.id, "Your parcel left today.");
    expect(sent.status).toBe(201);
    expect(sent.body.deliveredVia).toBe("telegram");
    // Replies are capped at 4,000 characters: under Telegram's 4,096, so never cut.
    const longest = `${"Lorem ipsum dolor sit amet. ".repeat(142)}The end.`.slice(0, 4000);
    expect((await reply(web.id, longest)).status).toBe(201);
    expect(
      bot
        .sentTo(chat)
        .map((m) => m.text)
        .slice(1),
    ).toEqual(["Your parcel left today.", longest]);
  });

  it("send an agent's files after the words: an image by sendPhoto, a PDF by sendDocument", async () => {
    const { web, chat } = await linked();
    const upload = (name: string, bytes: Uint8Array) =>
      agentUpload(server.url, agentTokens.shop!, web.id, name, bytes);
    const pdf = pdfOf("an invoice");
    const png = PNG;
    const ids = [await upload("label.png", png), await upload("invoice.pdf", pdf)];
    const sent = await api(server.url, `/v1/agent/conversations/${web.id}/messages`, {
      token: agentTokens.shop!,
      body: { text: "Your label and invoice:", attachments: ids, channel: "telegram" },
    });
    expect(sent.status).toBe(201);
    const [words, photo, document] = bot.sentTo(chat).slice(-3);
    expect(words?.text).toBe("Your label and invoice:");
    expect(photo?.file).toMatchObject({ kind: "photo", name: "label.png", type: "image/png" });
    expect(Buffer.from(photo!.file!.bytes).equals(png)).toBe(true);
    expect(document?.file).toMatchObject({ kind: "document", name: "invoice.pdf" });
    expect(Buffer.from(document!.file!.bytes).equals(Buffer.from(pdf))).toBe(true);
  });

  it("wait out a 429's retry_after and deliver once", async () => {
    const { web, chat } = await linked();
    await until(() => bot.sentTo(chat).length === 1, "welcome");
    bot.failNext(1, TOO_MANY_REQUESTS(1));
    const sent = await reply(web.id, "After the wait");
    expect(sent.status).toBe(201);
    const calls = bot.calls.filter(
      (c) => c.body.chat_id === chat && c.body.text === "After the wait",
    );
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(bot.sentTo(chat).filter((m) => m.text === "After the wait")).toHaveLength(1);
  });

  it("are refused while the visitor has blocked the bot or sent /stop, and go again once they write", async () => {
    const { web, chatId, chat } = await linked();
    await until(() => bot.sentTo(chat).length === 1, "welcome");
    await hook(membership(chatId, "kicked"));
    let t = await thread(web.id);
    expect(t.events.at(-1)).toMatchObject({ type: "system", name: "telegram.blocked" });
    let refused = await reply(web.id, "Are you there?");
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "channel_unavailable" });
    expect(refused.body.error!.message).toContain("blocked the bot");

    await hook(membership(chatId, "member"));
    expect((await reply(web.id, "Welcome back")).status).toBe(201);

    await hook(text(chatId, "/stop"));
    t = await thread(web.id);
    expect(t.events.at(-1)).toMatchObject({ type: "system", name: "telegram.stopped" });
    refused = await reply(web.id, "One more thing");
    expect(refused.status).toBe(409);
    expect(refused.body.error!.message).toContain("/stop");

    await hook(text(chatId, "Actually, one question"));
    expect((await reply(web.id, "Go ahead")).status).toBe(201);
    expect(
      bot
        .sentTo(chat)
        .map((m) => m.text)
        .slice(1),
    ).toEqual(["Welcome back", "Go ahead"]);
  });

  it("show the agent a bot blocked without a notice: Telegram's 403 is recorded, and the next reply refused first", async () => {
    const { web, chat } = await linked();
    await until(() => bot.sentTo(chat).length === 1, "welcome");
    bot.failNext(1, BLOCKED);
    const failed = await reply(web.id, "Hello?");
    expect(failed.status).toBe(409);
    expect(failed.body.error!.message).toContain("blocked the bot");
    const t = await thread(web.id);
    const names = t.events.map((e) => e.name).filter(Boolean);
    expect(names).toContain("telegram.blocked");
    expect(names).toContain("delivery.failed");
    const calls = bot.calls.length;
    expect((await reply(web.id, "Still there?")).status).toBe(409);
    expect(bot.calls.length).toBe(calls);
  });
});
