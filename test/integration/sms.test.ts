import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import { segmentsOf } from "../../server/channels/sms/segments.ts";
import type { RunningServer } from "../../server/node.ts";
import {
  channelTexts,
  conversationsOn,
  eventually,
  loginSiteAgents,
  SUITE_LIMITS,
  suiteSite,
  threadOf,
  webVisitor,
} from "../helpers/channel-suite.ts";
import { JPEG } from "../helpers/files.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import { startTwilioApiPeer, type TwilioApiPeer } from "../helpers/twilio-api-peer.ts";

/**
 * SMS end to end: a real server on real Redis, Twilio's webhooks as Twilio posts them (forms,
 * signed by the `twilio` package itself over the public URL), and Twilio's REST API played by a
 * peer on 127.0.0.1 that checks Basic auth and refuses opted-out numbers as Twilio does.
 */

const SMS = {
  accountSid: `AC${"5a".repeat(16)}`,
  authToken: "0123456789abcdef0123456789abcdef",
  from: "+3197010000001",
};
const PUBLIC_URL = "https://chat.shop.test";
const SITES = JSON.stringify({
  sites: [{ ...suiteSite("shop", { sms: SMS }), locale: "nl", callback: { country: "NL" } }],
});

let redis: RedisServerHandle;
let peer: TwilioApiPeer;
let server: RunningServer;
let agent: string;

const start = () =>
  startTestServer(
    {
      OMNITHREAD_SITES: SITES,
      TWILIO_API_URL: peer.url,
      PUBLIC_URL,
      OMNITHREAD_STORE: "redis",
      REDIS_URL: redis.url,
    },
    SUITE_LIMITS,
    // The callback sweep (reminders) runs often enough for a test to see it.
    { callbackSweepMs: 200 },
  );

beforeAll(async () => {
  redis = await startRedisServer();
  peer = await startTwilioApiPeer({
    accounts: [{ sid: SMS.accountSid, authToken: SMS.authToken, numbers: [SMS.from] }],
  });
  server = await start();
  agent = (await loginSiteAgents(server.url, ["shop"])).shop;
});
afterAll(async () => {
  await server?.stop();
  await peer?.stop();
  await redis?.stop();
});

let sids = 0;
const newSid = (prefix = "SM") =>
  `${prefix}${(Date.now() * 1000 + sids++).toString(16).padStart(32, "0")}`;
let mobiles = 0;
const newMobile = () => `+3161${String(Date.now() % 1_000_000).padStart(6, "0")}${mobiles++ % 10}`;

/** POSTs a form to one of our Twilio webhooks as Twilio does: signed over PUBLIC_URL + path. */
async function post(path: string, fields: Record<string, string>, authToken = SMS.authToken) {
  const signature = twilio.getExpectedTwilioSignature(authToken, `${PUBLIC_URL}${path}`, fields);
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": signature,
    },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

/** The person texts the site's number. */
const texts = (from: string, body: string, extra: Record<string, string> = {}) =>
  post("/webhooks/sms/twilio", {
    ToCountry: "NL",
    SmsMessageSid: extra.MessageSid ?? "",
    NumMedia: "0",
    MessageSid: newSid(),
    AccountSid: SMS.accountSid,
    From: from,
    To: SMS.from,
    Body: body,
    NumSegments: "1",
    ApiVersion: "2010-04-01",
    ...extra,
  });

const thread = (id: string) => threadOf(server.url, agent, id);
const reply = (id: string, text: string) =>
  api<{ event: ThreadEvent; deliveredVia: string; error?: { code: string; message: string } }>(
    server.url,
    `/v1/agent/conversations/${id}/messages`,
    { token: agent, body: { text, channel: "sms" } },
  );
const handoff = (token: string, phone: string) =>
  api<{ channel: string; address: string; error?: { code: string; message: string } }>(
    server.url,
    "/v1/handoff",
    { token, body: { channel: "sms", phone } },
  );

/** A web visitor who asked to go on by text: their number is linked. */
async function linked() {
  const web = await webVisitor(server.url, "shop");
  const mobile = newMobile();
  const res = await handoff(web.token, mobile.replace("+31", "0"));
  expect(res.status).toBe(202);
  return { web, mobile };
}

describe("the handoff", () => {
  it("texts the visitor's number, in the language they chat in and one segment, with a short resume link that opens the thread", async () => {
    const web = await webVisitor(server.url, "shop");
    const mobile = newMobile();
    const res = await handoff(web.token, `0${mobile.slice(3, 4)} ${mobile.slice(4)}`);
    expect(res).toMatchObject({ status: 202, body: { channel: "sms", address: mobile } });
    const [sent] = peer.sentTo(mobile);
    expect(sent).toMatchObject({ from: SMS.from, to: mobile });
    // The visitor chats in English on the Dutch shop: the text is English.
    expect(sent!.body).toMatch(/^The shop: reply to this text to go on with our chat, or open /);
    expect(segmentsOf(sent!.body)).toMatchObject({ encoding: "GSM-7", segments: 1 });
    const link = sent!.body.match(/https:\/\/\S+/)![0];
    expect(link).toMatch(/^https:\/\/chat\.shop\.test\/r\/[a-z2-7]{8}$/);
    const opened = await fetch(`${server.url}${new URL(link).pathname}`, { redirect: "manual" });
    expect(opened.status).toBe(302);
    expect(opened.headers.get("location")).toMatch(/#omnithread-resume=/);
    const t = await thread(web.id);
    expect(t.conversation.channels.find((c) => c.channel === "sms")?.address).toBe(mobile);
  });

  it("refuses a number that is not one, a landline, and too many texts, with a clear error", async () => {
    const web = await webVisitor(server.url, "shop");
    expect(await handoff(web.token, "12")).toMatchObject({
      status: 400,
      body: { error: { code: "bad_request" } },
    });
    const landline = await handoff(web.token, "020 123 4567");
    expect(landline.status).toBe(400);
    expect(landline.body.error!.message).toContain("landline");
    for (let i = 0; i < 3; i++) expect((await handoff(web.token, newMobile())).status).toBe(202);
    expect((await handoff(web.token, newMobile())).status).toBe(429);
  });
});

describe("texts from the visitor", () => {
  it("land in the linked thread once, answered with empty TwiML; a stranger's start a thread of their own", async () => {
    const { web, mobile } = await linked();
    const sid = newSid();
    for (let i = 0; i < 2; i++) {
      const res = await texts(mobile, "Is mijn pakket al onderweg?", { MessageSid: sid });
      expect(res.status).toBe(200);
      expect(res.type).toContain("text/xml");
      expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    }
    expect(channelTexts((await thread(web.id)).events, "sms")).toEqual([
      "Is mijn pakket al onderweg?",
    ]);

    const stranger = newMobile();
    await texts(stranger, "Hallo, ik heb een vraag");
    const own = await conversationsOn(server.url, agent, "sms", stranger);
    expect(own).toHaveLength(1);
    expect(own[0]!.id).not.toBe(web.id);
  });

  it("keeps an MMS's files (MediaUrl with the account's auth), and refuses a form whose signature does not match", async () => {
    const { web, mobile } = await linked();
    const jpeg = JPEG;
    const url = peer.media(SMS.accountSid, jpeg, "image/jpeg");
    await texts(mobile, "Zo ziet de doos eruit", {
      MessageSid: newSid("MM"),
      NumMedia: "1",
      MediaUrl0: url,
      MediaContentType0: "image/jpeg",
    });
    const event = (await thread(web.id)).events.find((e) => e.text.startsWith("Zo ziet"));
    expect(event?.text).toBe("Zo ziet de doos eruit");
    expect(event?.attachments).toEqual([
      expect.objectContaining({ name: "image.jpg", type: "image/jpeg", size: jpeg.length }),
    ]);
    expect(event?.data?.files).toEqual([{ url, type: "image/jpeg" }]);
    // The link is on PUBLIC_URL (chat.shop.test); the same path on this server opens it.
    const link = new URL(event!.attachments![0]!.url!);
    const opened = await fetch(`${server.url}${link.pathname}${link.search}`);
    expect(Buffer.from(await opened.arrayBuffer())).toEqual(jpeg);

    const before = (await thread(web.id)).events.length;
    const forged = await post(
      "/webhooks/sms/twilio",
      {
        MessageSid: newSid(),
        AccountSid: SMS.accountSid,
        From: mobile,
        To: SMS.from,
        Body: "forged",
      },
      "not-the-auth-token-0123456789abcd",
    );
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body)).toMatchObject({ error: { code: "unauthorized" } });
    expect((await thread(web.id)).events).toHaveLength(before);
  });
});

describe("agent replies", () => {
  it("go by text from the site's number, long ones as several texts, and a failed one is shown", async () => {
    const { web, mobile } = await linked();
    const sent = await reply(web.id, "Uw pakket is vandaag verstuurd.");
    expect(sent.status).toBe(201);
    expect(sent.body.deliveredVia).toBe("sms");
    const out = peer.sentTo(mobile).at(-1)!;
    expect(out).toMatchObject({
      body: "Uw pakket is vandaag verstuurd.",
      statusCallback: `${PUBLIC_URL}/webhooks/sms/twilio/status`,
    });

    const long = Array.from({ length: 400 }, (_, i) => `woord${i}`).join(" ");
    const already = peer.sentTo(mobile).length;
    await reply(web.id, long);
    const parts = peer.sentTo(mobile).slice(already);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.body).join(" ")).toBe(long);
    for (const part of parts) expect(segmentsOf(part.body).segments).toBeLessThanOrEqual(10);

    const status = await post("/webhooks/sms/twilio/status", {
      MessageSid: out.sid,
      AccountSid: SMS.accountSid,
      From: SMS.from,
      To: mobile,
      MessageStatus: "undelivered",
      ErrorCode: "30003",
    });
    expect(status.status).toBe(200);
    const failed = (await thread(web.id)).events.find((e) => e.name === "delivery.failed");
    expect(failed).toMatchObject({
      text: "Not delivered by text message: the phone is off or out of reach",
      data: { channel: "sms", code: 30003, seq: sent.body.event.seq },
    });
  });
});

describe("carrier keywords", () => {
  it("STOP stops every text to the number, shown to the agent, across a restart; START resumes; HELP answers", async () => {
    const { web, mobile } = await linked();
    const help = await texts(mobile, "help");
    expect(help.body).toMatch(
      /<Message>The shop klantenservice: antwoord om te chatten, of zie https:\/\/shop\.example\. Stuur STOP om te stoppen\.<\/Message>/,
    );

    await texts(mobile, "Stop");
    peer.optOut(SMS.from, mobile);
    expect((await thread(web.id)).events.map((e) => e.name)).toContain("sms.stopped");

    // The opt-out lives in Redis: a restarted server still refuses to text the number.
    await server.stop();
    server = await start();
    agent = (await loginSiteAgents(server.url, ["shop"])).shop;
    const before = (await thread(web.id)).events.length;
    const refused = await reply(web.id, "Nog een vraag?");
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "channel_unavailable" });
    expect(refused.body.error!.message).toContain("STOP");
    expect((await thread(web.id)).events).toHaveLength(before);
    const again = await handoff((await webVisitor(server.url, "shop")).token, mobile);
    expect(again.status).toBe(409);

    await texts(mobile, "START");
    peer.optOut(SMS.from, mobile, false);
    expect((await thread(web.id)).events.map((e) => e.name)).toContain("sms.started");
    const back = await reply(web.id, "Welkom terug");
    expect(back.status).toBe(201);
    await eventually(() => peer.sentTo(mobile).some((m) => m.body === "Welkom terug"), "the text");
  });
});

describe("callbacks", () => {
  it("are confirmed by text to a mobile number, in the visitor's language and time zone; a landline gets none", async () => {
    const web = await webVisitor(server.url, "shop");
    const mobile = newMobile();
    const asked = await api(server.url, "/v1/handoff", {
      token: web.token,
      body: { channel: "callback", phone: mobile, window: "asap", timeZone: "Europe/Amsterdam" },
    });
    expect(asked.status).toBe(201);
    const [text] = await eventually(
      () => peer.sentTo(mobile).length > 0 && peer.sentTo(mobile),
      "the confirmation text",
    );
    expect(text!.body).toMatch(new RegExp(`^The shop: we will call you at \\${mobile}, \\w+day`));

    const other = await webVisitor(server.url, "shop");
    const landline = "+31201234567";
    await api(server.url, "/v1/handoff", {
      token: other.token,
      body: { channel: "callback", phone: landline, window: "asap", timeZone: "Europe/Amsterdam" },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(peer.sentTo(landline)).toEqual([]);
  });

  it("remind the visitor by text a little before the time an agent scheduled, once", async () => {
    const web = await webVisitor(server.url, "shop");
    const mobile = newMobile();
    const asked = await api<{ callback: { id: string } }>(server.url, "/v1/handoff", {
      token: web.token,
      body: { channel: "callback", phone: mobile, window: "asap", timeZone: "Europe/Amsterdam" },
    });
    const id = asked.body.callback.id;
    const patch = (body: Record<string, unknown>) =>
      api(server.url, `/v1/agent/callbacks/${id}`, { method: "PATCH", token: agent, body });
    expect((await patch({ claim: true })).status).toBe(200);
    const at = new Date(Date.now() + 5 * 60_000).toISOString();
    expect((await patch({ status: "scheduled", scheduledFor: at })).status).toBe(200);
    const reminders = () =>
      peer
        .sentTo(mobile)
        .filter((m) => m.body.startsWith("The shop: a reminder, we will call you at"));
    await eventually(() => reminders().length > 0, "the reminder");
    // The sweep runs every 200 ms: still one reminder a while later.
    await new Promise((r) => setTimeout(r, 600));
    expect(reminders()).toHaveLength(1);
  });
});

describe("web → SMS → web", () => {
  it("keeps one thread: the text's link brings the visitor back to the web chat with the whole conversation", async () => {
    const web = await webVisitor(server.url, "shop", "Hi, can we go on by text?");
    const mobile = newMobile();
    expect((await handoff(web.token, mobile)).status).toBe(202);
    const link = peer.sentTo(mobile)[0]!.body.match(/https:\/\/\S+/)![0];
    await texts(mobile, "Texting now: order 42");
    expect((await reply(web.id, "Found it, it ships today")).body.deliveredVia).toBe("sms");

    // The link on the phone opens the shop; its code gives the web chat the same thread.
    const opened = await fetch(`${server.url}${new URL(link).pathname}`, { redirect: "manual" });
    const code = new URL(opened.headers.get("location")!).hash.split("=")[1]!;
    const resumed = await api<{ token: string; conversation: { id: string } }>(
      server.url,
      "/v1/resume",
      {
        headers: { origin: "https://shop.example" },
        body: { code },
      },
    );
    expect(resumed.body.conversation.id).toBe(web.id);
    const history = await api<{ events: ThreadEvent[] }>(server.url, "/v1/conversation?after=0", {
      token: resumed.body.token,
    });
    const said = history.body.events.filter((e) => e.type === "message").map((e) => e.text);
    expect(said).toEqual(
      expect.arrayContaining([
        "Hi, can we go on by text?",
        "Texting now: order 42",
        "Found it, it ships today",
      ]),
    );
    for (const text of said) expect(said.filter((t) => t === text)).toHaveLength(1);
  });
});
