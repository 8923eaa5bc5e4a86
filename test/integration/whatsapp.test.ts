import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Contact, ThreadEvent } from "../../sdk/protocol.ts";
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
import { agentUpload, JPEG, pdf as pdfOf } from "../helpers/files.ts";
import { type GraphApiPeer, startGraphApiPeer } from "../helpers/graph-api-peer.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

/**
 * WhatsApp end to end: a real server, Cloud API webhooks shaped as Meta sends them (the bodies of
 * `test/fixtures/whatsapp/`, signed with the app secret over the raw bytes), and the Cloud API
 * played by a peer on 127.0.0.1 that keeps Meta's 24-hour rule and records what was sent.
 */

/** The shop answers in free form only; the outlet has a template for after the window. */
const NUMBERS = {
  shop: {
    phoneNumberId: "110245678901234",
    number: "15550142233",
    accessToken: "EAAG-shop-cloud-api-token",
    appSecret: "app-secret-of-the-shops-meta-app",
    verifyToken: "verify-shop-whatsapp",
  },
  outlet: {
    phoneNumberId: "110245678909999",
    number: "15550149999",
    accessToken: "EAAG-outlet-cloud-api-token",
    appSecret: "app-secret-of-the-outlets-meta-app",
    verifyToken: "verify-outlet-whatsapp",
    template: { name: "order_update", language: "en_US", textParameter: true },
  },
} as const;
type SiteId = keyof typeof NUMBERS;
const SITE_IDS = Object.keys(NUMBERS) as SiteId[];

const SITES = JSON.stringify({
  sites: SITE_IDS.map((id) => suiteSite(id, { whatsapp: NUMBERS[id] })),
});
const HOUR = 3_600_000;

let server: RunningServer;
let peer: GraphApiPeer;
const agentTokens: Partial<Record<SiteId, string>> = {};

beforeAll(async () => {
  peer = await startGraphApiPeer({
    accessTokens: [],
    whatsapp: {
      accessTokens: SITE_IDS.map((id) => NUMBERS[id].accessToken),
      phoneNumberIds: SITE_IDS.map((id) => NUMBERS[id].phoneNumberId),
    },
  });
  server = await startTestServer(
    { OMNITHREAD_SITES: SITES, GRAPH_API_URL: peer.url },
    SUITE_LIMITS,
  );
  Object.assign(agentTokens, await loginSiteAgents(server.url, SITE_IDS));
});
afterAll(async () => {
  await server?.stop();
  await peer?.stop();
});

// ---- Webhooks as Meta sends them ----

type Fixture = { entry: Array<{ changes: Array<{ value: Record<string, unknown> }> }> };
const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(`test/fixtures/whatsapp/${name}.json`, "utf8"));

let numbers = 0;
/** A customer's WhatsApp id: a UK mobile number, digits only. */
const newWaId = () => `4477009${String(Date.now() % 100_000).padStart(5, "0")}${numbers++ % 10}`;
let wamids = 0;
const newWamid = () =>
  `wamid.${Buffer.from(`in-${Date.now()}-${wamids++}`).toString("base64").replaceAll("=", "")}`;

/** A fixture's body turned to one customer's message to one business number. */
function inbound(
  name: "webhook-text" | "webhook-image" | "webhook-document",
  options: { waId: string; siteId?: SiteId; text?: string; at?: number; wamid?: string },
) {
  const body = fixture(name);
  const value = body.entry[0]!.changes[0]!.value as {
    metadata: { display_phone_number: string; phone_number_id: string };
    contacts: Array<{ wa_id: string }>;
    messages: Array<Record<string, unknown> & { text?: { body: string } }>;
  };
  const { number, phoneNumberId } = NUMBERS[options.siteId ?? "shop"];
  value.metadata = { display_phone_number: number, phone_number_id: phoneNumberId };
  value.contacts[0]!.wa_id = options.waId;
  const message = value.messages[0]!;
  message.from = options.waId;
  message.id = options.wamid ?? newWamid();
  message.timestamp = String(Math.floor((options.at ?? Date.now()) / 1000));
  if (options.text !== undefined) message.text = { body: options.text };
  return body;
}

/** A status webhook (the fixture's) about one of our messages. */
function statusOf(
  status: "sent" | "delivered" | "read" | "failed",
  wamid: string,
  waId: string,
  siteId: SiteId = "shop",
) {
  const body = fixture(`webhook-status-${status}`);
  const value = body.entry[0]!.changes[0]!.value as {
    metadata: { phone_number_id: string };
    statuses: Array<{ id: string; recipient_id: string }>;
  };
  value.metadata.phone_number_id = NUMBERS[siteId].phoneNumberId;
  value.statuses[0]!.id = wamid;
  value.statuses[0]!.recipient_id = waId;
  return body;
}

const sign = (secret: string, raw: string | Buffer) =>
  `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;

/** POSTs a body as Meta does: its bytes, signed with the app secret (or `signature` as given). */
async function hook(body: unknown, options: { siteId?: SiteId; signature?: string | null } = {}) {
  const raw = JSON.stringify(body);
  const signature =
    options.signature === undefined
      ? sign(NUMBERS[options.siteId ?? "shop"].appSecret, raw)
      : options.signature;
  const res = await fetch(`${server.url}/webhooks/whatsapp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature ? { "x-hub-signature-256": signature } : {}),
    },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The customer writes to the business: Meta's window opens for them, and the webhook comes. */
async function customerSays(
  waId: string,
  text: string,
  options: { siteId?: SiteId; at?: number; wamid?: string } = {},
) {
  const at = options.at ?? Date.now();
  peer.cloud.customerWrote(waId, at);
  const res = await hook(inbound("webhook-text", { waId, text, at, ...options }), options);
  expect(res.status).toBe(200);
  return res;
}

// ---- The visitor and the agent ----

const webVisitor = (siteId: SiteId = "shop", first?: string) =>
  visitOnWeb(server.url, siteId, first);

/** `POST /v1/handoff { channel: "whatsapp" }`: the prefilled text of the answered wa.me link. */
async function handoff(web: WebVisitor, siteId: SiteId = "shop"): Promise<string> {
  const url = await handoffLink(server.url, web, "whatsapp");
  expect(`${url.origin}${url.pathname}`).toBe(`https://wa.me/${NUMBERS[siteId].number}`);
  return url.searchParams.get("text")!;
}

const thread = (id: string, siteId: SiteId = "shop") =>
  threadOf(server.url, agentTokens[siteId]!, id);

const reply = (id: string, value: string, siteId: SiteId = "shop") =>
  api<{ event: ThreadEvent; deliveredVia: string; error?: { code: string; message: string } }>(
    server.url,
    `/v1/agent/conversations/${id}/messages`,
    { token: agentTokens[siteId]!, body: { text: value, channel: "whatsapp" } },
  );

const sentTo = (waId: string) => peer.cloud.sent.filter((m) => m.to === waId);
const whatsappEntry = async (id: string, siteId: SiteId = "shop") =>
  (await thread(id, siteId)).conversation.channels.find((c) => c.channel === "whatsapp");

/** A web visitor who moved to WhatsApp by the wa.me link and sent its text: their number is linked. */
async function linked(siteId: SiteId = "shop", at = Date.now()) {
  const web = await webVisitor(siteId);
  const waId = newWaId();
  await customerSays(waId, await handoff(web, siteId), { siteId, at });
  return { web, waId };
}

// ---- Tests ----

describe("the WhatsApp webhook", () => {
  it("answers Meta's verification with the challenge for a site's verify token, 403 otherwise", async () => {
    const verify = (query: string) => fetch(`${server.url}/webhooks/whatsapp?${query}`);
    for (const id of SITE_IDS) {
      const ok = await verify(
        `hub.mode=subscribe&hub.verify_token=${NUMBERS[id].verifyToken}&hub.challenge=1158201444`,
      );
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe("1158201444");
    }
    for (const query of [
      "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
      "hub.mode=subscribe&hub.challenge=1",
      `hub.mode=unsubscribe&hub.verify_token=${NUMBERS.shop.verifyToken}&hub.challenge=1`,
    ]) {
      const refused = await verify(query);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
  });

  it("refuses a POST whose X-Hub-Signature-256 does not match the raw body (401), and lands nothing", async () => {
    const waId = newWaId();
    const body = inbound("webhook-text", { waId, text: "forged" });
    const raw = JSON.stringify(body);
    for (const signature of [
      null,
      "sha256=0000",
      sign("a secret no site has", raw),
      // The shop's secret over other bytes.
      sign(NUMBERS.shop.appSecret, raw.replace("forged", "FORGED")),
    ]) {
      const res = await hook(body, { signature });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: "unauthorized" } });
    }
    // Signed by the outlet's app but naming the shop's number: not the shop's to take.
    expect((await hook(body, { siteId: "outlet" })).status).toBe(200);
    expect(await conversationsOn(server.url, agentTokens.shop!, "whatsapp", waId)).toEqual([]);
    // The genuine article goes through.
    expect((await hook(body)).status).toBe(200);
    expect(await conversationsOn(server.url, agentTokens.shop!, "whatsapp", waId)).toHaveLength(1);
  });

  it("answers 400 for a signed body that is not a WhatsApp webhook, and acknowledges fields it does not act on", async () => {
    for (const body of [{ hello: "world" }, [1, 2], { object: "page", entry: [] }]) {
      const res = await hook(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: "bad_request" } });
    }
    const other = {
      object: "whatsapp_business_account",
      entry: [{ id: "104883712345678", changes: [{ field: "account_update", value: {} }] }],
    };
    expect((await hook(other)).body).toEqual({ ok: true });
  });
});

describe("moving from the web chat to WhatsApp", () => {
  it("gives a wa.me link whose text carries a one-time code", async () => {
    const web = await webVisitor();
    const res = await api<{ url: string }>(server.url, "/v1/handoff", {
      token: web.token,
      body: { channel: "whatsapp" },
    });
    expect(res.body.url).toMatch(
      /^https:\/\/wa\.me\/15550142233\?text=Continue%20my%20chat%20[A-Z2-9]{4}-[A-Z2-9]{4}$/,
    );
    // Each handoff gives a fresh code.
    expect(await handoff(web)).not.toBe(new URL(res.body.url).searchParams.get("text"));
  });

  it("links the number by the code in the first message, answers once with the resume link, and lands later messages in the web thread", async () => {
    const web = await webVisitor("shop", "Where is my parcel?");
    const prefill = await handoff(web);
    const waId = newWaId();
    const at = Date.now() - 60_000;
    const wamid = newWamid();
    await customerSays(waId, prefill, { at, wamid });
    // Meta redelivers what it had no 200 for: absorbed, the code not spent twice.
    await customerSays(waId, prefill, { at, wamid });

    let t = await thread(web.id);
    expect(t.conversation.activeChannel).toBe("whatsapp");
    const entry = t.conversation.channels.find((c) => c.channel === "whatsapp");
    expect(entry).toMatchObject({ address: waId });
    // The window runs 24 hours from when the customer wrote.
    expect(entry!.replyUntil).toBe(
      new Date(Math.floor(at / 1000) * 1000 + 24 * HOUR).toISOString(),
    );
    expect(t.events.map((e) => e.name).filter(Boolean)).toEqual(
      expect.arrayContaining(["handoff.requested", "channel.linked", "whatsapp.opened"]),
    );
    expect(t.contact.identities).toContainEqual(
      expect.objectContaining({ kind: "whatsapp", value: waId, verified: true }),
    );
    const landed = t.events.filter((e) => e.text === prefill);
    expect(landed).toHaveLength(1);
    expect(landed[0]).toMatchObject({
      type: "message",
      channel: "whatsapp",
      author: { role: "visitor" },
      data: { from: { name: "Dana Ivers" } },
    });

    const [welcome] = await eventually(() => sentTo(waId).length === 1 && sentTo(waId), "welcome");
    expect(welcome!.text).toContain(`${server.config.publicUrl}/r/`);
    expect(channelTexts(t.events, "whatsapp")).toEqual([prefill, welcome!.text]);

    await customerSays(waId, "Here I am in WhatsApp");
    t = await thread(web.id);
    expect(t.events.filter((e) => e.text === "Here I am in WhatsApp")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(sentTo(waId).map((m) => m.text)).toEqual([welcome!.text]);

    // The CRM hears it on the site feed, from WhatsApp, and finds the contact by the number.
    const heard = (await feedOf(server.url, agentTokens.shop!, web.id)).filter(
      (item) =>
        item.type === "message.created" &&
        item.data.event?.channel === "whatsapp" &&
        item.data.event.author.role === "visitor",
    );
    expect(heard.map((item) => item.data.event?.text)).toEqual([prefill, "Here I am in WhatsApp"]);
    const found = await api<{ contacts: Contact[] }>(
      server.url,
      `/v1/agent/contacts?waId=${waId}`,
      { token: agentTokens.shop! },
    );
    expect(found.body.contacts.map((c) => c.id)).toEqual([t.contact.id]);
  });

  it("links the code however the visitor edited the text around it", async () => {
    const web = await webVisitor();
    const code = (await handoff(web)).split(" ").at(-1)!;
    const waId = newWaId();
    await customerSays(waId, `hello! my code is ${code.toLowerCase()}, I need help`);
    expect((await whatsappEntry(web.id))?.address).toBe(waId);
  });

  it("keeps images and documents in the thread's files (the media's URL, then its bytes with the token)", async () => {
    const { web, waId } = await linked();
    const jpeg = JPEG;
    const pdf = pdfOf("invoice 2291");
    peer.media.whatsapp("1298374650192837", jpeg, "image/jpeg");
    peer.media.whatsapp("2037465918273645", pdf, "application/pdf");
    peer.media.downloads.length = 0;
    const image = inbound("webhook-image", { waId });
    for (const body of [image, inbound("webhook-document", { waId }), image]) {
      peer.cloud.customerWrote(waId);
      expect((await hook(body)).status).toBe(200);
    }
    const events = (await thread(web.id)).events.filter(
      (e) => e.author.role === "visitor" && e.channel === "whatsapp" && e.attachments,
    );
    expect(events.map((e) => e.text)).toEqual(["Here is the damaged box", "Invoice attached"]);
    expect(events[0]!.attachments).toEqual([
      expect.objectContaining({ name: "image.jpg", type: "image/jpeg", size: jpeg.length }),
    ]);
    expect(events[1]!.attachments).toEqual([
      expect.objectContaining({ name: "invoice-2291.pdf", type: "application/pdf" }),
    ]);
    const opened = await fetch(events[1]!.attachments![0]!.url!);
    expect(Buffer.from(await opened.arrayBuffer())).toEqual(pdf);
    // Meta delivered the image twice: it was downloaded once.
    expect(peer.media.downloads).toEqual(["1298374650192837", "2037465918273645"]);
  });

  it("starts a conversation of its own for a number that writes without a code", async () => {
    const waId = newWaId();
    await customerSays(waId, "Do you ship to Zagreb?");
    await customerSays(waId, "And to Split?");
    const mine = await conversationsOn(server.url, agentTokens.shop!, "whatsapp", waId);
    expect(mine).toHaveLength(1);
    expect(channelTexts((await thread(mine[0]!.id)).events, "whatsapp")).toEqual(
      expect.arrayContaining(["Do you ship to Zagreb?", "And to Split?"]),
    );
    await eventually(() => sentTo(waId).length === 1, "one welcome");
  });
});

describe("codes that must be refused", () => {
  it("links nothing for an altered or replayed code, or another site's; the number gets its own thread and a polite line", async () => {
    const target = await webVisitor();
    const prefill = await handoff(target);
    const code = prefill.split(" ").at(-1)!;
    // One character changed for another of its kind, so it still reads as a code.
    const c = code[5]!;
    const swapped = /\d/.test(c) ? (c === "2" ? "3" : "2") : c === "A" ? "B" : "A";
    const altered = `${code.slice(0, 5)}${swapped}${code.slice(6)}`;
    const outletCode = (await handoff(await webVisitor("outlet"), "outlet")).split(" ").at(-1)!;

    // The code's owner spends it; the same text from anyone after that is a replay.
    const owner = newWaId();
    await customerSays(owner, prefill);
    for (const [text, words] of [
      [`Continue my chat ${altered}`, "is not valid or was used already"],
      [prefill, "is not valid or was used already"],
      [`Continue my chat ${outletCode}`, "is not valid or was used already"],
    ] as const) {
      const stranger = newWaId();
      await customerSays(stranger, text);
      const [answer] = await eventually(
        () => sentTo(stranger).length > 0 && sentTo(stranger),
        "the polite line",
      );
      expect(answer!.text).toContain(words);
      expect(answer!.text).toContain("https://shop.example");
      const own = await conversationsOn(server.url, agentTokens.shop!, "whatsapp", stranger);
      expect(own).toHaveLength(1);
      const t = await thread(own[0]!.id);
      expect(t.events.map((e) => e.name)).toContain("whatsapp.link_refused");
      // Their message is kept and answered there, not lost.
      expect(channelTexts(t.events, "whatsapp")).toContain(text);
    }
    const t = await thread(target.id);
    expect(t.conversation.channels.filter((c) => c.channel === "whatsapp")).toEqual([
      expect.objectContaining({ address: owner }),
    ]);
  });

  it("are not looked for in what a linked number writes later: an order reference or the link's text again is a message", async () => {
    const { web, waId } = await linked();
    await eventually(() => sentTo(waId).length === 1, "welcome");
    const prefill = channelTexts((await thread(web.id)).events, "whatsapp")[0]!;
    await customerSays(waId, "My order reference is KX42-7HPQ");
    await customerSays(waId, prefill);
    const t = await thread(web.id);
    expect(channelTexts(t.events, "whatsapp")).toEqual(
      expect.arrayContaining(["My order reference is KX42-7HPQ", prefill]),
    );
    expect(t.events.map((e) => e.name)).not.toContain("whatsapp.link_refused");
    // Only the welcome went back: no "this code is not valid".
    await new Promise((r) => setTimeout(r, 100));
    expect(sentTo(waId)).toHaveLength(1);
  });
});

describe("agent replies", () => {
  it("go out as text inside the 24-hour window, and their statuses are shown, each once", async () => {
    const { web, waId } = await linked();
    await eventually(() => sentTo(waId).length === 1, "welcome");
    const sent = await reply(web.id, "Your parcel left today.");
    expect(sent.status).toBe(201);
    expect(sent.body.deliveredVia).toBe("whatsapp");
    const out = sentTo(waId).at(-1)!;
    expect(out).toMatchObject({ type: "text", text: "Your parcel left today." });

    for (const status of ["sent", "delivered", "read", "read"] as const) {
      expect((await hook(statusOf(status, out.wamid, waId))).status).toBe(200);
    }
    const notes = (await thread(web.id)).events.filter((e) => e.name === "whatsapp.status");
    expect(notes.map((e) => e.text)).toEqual(["Delivered in WhatsApp", "Read in WhatsApp"]);
    expect(notes.map((e) => e.data?.seq)).toEqual([sent.body.event.seq, sent.body.event.seq]);
  });

  it("send an agent's files after the words: uploaded to the number's media, a JPEG as an image, a PDF as a document", async () => {
    const { web, waId } = await linked();
    await eventually(() => sentTo(waId).length === 1, "welcome");
    const upload = (name: string, bytes: Uint8Array) =>
      agentUpload(server.url, agentTokens.shop!, web.id, name, bytes);
    const jpeg = JPEG;
    const pdf = pdfOf("label");
    const ids = [await upload("box.jpg", jpeg), await upload("label.pdf", pdf)];
    const sent = await api(server.url, `/v1/agent/conversations/${web.id}/messages`, {
      token: agentTokens.shop!,
      body: { text: "The box and its label:", attachments: ids },
    });
    expect(sent.status).toBe(201);
    const [words, image, document] = sentTo(waId).slice(-3);
    expect(words).toMatchObject({ type: "text", text: "The box and its label:" });
    expect(image).toMatchObject({ type: "image", media: { type: "image/jpeg" } });
    expect(Buffer.from(image!.media!.bytes).equals(jpeg)).toBe(true);
    expect(document).toMatchObject({ type: "document", media: { name: "label.pdf" } });
    expect(Buffer.from(document!.media!.bytes).equals(pdf)).toBe(true);
  });

  it("show a failed status as a delivery failure with Meta's reason", async () => {
    const { web, waId } = await linked();
    const sent = await reply(web.id, "Are you still there?");
    const out = sentTo(waId).at(-1)!;
    await hook(statusOf("failed", out.wamid, waId));
    const failed = (await thread(web.id)).events.filter((e) => e.name === "delivery.failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.text).toContain("Re-engagement message");
    expect(failed[0]!.data).toMatchObject({
      seq: sent.body.event.seq,
      code: 131047,
      channel: "whatsapp",
    });
  });

  it("are refused with 409 window_closed naming the fallbacks once the window has closed; nothing is stored or sent", async () => {
    const wrote = Date.now() - 25 * HOUR;
    const { web, waId } = await linked("shop", wrote);
    expect((await whatsappEntry(web.id))!.replyUntil).toBe(
      new Date(Math.floor(wrote / 1000) * 1000 + 24 * HOUR).toISOString(),
    );
    const before = (await thread(web.id)).events.length;
    const refused = await reply(web.id, "Sorry for the wait");
    expect(refused.status).toBe(409);
    expect(refused.body.error!.code).toBe("window_closed");
    expect(refused.body.error!.message).toContain("24-hour window");
    expect(refused.body.error!.message).toContain("template");
    expect(refused.body.error!.message).toContain("resume link");
    expect((await thread(web.id)).events).toHaveLength(before);
    expect(sentTo(waId)).toEqual([]);

    // The customer writes again: the window reopens, and the reply goes.
    await customerSays(waId, "Hello again");
    expect((await reply(web.id, "Sorry for the wait")).status).toBe(201);
    expect(sentTo(waId).map((m) => m.text)).toContain("Sorry for the wait");
  });

  it("are refused with window_closed when Meta says the window has closed, and the failure is kept", async () => {
    const web = await webVisitor();
    const waId = newWaId();
    // Meta counts from the last message it saw; here that was the day before ours.
    peer.cloud.customerWrote(waId, Date.now() - 25 * HOUR);
    await hook(inbound("webhook-text", { waId, text: await handoff(web) }));
    const failures = async () =>
      (await thread(web.id)).events.filter((e) => e.name === "delivery.failed");
    // The welcome was refused too, and shown.
    await eventually(async () => (await failures()).length === 1, "the welcome's failure");
    const refused = await reply(web.id, "One more thing");
    expect(refused.status).toBe(409);
    expect(refused.body.error!.code).toBe("window_closed");
    const t = await thread(web.id);
    const kept = t.events.find((e) => e.text === "One more thing");
    expect(kept?.author.role).toBe("agent");
    expect((await failures()).at(-1)!.data).toMatchObject({ seq: kept!.seq });
    expect(sentTo(waId)).toEqual([]);
  });

  it("go as the site's template once the window has closed, the reply as its text", async () => {
    const { web, waId } = await linked("outlet", Date.now() - 30 * HOUR);
    const sent = await reply(web.id, "Your refund\nwas sent today.", "outlet");
    expect(sent.status).toBe(201);
    expect(sentTo(waId)).toEqual([
      expect.objectContaining({
        type: "template",
        template: {
          name: "order_update",
          language: "en_US",
          parameters: ["Your refund was sent today."],
        },
      }),
    ]);
    const note = (await thread(web.id, "outlet")).events.find(
      (e) => e.name === "whatsapp.template_sent",
    );
    expect(note?.text).toContain("order_update");
  });
});
