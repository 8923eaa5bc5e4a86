import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { recipientRefusal } from "../channels/email/index.ts";
import type { Logger } from "../log.ts";

/** The biggest message the listener takes (SIZE is announced in EHLO). */
const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

export interface SmtpListenerOptions {
  port: number;
  host?: string;
  /** Decides at RCPT TO: only `reply+<valid handle>@<reply domain>` is accepted. */
  checkRecipient(address: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** The inbound path shared with the webhooks. */
  receive(raw: Uint8Array, envelope: { from: string | null; to: string[] }): Promise<unknown>;
  log: Logger;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Receives mail itself (Node only, `SMTP_LISTEN_PORT`): an MX for the reply domain. Recipients
 * other than a valid `reply+<handle>@<reply domain>` are refused at RCPT TO (550), so a forged
 * or expired handle is bounced by the sending server, never stored; accepted messages go
 * through the same inbound path as the webhooks. No AUTH (an MX takes mail from anyone for
 * its own addresses); STARTTLS is not offered here (terminate TLS in front if you need it).
 *
 * @example
 * const listener = await startSmtpListener({ port: 2525, checkRecipient, receive, log });
 */
export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: MAX_MESSAGE_BYTES,
    // A mail server for replies, not a relay: a few senders at a time is plenty.
    maxClients: 50,
    banner: "omnithread",
    logger: false,
    onRcptTo(address, _session, callback) {
      options.checkRecipient(address.address).then(
        (verdict) => {
          if (verdict.ok) return callback();
          const error = new Error(recipientRefusal(verdict.reason)) as Error & {
            responseCode: number;
          };
          error.responseCode = 550;
          callback(error);
        },
        (error: unknown) => {
          options.log.error("smtp rcpt check failed", { error: String(error) });
          const failure = new Error("4.3.0 Try again later") as Error & { responseCode: number };
          failure.responseCode = 451;
          callback(failure);
        },
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      // Past the size limit the stream still flows to its end: stop keeping it in memory.
      stream.on("data", (chunk: Buffer) => {
        if (!(stream as { sizeExceeded?: boolean }).sizeExceeded) chunks.push(chunk);
      });
      stream.on("end", () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          const error = new Error("5.3.4 Message too big") as Error & { responseCode: number };
          error.responseCode = 552;
          return callback(error);
        }
        const mailFrom = session.envelope.mailFrom;
        options
          .receive(new Uint8Array(Buffer.concat(chunks)), {
            from: mailFrom ? mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
          })
          .then(
            () => callback(),
            (error: unknown) => {
              // A message we cannot read never will be: refused for good (554), not retried.
              const permanent = error instanceof Error && error.name === "AppError";
              options.log.error("smtp message failed", { error: String(error), permanent });
              const failure = new Error(
                permanent ? "5.6.0 Message not readable" : "4.3.0 Try again later",
              ) as Error & { responseCode: number };
              failure.responseCode = permanent ? 554 : 451;
              callback(failure);
            },
          );
      });
    },
  });
  server.on("error", (error) => options.log.error("smtp listener error", { error: String(error) }));
  await new Promise<void>((ready, fail) => {
    const onError = (error: Error) => fail(error);
    server.server.once("error", onError);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.server.off("error", onError);
      ready();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  options.log.info("smtp listening", { port });
  return { port, close: () => new Promise<void>((done) => server.close(() => done())) };
}
