import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createClient as createRedisClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  ConversationSnapshot,
  EventFrame,
  ServerFrame,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import { twilioSignature } from "../../server/channels/sms/signature.ts";
import {
  messageEvent,
  postWebhook,
  referralEvent,
  webhookBody,
} from "../../server/node/messenger-simulator/meta-wire.ts";
import type { RunningServer } from "../../server/node.ts";
import { agentThread, loginAgent, until } from "../helpers/agent-api.ts";
import { DEMO_SITES_JSON, type EdgeWorker, startEdgeWorker } from "../helpers/edge-worker.ts";
import { type EmailApiPeer, startEmailApiPeer } from "../helpers/email-api-peer.ts";
import { emailFixture } from "../helpers/email-server.ts";
import { PNG } from "../helpers/files.ts";
import { type GraphApiPeer, startGraphApiPeer } from "../helpers/graph-api-peer.ts";
import { api, LiveClient, startTestServer, testKeys } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import { startTelegramApiPeer, type TelegramApiPeer } from "../helpers/telegram-api-peer.ts";
import { startTwilioApiPeer, type TwilioApiPeer } from "../helpers/twilio-api-peer.ts";
import { startUpstashBridge, type UpstashBridge } from "../helpers/upstash-bridge.ts";
import { type ReceivedWebhook, startWebhookReceiver } from "../helpers/webhook-receiver.ts";

/**
 * One deployment, two runtimes: the bundled worker under workerd (its store on Upstash REST,
 * through the test bridge) and a Node instance (Redis over TCP), sharing one redis-server, one
 * public URL and one key ring, with Messenger and WhatsApp (a Graph API peer), Telegram (a Bot
 * API peer) and email (a Postmark-style API peer, and the worker's email handler for replies) set
 * up alike on both.
 */
const PUBLIC_URL = "https://chat.example.test";
const APP_SECRET = "app-secret-of-the-demo-app";
const PAGE_ID = "1001";
const INBOUND_SECRET = "inbound-secret-0123456789abcdef";
const REPLY_DOMAIN = "reply.shop.example";
const BOT_TOKEN = "7001:AAedge-bot-token-0123456789abcdef";
const BOT_SECRET = "edge-telegram-webhook-secret";
const SMS = {
  TWILIO_ACCOUNT_SID: `AC${"7e".repeat(16)}`,
  TWILIO_AUTH_TOKEN: "edge0twilio0auth0token0000000000",
  TWILIO_FROM: "+3197010000002",
};
const WHATSAPP = {
  WHATSAPP_PHONE_NUMBER_ID: "110245678901234",
  WHATSAPP_NUMBER: "15550142233",
  WHATSAPP_ACCESS_TOKEN: "EAAG-edge-cloud-api-token",
  WHATSAPP_APP_SECRET: "app-secret-of-the-whatsapp-app",
  WHATSAPP_VERIFY_TOKEN: "verify-edge-whatsapp",
};
const loose = { limit: 100_000, windowMs: 60_000 };
const WEBHOOK_SECRET = `whsec_${Buffer.from("edge-webhook-secret-0123456789ab").toString("base64")}`;
const receiver = await startWebhookReceiver(WEBHOOK_SECRET);

/**
 * The demo site, and a shop that calls visitors back (any hour), with mail of its own and a
 * CRM that hears its events.
 */
const demo = JSON.parse(DEMO_SITES_JSON).sites[0];
const SITES = JSON.stringify({
  sites: [
    demo,
    {
      id: "call",
      name: "Call shop",
      origins: ["https://call.example"],
      locale: "en",
      agents: [{ ...demo.agents[0], email: "agent@call.example" }],
      email: { from: "support@call.example", replyDomain: "reply.call.example" },
      callback: { country: "NL", remindMinutes: 30 },
      webhooks: [{ url: receiver.url, secret: WEBHOOK_SECRET }],
    },
  ],
});

let redis: RedisServerHandle;
let bridge: UpstashBridge;
let graph: GraphApiPeer;
let telegram: TelegramApiPeer;
let twilio: TwilioApiPeer;
let mail: EmailApiPeer;
let node: RunningServer;
let edge: EdgeWorker;
let agentToken: string;

beforeAll(async () => {
  redis = await startRedisServer();
  [bridge, graph, mail, telegram, twilio] = await Promise.all([
    startUpstashBridge({ redisUrl: redis.url, token: "edge-token" }),
    startGraphApiPeer({
      accessTokens: ["page-token"],
      whatsapp: {
        accessTokens: [WHATSAPP.WHATSAPP_ACCESS_TOKEN],
        phoneNumberIds: [WHATSAPP.WHATSAPP_PHONE_NUMBER_ID],
      },
    }),
    startEmailApiPeer({ serverToken: "postmark-token" }),
    startTelegramApiPeer({ tokens: [BOT_TOKEN] }),
    startTwilioApiPeer({
      accounts: [
        {
          sid: SMS.TWILIO_ACCOUNT_SID,
          authToken: SMS.TWILIO_AUTH_TOKEN,
          numbers: [SMS.TWILIO_FROM],
        },
      ],
    }),
  ]);
  const shared = {
    PUBLIC_URL,
    MESSENGER_PAGE_ID: PAGE_ID,
    MESSENGER_APP_SECRET: APP_SECRET,
    MESSENGER_VERIFY_TOKEN: "verify-demo",
    MESSENGER_PAGE_ACCESS_TOKEN: "page-token",
    GRAPH_API_URL: graph.url,
    ...WHATSAPP,
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_BOT_USERNAME: "edge_shop_bot",
    TELEGRAM_WEBHOOK_SECRET: BOT_SECRET,
    TELEGRAM_API_URL: telegram.url,
    ...SMS,
    TWILIO_API_URL: twilio.url,
    EMAIL_FROM: "support@shop.example",
    EMAIL_REPLY_DOMAIN: REPLY_DOMAIN,
    POSTMARK_SERVER_TOKEN: "postmark-token",
    EMAIL_API_URL: mail.url,
    EMAIL_INBOUND_SECRET: INBOUND_SECRET,
  };
  const limits = { startPerIp: loose, requestsPerIp: loose, loginPerIp: loose };
  [node, edge] = await Promise.all([
    // Its own callback sweep and webhook rounds wait: the edge's are the ones under test.
    startTestServer(
      { ...shared, OMNITHREAD_SITES: SITES, OMNITHREAD_STORE: "redis", REDIS_URL: redis.url },
      limits,
      { callbackSweepMs: 3_600_000, webhookIntervalMs: 3_600_000 },
    ),
    startEdgeWorker(
      {
        ...shared,
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: "edge-token",
        OMNITHREAD_SITES: SITES,
        OMNITHREAD_KEYS: await testKeys,
        ATTACHMENTS: "r2",
      },
      limits,
    ),
  ]);
  agentToken = await loginAgent(node.url, "agent@example.com");
});
afterAll(async () => {
  await Promise.all([edge?.stop(), node?.stop()]);
  await Promise.all([
    bridge?.stop(),
    graph?.stop(),
    mail?.stop(),
    telegram?.stop(),
    twilio?.stop(),
    receiver.stop(),
  ]);
  await redis?.stop();
});

// ---- helpers ----

async function startOnEdge(): Promise<ConversationSnapshot> {
  const res = await api<ConversationSnapshot>(edge.url, "/v1/conversations", {
    body: { siteId: "demo", context: { url: "https://shop.example/orders/42", locale: "en" } },
  });
  expect(res.status).toBe(201);
  return res.body;
}

const replyOnNode = (conversationId: string, text: string) =>
  api<{ event: ThreadEvent; deliveredVia: string }>(
    node.url,
    `/v1/agent/conversations/${conversationId}/messages`,
    { token: agentToken, body: { text } },
  );

const eventWith =
  (text: string) =>
  (f: ServerFrame): f is EventFrame =>
    f.type === "event" && f.event.text === text;

/** An SSE stream read with fetch, as the SDK reads it: the token in the header. */
async function openEvents(base: string, token: string, after: number) {
  const controller = new AbortController();
  const response = await fetch(`${base}/v1/events?after=${after}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  return {
    get text() {
      return text;
    },
    async readUntil(needle: string): Promise<void> {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${needle}: ${text}`);
        text += value;
      }
    },
    close: () => controller.abort(),
  };
}

/** Subscribers Redis counts on a conversation's live channel (one per open edge stream). */
async function subscribersOf(conversationId: string): Promise<number> {
  const client = createRedisClient({ url: redis.url, RESP: 2 });
  await client.connect();
  try {
    const reply = await client.sendCommand(["PUBSUB", "NUMSUB", `ot:live:demo:${conversationId}`]);
    return Number((reply as unknown as unknown[])[1]);
  } finally {
    client.destroy();
  }
}

const thread = (id: string) => agentThread(node.url, agentToken, id);

// ---- tests ----

describe("an edge worker and a Node instance on one Redis", () => {
  it("starts, sends and reads history on the edge; the Node instance has the same thread", async () => {
    const { token, conversation } = await startOnEdge();
    const sent = await api<{ event: ThreadEvent }>(edge.url, "/v1/messages", {
      token,
      body: { clientId: "e-1", text: "Hello from the edge" },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.event).toMatchObject({ seq: 1, channel: "web" });
    const history = await api<{ events: ThreadEvent[] }>(edge.url, "/v1/conversation?after=0", {
      token,
    });
    expect(history.body.events.map((e) => e.text)).toEqual(["Hello from the edge"]);
    // The Node instance reads the same thread, and takes the edge's token.
    expect((await thread(conversation.id)).events.map((e) => e.text)).toEqual([
      "Hello from the edge",
    ]);
    const onNode = await api<{ events: ThreadEvent[] }>(node.url, "/v1/conversation", { token });
    expect(onNode.body.events.map((e) => e.seq)).toEqual([1]);
  });

  it("streams over SSE on the edge what a Node instance publishes, after the log from `after`", async () => {
    const { token, conversation } = await startOnEdge();
    await api(edge.url, "/v1/messages", { token, body: { clientId: "s-1", text: "first" } });
    await api(edge.url, "/v1/messages", { token, body: { clientId: "s-2", text: "second" } });
    const stream = await openEvents(edge.url, token, 1);
    await stream.readUntil('"second"');
    expect(stream.text).not.toContain('"first"');
    expect((await replyOnNode(conversation.id, "answered on Node")).status).toBe(201);
    await stream.readUntil('"answered on Node"');
    expect(stream.text).toMatch(/data: \{[^\n]*"seq":3,[^\n]*"answered on Node"[^\n]*\}\nid: 3\n/);
    stream.close();
  });

  it("holds one Redis subscription per SSE stream, and lets it go when the client goes", async () => {
    const { token, conversation } = await startOnEdge();
    const stream = await openEvents(edge.url, token, 0);
    await stream.readUntil("event: ready");
    expect(await subscribersOf(conversation.id)).toBe(1);
    stream.close();
    // workerd tells the stream at its next write (a keepalive comment, every 5 s on the edge).
    const deadline = Date.now() + 10_000;
    while ((await subscribersOf(conversation.id)) > 0) {
      if (Date.now() > deadline) throw new Error("the subscription outlived its stream");
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it("carries WebSockets on the edge both ways with a Node instance", async () => {
    const agent = await LiveClient.connect(`${edge.url}/v1/agent/live`);
    agent.send({ type: "hello", token: agentToken });
    await agent.waitFor((f) => f.type === "ready");
    const { token, conversation } = await startOnEdge();
    const visitor = await LiveClient.connect(`${edge.url}/v1/live`);
    visitor.send({ type: "hello", token, after: 0 });
    await visitor.waitFor((f) => f.type === "ready");
    // A visitor message posted to the Node instance reaches the agent's socket on the edge …
    await api(node.url, "/v1/messages", { token, body: { clientId: "w-1", text: "via Node" } });
    expect((await agent.waitFor(eventWith("via Node"))).conversationId).toBe(conversation.id);
    // … and an agent reply posted there reaches the visitor's socket on the edge.
    await replyOnNode(conversation.id, "reply from Node");
    const reply = await visitor.waitFor(eventWith("reply from Node"));
    visitor.send({ type: "send", clientId: "w-2", text: "sent over the edge socket" });
    const ack = await visitor.waitFor((f) => f.type === "ack");
    expect(ack.type === "ack" && ack.event.seq).toBeGreaterThan(reply.event.seq);
    agent.close();
    visitor.close();
    expect((await visitor.waitForClose()).code).toBe(1005);
  });
});

describe("outside channels on the edge", () => {
  it("takes a signed Messenger webhook and answers through the Graph API from the edge", async () => {
    const { token, conversation } = await startOnEdge();
    const handoff = await api<{ url: string }>(edge.url, "/v1/handoff", {
      token,
      body: { channel: "messenger" },
    });
    const ref = new URL(handoff.body.url).searchParams.get("ref")!;
    const psid = "7000000000000123";
    const hook = (
      events: Parameters<typeof webhookBody>[0][number]["events"],
      secret = APP_SECRET,
    ) =>
      postWebhook(
        `${edge.url}/webhooks/messenger`,
        secret,
        webhookBody([{ pageId: PAGE_ID, events }]),
      );
    expect(
      (await hook([referralEvent({ psid, pageId: PAGE_ID, ref })], "not-the-secret")).status,
    ).toBe(401);
    expect((await hook([referralEvent({ psid, pageId: PAGE_ID, ref })])).status).toBe(200);
    expect(
      (await hook([messageEvent({ psid, pageId: PAGE_ID, text: "Now in Messenger" })])).status,
    ).toBe(200);
    // Stored before the 200; the welcome line with the resume link goes out after it (waitUntil).
    const events = (await thread(conversation.id)).events;
    expect(events.filter((e) => e.channel === "messenger").map((e) => e.text)).toContain(
      "Now in Messenger",
    );
    await until(
      async () => graph.sentTo(psid).length,
      (n) => n === 1,
      "the welcome line",
    );
    const reply = await api<{ deliveredVia: string }>(
      edge.url,
      `/v1/agent/conversations/${conversation.id}/messages`,
      { token: agentToken, body: { text: "Replying from the edge" } },
    );
    expect(reply.body.deliveredVia).toBe("messenger");
    expect(graph.sentTo(psid).map((m) => m.text)).toContain("Replying from the edge");
  });

  it("takes Telegram's and WhatsApp's webhooks and answers through their APIs from the edge", async () => {
    const { token, conversation } = await startOnEdge();
    const handoff = (channel: string) =>
      api<{ url: string }>(edge.url, "/v1/handoff", { token, body: { channel } });

    // Telegram: the deep link's /start, then a message, with the webhook's secret header.
    const start = new URL((await handoff("telegram")).body.url).searchParams.get("start")!;
    const chat = { id: 6_103_847_251, first_name: "Dana", type: "private" };
    let messageId = 1;
    const update = (text: string, secret = BOT_SECRET) =>
      api(edge.url, "/webhooks/telegram", {
        headers: { "x-telegram-bot-api-secret-token": secret },
        body: {
          update_id: 700_000 + messageId,
          message: {
            message_id: messageId++,
            from: { id: chat.id, is_bot: false, first_name: "Dana" },
            chat,
            date: Math.floor(Date.now() / 1000),
            text,
            ...(text.startsWith("/")
              ? { entities: [{ offset: 0, length: 6, type: "bot_command" }] }
              : {}),
          },
        },
      });
    expect((await update(`/start ${start}`, "not-the-secret")).status).toBe(401);
    expect((await update(`/start ${start}`)).status).toBe(200);
    expect((await update("Now in Telegram")).status).toBe(200);
    const telegramReply = await api<{ deliveredVia: string }>(
      edge.url,
      `/v1/agent/conversations/${conversation.id}/messages`,
      { token: agentToken, body: { text: "Telegram, from the edge" } },
    );
    expect(telegramReply.body.deliveredVia).toBe("telegram");
    expect(telegram.sentTo(String(chat.id)).map((m) => m.text)).toContain(
      "Telegram, from the edge",
    );

    // WhatsApp: the prefilled code, signed over the raw body with the app secret.
    const prefill = new URL((await handoff("whatsapp")).body.url).searchParams.get("text")!;
    const waId = "447700900123";
    const body = JSON.parse(readFileSync("test/fixtures/whatsapp/webhook-text.json", "utf8"));
    Object.assign(body.entry[0].changes[0].value.messages[0], {
      from: waId,
      timestamp: String(Math.floor(Date.now() / 1000)),
      text: { body: prefill },
    });
    const raw = JSON.stringify(body);
    const signed = (secret: string) =>
      fetch(`${edge.url}/webhooks/whatsapp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`,
        },
        body: raw,
      });
    expect((await signed("not-the-app-secret")).status).toBe(401);
    graph.cloud.customerWrote(waId);
    expect((await signed(WHATSAPP.WHATSAPP_APP_SECRET)).status).toBe(200);
    const whatsappReply = await api<{ deliveredVia: string }>(
      edge.url,
      `/v1/agent/conversations/${conversation.id}/messages`,
      { token: agentToken, body: { text: "WhatsApp, from the edge" } },
    );
    expect(whatsappReply.body.deliveredVia).toBe("whatsapp");
    expect(graph.cloud.sent.filter((m) => m.to === waId).map((m) => m.text)).toContain(
      "WhatsApp, from the edge",
    );

    // One thread, as the Node instance reads it from the same Redis.
    const said = (await thread(conversation.id)).events
      .filter((e) => e.author.role === "visitor")
      .map((e) => [e.channel, e.text]);
    expect(said).toContainEqual(["telegram", "Now in Telegram"]);
    expect(said).toContainEqual(["whatsapp", prefill]);
  });

  it("texts a handoff, takes a signed Twilio webhook and replies by SMS from the edge", async () => {
    const { token, conversation } = await startOnEdge();
    const mobile = "+31612340077";
    const handoff = await api<{ address: string }>(edge.url, "/v1/handoff", {
      token,
      body: { channel: "sms", phone: "06 12340077" },
    });
    expect(handoff).toMatchObject({ status: 202, body: { address: mobile } });
    const link = twilio.sentTo(mobile)[0]!.body.match(/https:\/\/\S+/)![0];
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/r/[a-z2-7]{8}$`));

    const form = {
      MessageSid: `SM${"e".repeat(32)}`,
      AccountSid: SMS.TWILIO_ACCOUNT_SID,
      From: mobile,
      To: SMS.TWILIO_FROM,
      Body: "Texting from the edge",
      NumMedia: "0",
    };
    const path = "/webhooks/sms/twilio";
    const post = async (authToken: string) =>
      fetch(`${edge.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": await twilioSignature(authToken, `${PUBLIC_URL}${path}`, form),
        },
        body: new URLSearchParams(form).toString(),
      });
    expect((await post("not-the-auth-token-0000000000000")).status).toBe(401);
    expect((await post(SMS.TWILIO_AUTH_TOKEN)).status).toBe(200);
    const said = (await thread(conversation.id)).events.filter((e) => e.channel === "sms");
    expect(said.map((e) => e.text)).toContain("Texting from the edge");
    const reply = await api<{ deliveredVia: string }>(
      edge.url,
      `/v1/agent/conversations/${conversation.id}/messages`,
      { token: agentToken, body: { text: "SMS, from the edge" } },
    );
    expect(reply.body.deliveredVia).toBe("sms");
    expect(twilio.sentTo(mobile).map((m) => m.body)).toContain("SMS, from the edge");
  });

  it("receives a reply in the email handler with the raw webhook's parser, and refuses strangers", async () => {
    const { token, conversation } = await startOnEdge();
    const visitor = "ana.edge@example.com";
    const handoff = await api(edge.url, "/v1/handoff", {
      token,
      body: { channel: "email", email: visitor },
    });
    expect(handoff.status).toBe(202);
    const sent = await until(
      async () => mail.sent.find((m) => m.To === visitor),
      Boolean,
      "the transcript mail",
    );
    const replyTo = String(sent!.ReplyTo);
    expect(replyTo).toMatch(new RegExp(`^reply\\+[a-z2-7]+@${REPLY_DOMAIN.replace(".", "\\.")}$`));
    const headers = sent!.Headers as Array<{ Name: string; Value: string }>;
    const messageId = headers.find((h) => h.Name === "Message-ID")!.Value;

    const raw = emailFixture("gmail-reply-qp.eml", {
      from: visitor,
      to: replyTo,
      inReplyTo: messageId,
    });
    const delivered = await edge.email(raw, { from: visitor, to: replyTo });
    expect(delivered.status).toBe(200);
    const byMail = (await thread(conversation.id)).events.filter(
      (e) => e.type === "message" && e.channel === "email",
    );
    expect(byMail.map((e) => e.text)).toEqual([
      "Yes \u2014 order 1234, the blue \u201c\u00c6r\u00f8\u201d jacket. Size L please.",
    ]);
    // The same mail through the Node instance's raw webhook is the same message: nothing twice.
    const again = await api<{ status: string; duplicate?: boolean }>(
      node.url,
      "/webhooks/email/raw",
      {
        body: raw,
        headers: { authorization: `Bearer ${INBOUND_SECRET}`, "content-type": "message/rfc822" },
      },
    );
    expect(again.body).toMatchObject({ status: "accepted", duplicate: true });

    // HTML-only Outlook: the history after divRplyFwdMsg is cut on the DOM (htmlparser2 on workerd).
    const html = emailFixture("outlook-web-html.eml", {
      from: visitor,
      to: replyTo,
      inReplyTo: messageId,
    });
    expect((await edge.email(html, { from: visitor, to: replyTo })).status).toBe(200);
    const latest = (await thread(conversation.id)).events.filter((e) => e.channel === "email");
    expect(latest.at(-1)?.text).toBe(
      "The parcel came, thank you. Can I return the gloves in the shop?",
    );
    expect(latest.at(-1)?.data).toMatchObject({ stripped: true });
    expect(String(latest.at(-1)?.data?.original)).toContain("> Here is your conversation.");

    const forged = `reply+${"a".repeat(40)}@${REPLY_DOMAIN}`;
    const refused = await edge.email(
      emailFixture("gmail-reply-qp.eml", { from: visitor, to: forged }),
      { from: visitor, to: forged },
    );
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("5.1.1");
  });
});

describe("attachments on the edge", () => {
  it("takes an upload into its R2 bucket, links it from the message, and serves it; refuses a page called .png", async () => {
    const snapshot = await startOnEdge();
    const upload = (name: string, bytes: Uint8Array) =>
      fetch(`${edge.url}/v1/attachments`, {
        method: "POST",
        headers: { authorization: `Bearer ${snapshot.token}`, "x-filename": name },
        body: bytes as Uint8Array<ArrayBuffer>,
      });
    const page = new TextEncoder().encode("<!doctype html><script>alert(1)</script>");
    expect((await upload("cat.png", page)).status).toBe(415);
    const taken = await upload("parcel.png", PNG);
    expect(taken.status).toBe(201);
    const { attachment } = (await taken.json()) as { attachment: { id: string; type: string } };
    expect(attachment.type).toBe("image/png");
    const sent = await api<{ event: ThreadEvent }>(edge.url, "/v1/messages", {
      token: snapshot.token,
      body: { clientId: "edge-file", attachments: [attachment.id] },
    });
    expect(sent.status).toBe(201);
    // The link is on PUBLIC_URL; the same path on the worker serves the bytes from R2.
    const link = new URL(sent.body.event.attachments![0]!.url!);
    const served = await fetch(`${edge.url}${link.pathname}${link.search}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    // The Node instance on the same Redis sees the file in the thread (its bytes are the edge's).
    const thread = await agentThread(node.url, agentToken, snapshot.conversation.id);
    expect(thread.events.at(-1)?.attachments?.[0]).toMatchObject({
      id: attachment.id,
      name: "parcel.png",
    });
  });
});

describe("the callback queue on the edge", () => {
  it("takes a request with a confirmation mail, and the Cron Trigger reminds the team", async () => {
    const agent = await LiveClient.connect(`${edge.url}/v1/agent/live`);
    agent.send({ type: "hello", token: await loginAgent(node.url, "agent@call.example") });
    await agent.waitFor((f) => f.type === "ready");
    const start = await api<ConversationSnapshot>(edge.url, "/v1/conversations", {
      body: { siteId: "call" },
    });
    const from = Date.now() + 20 * 60_000;
    const asked = await api<{ callback: { id: string } }>(edge.url, "/v1/handoff", {
      token: start.body.token,
      body: {
        channel: "callback",
        phone: "+31 6 12345678",
        window: {
          from: new Date(from).toISOString(),
          to: new Date(from + 3_600_000).toISOString(),
        },
        timeZone: "Europe/Amsterdam",
        email: "caller@example.com",
      },
    });
    expect(asked.status).toBe(201);
    const id = asked.body.callback.id;
    const frame = (due: boolean) => (f: ServerFrame) =>
      f.type === "callback" && f.callback.id === id && Boolean(f.due) === due;
    await agent.waitFor(frame(false));
    // The confirmation goes out after the answer: the request's waitUntil keeps it alive.
    await until(
      async () => mail.sent.filter((m) => m.To === "caller@example.com").length,
      (n) => n === 1,
      "the confirmation mail",
    );
    // Starts within the site's 30 minutes and nobody claimed it: the cron run reminds.
    expect(await edge.scheduled("* * * * *")).toBe("ok");
    await agent.waitFor(frame(true));
    expect(edge.output()).toMatch(
      /"message":"callback sweep","cron":"\* \* \* \* \*","reminded":1/,
    );
    agent.close();
  });
});

describe("keys and assets on the edge", () => {
  it("publishes the same JWKS as the Node instance", async () => {
    const [onEdge, onNode] = await Promise.all([
      api<{ keys: Array<{ kid: string }> }>(edge.url, "/.well-known/jwks.json"),
      api(node.url, "/.well-known/jwks.json"),
    ]);
    expect(onEdge.status).toBe(200);
    expect(onEdge.headers.get("cache-control")).toBe("public, max-age=300");
    expect(onEdge.body.keys.length).toBeGreaterThan(0);
    expect(onEdge.body).toEqual(onNode.body);
  });

  it("serves the built widget and console from the assets binding, with the Node entry's headers", async () => {
    const widget = await fetch(`${edge.url}/widget.js`);
    expect(widget.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await widget.text()).toBe(readFileSync("dist/widget.js", "utf8"));
    const page = await fetch(`${edge.url}/console/inbox`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    const asset = html.match(/\/console\/assets\/[^"]+\.js/)![0];
    const script = await fetch(`${edge.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("cache-control")).toContain("immutable");
    await script.body?.cancel();
    expect((await fetch(`${edge.url}/console/assets/missing.js`)).status).toBe(404);
  });

  it("documents its own routes at /openapi.json: the Node instance's, less what is Node's alone", async () => {
    type Doc = { paths: Record<string, Record<string, unknown>> };
    const [onEdge, onNode] = await Promise.all([
      api<Doc>(edge.url, "/openapi.json"),
      api<Doc>(node.url, "/openapi.json"),
    ]);
    expect(onEdge.status).toBe(200);
    const edgePaths = Object.keys(onEdge.body.paths);
    // The worker serves the assets from its binding; the demo's pages and simulators are Node's.
    expect(edgePaths).toEqual(expect.arrayContaining(["/widget.js", "/console/{path}"]));
    const nodeOnly = Object.keys(onNode.body.paths).filter((path) => !edgePaths.includes(path));
    for (const path of nodeOnly) expect(path).toMatch(/^\/(demo\/|csp\.html|sites\.json)/);
  });
});

describe("outgoing webhooks on the edge", () => {
  it("sends after the request that made the event, and the Cron Trigger retries what failed", async () => {
    // The first round of an instance registers the endpoint; what follows is queued for it.
    expect(await edge.scheduled("* * * * *")).toBe("ok");
    const of = (id: string) => (w: ReceivedWebhook) => w.body.data.conversationId === id;
    receiver.mode = "503";
    const started = await api<{ conversation: { id: string }; token: string }>(
      edge.url,
      "/v1/conversations",
      { body: { siteId: "call" }, headers: { origin: "https://call.example" } },
    );
    expect(started.status).toBe(201);
    const id = started.body.conversation.id;

    // No Cron run and no Node round: the edge sent it once the answer was out (waitUntil).
    await expect.poll(() => receiver.state.received.some(of(id)), { timeout: 5_000 }).toBe(true);
    const first = receiver.state.received.find(of(id))!;
    expect(first.body.type).toBe("conversation.created");
    receiver.mode = "ok";

    // The receiver answered 503: the retry is due 5 s (±20 %) later, and a Cron run sends it
    // with the same webhook-id.
    await new Promise((r) => setTimeout(r, 6_100));
    expect(await edge.scheduled("* * * * *")).toBe("ok");
    const retried = receiver.state.accepted.filter(of(id));
    expect(retried.map((w) => w.id)).toEqual([first.id]);

    // Now the lane is clear: a visitor's message goes out after its own request.
    const sent = await api(edge.url, "/v1/messages", {
      token: started.body.token,
      body: { clientId: "edge-hook-1", text: "Sent from the edge" },
      headers: { origin: "https://call.example" },
    });
    expect(sent.status).toBe(201);
    const isMessage = (w: ReceivedWebhook) => of(id)(w) && w.body.type === "message.created";
    await expect.poll(() => receiver.state.accepted.some(isMessage), { timeout: 5_000 }).toBe(true);
    const message = receiver.state.accepted.find(isMessage)!;
    expect(message.body.data.event?.text).toBe("Sent from the edge");

    // The delivery log, read from the Node instance, tells the same story.
    const token = await loginAgent(node.url, "agent@call.example");
    const log = await api<{
      deliveries: { webhookId: string; attempt: number; outcome: string; status: number }[];
    }>(node.url, "/v1/agent/webhooks/deliveries?limit=100", { token });
    expect(
      log.body.deliveries
        .filter((d) => d.webhookId === first.id)
        .map((d) => [d.attempt, d.outcome, d.status]),
    ).toEqual([
      [1, "retrying", 503],
      [2, "delivered", 200],
    ]);
  }, 30_000);
});
