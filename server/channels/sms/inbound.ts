import type { Conversation } from "../../../sdk/protocol.ts";
import type { SiteConfig, SmsConfig } from "../../config.ts";
import { type Account, findThread, threadFor } from "../identity-thread.ts";
import { keepFiles } from "../keep-files.ts";
import { appendSystem as appendLine, webLink } from "../messaging-app.ts";
import type { ChannelPort } from "../port.ts";
import { keywordOf } from "./keywords.ts";
import { recordOptOut } from "./optout.ts";
import { mediaOf } from "./schema.ts";
import { fill, smsWordsFor } from "./texts.ts";
import type { TwilioClient } from "./twilio.ts";

/**
 * What Twilio's webhooks do to threads. A text from a number lands in the thread that number
 * writes to (linked by a handoff, or its own, new, in the site's inbox); the carrier keywords
 * change what may be texted to it and are shown to the agent; statuses of our texts report
 * failures. Idempotent under Twilio's repeats: messages by `MessageSid`, notices by their keys.
 */

/** A site with SMS set up. */
export type SmsSite = SiteConfig & { sms: SmsConfig };

/** How long the MessageSid of a text we sent points to its event, for the statuses to come. */
export const SENT_MARK_MS = 7 * 86_400_000;

export const account = (number: string): Account => ({
  channel: "sms",
  kind: "phone",
  value: number,
});

/** Where a sent text's MessageSid points: its event's seq in the conversation. */
export const sentKey = (conversationId: string, sid: string) => `sms:sent:${conversationId}:${sid}`;

const appendSystem = (
  port: ChannelPort,
  conversationId: string,
  input: Parameters<typeof appendLine>[3],
) => appendLine(port, "sms", conversationId, input);

const KEYWORD_NOTICES = {
  stop: { name: "sms.stopped", text: "Texted STOP: no more texts go to this number until START" },
  start: { name: "sms.started", text: "Texted START: texts reach this number again" },
} as const;

/**
 * One incoming text (its form fields, signature checked): answers the text to send back in the
 * webhook's TwiML (HELP's answer), or null.
 *
 * @example
 * const reply = await receiveText(port, site, form, api);
 */
export async function receiveText(
  port: ChannelPort,
  site: SmsSite,
  form: Record<string, string>,
  api: Pick<TwilioClient, "downloadMedia">,
): Promise<string | null> {
  const from = form.From!;
  const sid = form.MessageSid!;
  const body = (form.Body ?? "").slice(0, 4000);
  const keyword = keywordOf(body);
  if (keyword === "help") {
    return (
      site.sms.help ?? fill(smsWordsFor(site.locale).help, { name: site.name, url: webLink(site) })
    );
  }
  if (keyword) {
    await recordOptOut(port, site.id, from, keyword === "stop", port.now());
    const thread = await findThread(port, site.id, account(from));
    if (thread) {
      await appendSystem(port, thread.id, {
        ...KEYWORD_NOTICES[keyword],
        clientId: `sms:keyword:${sid}`,
        data: { number: from, keyword },
      });
    }
    return null;
  }
  const files = mediaOf(form);
  const thread: Conversation = await threadFor(port, site.id, account(from));
  const clientId = `sms:${sid}`;
  const kept = await keepFiles(
    port,
    thread,
    "sms",
    files.map((file, i) => ({
      key: `${clientId}:${i}`,
      name: file.type.split("/")[0] ?? "file",
      kind: file.type.split("/")[0] ?? "file",
      download: (max, tooLarge) => api.downloadMedia(site.sms, file.url, max, tooLarge),
    })),
  );
  const lines = [body, ...kept.lines].filter(Boolean);
  await port.threads.postVisitorMessage(thread.id, {
    clientId,
    text: lines.join("\n") || (kept.attachments ? "" : "[empty text]"),
    attachments: kept.attachments,
    channel: "sms",
    data: {
      sentAt: new Date(port.now()).toISOString(),
      ...(files.length ? { files } : {}),
    },
  });
  return null;
}

/** Twilio's failed and undelivered statuses, by the error codes agents meet most. */
const FAILURES: Record<string, string> = {
  "21610": "the number texted STOP",
  "30003": "the phone is off or out of reach",
  "30004": "the number blocks texts",
  "30005": "the number does not exist",
  "30006": "the number is a landline or cannot take texts",
  "30007": "the carrier filtered it",
  "30008": "the carrier did not say why",
};

/**
 * A status callback of a text we sent: a failure is shown in its thread (`delivery.failed`, with
 * Twilio's code and what it means); delivered and the steps before it need no line.
 *
 * @example
 * await receiveStatus(port, site, form);
 */
export async function receiveStatus(
  port: ChannelPort,
  site: SmsSite,
  form: Record<string, string>,
): Promise<void> {
  const status = form.MessageStatus;
  if (status !== "failed" && status !== "undelivered") return;
  const thread = await findThread(port, site.id, account(form.To ?? ""));
  if (!thread) return;
  const sid = form.MessageSid!;
  const seq = await port.store.raiseMark(sentKey(thread.id, sid), 0, SENT_MARK_MS);
  const code = form.ErrorCode ?? "";
  const why = FAILURES[code] ?? `Twilio error ${code || "unknown"}`;
  if (code === "21610") await recordOptOut(port, site.id, form.To!, true, port.now());
  await appendSystem(port, thread.id, {
    name: "delivery.failed",
    text: `Not delivered by text message: ${why}`,
    clientId: `sms:status:${sid}:${status}`,
    data: {
      channel: "sms",
      messageSid: sid,
      status,
      ...(code ? { code: Number(code) } : {}),
      ...(seq > 0 ? { seq } : {}),
    },
  });
}
