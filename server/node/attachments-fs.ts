import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { type AttachmentStorage, checkedKey, checkedPrefix } from "../attachments/storage.ts";

/**
 * Attachments on the local filesystem (`ATTACHMENTS=fs:<dir>`, the Node default
 * `.omnithread/attachments`): one file per key under `dir`. A file is written beside its place and
 * renamed into it, so a reader never sees half of one and a crash leaves no torn file.
 *
 * @example
 * const storage = fsStorage(".omnithread/attachments");
 */
export function fsStorage(dir: string): AttachmentStorage {
  const root = resolve(dir);
  const pathOf = (key: string) => join(root, checkedKey(key));
  let temp = 0;
  return {
    kind: "fs",
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.${process.pid}.${temp++}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, path);
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async deletePrefix(prefix) {
      const path = join(root, checkedPrefix(prefix));
      const found = await stat(path).catch(() => null);
      if (!found) return 0;
      const count = found.isDirectory() ? await countFiles(path) : 1;
      await rm(path, { recursive: true, force: true });
      return count;
    },
  };
}

async function countFiles(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    count += entry.isDirectory() ? await countFiles(join(dir, entry.name)) : 1;
  }
  return count;
}
