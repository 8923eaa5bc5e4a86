import { AppError } from "../../errors.ts";
import { downloadFile } from "../download.ts";
import { type GraphClientOptions, type GraphFailure, graphClient } from "../meta/graph.ts";
import { splitText } from "../split-text.ts";
import type { SendPolicy } from "./window.ts";

/** Meta's limit for `message.text`. */
export const MAX_TEXT = 2000;

/** The largest file the Send API takes by upload; larger ones go as links. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Meta's subcode for a message sent outside the allowed window. */
const OUTSIDE_WINDOW_SUBCODE = 2018278;

export type SendClientOptions = Omit<GraphClientOptions, "product">;

export interface SendInput {
  accessToken: string;
  psid: string;
  text: string;
  policy: SendPolicy;
}

/** What Meta answered, one message id per part sent. */
export interface SendResult {
  messageIds: string[];
}

/**
 * A Send API client: `POST {graphApiUrl}/{version}/me/messages` (the token in `Authorization`) with
 * `{ recipient: { id }, messaging_type, tag?, message: { text } }`. Text over 2,000 characters
 * goes as several messages, in order. Transient failures (network, timeouts, 5xx, `is_transient`,
 * throttling codes) are retried with jittered exponential backoff; a permanent one, or the last
 * transient one, throws `AppError("upstream_failed")` carrying Meta's message, and a message
 * Meta refuses as outside its window throws `channel_unavailable`.
 *
 * Retrying a request whose answer was lost can, rarely, deliver a part twice: the Send API has
 * no idempotency key. Nothing is retried after Meta answered a permanent error.
 *
 * @example
 * const client = sendClient({ graphApiUrl, graphVersion: "v21.0", fetch, retry: { attempts: 3, baseMs: 250 } });
 * await client.send({ accessToken, psid, text: "Hi", policy: { messagingType: "RESPONSE" } });
 */
export function sendClient(options: SendClientOptions) {
  const graph = graphClient({ ...options, product: "Messenger" });

  return {
    /** A file a visitor sent, from Meta's CDN (its link needs no token and expires). */
    download(url: string, maxBytes: number, tooLarge: string): Promise<Uint8Array> {
      return downloadFile(options.fetch, url, {}, { maxBytes, tooLarge, platform: "Messenger" });
    },

    /**
     * Sends a file as an attachment upload: the Send API's `multipart/form-data` call with the
     * file as `filedata` (an image, video or audio as such, anything else as a file).
     */
    async sendFile(
      input: Omit<SendInput, "text"> & { file: { name: string; type: string; bytes: Uint8Array } },
    ): Promise<string> {
      const { file, policy } = input;
      const kind = ["image", "video", "audio"].find((k) => file.type.startsWith(`${k}/`)) ?? "file";
      const form = new FormData();
      form.set("recipient", JSON.stringify({ id: input.psid }));
      form.set("messaging_type", policy.messagingType);
      if (policy.messagingType === "MESSAGE_TAG") form.set("tag", policy.tag);
      form.set(
        "message",
        JSON.stringify({ attachment: { type: kind, payload: { is_reusable: false } } }),
      );
      form.set(
        "filedata",
        new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }),
        file.name,
      );
      try {
        const answer = await graph.upload("me/messages", input.accessToken, form);
        return typeof answer.message_id === "string" ? answer.message_id : "";
      } catch (error) {
        throw new AppError(
          "upstream_failed",
          `Messenger refused the file: ${(error as Error).message}`,
        );
      }
    },

    async send(input: SendInput): Promise<SendResult> {
      const parts = splitText(input.text, MAX_TEXT);
      const messageIds: string[] = [];
      for (const [index, text] of parts.entries()) {
        const body = {
          recipient: { id: input.psid },
          messaging_type: input.policy.messagingType,
          ...(input.policy.messagingType === "MESSAGE_TAG" ? { tag: input.policy.tag } : {}),
          message: { text },
        };
        try {
          const answer = await graph.post("me/messages", input.accessToken, body);
          messageIds.push(typeof answer.message_id === "string" ? answer.message_id : "");
        } catch (error) {
          const failed = error as GraphFailure;
          const sent = index > 0 ? ` (${index} of ${parts.length} parts were sent)` : "";
          if (failed.graph?.error_subcode === OUTSIDE_WINDOW_SUBCODE) {
            throw new AppError(
              "channel_unavailable",
              `Messenger refused the reply as outside its window: ${failed.message}${sent}. Continue by email`,
            );
          }
          throw new AppError("upstream_failed", `${failed.message}${sent}`);
        }
      }
      return { messageIds };
    },
  };
}

export type SendClient = ReturnType<typeof sendClient>;
