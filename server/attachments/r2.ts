import { type AttachmentStorage, checkedKey, checkedPrefix } from "./storage.ts";

/**
 * Attachments in a Cloudflare R2 bucket bound to the worker (`[[r2_buckets]] binding =
 * "ATTACHMENTS"`): no keys to keep, no signing; the binding's own calls. Only what the backend
 * uses of R2's runtime API is typed here.
 */

/** The calls of an R2 binding this backend makes. */
export interface R2BucketLike {
  put(key: string, value: Uint8Array): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  list(options: { prefix: string; cursor?: string; limit?: number }): Promise<{
    objects: Array<{ key: string }>;
    truncated: boolean;
    cursor?: string;
  }>;
  delete(keys: string[]): Promise<void>;
}

/**
 * The backend.
 *
 * @example
 * const storage = r2Storage(env.ATTACHMENTS);
 */
export function r2Storage(bucket: R2BucketLike): AttachmentStorage {
  return {
    kind: "r2",
    async put(key, bytes) {
      await bucket.put(checkedKey(key), bytes);
    },
    async get(key) {
      const found = await bucket.get(checkedKey(key));
      return found ? new Uint8Array(await found.arrayBuffer()) : null;
    },
    async deletePrefix(prefix) {
      const under = `${checkedPrefix(prefix)}/`;
      let removed = 0;
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix: under, ...(cursor ? { cursor } : {}) });
        const keys = page.objects.map((o) => o.key);
        // A delete takes up to 1,000 keys, as a list page holds.
        if (keys.length > 0) await bucket.delete(keys);
        removed += keys.length;
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return removed;
    },
  };
}
