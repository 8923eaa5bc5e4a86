/**
 * Where attachments' bytes live (docs/architecture.md §12), behind one interface
 * every backend passes the same contract test with (`test/attachments.contract.ts`): memory (unit
 * tests, the demo without a disk), the local filesystem (the Node default), an S3-compatible
 * service, an R2 binding on the edge. What a file is (its name, type, size, conversation) is the
 * store's; a backend keeps bytes by key and nothing else.
 *
 * Keys are ours, never a visitor's: `<siteId>/<conversationId>/<attachmentId>`, each part of
 * lowercase letters, digits, underscores and dashes, so a key can name no path outside the backend's own, and
 * a conversation's files share a prefix for erasure.
 */

/** A key's shape: two to four parts of `[a-z0-9_-]`, joined by `/`. */
const KEY = /^[a-z0-9_-]{1,64}(?:\/[a-z0-9_-]{1,64}){1,3}$/;

export interface AttachmentStorage {
  /** "memory", "fs", "s3", "r2": what `/ready` and the logs name. */
  readonly kind: string;
  /** Keeps the bytes under `key`, replacing what was there. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes under `key`, or null when there are none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Removes every key under `prefix` (a conversation's files, on erasure); answers how many. */
  deletePrefix(prefix: string): Promise<number>;
}

/**
 * The key, checked: a backend calls this before it touches anything, so a malformed key is a
 * fault of ours that stops at once, never a path.
 *
 * @example
 * const path = join(dir, checkedKey(key));
 */
export function checkedKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`Not an attachment key: ${JSON.stringify(key)}`);
  return key;
}

/** A prefix, checked as a key (one to four parts). */
export function checkedPrefix(prefix: string): string {
  if (!/^[a-z0-9_-]{1,64}(?:\/[a-z0-9_-]{1,64}){0,3}$/.test(prefix)) {
    throw new Error(`Not an attachment prefix: ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

/**
 * Attachments kept in this process's memory: for unit tests and a demo without a disk.
 *
 * @example
 * const storage = memoryStorage();
 * await storage.put("demo/c1/a1", bytes);
 */
export function memoryStorage(): AttachmentStorage {
  const files = new Map<string, Uint8Array>();
  return {
    kind: "memory",
    async put(key, bytes) {
      files.set(checkedKey(key), bytes.slice());
    },
    async get(key) {
      return files.get(checkedKey(key))?.slice() ?? null;
    },
    async deletePrefix(prefix) {
      const under = `${checkedPrefix(prefix)}/`;
      let removed = 0;
      for (const key of [...files.keys()]) {
        if (key.startsWith(under)) removed += Number(files.delete(key));
      }
      return removed;
    },
  };
}
