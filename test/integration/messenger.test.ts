import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  Conversation,
  ConversationSnapshot,
  ErrorBody,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import { createHandleService } from "../../server/auth/handles.ts";
import { loadKeyRing } from "../../server/auth/keys.ts";
import { silentLogger } from "../../server/log.ts";
import {
  echoEvent,
  getStartedEvent,
  type MessagingEvent,
  messageEvent,
  newMid,
  postWebhook,
  referralEvent,
  serializeLikeMeta,
  signLikeMeta,
  webhookBody,
} from "../../server/node/messenger-simulator/meta-wire.ts";
import { type RunningServer, startServer } from "../../server/node.ts";
import { feedOf } from "../helpers/agent-api.ts";
import {
  type AgentView,
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
import { type GraphApiPeer, startGraphApiPeer } from "../helpers/graph-api-peer.ts";
import { api, startTestServer, testKeys } from "../helpers/omnithread.ts";

/**
 * Messenger end to end: a real server, Meta's webhooks built and signed as Meta does, and the
 * Graph API played by a peer on 127.0.0.1 that records what our Send API calls delivered.
 */

/** One Meta app serves the shop's and the outlet's pages; another app serves "other". */
const APP_SECRET = "app-secret-of-the-shops-meta-app";
const OTHER_SECRET = "app-secret-of-another-meta-app";
const PAGES = { shop: "1001", outlet: "1002", other: "2001", broken: "3001" } as const;
type SiteId = keyof typeof PAGES;

const site = (id: SiteId, appSecret: string, pageAccessToken: string) =>
  suiteSite(id, {
    messenger: { pageId: PAGES[id], appSecret, verifyToken: `verify-${id}`, pageAccessToken },
  });
const SITES = JSON.stringify({
  sites: [
    site("shop", APP_SECRET, "token-shop"),
    site("outlet", APP_SECRET, "token-outlet"),
    site("other", OTHER_SECRET, "token-other"),
    // Its page token is not one the Graph API knows.
    site("broken", APP_SECRET, "token-revoked"),
  ],
});
const loose = { limit: 100_000, windowMs: 60_000 };
const HOUR = 3_600_000;

let server: RunningServer;
let peer: GraphApiPeer;
const agentTokens: Partial<Record<SiteId, string>> = {};

beforeAll(async () => {
  peer = await startGraphApiPeer({ accessTokens: ["token-shop", "token-outlet", "token-other"] });
  server = await startTestServer(
    { OMNITHREAD_SITES: SITES, GRAPH_API_URL: peer.url },
    SUITE_LIMITS,
  );
  Object.assign(agentTokens, await loginSiteAgents(server.url, Object.keys(PAGES) as SiteId[]));
});
afterAll(async () => {
  await server?.stop();
  await peer?.stop();
});

// ---- helpers ----

let psids = 0;
/** A fresh page-scoped id, 16 digits like Meta's. */
const newPsid = () => `${7_000_000_000_000_000 + Date.now() * 10 + psids++}`.slice(0, 16);

/** Posts a webhook for one page, signed as Meta signs it. */
const hook = (events: MessagingEvent[], siteId: SiteId = "shop", secret = APP_SECRET) =>
  postWebhook(
    `${server.url}/webhooks/messenger`,
    secret,
    webhookBody([{ pageId: PAGES[siteId], events }]),
  );

const until = eventually;
type Web = WebVisitor;
const webVisitor = (siteId: SiteId = "shop", text?: string) => visitOnWeb(server.url, siteId, text);

/** `POST /v1/handoff { channel: "messenger" }`: the ref of the answered m.me link. */
async function handoff(web: Web, siteId: SiteId = "shop"): Promise<string> {
  const url = await handoffLink(server.url, web, "messenger");
  expect(`${url.origin}${url.pathname}`).toBe(`https://m.me/${PAGES[siteId]}`);
  return url.searchParams.get("ref")!;
}

const thread = (id: string, siteId: SiteId = "shop") =>
  threadOf(server.url, agentTokens[siteId]!, id);

/** The site's conversations linked to a PSID in Messenger. */
const conversationsOf = (psid: string, siteId: SiteId = "shop") =>
  conversationsOn(server.url, agentTokens[siteId]!, "messenger", psid);

const messengerTexts = (events: ThreadEvent[]) => channelTexts(events, "messenger");

/** A visitor who went from the web to Messenger through the link, and wrote there. */
async function linked(siteId: SiteId = "shop"): Promise<{ web: Web; psid: string }> {
  const web = await webVisitor(siteId);
  const psid = newPsid();
  const ref = await handoff(web, siteId);
  expect((await hook([referralEvent({ psid, pageId: PAGES[siteId], ref })], siteId)).status).toBe(
    200,
  );
  await hook([messageEvent({ psid, pageId: PAGES[siteId], text: "Now in Messenger" })], siteId);
  if (siteId !== "broken") await until(() => peer.sentTo(psid).length === 1, "the welcome line");
  return { web, psid };
}

async function agentReply(id: string, text: string, siteId: SiteId = "shop") {
  return api<{ event: ThreadEvent; deliveredVia: string } & ErrorBody>(
    server.url,
    `/v1/agent/conversations/${id}/messages`,
    { token: agentTokens[siteId]!, body: { text } },
  );
}

// ---- tests ----

describe("the Messenger webhook", () => {
  it("answers Meta's verification handshake with the challenge, and 403 for a wrong token", async () => {
    const verify = (query: string) => fetch(`${server.url}/webhooks/messenger?${query}`);
    for (const token of ["verify-shop", "verify-other"]) {
      const ok = await verify(
        `hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`,
      );
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await ok.text()).toBe("1158201444");
    }
    for (const query of [
      "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
      "hub.mode=subscribe&hub.challenge=1",
      "hub.mode=unsubscribe&hub.verify_token=verify-shop&hub.challenge=1",
    ]) {
      const refused = await verify(query);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as ErrorBody).error.code).toBe("forbidden");
    }
  });

  it("refuses a POST whose X-Hub-Signature-256 does not match the raw body (401)", async () => {
    const psid = newPsid();
    const body = webhookBody([
      { pageId: PAGES.shop, events: [messageEvent({ psid, pageId: PAGES.shop, text: "forged" })] },
    ]);
    const raw = serializeLikeMeta(body);
    const post = (payload: string, signature?: string) =>
      fetch(`${server.url}/webhooks/messenger`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(signature ? { "x-hub-signature-256": signature } : {}),
        },
        body: payload,
      });
    for (const attempt of [
      post(raw),
      post(raw, "sha256=0000"),
      post(raw, signLikeMeta("a secret no site has", raw)),
      post(raw.replace("forged", "FORGED"), signLikeMeta(APP_SECRET, raw)),
      // Meta's bytes matter: the same JSON serialized another way is not what was signed.
      post(JSON.stringify(body).replace("forged", "forgeD"), signLikeMeta(APP_SECRET, raw)),
    ]) {
      const res = await attempt;
      expect(res.status).toBe(401);
      expect(((await res.json()) as ErrorBody).error.code).toBe("unauthorized");
    }
    const garbage = "not json";
    expect((await post(garbage, signLikeMeta(APP_SECRET, garbage))).status).toBe(400);
    expect(await conversationsOf(psid)).toEqual([]);
    // The genuine article goes through.
    expect((await post(raw, signLikeMeta(APP_SECRET, raw))).status).toBe(200);
    expect(await conversationsOf(psid)).toHaveLength(1);
  });

  it("refuses a correctly signed body that is not UTF-8 with 400 invalid_json; nothing lands", async () => {
    const psid = newPsid();
    const raw = serializeLikeMeta(
      webhookBody([
        {
          pageId: PAGES.shop,
          events: [messageEvent({ psid, pageId: PAGES.shop, text: "ok @@ end" })],
        },
      ]),
    );
    // The text's "@@" becomes two bytes no UTF-8 text has; Meta's signature covers the bytes.
    const at = raw.indexOf("@@");
    const bytes = Buffer.concat([
      Buffer.from(raw.slice(0, at)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(raw.slice(at + 2)),
    ]);
    const res = await fetch(`${server.url}/webhooks/messenger`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": `sha256=${createHmac("sha256", APP_SECRET).update(bytes).digest("hex")}`,
      },
      body: bytes,
    });
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe("invalid_json");
    expect(error.message).toMatch(/UTF-8/);
    expect(await conversationsOf(psid)).toEqual([]);
  });

  it("links the PSID through messaging_referrals, and Messenger messages land in the web thread", async () => {
    const web = await webVisitor("shop", "Where is my order?");
    const ref = await handoff(web);
    expect(ref).toMatch(/^[a-z2-7]{44}$/);
    const psid = newPsid();

    const res = await hook([referralEvent({ psid, pageId: PAGES.shop, ref })]);
    expect(res.status).toBe(200);
    let t = await thread(web.id);
    expect(t.conversation.activeChannel).toBe("messenger");
    expect(t.conversation.channels).toContainEqual(
      expect.objectContaining({ channel: "messenger", address: psid }),
    );
    expect(t.events.map((e) => e.name).filter(Boolean)).toEqual(
      expect.arrayContaining(["handoff.requested", "channel.linked", "messenger.opened"]),
    );
    expect(t.contact.identities).toContainEqual(
      expect.objectContaining({ kind: "psid", value: psid, verified: true }),
    );

    const mid = newMid();
    await hook([messageEvent({ psid, pageId: PAGES.shop, mid, text: "Here I am in Messenger" })]);
    t = await thread(web.id);
    const landed = t.events.find((e) => e.clientId === mid)!;
    expect(landed).toMatchObject({
      type: "message",
      channel: "messenger",
      author: { role: "visitor" },
      text: "Here I am in Messenger",
    });
    // The CRM hears the visitor's message on the site feed (and its webhooks), from Messenger.
    const heard = (await feedOf(server.url, agentTokens.shop!, web.id)).filter(
      (item) =>
        item.type === "message.created" &&
        item.data.event?.channel === "messenger" &&
        item.data.event.author.role === "visitor",
    );
    expect(heard.map((item) => item.data.event?.text)).toEqual(["Here I am in Messenger"]);

    // The first Messenger message gets one automatic line with the resume link.
    const [welcome] = await until(
      () => peer.sentTo(psid).length === 1 && peer.sentTo(psid),
      "welcome",
    );
    expect(welcome!.messagingType).toBe("RESPONSE");
    expect(welcome!.text).toContain(`${server.config.publicUrl}/r/`);
    t = await thread(web.id);
    const bot = t.events.filter((e) => e.author.role === "bot");
    expect(bot).toHaveLength(1);
    expect(bot[0]).toMatchObject({ type: "message", channel: "messenger", text: welcome!.text });
  });

  it("links the PSID through the Get Started postback of a new Messenger thread", async () => {
    const web = await webVisitor();
    const ref = await handoff(web);
    const psid = newPsid();
    await hook([getStartedEvent({ psid, pageId: PAGES.shop, ref })]);
    await hook([messageEvent({ psid, pageId: PAGES.shop, text: "Started from the button" })]);
    const t = await thread(web.id);
    expect(t.conversation.channels).toContainEqual(
      expect.objectContaining({ channel: "messenger", address: psid }),
    );
    expect(messengerTexts(t.events)).toContain("Started from the button");
    expect(await conversationsOf(psid)).toHaveLength(1);
  });

  it("lands text, attachments and quick replies; absorbs a redelivered mid; ignores echoes", async () => {
    const { web, psid } = await linked();
    const pageId = PAGES.shop;
    const repeated = messageEvent({ psid, pageId, text: "Said once, delivered three times" });
    const jpeg = JPEG;
    const pdf = pdfOf("invoice");
    const photoUrl = `${peer.media.cdn("v/t1/476_n.jpg", jpeg)}?_nc_cat=1&oh=00_AfB`;
    const invoiceUrl = peer.media.cdn("invoice.pdf", pdf);
    const withFiles = messageEvent({
      psid,
      pageId,
      attachments: [
        { type: "image", url: photoUrl },
        { type: "file", url: invoiceUrl },
        { type: "file", url: `${peer.url}/cdn/expired.pdf` },
        { type: "location", url: "https://maps.example/?q=52.37,4.89" },
      ],
    });
    await hook([
      repeated,
      withFiles,
      messageEvent({ psid, pageId, text: "Yes please", quickReply: "CONFIRM_YES" }),
      messageEvent({ psid, pageId, quickReply: "ONLY_PAYLOAD" }),
      echoEvent({ psid, pageId, text: "Our own message, echoed" }),
      repeated,
    ]);
    // Meta retries the whole delivery when it missed our 200.
    await hook([repeated, withFiles]);

    const t = await thread(web.id);
    const texts = messengerTexts(t.events.filter((e) => e.author.role === "visitor"));
    expect(texts).toEqual([
      "Now in Messenger",
      "Said once, delivered three times",
      "[location] https://maps.example/?q=52.37,4.89\n[file] expired.pdf: not kept (Messenger answered 404 for the file)",
      "Yes please",
      "ONLY_PAYLOAD",
    ]);
    // The files are ours now (Meta's links expire), each downloaded once however often it came.
    const files = t.events.find((e) => e.text.startsWith("[location]"))!.attachments!;
    expect(files).toEqual([
      expect.objectContaining({ name: "476_n.jpg", type: "image/jpeg", size: jpeg.length }),
      expect.objectContaining({ name: "invoice.pdf", type: "application/pdf" }),
    ]);
    expect(Buffer.from(await (await fetch(files[1]!.url!)).arrayBuffer())).toEqual(pdf);
    expect(peer.media.downloads.filter((d) => d !== "expired.pdf")).toEqual([
      "v/t1/476_n.jpg",
      "invoice.pdf",
    ]);
    expect(t.events.some((e) => e.text.includes("echoed"))).toBe(false);
    // Still one automatic line.
    expect(t.events.filter((e) => e.author.role === "bot")).toHaveLength(1);
    expect(peer.sentTo(psid)).toHaveLength(1);
  });

  it("takes a batch: entries of two pages of one app, several events each", async () => {
    const shopWeb = await webVisitor("shop");
    const outletWeb = await webVisitor("outlet");
    const [shopRef, outletRef] = [await handoff(shopWeb), await handoff(outletWeb, "outlet")];
    const [a, b, c] = [newPsid(), newPsid(), newPsid()];
    const body = webhookBody([
      {
        pageId: PAGES.shop,
        events: [
          referralEvent({ psid: a, pageId: PAGES.shop, ref: shopRef }),
          messageEvent({ psid: a, pageId: PAGES.shop, text: "a1" }),
          messageEvent({ psid: a, pageId: PAGES.shop, text: "a2" }),
        ],
      },
      {
        pageId: PAGES.outlet,
        events: [
          getStartedEvent({ psid: b, pageId: PAGES.outlet, ref: outletRef }),
          messageEvent({ psid: b, pageId: PAGES.outlet, text: "b1" }),
        ],
      },
      // Another app's page: this app's signature does not reach it.
      { pageId: PAGES.other, events: [messageEvent({ psid: c, pageId: PAGES.other, text: "c1" })] },
    ]);
    const res = await postWebhook(`${server.url}/webhooks/messenger`, APP_SECRET, body);
    expect(res.status).toBe(200);

    const visitorTexts = (t: AgentView) =>
      messengerTexts(t.events.filter((e) => e.author.role === "visitor"));
    expect(visitorTexts(await thread(shopWeb.id))).toEqual(["a1", "a2"]);
    expect(visitorTexts(await thread(outletWeb.id, "outlet"))).toEqual(["b1"]);
    expect(await conversationsOf(c, "other")).toEqual([]);
    await until(() => peer.sentTo(a).length === 1 && peer.sentTo(b).length === 1, "two welcomes");
    expect(peer.calls.filter((call) => call.accessToken === "token-outlet").length).toBeGreaterThan(
      0,
    );
  });

  it("starts a conversation for a PSID never seen, and keeps its later messages there", async () => {
    const psid = newPsid();
    await hook([messageEvent({ psid, pageId: PAGES.shop, text: "Found your page on Facebook" })]);
    await hook([messageEvent({ psid, pageId: PAGES.shop, text: "Are you there?" })]);
    const [only, ...more] = await conversationsOf(psid);
    expect(more).toEqual([]);
    const t = await thread(only!.id);
    expect(messengerTexts(t.events.filter((e) => e.author.role === "visitor"))).toEqual([
      "Found your page on Facebook",
      "Are you there?",
    ]);
    expect(t.conversation.activeChannel).toBe("messenger");
  });

  it("lets a PSID that wrote before follow a new handoff into the new conversation", async () => {
    const psid = newPsid();
    await hook([messageEvent({ psid, pageId: PAGES.shop, text: "An old question" })]);
    const [before] = await conversationsOf(psid);
    // Weeks later, the same person chats on the website and continues in Messenger.
    const web = await webVisitor();
    const ref = await handoff(web);
    await hook([referralEvent({ psid, pageId: PAGES.shop, ref })]);
    await hook([messageEvent({ psid, pageId: PAGES.shop, text: "About today's order" })]);
    expect(messengerTexts((await thread(web.id)).events)).toContain("About today's order");
    expect(messengerTexts((await thread(before!.id)).events)).not.toContain("About today's order");
  });
});

describe("handles that must be refused", () => {
  it("refuses a forged handle and an expired one: the PSID goes on in a conversation of its own", async () => {
    const target = await webVisitor();
    const valid = await handoff(target);
    const flip = (ch: string) => (ch === "a" ? "b" : "a");
    const forged = `${valid.slice(0, 20)}${flip(valid[20]!)}${valid.slice(21)}`;
    const ring = await loadKeyRing(JSON.parse(await testKeys));
    const expired = await createHandleService(ring, {
      now: () => Date.now() - 10 * 24 * HOUR,
    }).issue({ conversationId: target.id, channel: "messenger", ttlSeconds: 3 * 24 * 3600 });
    const emailHandle = await createHandleService(ring).issue({
      conversationId: target.id,
      channel: "email",
      ttlSeconds: 3600,
    });

    for (const [ref, reason] of [
      [forged, "invalid"],
      [expired, "expired"],
      [emailHandle, "invalid"],
    ] as const) {
      const psid = newPsid();
      await hook([getStartedEvent({ psid, pageId: PAGES.shop, ref })]);
      await hook([messageEvent({ psid, pageId: PAGES.shop, text: `from a ${reason} link` })]);
      const [own, ...more] = await conversationsOf(psid);
      expect(more).toEqual([]);
      expect(own!.id).not.toBe(target.id);
      const t = await thread(own!.id);
      expect(t.events.find((e) => e.name === "messenger.link_refused")?.data).toMatchObject({
        psid,
        reason,
      });
      expect(messengerTexts(t.events)).toContain(`from a ${reason} link`);
    }
    const untouched = await thread(target.id);
    expect(untouched.conversation.channels.map((c) => c.channel)).toEqual(["web"]);
    expect(messengerTexts(untouched.events)).toEqual([]);
  });

  it("refuses a handle already bound to another PSID: the newcomer gets a fresh conversation, the agent a note", async () => {
    const web = await webVisitor();
    const ref = await handoff(web);
    const [first, second] = [newPsid(), newPsid()];
    await hook([referralEvent({ psid: first, pageId: PAGES.shop, ref })]);
    // The link was forwarded, or leaked: someone else opens it.
    await hook([getStartedEvent({ psid: second, pageId: PAGES.shop, ref })]);
    await hook([messageEvent({ psid: second, pageId: PAGES.shop, text: "Who is this?" })]);

    const t = await thread(web.id);
    const linkedTo = t.conversation.channels.filter((c) => c.channel === "messenger");
    expect(linkedTo).toEqual([expect.objectContaining({ address: first })]);
    expect(messengerTexts(t.events)).not.toContain("Who is this?");
    const [own] = await conversationsOf(second);
    expect(t.events.find((e) => e.name === "messenger.link_conflict")).toMatchObject({
      type: "system",
      data: { psid: second, conversationId: own!.id },
    });
    const theirs = await thread(own!.id);
    expect(messengerTexts(theirs.events)).toContain("Who is this?");
    expect(theirs.events.find((e) => e.name === "messenger.link_refused")?.data).toMatchObject({
      reason: "taken",
      conversationId: web.id,
    });
    // The first PSID still writes to its thread.
    await hook([messageEvent({ psid: first, pageId: PAGES.shop, text: "Still me" })]);
    expect(messengerTexts((await thread(web.id)).events)).toContain("Still me");
    // Nothing of this reaches the visitor's side.
    const visitorView = await api<{ events: ThreadEvent[] }>(server.url, "/v1/conversation", {
      token: web.token,
    });
    expect(visitorView.body.events.some((e) => e.name?.startsWith("messenger."))).toBe(false);
  });
});

describe("agent replies into Messenger", () => {
  it("send an agent's files after the words, each as an attachment upload (filedata)", async () => {
    const { web, psid } = await linked();
    const upload = (name: string, bytes: Uint8Array) =>
      agentUpload(server.url, agentTokens.shop!, web.id, name, bytes);
    const png = PNG;
    const pdf = pdfOf("receipt");
    const ids = [await upload("receipt.png", png), await upload("receipt.pdf", pdf)];
    const sent = await api(server.url, `/v1/agent/conversations/${web.id}/messages`, {
      token: agentTokens.shop!,
      body: { text: "Here are your receipts.", attachments: ids, channel: "messenger" },
    });
    expect(sent.status).toBe(201);
    const [words, image, file] = peer.sentTo(psid).slice(-3);
    expect(words?.text).toBe("Here are your receipts.");
    expect(image?.file).toMatchObject({
      type: "image",
      name: "receipt.png",
      mimeType: "image/png",
    });
    expect(Buffer.from(image!.file!.bytes).equals(png)).toBe(true);
    expect(file?.file).toMatchObject({ type: "file", name: "receipt.pdf" });
    expect(Buffer.from(file!.file!.bytes).equals(pdf)).toBe(true);
    expect(file?.messagingType).toBe(words?.messagingType);
  });

  it("goes as RESPONSE within 24 hours of the visitor's last message", async () => {
    const { web, psid } = await linked();
    const res = await agentReply(web.id, "Your parcel left this morning.");
    expect(res.status).toBe(201);
    expect(res.body.deliveredVia).toBe("messenger");
    const sent = peer.sentTo(psid).at(-1)!;
    expect(sent).toMatchObject({
      messagingType: "RESPONSE",
      text: "Your parcel left this morning.",
    });
    expect(sent.tag).toBeUndefined();
  });

  it("goes as MESSAGE_TAG + HUMAN_AGENT between 24 hours and 7 days", async () => {
    const psid = newPsid();
    // Meta's timestamp says when the visitor wrote; this delivery comes 30 hours late.
    const wrote = Date.now() - 30 * HOUR;
    await hook([
      messageEvent({ psid, pageId: PAGES.shop, text: "Sent yesterday", timestamp: wrote }),
    ]);
    const [conversation] = await conversationsOf(psid);
    // The console can say so before the agent types: a reply is possible for 7 days from then.
    expect(conversation!.channels).toContainEqual(
      expect.objectContaining({
        channel: "messenger",
        replyUntil: new Date(wrote + 7 * 24 * HOUR).toISOString(),
      }),
    );
    const res = await agentReply(conversation!.id, "Sorry for the wait!");
    expect(res.status).toBe(201);
    // No automatic line outside the 24 hours: a bot may not use the HUMAN_AGENT tag.
    expect(peer.sentTo(psid)).toEqual([
      expect.objectContaining({
        messagingType: "MESSAGE_TAG",
        tag: "HUMAN_AGENT",
        text: "Sorry for the wait!",
      }),
    ]);
  });

  it("is refused after 7 days with 409 channel_unavailable suggesting email; nothing stored or sent", async () => {
    const psid = newPsid();
    await hook([
      messageEvent({
        psid,
        pageId: PAGES.shop,
        text: "Last week",
        timestamp: Date.now() - 8 * 24 * HOUR,
      }),
    ]);
    const [conversation] = await conversationsOf(psid);
    const before = (await thread(conversation!.id)).conversation.lastSeq;
    const res = await agentReply(conversation!.id, "Too late?");
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: "channel_unavailable",
      message: "Messenger's 7-day window has closed: continue by email",
    });
    expect((await thread(conversation!.id)).conversation.lastSeq).toBe(before);
    expect(peer.sentTo(psid)).toEqual([]);
  });

  it("retries a transient Graph failure and delivers the reply once", async () => {
    const { web, psid } = await linked();
    peer.failNext(2);
    const text = "Delivered despite two hiccups";
    const res = await agentReply(web.id, text);
    expect(res.status).toBe(201);
    const attempts = peer.calls.filter(
      (call) => (call.body.message as { text?: string } | undefined)?.text === text,
    );
    expect(attempts.map((call) => call.status)).toEqual([500, 500, 200]);
    expect(attempts[0]!.response).toMatchObject({ error: { code: 2, is_transient: true } });
    expect(peer.sentTo(psid).filter((m) => m.text === text)).toHaveLength(1);
    const t = await thread(web.id);
    expect(t.events.filter((e) => e.text === text)).toHaveLength(1);
    expect(t.events.some((e) => e.name === "delivery.failed")).toBe(false);
  });

  it("shows Graph's error to the agent and records it when Meta refuses", async () => {
    const { web, psid } = await linked("broken");
    // The welcome line already failed on the revoked token: recorded in the thread.
    await until(
      async () => (await thread(web.id, "broken")).events.some((e) => e.name === "delivery.failed"),
      "the welcome's failure",
    );
    const res = await agentReply(web.id, "Can you read me?", "broken");
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("upstream_failed");
    expect(res.body.error.message).toContain("Invalid OAuth access token");
    expect(res.body.error.message).toContain("190");
    const failed = peer.calls.filter((call) => call.accessToken === "token-revoked");
    expect(failed.at(-1)!.response).toMatchObject({
      error: { type: "OAuthException", code: 190, fbtrace_id: expect.any(String) },
    });
    const t = await thread(web.id, "broken");
    const reply = t.events.find((e) => e.text === "Can you read me?")!;
    expect(t.events.filter((e) => e.name === "delivery.failed").at(-1)).toMatchObject({
      data: { seq: reply.seq, code: "upstream_failed" },
      text: expect.stringContaining("Invalid OAuth access token"),
    });
    expect(peer.sentTo(psid)).toEqual([]);
  });

  it("splits a reply over 2,000 characters into messages Meta accepts, in order", async () => {
    const { web, psid } = await linked();
    const long = `${"First part. ".repeat(150)}\n\n${"Second part. ".repeat(100)}`.trim();
    expect(long.length).toBeGreaterThan(3000);
    expect((await agentReply(web.id, long)).status).toBe(201);
    const parts = peer.sentTo(psid).slice(1);
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(2000);
    expect(parts[0]!.text.startsWith("First part.")).toBe(true);
    expect(parts[1]!.text.startsWith("Second part.")).toBe(true);
  });
});

describe("the round trip: web → Messenger → web", () => {
  it("keeps one thread that the agent and the visitor both see whole", async () => {
    // On the website.
    const started = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
      body: { siteId: "shop", context: { url: "https://shop.example/orders/42" } },
    });
    const web = { token: started.body.token, id: started.body.conversation.id };
    const say = (clientId: string, text: string) =>
      api(server.url, "/v1/messages", { token: web.token, body: { clientId, text } });
    await say("w1", "Hi, my order #42 has not arrived.");
    expect((await agentReply(web.id, "Let me check that for you.")).body.deliveredVia).toBe("web");
    await say("w2", "I have to go, can we continue in Messenger?");

    // "Continue in Messenger": the m.me link, opened; Get Started carries its ref.
    const ref = await handoff(web);
    const psid = newPsid();
    await hook([getStartedEvent({ psid, pageId: PAGES.shop, ref })]);
    await hook([messageEvent({ psid, pageId: PAGES.shop, text: "On my phone now." })]);
    const [welcome] = await until(
      () => peer.sentTo(psid).length === 1 && peer.sentTo(psid),
      "welcome",
    );

    // The agent answers from the console; it goes by Messenger.
    const reply = await agentReply(web.id, "Found it: it ships tomorrow.");
    expect(reply.body.deliveredVia).toBe("messenger");
    expect(peer.sentTo(psid).at(-1)).toMatchObject({
      messagingType: "RESPONSE",
      text: "Found it: it ships tomorrow.",
    });
    await hook([messageEvent({ psid, pageId: PAGES.shop, text: "Great, thanks!" })]);

    // Back on the website (same browser): the Messenger part is in the thread.
    const back = await api<{ conversation: Conversation; events: ThreadEvent[] }>(
      server.url,
      "/v1/conversation",
      { token: web.token },
    );
    const seen = back.body.events.filter((e) => e.type === "message").map((e) => e.text);
    expect(seen).toEqual([
      "Hi, my order #42 has not arrived.",
      "Let me check that for you.",
      "I have to go, can we continue in Messenger?",
      "On my phone now.",
      welcome!.text,
      "Found it: it ships tomorrow.",
      "Great, thanks!",
    ]);
    await say("w3", "Back on my laptop: thanks!");
    expect((await thread(web.id)).conversation.activeChannel).toBe("web");

    // Another device, through the resume link in the welcome line.
    const link = welcome!.text.match(/https?:\/\/\S+\/r\/[a-z2-7]+/)![0];
    const redirect = await fetch(link, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    const code = new URL(redirect.headers.get("location")!).hash.split("=")[1]!;
    const resumed = await api<ConversationSnapshot>(server.url, "/v1/resume", { body: { code } });
    expect(resumed.status).toBe(200);
    expect(resumed.body.conversation.id).toBe(web.id);
    expect(resumed.body.events.map((e) => e.text)).toContain("Great, thanks!");

    // The agent sees ONE thread, web and Messenger interleaved.
    const t = await thread(web.id);
    expect(t.earlier).toEqual([]);
    expect(await conversationsOf(psid)).toHaveLength(1);
    const channels = t.events.filter((e) => e.type === "message").map((e) => e.channel);
    expect(channels).toEqual([
      "web",
      "web",
      "web",
      "messenger",
      "messenger",
      "messenger",
      "messenger",
      "web",
    ]);
    const rows = t.events.map(
      (e) =>
        `${String(e.seq).padStart(3)}  ${e.channel.padEnd(9)}  ${`${e.author.role}${e.author.name ? ` (${e.author.name})` : ""}`.padEnd(26)}  ${e.type === "system" ? `[${e.name}] ` : ""}${e.text}`,
    );
    console.log(
      `\nOne thread, as the agent sees it (conversation ${web.id}):\n seq  channel    author                      text\n${rows.join("\n")}\n`,
    );
  });
});

describe("the demo's Messenger simulator", () => {
  let demo: RunningServer;

  beforeAll(async () => {
    demo = await startServer({
      env: { PORT: "0", HOST: "127.0.0.1", OMNITHREAD_KEYS: await testKeys },
      log: silentLogger,
      limits: { startPerIp: loose, requestsPerIp: loose },
      messengerSimulator: true,
    });
  });
  afterAll(() => demo?.stop());

  it("plays Meta's side: the handoff opens it, it signs webhooks, and shows what we sent", async () => {
    const started = await api<ConversationSnapshot>(demo.url, "/v1/conversations", {
      body: { siteId: "demo" },
    });
    expect(started.body.site.channels).toContain("messenger");
    const token = started.body.token;
    await api(demo.url, "/v1/messages", { token, body: { clientId: "d1", text: "Hello" } });
    const handed = await api<{ url: string }>(demo.url, "/v1/handoff", {
      token,
      body: { channel: "messenger" },
    });
    const url = new URL(handed.body.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${demo.config.publicUrl}/demo/messenger`);
    const ref = url.searchParams.get("ref")!;

    // The phone page: no inline script or style, under a strict CSP.
    const pageRes = await fetch(`${demo.url}/demo/messenger?ref=${ref}`);
    expect(pageRes.status).toBe(200);
    expect(pageRes.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await pageRes.text();
    expect(html).toContain('src="/demo/messenger/app.js"');
    expect(html).not.toMatch(/<script>|<style|style=/);
    expect((await fetch(`${demo.url}/demo/messenger/app.js`)).headers.get("content-type")).toMatch(
      /javascript/,
    );

    const psid = "9123456789012345";
    const act = (body: Record<string, unknown>) =>
      api(demo.url, "/demo/messenger/send", { body: { psid, ...body } });
    expect((await act({ action: "get_started", ref })).status).toBe(200);
    expect((await act({ action: "message", text: "Typing on the phone" })).status).toBe(200);

    const bubbles = async () =>
      (
        await api<{ bubbles: Array<{ from: string; text: string; note?: string }> }>(
          demo.url,
          `/demo/messenger/inbox?psid=${psid}`,
        )
      ).body.bubbles;
    // The automatic line with the resume link reaches the phone first.
    await until(async () => (await bubbles()).length === 3, "the welcome line");

    const login = await api<{ token: string }>(demo.url, "/v1/agent/login", {
      body: { email: "agent@example.com", password: "omnithread-demo" },
    });
    const id = started.body.conversation.id;
    const reply = await api<{ deliveredVia: string }>(
      demo.url,
      `/v1/agent/conversations/${id}/messages`,
      { token: login.body.token, body: { text: "Hi from the console" } },
    );
    expect(reply.body.deliveredVia).toBe("messenger");

    const inbox = await until(async () => {
      const all = await bubbles();
      return all.length >= 4 && all;
    }, "the phone's thread");
    expect(inbox.map((b) => b.from)).toEqual(["person", "person", "business", "business"]);
    expect(inbox[2]!.text).toContain("/r/");
    expect(inbox[3]).toMatchObject({ text: "Hi from the console", note: "sent as RESPONSE" });

    const thread = await api<{ events: ThreadEvent[] }>(demo.url, "/v1/conversation", { token });
    expect(thread.body.events.map((e) => e.text)).toContain("Typing on the phone");
  });
});
