import type { Attachment, ThreadEvent } from "../../sdk/protocol.ts";
import { signAttachment, verifyAttachment } from "../auth/attachment-links.ts";
import { encodeBase32 } from "../auth/base32.ts";
import type { KeyRing } from "../auth/keys.ts";
import type { SiteConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import {
  type AttachmentRecord,
  attachmentConversation,
  type Store,
  type StoredAttachment,
} from "../store/types.ts";
import { acceptAttachment, rulesOf, storageKey, tooLarge } from "./accept.ts";
import type { AttachmentStorage } from "./storage.ts";

/**
 * Attachments as the rest of the server sees them (docs/architecture.md §12): files taken into a
 * conversation, named by id in messages, shown with a signed link that expires, opened by that
 * link, and erased with their conversation. The bytes are the storage's; what they are is the
 * store's.
 */

const DAY_MS = 86_400_000;
/** What is wrong with a file itself, rather than with the server keeping it. */
const REFUSALS = new Set(["payload_too_large", "unsupported_media_type", "bad_request"]);

export interface AttachmentsDeps {
  store: Store;
  /** Where the bytes go; none on a worker without R2 or a bucket (uploads are then refused). */
  storage: AttachmentStorage | undefined;
  keyRing: KeyRing;
  publicUrl: string;
  now: () => number;
}

export type Attachments = ReturnType<typeof createAttachments>;

/**
 * @example
 * const attachments = createAttachments({ store, storage, keyRing, publicUrl, now });
 * const record = await attachments.accept(conversation, site, { name, bytes, from: "visitor" });
 */
export function createAttachments(deps: AttachmentsDeps) {
  const { store } = deps;

  function storage(): AttachmentStorage {
    if (!deps.storage) {
      throw new AppError(
        "attachments_not_configured",
        "This server keeps no files: set ATTACHMENTS (docs: Attachments)",
      );
    }
    return deps.storage;
  }

  /**
   * A download link. Signed from the start of today, so every read of a thread today gives the
   * same link (a browser caches the image once) and each works 6 to 7 days.
   */
  async function link(id: string): Promise<string> {
    const today = Math.floor(deps.now() / DAY_MS) * DAY_MS;
    const sig = await signAttachment(deps.keyRing, id, today);
    return `${deps.publicUrl}/v1/attachments/${id}?sig=${sig}`;
  }

  async function present(event: ThreadEvent): Promise<ThreadEvent> {
    if (!event.attachments) return event;
    const attachments: Attachment[] = await Promise.all(
      event.attachments.map(async (file) => ({ ...file, url: await link(file.id) })),
    );
    return { ...event, attachments };
  }

  /** A file by id, for a caller allowed to see it: a channel, or (with `siteId`) an agent of that site. */
  async function read(
    id: string,
    siteId?: string,
  ): Promise<{ record: AttachmentRecord; bytes: Uint8Array }> {
    const found = await store.getAttachment(id);
    // Another site's file is as unknown as a missing one, and its bytes are never read.
    const record = found && (siteId === undefined || found.siteId === siteId) ? found : null;
    const bytes = record ? await storage().get(storageKey(record)) : null;
    if (!record || !bytes)
      throw new AppError("not_found", "No such file (it may have been erased)");
    return { record, bytes };
  }

  return {
    /** Takes an upload (or a channel's file) into `conversation` under `site`'s rules. */
    accept(
      conversation: { id: string; siteId: string },
      site: SiteConfig,
      upload: { name: string; bytes: Uint8Array; from: AttachmentRecord["from"] },
    ): Promise<AttachmentRecord> {
      return acceptAttachment(
        { store, storage: storage(), rules: rulesOf(site), now: deps.now },
        { conversation, ...upload },
      );
    },

    /**
     * What a message carries, from the ids its sender gave: each must be a file of this
     * conversation (another conversation's id is as unknown as a made-up one).
     */
    async forMessage(
      conversationId: string,
      ids: readonly string[] | undefined,
    ): Promise<StoredAttachment[] | undefined> {
      if (!ids) return undefined;
      return Promise.all(
        [...new Set(ids)].map(async (id) => {
          const record =
            attachmentConversation(id) === conversationId ? await store.getAttachment(id) : null;
          if (!record) {
            throw new AppError("not_found", `No file "${id}" in this conversation`);
          }
          return { id: record.id, name: record.name, type: record.type, size: record.size };
        }),
      );
    },

    /**
     * Keeps a file a channel received (its platform's link expires), once: `key` names it on the
     * channel (a message id and the file's place in it), so a redelivered webhook finds it kept
     * and downloads nothing. Refused files (too large, a type the site does not take, a failed
     * download) answer why, for a line in the thread: the agent learns something was sent.
     */
    async keep(
      conversation: { id: string; siteId: string },
      site: SiteConfig,
      file: {
        key: string;
        name: string;
        from: AttachmentRecord["from"];
        /** The bytes, read up to `maxBytes` (more is refused: `payload_too_large`, `tooLarge`). */
        download: (maxBytes: number, tooLarge: string) => Promise<Uint8Array>;
      },
    ): Promise<{ kept: StoredAttachment } | { refused: string }> {
      const digest = new Uint8Array(
        await crypto.subtle.digest("SHA-256", new TextEncoder().encode(file.key)),
      );
      const id = `${conversation.id}-${encodeBase32(digest.subarray(0, 10))}`;
      const kept = (record: AttachmentRecord) => ({
        kept: { id, name: record.name, type: record.type, size: record.size },
      });
      const known = await store.getAttachment(id);
      if (known) return kept(known);
      const rules = rulesOf(site);
      let bytes: Uint8Array;
      try {
        bytes = await file.download(rules.maxBytes, tooLarge(rules));
      } catch (error) {
        return {
          refused: error instanceof AppError ? error.message : "it could not be downloaded",
        };
      }
      try {
        return kept(
          await acceptAttachment(
            { store, storage: storage(), rules, now: deps.now },
            { conversation, name: file.name, bytes, from: file.from, id },
          ),
        );
      } catch (error) {
        // The file's own fault is told; the storage's is thrown, so the platform sends again.
        if (error instanceof AppError && REFUSALS.has(error.code))
          return { refused: error.message };
        throw error;
      }
    },

    link,

    /** The event as it is sent out: each attachment with a fresh download link. */
    present,

    presentAll(events: readonly ThreadEvent[]): Promise<ThreadEvent[]> {
      return Promise.all(events.map(present));
    },

    /** The file behind a download link: a link that is not this file's, or has expired, opens nothing. */
    async open(
      id: string,
      sig: string | undefined,
    ): Promise<{ record: AttachmentRecord; bytes: Uint8Array }> {
      await verifyAttachment(deps.keyRing, id, sig, deps.now());
      return read(id);
    },

    read,

    /** Removes the files of conversations being erased (before their records go). */
    async erase(siteId: string, conversationIds: readonly string[]): Promise<number> {
      if (!deps.storage) return 0;
      let removed = 0;
      for (const id of conversationIds) {
        removed += await deps.storage.deletePrefix(`${siteId}/${id}`);
      }
      return removed;
    },
  };
}
