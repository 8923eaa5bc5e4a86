import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Conversation, ConversationSnapshot, ThreadEvent } from "../../sdk/protocol.ts";
import { createHandleService } from "../../server/auth/handles.ts";
import { loadKeyRing } from "../../server/auth/keys.ts";
import { mailgunSignature } from "../../server/channels/email/signature.ts";
import type { RunningServer } from "../../server/node.ts";
import { feedOf, loginAgent } from "../helpers/agent-api.ts";
import { type EmailApiPeer, startEmailApiPeer } from "../helpers/email-api-peer.ts";
import {
  DEMO_HASH,
  type EmailServer,
  emailFixture,
  INBOUND_SECRET,
  MAILGUN_KEY,
  REPLY_DOMAIN,
  SHOP_SITE,
  startEmailServer,
} from "../helpers/email-server.ts";
import { pdf as pdfOf } from "../helpers/files.ts";
import { api, LiveClient, startTestServer, testKeys } from "../helpers/omnithread.ts";
import type { CapturedMail, SmtpPeer } from "../helpers/smtp-peer.ts";

/**
 * Email end to end: a real server sending through nodemailer to a real SMTP peer (the visitor's
 * provider), replies coming back as raw MIME, Postmark JSON, Mailgun forms and over SMTP to the
 * server's own listener, built from fixtures shaped like real clients' mail.
 */

const SECRET = INBOUND_SECRET;

let server: RunningServer;
let smtp: SmtpPeer;
let agentToken: string;
let running: EmailServer;

beforeAll(async () => {
  running = await startEmailServer([
    SHOP_SITE,
    {
      // Continuity with a short delay, for the unseen-reply and transcript-on-resolve tests.
      id: "fast",
      name: "Fast shop",
      origins: ["https://fast.example"],
      url: "https://fast.example/",
      locale: "en",
      agents: [{ email: "agent@fast.example", name: "Fay", passwordHash: DEMO_HASH }],
      email: {
        from: "support@fast.example",
        replyDomain: "reply.fast.example",
        unseenReplyDelaySeconds: 0.4,
      },
    },
    {
      id: "always",
      name: "Always shop",
      origins: ["https://always.example"],
      url: "https://always.example/",
      locale: "en",
      agents: [{ email: "agent@always.example", name: "Al", passwordHash: DEMO_HASH }],
      email: {
        from: "support@always.example",
        replyDomain: "reply.always.example",
        transcriptOnResolve: true,
      },
    },
  ]);
  ({ server, smtp, agentToken } = running);
});
afterAll(() => running?.stop());

// ---- helpers ----

let n = 0;
const FIRST_TEXT = 'Where is my order? <script>alert("x")</script> & "thanks"';

interface Handed {
  id: string;
  token: string;
  email: string;
  mail: CapturedMail;
  replyTo: string;
  messageId: string;
}

/** A web visitor who wrote once and then continued by email; the transcript mail it got. */
async function handedOff(
  email = `ana${++n}@example.com`,
  options: { siteId?: string; transcript?: boolean } = {},
): Promise<Handed> {
  const siteId = options.siteId ?? "shop";
  const started = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
    body: { siteId, context: { url: `https://${siteId}.example/orders/42`, locale: "en" } },
  });
  const { token } = started.body;
  await api(server.url, "/v1/messages", { token, body: { clientId: "w1", text: FIRST_TEXT } });
  const res = await api(server.url, "/v1/handoff", {
    token,
    body: {
      channel: "email",
      email: email.toUpperCase(),
      ...(options.transcript !== undefined ? { transcript: options.transcript } : {}),
    },
  });
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ channel: "email", address: email });
  const mail = await smtp.waitFor((m) => m.envelope.to.includes(email));
  return {
    id: started.body.conversation.id,
    token,
    email,
    mail,
    replyTo: mail.parsed.replyTo?.[0]?.address ?? "",
    messageId: mail.parsed.messageId ?? "",
  };
}

const reply = (h: Handed, name: string, from = h.email) =>
  emailFixture(name, { from, to: h.replyTo, inReplyTo: h.messageId });

function postRaw(raw: string, secret = SECRET) {
  return api<{ status: string; reason?: string; seq?: number; duplicate?: boolean }>(
    server.url,
    "/webhooks/email/raw",
    { body: raw, headers: { authorization: `Bearer ${secret}`, "content-type": "message/rfc822" } },
  );
}

async function thread(id: string): Promise<{ conversation: Conversation; events: ThreadEvent[] }> {
  const res = await api<{ conversation: Conversation; events: ThreadEvent[] }>(
    server.url,
    `/v1/agent/conversations/${id}`,
    { token: agentToken },
  );
  expect(res.status).toBe(200);
  return res.body;
}

const emailMessages = async (id: string) =>
  (await thread(id)).events.filter((e) => e.type === "message" && e.channel === "email");

async function mailgunForm(fields: Record<string, string>, timestamp?: string, token?: string) {
  const ts = timestamp ?? String(Math.floor(Date.now() / 1000));
  const tk = token ?? crypto.randomUUID().replace(/-/g, "");
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("timestamp", ts);
  form.set("token", tk);
  form.set("signature", await mailgunSignature(ts, tk, MAILGUN_KEY));
  return form;
}

const postMailgun = (form: FormData) =>
  fetch(`${server.url}/webhooks/email/mailgun`, { method: "POST", body: form });

// ---- tests ----

describe("handoff by email", () => {
  it("sends the transcript with our headers, the resume link, and escaped HTML", async () => {
    const h = await handedOff();
    const { parsed } = h.mail;
    expect(parsed.from?.address).toBe("support@shop.example");
    expect(parsed.from?.name).toBe("The shop");
    expect(h.replyTo).toMatch(/^reply\+[a-z2-7]{44}@reply\.shop\.example$/);
    expect(h.replyTo.split("@")[0]!.length).toBeLessThanOrEqual(64);
    expect(h.messageId).toMatch(/^<ot\.[a-z2-7]{44}\.[0-9a-f]{16}@reply\.shop\.example>$/);
    expect(h.mail.header("auto-submitted")).toBe("auto-generated");
    expect(h.mail.header("in-reply-to")).toBeUndefined();
    expect(parsed.subject).toBe("Your conversation with The shop");
    const link = new RegExp(`${server.config.publicUrl}/r/[a-z2-7]{44}`);
    expect(parsed.text).toMatch(link);
    expect(parsed.html).toMatch(link);
    expect(parsed.text).toContain(FIRST_TEXT);
    expect(parsed.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;");
    expect(parsed.html).not.toContain("<script>");
    // The resume link works.
    const resume = await fetch(parsed.text!.match(link)![0], { redirect: "manual" });
    expect(resume.status).toBe(302);
    expect(resume.headers.get("location")).toMatch(
      /^https:\/\/shop\.example\/orders\/42#omnithread-resume=/,
    );

    const { conversation, events } = await thread(h.id);
    expect(conversation.activeChannel).toBe("email");
    expect(conversation.channels).toContainEqual(
      expect.objectContaining({ channel: "email", address: h.email }),
    );
    expect(events.find((e) => e.name === "email.sent")?.data).toMatchObject({
      messageId: h.messageId,
      kind: "transcript",
    });
  });

  it("refuses a bad address and an address of our own reply domain", async () => {
    const started = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
      body: { siteId: "shop" },
    });
    for (const email of ["not-an-address", "a@b.c\r\nBcc: x@y.z", `reply+x@${REPLY_DOMAIN}`]) {
      const res = await api(server.url, "/v1/handoff", {
        token: started.body.token,
        body: { channel: "email", email },
      });
      expect(res.status).toBe(400);
    }
  });
});

describe("replies by email", () => {
  it("a Gmail reply by the raw webhook lands stripped, with the original kept (printed)", async () => {
    const h = await handedOff();
    const raw = reply(h, "gmail-reply-qp.eml");
    expect((await postRaw(raw, "wrong-secret-0123456789")).status).toBe(401);
    const res = await postRaw(raw);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "accepted", duplicate: false });
    const [message] = await emailMessages(h.id);
    expect(message!.text).toBe("Yes — order 1234, the blue “Ærø” jacket. Size L please.");
    expect(message!.author.role).toBe("visitor");
    expect(message!.data).toMatchObject({ from: h.email, matchedBy: "address", stripped: true });
    expect(message!.data?.original).toContain("wrote:");
    expect(message!.data?.fromOther).toBeUndefined();

    // The same delivery again is absorbed.
    const again = await postRaw(raw);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "accepted", duplicate: true, seq: res.body.seq });
    expect(await emailMessages(h.id)).toHaveLength(1);

    // The CRM hears it on the site feed (and its webhooks): once, as an email message.
    const heard = (await feedOf(server.url, agentToken, h.id)).filter(
      (item) => item.type === "message.created" && item.data.event?.channel === "email",
    );
    expect(heard.map((item) => item.data.event?.text)).toEqual([message!.text]);

    const { events } = await thread(h.id);
    console.log("\n--- parsed reply (test/fixtures/email/gmail-reply-qp.eml) ---");
    console.log(JSON.stringify({ text: message!.text, data: message!.data }, null, 2));
    console.log("--- the thread it landed in (seq, channel, author, text) ---");
    for (const e of events) {
      console.log(
        `${String(e.seq).padStart(2)}  ${e.channel.padEnd(6)} ${(e.author.name ?? e.author.role).padEnd(8)} ${e.type === "system" ? `[${e.name}] ` : ""}${e.text.replace(/\n/g, " ⏎ ").slice(0, 90)}`,
      );
    }
  });

  it("decodes base64, ISO-8859-2 and KOI8-R bodies and strips each client's quote", async () => {
    const h = await handedOff();
    expect((await postRaw(reply(h, "apple-mail-reply-base64.eml"))).status).toBe(201);
    expect((await postRaw(reply(h, "outlook-reply-iso-8859-2.eml"))).status).toBe(201);
    // Sent to the support address: only In-Reply-To names the thread.
    const koi = emailFixture("koi8r-in-reply-to-only.eml", {
      from: h.email,
      to: "",
      inReplyTo: h.messageId,
    });
    const res = await postRaw(koi);
    expect(res.body.status).toBe("accepted");
    const texts = (await emailMessages(h.id)).map((e) => e.text);
    expect(texts).toEqual([
      "Hvala! Stiglo je danas.",
      "Poštovani, paket još nije stigao. Molim provjerite.\n\nLijep pozdrav,",
      "Спасибо, посылка пришла. Всё в порядке.",
    ]);
    const last = (await emailMessages(h.id)).at(-1)!;
    expect(last.data).toMatchObject({ matchedBy: "references", fromName: "Иван Петров" });
  });

  it("reads HTML-only mail as text, and keeps attachments in the thread's files", async () => {
    const h = await handedOff();
    await postRaw(reply(h, "html-only.eml"));
    await postRaw(reply(h, "signature-attachment.eml"));
    const [html, attached] = await emailMessages(h.id);
    expect(html!.text).toBe("Is <b>bold</b> shown as text? & can I pay by card?");
    expect(attached!.text).toBe("Here is the invoice you asked for.");
    expect(attached!.attachments).toEqual([
      expect.objectContaining({ name: "invoice-1234.pdf", type: "application/pdf" }),
    ]);
    expect(attached!.data?.attachments).toEqual([
      expect.objectContaining({ filename: "invoice-1234.pdf", mimeType: "application/pdf" }),
    ]);
  });

  it("keeps an image pasted into the mail (inline, by Content-ID, without a name)", async () => {
    const h = await handedOff();
    const png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    const raw = [
      `From: Ana <${h.email}>`,
      `To: ${h.replyTo}`,
      "Subject: Re: Your conversation",
      "Message-ID: <pasted-1@mail.example.net>",
      `In-Reply-To: ${h.messageId}`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/related; boundary="rel"',
      "",
      "--rel",
      "Content-Type: text/html; charset=utf-8",
      "",
      '<p>This is what I see:</p><img src="cid:shot@ana">',
      "--rel",
      "Content-Type: image/png",
      "Content-Transfer-Encoding: base64",
      "Content-Disposition: inline",
      "Content-ID: <shot@ana>",
      "",
      png,
      "--rel--",
      "",
    ].join("\r\n");
    expect((await postRaw(raw)).body).toMatchObject({ status: "accepted" });
    const [message] = await emailMessages(h.id);
    expect(message!.text).toBe("This is what I see:");
    expect(message!.attachments).toEqual([
      expect.objectContaining({ name: "inline-image.png", type: "image/png", size: 70 }),
    ]);
  });

  it("marks a reply from another address, and parks a forged, altered or expired handle", async () => {
    const h = await handedOff();
    await postRaw(reply(h, "gmail-reply-qp.eml", "colleague@example.org"));
    const [other] = await emailMessages(h.id);
    expect(other!.data).toMatchObject({ fromOther: true, from: "colleague@example.org" });

    const before = (await thread(h.id)).conversation.lastSeq;
    const handle = h.replyTo.slice("reply+".length, h.replyTo.indexOf("@"));
    const altered = `reply+${handle.slice(0, -1)}${handle.endsWith("a") ? "b" : "a"}@${REPLY_DOMAIN}`;
    for (const to of [altered, `reply+${"a".repeat(44)}@${REPLY_DOMAIN}`]) {
      const res = await postRaw(emailFixture("gmail-reply-qp.eml", { from: h.email, to }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: "parked", reason: "invalid" });
    }
    // A genuine handle whose time is up (issued a year ago for 180 days).
    const ring = await loadKeyRing(JSON.parse(await testKeys));
    const past = createHandleService(ring, { now: () => Date.now() - 365 * 86_400_000 });
    const old = await past.issue({
      conversationId: h.id,
      channel: "email",
      ttlSeconds: 180 * 86_400,
    });
    const expired = await postRaw(
      emailFixture("gmail-reply-qp.eml", { from: h.email, to: `reply+${old}@${REPLY_DOMAIN}` }),
    );
    expect(expired.body).toEqual({ status: "parked", reason: "expired" });
    expect((await thread(h.id)).conversation.lastSeq).toBe(before);
  });

  it("ignores out-of-office replies and bounces: no message, no answer", async () => {
    const h = await handedOff();
    const sentBefore = smtp.received.length;
    const ooo = await postRaw(reply(h, "out-of-office.eml"));
    expect(ooo.body).toEqual({ status: "ignored", reason: "auto-submitted" });
    const bounce = await postRaw(emailFixture("bounce.eml", { from: "", to: h.replyTo }));
    expect(bounce.body.status).toBe("ignored");
    expect(await emailMessages(h.id)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.received.length).toBe(sentBefore);
  });

  it("takes Postmark's inbound JSON with Bearer or Basic auth", async () => {
    const h = await handedOff();
    const payload = (messageId: string) => ({
      FromName: "Ana Horvat",
      MessageStream: "inbound",
      From: h.email,
      FromFull: { Email: h.email, Name: "Ana Horvat", MailboxHash: "" },
      To: `"The shop" <${h.replyTo}>`,
      ToFull: [{ Email: h.replyTo, Name: "The shop", MailboxHash: h.replyTo.split(/[+@]/)[1] }],
      OriginalRecipient: h.replyTo,
      Subject: "Re: Your conversation with The shop",
      MessageID: "22c74902-a0c1-4511-804f-341342852c90",
      ReplyTo: "",
      MailboxHash: h.replyTo.split(/[+@]/)[1],
      Date: "Mon, 6 Jan 2025 10:15:00 +0100",
      TextBody:
        "Can I change the address?\n\nOn Mon, Jan 6, 2025 at 9:00 AM The shop <support@shop.example> wrote:\n> Hello",
      HtmlBody: "<p>Can I change the address?</p>",
      StrippedTextReply: "Can I change the address?",
      Tag: "",
      Headers: [
        { Name: "Message-ID", Value: messageId },
        { Name: "In-Reply-To", Value: h.messageId },
        { Name: "X-Spam-Status", Value: "No" },
      ],
      Attachments: [
        { Name: "photo.jpg", Content: "/9j/4AAQ", ContentType: "image/jpeg", ContentLength: 2048 },
      ],
    });
    const url = "/webhooks/email/postmark";
    expect((await api(server.url, url, { body: payload("<p0@x.example>") })).status).toBe(401);
    const bearer = await api(server.url, url, {
      body: payload("<p1@mail.example.net>"),
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(bearer.status).toBe(200);
    expect(bearer.body).toMatchObject({ status: "accepted" });
    const basic = await api(server.url, url, {
      body: payload("<p2@mail.example.net>"),
      headers: { authorization: `Basic ${btoa(`postmark:${SECRET}`)}` },
    });
    expect(basic.body).toMatchObject({ status: "accepted" });
    // Bytes that are not UTF-8 are refused, not stored with U+FFFD in their place.
    const json = JSON.stringify(payload("<p3@mail.example.net>"));
    const at = json.indexOf("Can I change");
    const broken = await fetch(server.url + url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
      body: Buffer.concat([
        Buffer.from(json.slice(0, at)),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(json.slice(at)),
      ]),
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: "invalid_json" } });
    const messages = await emailMessages(h.id);
    expect(messages).toHaveLength(2);
    expect(messages[0]!.text).toBe("Can I change the address?");
    // The photo's Content (base64) is kept in the thread's files: its type from its bytes.
    expect(messages[0]!.attachments).toEqual([
      expect.objectContaining({ name: "photo.jpg", type: "image/jpeg", size: 6 }),
    ]);
  });

  it("takes Mailgun's form, checking its signature, timestamp and token", async () => {
    const h = await handedOff();
    const fields = {
      recipient: h.replyTo,
      sender: h.email,
      from: `Ana Horvat <${h.email}>`,
      subject: "Re: Your conversation with The shop",
      "body-plain":
        "Please call me.\n\n-- \nAna\n\nOn Mon, Jan 6, 2025 at 9:00 AM The shop wrote:\n> Hi",
      "stripped-text": "Please call me.",
      "message-headers": JSON.stringify([
        ["Message-Id", `<mg-${++n}@mail.example.net>`],
        ["In-Reply-To", h.messageId],
        ["From", `Ana Horvat <${h.email}>`],
      ]),
    };
    const good = await mailgunForm(fields);
    const bad = await mailgunForm(fields);
    bad.set("signature", "0".repeat(64));
    expect((await postMailgun(bad)).status).toBe(406);
    const stale = await mailgunForm(fields, String(Math.floor(Date.now() / 1000) - 3600));
    expect((await postMailgun(stale)).status).toBe(406);
    const ok = await postMailgun(good);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "accepted" });
    // The same signed post again (a replay) is refused.
    expect((await postMailgun(good)).status).toBe(406);
    const [message] = await emailMessages(h.id);
    expect(message!.text).toBe("Please call me.");
  });

  it("receives over SMTP at its own listener, refusing unknown recipients at RCPT", async () => {
    const h = await handedOff();
    const client = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.smtpPort!,
      secure: false,
      ignoreTLS: true,
    });
    const raw = reply(h, "outlook-reply-iso-8859-2.eml");
    await client.sendMail({ envelope: { from: h.email, to: [h.replyTo] }, raw });
    const [message] = await emailMessages(h.id);
    expect(message!.text).toBe(
      "Poštovani, paket još nije stigao. Molim provjerite.\n\nLijep pozdrav,",
    );

    for (const to of [`reply+${"a".repeat(44)}@${REPLY_DOMAIN}`, "someone@elsewhere.example"]) {
      await expect(
        client.sendMail({ envelope: { from: h.email, to: [to] }, raw }),
      ).rejects.toMatchObject({ responseCode: 550 });
    }
    client.close();
  });
});

describe("agent replies by email", () => {
  it("go out threaded, with In-Reply-To and References and the resume link", async () => {
    const h = await handedOff();
    const visitorReply = reply(h, "gmail-reply-qp.eml");
    await postRaw(visitorReply);
    const visitorId = (await emailMessages(h.id))[0]!.data!.messageId as string;
    const res = await api<{ deliveredVia: string }>(
      server.url,
      `/v1/agent/conversations/${h.id}/messages`,
      { token: agentToken, body: { text: "Size L is <on its way> & tracked." } },
    );
    expect(res.status).toBe(201);
    expect(res.body.deliveredVia).toBe("email");
    const mail = await smtp.waitFor(
      (m) => m.envelope.to.includes(h.email) && m.parsed.messageId !== h.messageId,
    );
    expect(mail.parsed.inReplyTo).toBe(visitorId);
    expect(mail.parsed.references).toBe(`${h.messageId} ${visitorId}`);
    expect(mail.parsed.subject).toBe("Re: Your conversation with The shop");
    expect(mail.header("auto-submitted")).toBeUndefined();
    expect(mail.parsed.text).toContain("Size L is <on its way> & tracked.");
    expect(mail.parsed.html).toContain("Size L is &lt;on its way&gt; &amp; tracked.");
    expect(mail.parsed.text).toMatch(new RegExp(`${server.config.publicUrl}/r/[a-z2-7]{44}`));
    expect(mail.parsed.replyTo?.[0]?.address).toMatch(/^reply\+[a-z2-7]{44}@reply\.shop\.example$/);
  });
});

describe("an agent's files by email", () => {
  /** Uploads a PDF of `size` bytes to the conversation as the agent; answers its id. */
  async function agentPdf(conversationId: string, name: string, size: number) {
    const bytes = Buffer.alloc(size, 0x20);
    bytes.write("%PDF-1.7\n", 0);
    const res = await fetch(`${server.url}/v1/agent/attachments?conversationId=${conversationId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${agentToken}`, "x-filename": name },
      body: bytes,
    });
    expect(res.status).toBe(201);
    return { id: ((await res.json()) as { attachment: { id: string } }).attachment.id, bytes };
  }

  it("go as MIME parts up to 10 MB in all; a file past that goes as its link, saying why", async () => {
    const h = await handedOff();
    const first = await agentPdf(h.id, "invoice.pdf", 6 * 1024 * 1024);
    const second = await agentPdf(h.id, "manual.pdf", 6 * 1024 * 1024);
    const res = await api(server.url, `/v1/agent/conversations/${h.id}/messages`, {
      token: agentToken,
      body: { text: "Both files, as asked.", attachments: [first.id, second.id] },
    });
    expect(res.status).toBe(201);
    const mail = await smtp.waitFor(
      (m) => m.envelope.to.includes(h.email) && (m.parsed.text ?? "").includes("Both files"),
    );
    expect(mail.parsed.attachments.map((a) => [a.filename, a.mimeType])).toEqual([
      ["invoice.pdf", "application/pdf"],
    ]);
    // Compared whole (a deep equality of 6 MB would take the test's time).
    const content = Buffer.from(mail.parsed.attachments[0]!.content as ArrayBuffer);
    expect(content.equals(first.bytes)).toBe(true);
    expect(mail.parsed.text).toMatch(
      /📎 manual\.pdf \(6\.0 MB\): \S+\/v1\/attachments\/\S+ \(too large to attach\)/,
    );
  });
});

describe("HTTP email API transport (Postmark's)", () => {
  let second: RunningServer;
  let peer: EmailApiPeer;
  beforeAll(async () => {
    peer = await startEmailApiPeer({ serverToken: "server-token-1" });
    second = await startTestServer(
      {
        OMNITHREAD_SITES: JSON.stringify({ sites: [SHOP_SITE] }),
        POSTMARK_SERVER_TOKEN: "server-token-1",
        EMAIL_API_URL: peer.url,
      },
      { startPerIp: { limit: 100_000, windowMs: 60_000 } },
    );
  });
  afterAll(async () => {
    await second?.stop();
    await peer?.stop();
  });

  it("sends the handoff mail through POST /email, retrying a 500", async () => {
    const started = await api<ConversationSnapshot>(second.url, "/v1/conversations", {
      body: { siteId: "shop" },
    });
    await api(second.url, "/v1/messages", {
      token: started.body.token,
      body: { clientId: "w1", text: "Hello <b>there</b>" },
    });
    peer.failNext(1);
    const res = await api(second.url, "/v1/handoff", {
      token: started.body.token,
      body: { channel: "email", email: "bo@example.com" },
    });
    expect(res.status).toBe(202);
    expect(peer.calls.map((c) => c.status)).toEqual([500, 200]);
    const [body] = peer.sent;
    expect(body).toMatchObject({
      From: '"The shop" <support@shop.example>',
      To: "bo@example.com",
      Subject: "Your conversation with The shop",
      MessageStream: "outbound",
    });
    expect(body!.ReplyTo).toMatch(/^reply\+[a-z2-7]{44}@reply\.shop\.example$/);
    expect(body!.HtmlBody).toContain("Hello &lt;b&gt;there&lt;/b&gt;");
    expect(body!.Headers).toContainEqual({
      Name: "Message-ID",
      Value: expect.stringMatching(/^<ot\.[a-z2-7]{44}\.[0-9a-f]{16}@reply\.shop\.example>$/),
    });
  });

  it("attaches an agent's file as Postmark's Attachments (base64 Content)", async () => {
    const started = await api<ConversationSnapshot>(second.url, "/v1/conversations", {
      body: { siteId: "shop" },
    });
    await api(second.url, "/v1/handoff", {
      token: started.body.token,
      body: { channel: "email", email: "bo@example.com" },
    });
    const agent = await loginAgent(second.url, "agent@shop.example");
    const pdf = pdfOf("the invoice");
    const id = started.body.conversation.id;
    const uploaded = await fetch(`${second.url}/v1/agent/attachments?conversationId=${id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${agent}`, "x-filename": "invoice.pdf" },
      body: pdf,
    });
    const { attachment } = (await uploaded.json()) as { attachment: { id: string } };
    const res = await api(second.url, `/v1/agent/conversations/${id}/messages`, {
      token: agent,
      body: { text: "Your invoice", attachments: [attachment.id] },
    });
    expect(res.status).toBe(201);
    expect(peer.sent.at(-1)?.Attachments).toEqual([
      { Name: "invoice.pdf", ContentType: "application/pdf", Content: pdf.toString("base64") },
    ]);
  });
});

describe("continuity: unseen web replies and the transcript on resolve", () => {
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    for (const site of ["fast", "always"]) {
      const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
        body: { email: `agent@${site}.example`, password: "omnithread-demo" },
      });
      tokens[site] = login.body.token;
    }
  });

  const webReply = (site: string, id: string, text: string) =>
    api<{ event: ThreadEvent; deliveredVia: string }>(
      server.url,
      `/v1/agent/conversations/${id}/messages`,
      { token: tokens[site]!, body: { text, channel: "web" } },
    );
  const resolve = (site: string, id: string) =>
    api<{ conversation: Conversation }>(server.url, `/v1/agent/conversations/${id}`, {
      method: "PATCH",
      token: tokens[site]!,
      body: { status: "resolved" },
    });
  const sentEvents = async (site: string, id: string) => {
    const res = await api<{ events: ThreadEvent[] }>(server.url, `/v1/agent/conversations/${id}`, {
      token: tokens[site]!,
    });
    return res.body.events.filter((e) => e.name === "email.sent");
  };
  const mailsTo = (email: string) => smtp.received.filter((m) => m.envelope.to.includes(email));
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const link = () => new RegExp(`${server.config.publicUrl}/r/[a-z2-7]{44}`);

  it("emails a web reply no visitor socket showed after the delay, threaded, once", async () => {
    const h = await handedOff(undefined, { siteId: "fast" });
    const res = await webReply("fast", h.id, "Your parcel left <today>.");
    expect(res.status).toBe(201);
    expect(res.body.deliveredVia).toBe("web");
    // Not at once: the widget has the delay to show it.
    await pause(150);
    expect(mailsTo(h.email)).toHaveLength(1);
    const mail = await smtp.waitFor(
      (m) => m.envelope.to.includes(h.email) && !!m.parsed.text?.includes("Your parcel left"),
    );
    expect(mail.parsed.inReplyTo).toBe(h.messageId);
    expect(mail.parsed.references).toBe(h.messageId);
    expect(mail.parsed.subject).toBe("Re: Your conversation with Fast shop");
    expect(mail.parsed.text).toContain("Your parcel left <today>.");
    expect(mail.parsed.html).toContain("Your parcel left &lt;today&gt;.");
    expect(mail.parsed.text).toMatch(link());
    expect(mail.parsed.replyTo?.[0]?.address).toMatch(/^reply\+[a-z2-7]{44}@reply\.fast\.example$/);
    // Not twice, and recorded as the channel's usual event.
    await pause(800);
    expect(mailsTo(h.email)).toHaveLength(2);
    const sent = (await sentEvents("fast", h.id)).filter((e) => e.data?.kind === "reply");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({
      seq: res.body.event.seq,
      reason: "unseen",
      messageId: mail.parsed.messageId,
    });
  });

  it("does not email a reply the visitor's WebSocket was sent; emails the next one once it is gone", async () => {
    const h = await handedOff(undefined, { siteId: "fast" });
    const client = await LiveClient.connect(`${server.url}/v1/live`);
    client.send({ type: "hello", token: h.token });
    await client.waitFor((f) => f.type === "ready");
    const seen = await webReply("fast", h.id, "Seen in the widget.");
    expect(seen.status).toBe(201);
    await client.waitFor((f) => f.type === "event" && f.event.seq === seen.body.event.seq);
    client.close();
    await client.waitForClose();
    const unseen = await webReply("fast", h.id, "Written after the widget closed.");
    await smtp.waitFor(
      (m) =>
        m.envelope.to.includes(h.email) && !!m.parsed.text?.includes("after the widget closed"),
    );
    await pause(600);
    expect(mailsTo(h.email).filter((m) => m.parsed.text?.includes("Seen in the widget"))).toEqual(
      [],
    );
    expect(mailsTo(h.email)).toHaveLength(2);
    const sent = (await sentEvents("fast", h.id)).filter((e) => e.data?.kind === "reply");
    expect(sent.map((e) => e.data?.seq)).toEqual([unseen.body.event.seq]);
  });

  it("emails the full transcript on resolve when the visitor asked, once per resolve", async () => {
    const h = await handedOff(undefined, { siteId: "fast", transcript: true });
    expect((await sentEvents("fast", h.id))[0]!.data).toMatchObject({
      handoff: true,
      transcriptOnResolve: true,
    });
    const res = await resolve("fast", h.id);
    expect(res.status).toBe(200);
    expect(res.body.conversation.status).toBe("resolved");
    const mail = await smtp.waitFor(
      (m) => m.envelope.to.includes(h.email) && m.parsed.messageId !== h.messageId,
    );
    expect(mail.parsed.subject).toBe("Re: Your conversation with Fast shop");
    expect(mail.parsed.inReplyTo).toBe(h.messageId);
    expect(mail.parsed.text).toContain(FIRST_TEXT);
    expect(mail.parsed.text).toMatch(link());
    expect(mail.header("auto-submitted")).toBe("auto-generated");
    // Resolving what is resolved is no new resolve.
    expect((await resolve("fast", h.id)).status).toBe(200);
    await pause(300);
    expect(mailsTo(h.email)).toHaveLength(2);
    const sent = (await sentEvents("fast", h.id)).filter((e) => e.data?.reason === "resolved");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ kind: "transcript", messageId: mail.parsed.messageId });
  });

  it("sends no transcript on resolve when not asked, unless the site always does", async () => {
    const h = await handedOff(undefined, { siteId: "fast", transcript: false });
    expect((await resolve("fast", h.id)).status).toBe(200);
    await pause(400);
    expect(mailsTo(h.email)).toHaveLength(1);

    const always = await handedOff(undefined, { siteId: "always" });
    expect((await resolve("always", always.id)).status).toBe(200);
    const mail = await smtp.waitFor(
      (m) => m.envelope.to.includes(always.email) && m.parsed.messageId !== always.messageId,
    );
    expect(mail.parsed.text).toContain(FIRST_TEXT);
    expect(mail.parsed.text).toMatch(link());
  });

  it("refuses a transcript wish that is not a boolean", async () => {
    const started = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
      body: { siteId: "fast" },
    });
    const res = await api(server.url, "/v1/handoff", {
      token: started.body.token,
      body: { channel: "email", email: `zed${++n}@example.com`, transcript: "yes" },
    });
    expect(res.status).toBe(400);
  });
});
