import type { AddressInfo } from "node:net";
import PostalMime, { type Email } from "postal-mime";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server on 127.0.0.1 (`smtp-server`) that plays the visitor's mail provider: it
 * takes whatever nodemailer sends and keeps the raw message with its envelope, so tests read
 * the actual MIME (parsed with postal-mime) rather than what we meant to send.
 *
 * @example
 * const peer = await startSmtpPeer();
 * const server = await startTestServer({ SMTP_URL: peer.url, ... });
 * const mail = await peer.waitFor((m) => m.envelope.to.includes("ana@example.com"));
 */
export interface CapturedMail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: Email;
  /** First header value by lower-case name. */
  header(name: string): string | undefined;
}

export interface SmtpPeer {
  url: string;
  port: number;
  received: CapturedMail[];
  waitFor(predicate: (mail: CapturedMail) => boolean, ms?: number): Promise<CapturedMail>;
  stop(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const received: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        PostalMime.parse(raw).then((parsed) => {
          received.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            raw,
            parsed,
            header: (name) => parsed.headers.find((h) => h.key === name.toLowerCase())?.value,
          });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    async waitFor(predicate, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching mail within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
