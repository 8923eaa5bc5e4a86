import { AppError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { loggable } from "./address.ts";
import type { MailMessage, MailTransport } from "./message.ts";

/** Postmark's API, unless `EMAIL_API_URL` names another base. */
export const POSTMARK_API_URL = "https://api.postmarkapp.com";

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Standard base64, as Postmark's `Attachments[].Content` is. */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * An HTTP email API transport on `fetch` alone (edge runtimes too): Postmark's documented
 * `POST {base}/email` with `X-Postmark-Server-Token`, our `Message-ID`, `In-Reply-To` and
 * `References` as custom headers. Retries network errors, 429 and 5xx with backoff; a 4xx
 * (Postmark's 422 with an `ErrorCode`) fails at once as `upstream_failed`.
 *
 * @example
 * const transport = postmarkTransport({ serverToken: env.POSTMARK_SERVER_TOKEN });
 */
export function postmarkTransport(options: {
  serverToken: string;
  apiUrl?: string;
  messageStream?: string;
  fetch?: typeof fetch;
  retry?: { attempts: number; baseMs: number };
}): MailTransport {
  const base = (options.apiUrl ?? POSTMARK_API_URL).replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const retry = options.retry ?? { attempts: 3, baseMs: 300 };
  return {
    kind: "postmark",
    async send(message: MailMessage) {
      const headers = [
        { Name: "Message-ID", Value: message.messageId },
        ...(message.inReplyTo ? [{ Name: "In-Reply-To", Value: message.inReplyTo }] : []),
        ...(message.references?.length
          ? [{ Name: "References", Value: message.references.join(" ") }]
          : []),
        ...Object.entries(message.headers ?? {}).map(([Name, Value]) => ({ Name, Value })),
      ];
      const body = JSON.stringify({
        From: message.from,
        To: message.to,
        ReplyTo: message.replyTo,
        Subject: message.subject,
        TextBody: message.text,
        HtmlBody: message.html,
        Headers: headers,
        ...(message.attachments?.length
          ? {
              Attachments: message.attachments.map((file) => ({
                Name: file.filename,
                ContentType: file.contentType,
                Content: base64(file.content),
              })),
            }
          : {}),
        MessageStream: options.messageStream ?? "outbound",
        TrackOpens: false,
        TrackLinks: "None",
      });
      let last = "";
      for (let attempt = 1; attempt <= retry.attempts; attempt++) {
        let response: Response;
        try {
          response = await doFetch(`${base}/email`, {
            method: "POST",
            headers: {
              accept: "application/json",
              "content-type": "application/json",
              "x-postmark-server-token": options.serverToken,
            },
            body,
          });
        } catch (error) {
          last = `network error: ${String(error)}`;
          if (attempt < retry.attempts) await sleep(retry.baseMs * 2 ** (attempt - 1));
          continue;
        }
        const answer = (await response.json().catch(() => ({}))) as {
          MessageID?: string;
          ErrorCode?: number;
          Message?: string;
        };
        if (response.ok && (answer.ErrorCode ?? 0) === 0) {
          return { messageId: answer.MessageID ?? message.messageId };
        }
        last = `HTTP ${response.status}${answer.ErrorCode ? ` (ErrorCode ${answer.ErrorCode})` : ""}: ${answer.Message ?? ""}`;
        if (response.status !== 429 && response.status < 500) break;
        if (attempt < retry.attempts) await sleep(retry.baseMs * 2 ** (attempt - 1));
      }
      throw new AppError("upstream_failed", `The email API refused the mail: ${last}`);
    },
  };
}

/** The demo's transport: keeps what was sent (newest last) and logs one line per mail. */
export interface LogTransport extends MailTransport {
  readonly sent: MailMessage[];
}

/**
 * Sends nothing: keeps each mail in memory (the last `keep`) and logs who it was for.
 *
 * @example
 * const transport = logTransport(log);
 * transport.sent.at(-1)?.subject;
 */
export function logTransport(log: Logger, keep = 200): LogTransport {
  const sent: MailMessage[] = [];
  return {
    kind: "log",
    sent,
    async send(message) {
      sent.push(message);
      if (sent.length > keep) sent.splice(0, sent.length - keep);
      log.info("email (log transport, not sent)", {
        to: message.to,
        subject: message.subject,
        messageId: loggable(message.messageId),
      });
      return { messageId: message.messageId };
    },
  };
}
