import type { WhatsAppConfig } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { downloadFile } from "../download.ts";
import { type GraphClientOptions, type GraphFailure, graphClient } from "../meta/graph.ts";
import { splitText } from "../split-text.ts";

/** The Cloud API's limit for `text.body`. */
export const MAX_TEXT = 4096;
/** A template's text variable may be this long and may not hold newlines or tabs. */
const MAX_PARAMETER = 1024;
/** Meta's error for a free-form message outside the 24-hour customer-service window. */
export const WINDOW_CLOSED_CODE = 131047;

/** What WhatsApp shows as an image (up to 5 MB); other files go as documents (up to 100 MB). */
const IMAGE_TYPES = new Set(["image/jpeg", "image/png"]);
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export type CloudApiOptions = Omit<GraphClientOptions, "product">;

/** Where a message goes: the business number's settings and the customer's WhatsApp id. */
export interface Recipient {
  whatsapp: Pick<WhatsAppConfig, "phoneNumberId" | "accessToken">;
  waId: string;
}

/** The refusal an agent reads when Meta says the window has closed. */
export class WindowClosed extends AppError {
  constructor(detail: string, fallbacks: string) {
    super("window_closed", `WhatsApp's 24-hour window has closed (${detail}): ${fallbacks}`);
  }
}

/**
 * A Cloud API client: `POST {graphApiUrl}/{version}/{phoneNumberId}/messages` with the access
 * token as a Bearer token. Text over 4,096 characters goes as several messages, in order; a
 * template goes as one. Meta's 131047 (outside the window) throws `window_closed`; any other
 * refusal, or the last transient failure, `upstream_failed` with Meta's words.
 *
 * @example
 * const api = cloudApi({ graphApiUrl, graphVersion: "v21.0", fetch, retry: { attempts: 3, baseMs: 250 } });
 * const wamids = await api.sendText({ whatsapp: site.whatsapp, waId: "447700900123" }, "Hello", fallbacks);
 */
export function cloudApi(options: CloudApiOptions) {
  const graph = graphClient({ ...options, product: "WhatsApp" });

  async function post(to: Recipient, message: Record<string, unknown>, fallbacks: string) {
    try {
      const answer = await graph.post(
        `${to.whatsapp.phoneNumberId}/messages`,
        to.whatsapp.accessToken,
        {
          messaging_product: "whatsapp",
          recipient_type: "individual",
          to: to.waId,
          ...message,
        },
      );
      const id = (answer.messages as Array<{ id?: unknown }> | undefined)?.[0]?.id;
      return typeof id === "string" ? id : "";
    } catch (error) {
      const failed = error as GraphFailure;
      if (failed.graph?.code === WINDOW_CLOSED_CODE) {
        throw new WindowClosed("Meta refused the reply", fallbacks);
      }
      throw new AppError("upstream_failed", `WhatsApp refused the message: ${failed.message}`);
    }
  }

  return {
    /**
     * A file a customer sent, by its media id: `GET /{media-id}` answers a URL that works for
     * five minutes, whose bytes come with the same access token. Refused past `maxBytes` before
     * a byte is read when Meta gives the size, else while reading.
     */
    async downloadMedia(
      whatsapp: Pick<WhatsAppConfig, "accessToken">,
      mediaId: string,
      maxBytes: number,
      tooLarge: string,
    ): Promise<Uint8Array> {
      const media = await graph
        .get(encodeURIComponent(mediaId), whatsapp.accessToken)
        .catch((error: GraphFailure) => {
          throw new AppError("upstream_failed", `WhatsApp has no such media: ${error.message}`);
        });
      if (Number(media.file_size ?? 0) > maxBytes)
        throw new AppError("payload_too_large", tooLarge);
      if (typeof media.url !== "string")
        throw new AppError("upstream_failed", "WhatsApp gave no media URL");
      return downloadFile(
        options.fetch,
        media.url,
        { headers: { authorization: `Bearer ${whatsapp.accessToken}` } },
        { maxBytes, tooLarge, platform: "WhatsApp" },
      );
    },

    /** Free-form text, in parts of at most 4,096 characters; answers each part's `wamid`. */
    async sendText(to: Recipient, text: string, fallbacks: string): Promise<string[]> {
      const ids: string[] = [];
      for (const body of splitText(text, MAX_TEXT)) {
        ids.push(await post(to, { type: "text", text: { preview_url: false, body } }, fallbacks));
      }
      return ids;
    },

    /**
     * A file: uploaded to the number's media (`POST /<phone_number_id>/media`), then sent by its
     * id, a JPEG or PNG as an image and anything else as a document with its name; answers the
     * message's `wamid`.
     */
    async sendFile(
      to: Recipient,
      file: { name: string; type: string; bytes: Uint8Array },
      fallbacks: string,
    ): Promise<string> {
      const form = new FormData();
      form.set("messaging_product", "whatsapp");
      form.set("type", file.type);
      form.set(
        "file",
        new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }),
        file.name,
      );
      let id: unknown;
      try {
        id = (
          await graph.upload(`${to.whatsapp.phoneNumberId}/media`, to.whatsapp.accessToken, form)
        ).id;
      } catch (error) {
        throw new AppError(
          "upstream_failed",
          `WhatsApp refused the file: ${(error as Error).message}`,
        );
      }
      const image = IMAGE_TYPES.has(file.type) && file.bytes.length <= MAX_IMAGE_BYTES;
      return post(
        to,
        image
          ? { type: "image", image: { id } }
          : { type: "document", document: { id, filename: file.name } },
        fallbacks,
      );
    },

    /**
     * An approved template, the only message Meta takes outside the window; with `text`, the
     * template's one body variable carries it (on one line, as Meta requires).
     */
    async sendTemplate(
      to: Recipient,
      template: NonNullable<WhatsAppConfig["template"]>,
      text: string | null,
      fallbacks: string,
    ): Promise<string> {
      const parameter = text?.replace(/\s+/g, " ").trim().slice(0, MAX_PARAMETER);
      return post(
        to,
        {
          type: "template",
          template: {
            name: template.name,
            language: { code: template.language },
            ...(parameter
              ? { components: [{ type: "body", parameters: [{ type: "text", text: parameter }] }] }
              : {}),
          },
        },
        fallbacks,
      );
    },
  };
}

export type CloudApi = ReturnType<typeof cloudApi>;
