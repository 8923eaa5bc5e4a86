import { randomId } from "../auth/base32.ts";
import type { SiteConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import type { AttachmentRecord, Store } from "../store/types.ts";
import { withoutLocation } from "./exif.ts";
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_TOTAL_BYTES,
  DEFAULT_TYPES,
  safeFilename,
} from "./policy.ts";
import { sniffType } from "./sniff.ts";
import type { AttachmentStorage } from "./storage.ts";

/**
 * Takes one uploaded file into a conversation (docs/architecture.md §12): refused when it is over
 * the site's size, or when its bytes are a type the site does not take (whatever it is called or
 * declared to be); else kept in the storage and recorded, its name made safe and its extension
 * the true type's, a photo's GPS position wiped (`exif.ts`). The bytes go to the storage before
 * the record, so a record never names a file that is not there.
 */

/** What a site takes: its `attachments` block's limits, or the defaults. */
export interface AttachmentRules {
  maxBytes: number;
  /** What one conversation's visitor (by any channel) may send in all; agents' files aside. */
  maxTotalBytes: number;
  types: readonly string[];
}

export const DEFAULT_RULES: AttachmentRules = {
  maxBytes: DEFAULT_MAX_BYTES,
  maxTotalBytes: DEFAULT_MAX_TOTAL_BYTES,
  types: DEFAULT_TYPES,
};

/** A site's rules: its `attachments` block over the defaults. */
export const rulesOf = (site: SiteConfig): AttachmentRules => ({
  ...DEFAULT_RULES,
  ...site.attachments,
});

/** The storage key of an attachment: its site, its conversation, itself. */
export const storageKey = (record: Pick<AttachmentRecord, "siteId" | "conversationId" | "id">) =>
  `${record.siteId}/${record.conversationId}/${record.id}`;

const sizeOf = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`
    : `${Math.ceil(bytes / 1024)} KB`;

/** What a file over the site's size is told. */
export const tooLarge = (rules: AttachmentRules) =>
  `Files are limited to ${sizeOf(rules.maxBytes)} here`;

/**
 * Accepts the file, or throws `payload_too_large` / `unsupported_media_type` naming why.
 *
 * @example
 * const record = await acceptAttachment({ store, storage, rules, now }, { conversation, name, bytes, from: "visitor" });
 */
export async function acceptAttachment(
  deps: {
    store: Pick<Store, "saveAttachment" | "conversationAttachments">;
    storage: AttachmentStorage;
    rules: AttachmentRules;
    now: () => number;
  },
  upload: {
    conversation: { id: string; siteId: string };
    name: string;
    bytes: Uint8Array;
    from: AttachmentRecord["from"];
    /** The id to keep it under (a channel's file, kept once however often it arrives). */
    id?: string;
  },
): Promise<AttachmentRecord> {
  const { rules } = deps;
  if (upload.bytes.length > rules.maxBytes) {
    throw new AppError("payload_too_large", tooLarge(rules));
  }
  if (upload.bytes.length === 0) throw new AppError("bad_request", "The file is empty");
  const sniffed = await sniffType(upload.bytes);
  if (!rules.types.includes(sniffed.type)) {
    throw new AppError(
      "unsupported_media_type",
      `This file is ${sniffed.type}, which this chat does not take: send an image, a PDF, a text or an office document`,
    );
  }
  if (upload.from !== "agent") {
    const earlier = await deps.store.conversationAttachments(upload.conversation.id);
    const sent = earlier.reduce((sum, file) => sum + (file.from === "agent" ? 0 : file.size), 0);
    if (sent + upload.bytes.length > rules.maxTotalBytes) {
      throw new AppError(
        "payload_too_large",
        `This conversation has reached its ${sizeOf(rules.maxTotalBytes)} of files`,
      );
    }
  }
  const bytes = withoutLocation(upload.bytes, sniffed.type);
  const record: AttachmentRecord = {
    id: upload.id ?? `${upload.conversation.id}-${randomId(10)}`,
    siteId: upload.conversation.siteId,
    conversationId: upload.conversation.id,
    name: safeFilename(upload.name, sniffed.ext),
    type: sniffed.type,
    size: bytes.length,
    createdAt: new Date(deps.now()).toISOString(),
    from: upload.from,
  };
  await deps.storage.put(storageKey(record), bytes);
  await deps.store.saveAttachment(record);
  return record;
}
