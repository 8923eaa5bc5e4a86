import nodemailer from "nodemailer";
import PostalMime, { type Address, type Email } from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationSnapshot, ThreadEvent } from "../../sdk/protocol.ts";
import { mailgunSignature } from "../../server/channels/email/signature.ts";
import type { RunningServer } from "../../server/node.ts";
import {
  type EmailServer,
  emailFixture,
  INBOUND_SECRET,
  MAILGUN_KEY,
  startEmailServer,
} from "../helpers/email-server.ts";
import { api } from "../helpers/omnithread.ts";
import type { SmtpPeer } from "../helpers/smtp-peer.ts";

/**
 * Every inbound fixture through every way mail comes in: the raw webhook, Postmark's inbound
 * JSON, Mailgun's parsed form, Mailgun's `body-mime` form and SMTP to the server's own listener.
 * The provider payloads are derived from the fixture with postal-mime, the way the provider
 * parses it, and each route must land the same thing (or nothing, for robots).
 */

const SECRET = INBOUND_SECRET;

let server: RunningServer;
let agentToken: string;
let smtp: SmtpPeer;
let running: EmailServer;
let smtpClient: ReturnType<typeof nodemailer.createTransport>;

beforeAll(async () => {
  running = await startEmailServer();
  ({ server, agentToken, smtp } = running);
  // Mail to our SMTP listener, as the visitor's mail server would send it.
  smtpClient = nodemailer.createTransport({
    host: "127.0.0.1",
    port: server.smtpPort!,
    secure: false,
    tls: { rejectUnauthorized: false },
    ignoreTLS: true,
  });
});
afterAll(async () => {
  smtpClient?.close();
  await running?.stop();
});

// ---- the thread a fixture replies to ----

let n = 0;

interface Handed {
  id: string;
  email: string;
  replyTo: string;
  messageId: string;
}

async function handedOff(): Promise<Handed> {
  const email = `fx${++n}@example.com`;
  const started = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
    body: { siteId: "shop", context: { url: "https://shop.example/orders/42", locale: "en" } },
  });
  const { token } = started.body;
  await api(server.url, "/v1/messages", { token, body: { clientId: "w1", text: "Hello" } });
  const res = await api(server.url, "/v1/handoff", { token, body: { channel: "email", email } });
  expect(res.status).toBe(202);
  const mail = await smtp.waitFor((m) => m.envelope.to.includes(email));
  return {
    id: started.body.conversation.id,
    email,
    replyTo: mail.parsed.replyTo?.[0]?.address ?? "",
    messageId: mail.parsed.messageId ?? "",
  };
}

const emailMessages = async (id: string): Promise<ThreadEvent[]> => {
  const res = await api<{ events: ThreadEvent[] }>(server.url, `/v1/agent/conversations/${id}`, {
    token: agentToken,
  });
  expect(res.status).toBe(200);
  return res.body.events.filter((e) => e.type === "message" && e.channel === "email");
};

// ---- one delivery, as each route carries it ----

/** A fixture addressed to a thread: the raw message and the envelope it travels in. */
interface Delivery {
  raw: string;
  envelope: { from: string; to: string };
  parsed: Email;
}

type Outcome = { status: string; reason?: string } | null;

const ROUTES = ["raw", "postmark", "mailgun", "mailgun-mime", "smtp"] as const;
type Route = (typeof ROUTES)[number];

const headerValue = (email: Email, name: string) =>
  email.headers.find((h) => h.key === name.toLowerCase())?.value;
const addresses = (list: Address[] | undefined) =>
  (list ?? []).flatMap((a) => (a.group ? a.group : [a]));
const bytesOf = (content: ArrayBuffer | Uint8Array | string) =>
  typeof content === "string" ? new TextEncoder().encode(content) : new Uint8Array(content);
const base64 = (content: ArrayBuffer | Uint8Array | string) =>
  Buffer.from(bytesOf(content)).toString("base64");

/** Headers with a field of their own in Postmark's JSON are not repeated in `Headers`. */
const POSTMARK_OWN = new Set(["from", "to", "cc", "subject", "date", "reply-to"]);

/** What Postmark posts for this mail (its inbound webhook JSON). */
function postmarkPayload(d: Delivery) {
  const e = d.parsed;
  const from = e.from && "address" in e.from ? e.from : { address: "", name: "" };
  const full = (list: Address[] | undefined) =>
    addresses(list).map((a) => ({ Email: a.address ?? "", Name: a.name, MailboxHash: "" }));
  const postmarkId = crypto.randomUUID();
  return {
    FromName: from.name,
    MessageStream: "inbound",
    From: from.address,
    FromFull: { Email: from.address, Name: from.name, MailboxHash: "" },
    To: headerValue(e, "to") ?? "",
    ToFull: full(e.to),
    Cc: headerValue(e, "cc") ?? "",
    CcFull: full(e.cc),
    OriginalRecipient: d.envelope.to,
    Subject: e.subject ?? "",
    MessageID: postmarkId,
    ReplyTo: "",
    Date: headerValue(e, "date") ?? "",
    TextBody: e.text ?? "",
    HtmlBody: e.html ?? "",
    StrippedTextReply: "",
    Tag: "",
    Headers: e.headers
      .filter((h) => !POSTMARK_OWN.has(h.key))
      .map((h) => ({ Name: h.originalKey ?? h.key, Value: h.value })),
    Attachments: e.attachments.map((a) => ({
      Name: a.filename ?? "attachment",
      Content: base64(a.content),
      ContentType: a.mimeType,
      ContentLength: bytesOf(a.content).byteLength,
    })),
  };
}

async function signedForm(fields: Record<string, string>): Promise<FormData> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = crypto.randomUUID().replace(/-/g, "");
  form.set("timestamp", timestamp);
  form.set("token", token);
  form.set("signature", await mailgunSignature(timestamp, token, MAILGUN_KEY));
  return form;
}

const fromField = (e: Email) =>
  e.from && "address" in e.from
    ? e.from.name
      ? `"${e.from.name}" <${e.from.address}>`
      : (e.from.address ?? "")
    : "";

/** Mailgun's route form, parsed fields (`forward("https://…")`). */
async function mailgunParsedForm(d: Delivery): Promise<FormData> {
  const e = d.parsed;
  const optional = (name: string, value: string | undefined) =>
    value !== undefined ? { [name]: value } : {};
  const form = await signedForm({
    recipient: d.envelope.to,
    sender: d.envelope.from,
    // Mailgun posts `from` decoded, as the mail's author reads.
    from: fromField(e),
    subject: e.subject ?? "",
    ...optional("body-plain", e.text),
    ...optional("body-html", e.html),
    ...optional("Message-Id", headerValue(e, "message-id")),
    ...optional("In-Reply-To", headerValue(e, "in-reply-to")),
    ...optional("References", headerValue(e, "references")),
    "message-headers": JSON.stringify(e.headers.map((h) => [h.originalKey ?? h.key, h.value])),
    "attachment-count": String(e.attachments.length),
  });
  e.attachments.forEach((a, i) => {
    const blob = new Blob([bytesOf(a.content)], { type: a.mimeType });
    form.append(`attachment-${i + 1}`, blob, a.filename ?? "attachment");
  });
  return form;
}

/** Mailgun's route form for a URL ending in `mime`: the whole message in `body-mime`. */
function mailgunMimeForm(d: Delivery): Promise<FormData> {
  return signedForm({
    recipient: d.envelope.to,
    sender: d.envelope.from,
    from: fromField(d.parsed),
    subject: d.parsed.subject ?? "",
    "body-mime": d.raw,
  });
}

async function deliver(route: Route, d: Delivery): Promise<Outcome> {
  const json = async (res: Response) => {
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as Outcome;
  };
  switch (route) {
    case "raw":
      return json(
        await fetch(`${server.url}/webhooks/email/raw`, {
          method: "POST",
          body: d.raw,
          headers: { authorization: `Bearer ${SECRET}`, "content-type": "message/rfc822" },
        }),
      );
    case "postmark":
      return json(
        await fetch(`${server.url}/webhooks/email/postmark`, {
          method: "POST",
          body: JSON.stringify(postmarkPayload(d)),
          headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
        }),
      );
    case "mailgun":
      return json(
        await fetch(`${server.url}/webhooks/email/mailgun`, {
          method: "POST",
          body: await mailgunParsedForm(d),
        }),
      );
    case "mailgun-mime":
      return json(
        await fetch(`${server.url}/webhooks/email/mailgun`, {
          method: "POST",
          body: await mailgunMimeForm(d),
        }),
      );
    case "smtp":
      // The listener answers 250 once the mail went through the inbound path.
      await smtpClient.sendMail({
        envelope: { from: d.envelope.from, to: [d.envelope.to] },
        raw: d.raw,
      });
      return null;
  }
}

// ---- the table ----

interface Fixture {
  file: string;
  /** Lands this text, stripped of quotes and signature (`data.stripped`). */
  lands?: { text: string | RegExp; stripped: boolean; fromName?: string };
  attachments?: Array<{ filename: string; mimeType: string }>;
  /** Only `In-Reply-To` names the thread; the mail went to the support address. */
  byReferences?: boolean;
  /** A robot's mail: nothing lands, nothing goes back. */
  ignored?: string;
}

const FIXTURES: Fixture[] = [
  {
    file: "gmail-reply-qp.eml",
    lands: { text: "Yes — order 1234, the blue “Ærø” jacket. Size L please.", stripped: true },
  },
  {
    file: "apple-mail-reply-base64.eml",
    lands: { text: "Hvala! Stiglo je danas.", stripped: true },
  },
  {
    file: "outlook-reply-iso-8859-2.eml",
    lands: {
      text: "Poštovani, paket još nije stigao. Molim provjerite.\n\nLijep pozdrav,",
      stripped: true,
    },
  },
  {
    file: "koi8r-in-reply-to-only.eml",
    lands: {
      text: "Спасибо, посылка пришла. Всё в порядке.",
      stripped: true,
      fromName: "Иван Петров",
    },
    byReferences: true,
  },
  {
    file: "html-only.eml",
    lands: { text: "Is <b>bold</b> shown as text? & can I pay by card?", stripped: true },
  },
  {
    file: "signature-attachment.eml",
    lands: {
      text: "Here is the invoice you asked for.",
      stripped: true,
    },
    attachments: [{ filename: "invoice-1234.pdf", mimeType: "application/pdf" }],
  },
  { file: "out-of-office.eml", ignored: "auto-submitted" },
  { file: "bounce.eml", ignored: "auto-submitted" },
];

async function addressed(f: Fixture, h: Handed): Promise<Delivery> {
  const bounce = f.file === "bounce.eml";
  const raw = emailFixture(f.file, { from: h.email, to: h.replyTo, inReplyTo: h.messageId });
  const parsed = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  // The recipient the provider delivered to: the mail's own To (the support address, for the
  // mail that names the thread only by In-Reply-To).
  const to = addresses(parsed.to)[0]?.address ?? h.replyTo;
  return { raw, parsed, envelope: { from: bounce ? "" : h.email, to } };
}

describe.each(FIXTURES)("inbound fixture $file", (f) => {
  it.each(ROUTES)("via %s", async (route) => {
    const h = await handedOff();
    const d = await addressed(f, h);
    // The SMTP listener takes only reply+<handle> recipients: the MX path is always addressed.
    if (route === "smtp") d.envelope.to = h.replyTo;
    const outcome = await deliver(route, d);
    const messages = await emailMessages(h.id);

    if (f.ignored) {
      if (outcome) expect(outcome).toEqual({ status: "ignored", reason: f.ignored });
      expect(messages).toEqual([]);
      await new Promise((r) => setTimeout(r, 50));
      // Only the handoff's transcript ever went to the visitor.
      expect(smtp.received.filter((m) => m.envelope.to.includes(h.email))).toHaveLength(1);
      return;
    }

    if (outcome) expect(outcome).toMatchObject({ status: "accepted", conversationId: h.id });
    expect(messages).toHaveLength(1);
    const [message] = messages;
    const lands = f.lands!;
    if (typeof lands.text === "string") expect(message!.text).toBe(lands.text);
    else expect(message!.text).toMatch(lands.text);
    expect(message!.author.role).toBe("visitor");
    expect(message!.data).toMatchObject({
      from: h.email,
      stripped: lands.stripped,
      matchedBy: f.byReferences && route !== "smtp" ? "references" : "address",
      ...(lands.fromName ? { fromName: lands.fromName } : {}),
    });
    expect(message!.data?.fromOther).toBeUndefined();
    const expected = d.parsed.attachments.map((a) => ({
      filename: a.filename,
      mimeType: a.mimeType,
      size: bytesOf(a.content).byteLength,
    }));
    expect(expected).toEqual((f.attachments ?? []).map((a) => expect.objectContaining(a)));
    if (expected.length) expect(message!.data?.attachments).toEqual(expected);
    else expect(message!.data?.attachments).toBeUndefined();
    // Every route keeps the files themselves: the same bytes come back from the thread's link.
    expect(message!.attachments ?? []).toEqual(
      expected.map((a) => expect.objectContaining({ name: a.filename, size: a.size })),
    );
    for (const [i, file] of (message!.attachments ?? []).entries()) {
      const kept = new Uint8Array(await (await fetch(file.url!)).arrayBuffer());
      expect(kept).toEqual(new Uint8Array(bytesOf(d.parsed.attachments[i]!.content)));
    }
  });
});
