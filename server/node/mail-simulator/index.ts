import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import type { InboundOutcome } from "../../channels/email/index.ts";
import type { MailMessage } from "../../channels/email/message.ts";
import { type LogTransport, logTransport } from "../../channels/email/transports.ts";
import type { Config, EmailConfig } from "../../config.ts";
import { AppError, errorBody } from "../../errors.ts";
import { escapeHtml } from "../../html.ts";
import type { Logger } from "../../log.ts";
import { count, seqText, words } from "../../schema/fields.ts";
import { route } from "../../schema/route.ts";
import { serveDemoPage } from "../demo-page.ts";

/**
 * The demo's webmail (Node only): with no email settings, `npm start` sends mail through the
 * `log` transport and this page at `/demo/mail` plays the visitor's mailbox. It lists what the
 * server sent (headers on demand, the text part as text, links clickable), and its reply box
 * sends the answer back as a real RFC 5322 message — `In-Reply-To`, `References`, the quoted
 * history under an "On …, … wrote:" line — into the email channel's raw inbound path, the one
 * an email worker or the SMTP listener feeds.
 */

/** The demo site's addresses: reserved `.example` names, so nothing can ever be delivered. */
export const DEMO_EMAIL: EmailConfig = {
  from: "support@demo.example",
  replyDomain: "reply.demo.example",
};

/** The page's CSP: nothing inline, nothing from elsewhere, no frames. */
export const WEBMAIL_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** One mail in the demo mailbox. */
export interface DemoMail {
  seq: number;
  /** When it was sent, ISO 8601. */
  date: string;
  message: MailMessage;
}

export interface MailSimulator {
  /** The transport the email channel sends with: the log's, also kept for this page. */
  transport: LogTransport;
  /** What was sent, oldest first. */
  mails: DemoMail[];
  routes: Hono;
}

const MAX_MAILS = 200;

function page(siteName: string): string {
  const name = escapeHtml(siteName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo webmail · ${name}</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/demo/mail/app.css">
<script type="module" src="/demo/mail/app.js"></script>
</head>
<body>
<header class="top">
  <h1>Demo webmail</h1>
  <p>The visitor's mailbox, played on this machine: what ${name} sent (nothing leaves this server), and replies that go back to it as real mail.</p>
</header>
<main>
  <p class="empty">No mail yet. Continue a chat by email on the demo shop, and it shows up here.</p>
  <ol class="mails" aria-label="Inbox" aria-live="polite"></ol>
</main>
</body>
</html>
`;
}

/** Header text without line breaks (a header injection would be a new header). */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, " ").trim();

/** RFC 2047 encoded word when the text is not plain ASCII. */
function encodeWord(value: string): string {
  const clean = oneLine(value);
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  return `=?UTF-8?B?${Buffer.from(clean, "utf8").toString("base64")}?=`;
}

/** `"Name" <addr>` → its parts. */
function splitAddress(header: string): { name: string; address: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(header);
  return match
    ? { name: match[1]!.trim(), address: match[2]!.trim() }
    : { name: "", address: header.trim() };
}

/** RFC 5322 date, e.g. `Tue, 03 Jun 2025 10:00:00 +0000`. */
const mailDate = (date: Date) => date.toUTCString().replace(/GMT$/, "+0000");

/** Gmail's attribution, e.g. `On Tue, Jun 3, 2025 at 10:00 AM Demo shop <support@demo.example> wrote:`. */
function attribution(date: Date, fromHeader: string): string {
  const when = new Intl.DateTimeFormat("en-US", {
    weekday: "short",
    month: "short",
    day: "numeric",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone: "UTC",
  })
    .format(date)
    .replace(/, (\d{1,2}:\d{2})/, " at $1")
    .replace(/\u202f/g, " ");
  const { name, address } = splitAddress(fromHeader);
  return `On ${when} ${name ? `${name} ` : ""}<${address}> wrote:`;
}

/** The history a mail client quotes under a reply. */
export function quoteHistory(mail: DemoMail): string {
  const quoted = mail.message.text
    .replace(/\r\n?/g, "\n")
    .trimEnd()
    .split("\n")
    .map((line) => (line === "" ? ">" : `> ${line}`));
  return [attribution(new Date(mail.date), mail.message.from), ...quoted].join("\n");
}

/** Base64 in 76-character lines. */
const base64Lines = (value: string) =>
  (
    Buffer.from(value, "utf8")
      .toString("base64")
      .match(/.{1,76}/g) ?? []
  ).join("\r\n");

/**
 * The visitor's reply to one of our mails as their mail client would send it: from the address
 * we wrote to, to the mail's `Reply-To`, threaded by `In-Reply-To`/`References`, the new text
 * above the quoted history.
 *
 * @example
 * const raw = replyMessage(mail, "Thanks!", new Date());
 */
export function replyMessage(mail: DemoMail, answer: string, now: Date): string {
  const m = mail.message;
  const visitor = oneLine(m.to);
  const references = [...(m.references ?? []), m.messageId].filter(
    (id, i, all) => all.indexOf(id) === i,
  );
  const subject = /^re:/i.test(m.subject) ? m.subject : `Re: ${m.subject}`;
  const domain = visitor.split("@")[1] ?? "mail.example";
  const id = `<${crypto.randomUUID()}@${oneLine(domain)}>`;
  const body = `${answer.replace(/\r\n?/g, "\n").trim()}\n\n${quoteHistory(mail)}\n`;
  const headers = [
    `From: ${visitor}`,
    `To: ${oneLine(m.replyTo)}`,
    `Subject: ${encodeWord(subject)}`,
    `Date: ${mailDate(now)}`,
    `Message-ID: ${id}`,
    `In-Reply-To: ${oneLine(m.messageId)}`,
    `References: ${references.map(oneLine).join("\r\n ")}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8; format=flowed",
    "Content-Transfer-Encoding: base64",
    "User-Agent: omnithread demo webmail",
  ];
  return `${headers.join("\r\n")}\r\n\r\n${base64Lines(body.replace(/\n/g, "\r\n"))}\r\n`;
}

/** The headers as a mail client's "show original" lists them. */
function headerLines(mail: DemoMail): Array<[string, string]> {
  const m = mail.message;
  return [
    ["From", m.from],
    ["To", m.to],
    ["Reply-To", m.replyTo],
    ["Subject", m.subject],
    ["Date", mailDate(new Date(mail.date))],
    ["Message-ID", m.messageId],
    ...(m.inReplyTo ? ([["In-Reply-To", m.inReplyTo]] as Array<[string, string]>) : []),
    ...(m.references?.length
      ? ([["References", m.references.join(" ")]] as Array<[string, string]>)
      : []),
    ...Object.entries(m.headers ?? {}),
    ["MIME-Version", "1.0"],
    ["Content-Type", "multipart/alternative (text/plain, text/html)"],
  ];
}

/**
 * Sets the webmail up for the demo site when it has no email settings of its own (the caller
 * also checks that `EMAIL_FROM` is unset): the demo site gets {@link DEMO_EMAIL}, and mail goes
 * through a log transport this page reads. Answers null when there is nothing to simulate.
 * `receive` is the email channel's raw inbound path.
 *
 * @example
 * const webmail = mailSimulator(config, log, (raw) => email.receiveRaw(services, raw));
 * if (webmail) app.route("/", webmail.routes);
 */
export function mailSimulator(
  config: Config,
  log: Logger,
  receive: (raw: string) => Promise<InboundOutcome>,
  now: () => number = Date.now,
): MailSimulator | null {
  const site = config.sites.find((s) => s.id === "demo");
  if (!site || site.email) return null;
  site.email = { ...DEMO_EMAIL };

  const mails: DemoMail[] = [];
  const inner = logTransport(log);
  const transport: LogTransport = {
    kind: inner.kind,
    sent: inner.sent,
    async send(message) {
      const answer = await inner.send(message);
      mails.push({
        seq: (mails.at(-1)?.seq ?? 0) + 1,
        date: new Date(now()).toISOString(),
        message,
      });
      if (mails.length > MAX_MAILS) mails.splice(0, mails.length - MAX_MAILS);
      return answer;
    },
  };

  const routes = new Hono();
  const small = bodyLimit({
    maxSize: 32 * 1024,
    onError: (c) => c.json(errorBody("payload_too_large", "Too large"), 413),
  });

  serveDemoPage(routes, {
    path: "/demo/mail",
    title: "webmail",
    csp: WEBMAIL_CSP,
    html: page(site.name),
    assets: new URL("./assets/", import.meta.url),
  });

  /** The mailbox: what the server sent after `after`, with what the page shows of each. */
  routes.get(
    "/demo/mail/inbox",
    route({
      summary: "The demo mailbox: what the server sent after `after`",
      tag: "demo",
      auth: "none",
      query: v.object({ after: seqText }),
      responses: { 200: "The mails" },
    }),
    (c) => {
      const { after } = c.req.valid("query");
      c.header("Cache-Control", "no-store");
      return c.json({
        mails: mails
          .filter((mail) => mail.seq > after)
          .map((mail) => ({
            seq: mail.seq,
            date: mail.date,
            from: mail.message.from,
            to: mail.message.to,
            subject: mail.message.subject,
            text: mail.message.text,
            htmlChars: mail.message.html.length,
            headers: headerLines(mail),
            quote: quoteHistory(mail),
          })),
      });
    },
  );

  /** The visitor answers one mail: a real RFC 5322 reply into our raw inbound path. */
  routes.post(
    "/demo/mail/reply",
    small,
    route({
      summary: "The visitor answers one mail (a real RFC 5322 reply into the raw inbound path)",
      tag: "demo",
      auth: "none",
      body: v.object({ seq: count, text: words(8000) }),
      responses: { 200: "What the inbound path made of it, and the raw message" },
    }),
    async (c) => {
      const { seq, text: answer } = c.req.valid("json");
      const mail = mails.find((m) => m.seq === seq);
      if (!mail) {
        throw new AppError("not_found", "No such mail in the demo mailbox");
      }
      const raw = replyMessage(mail, answer, new Date(now()));
      const outcome = await receive(raw);
      return c.json({ outcome, raw }, 200);
    },
  );

  return { transport, mails, routes };
}
