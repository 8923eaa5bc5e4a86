import { join, resolve } from "node:path";
import { s3Storage } from "../attachments/s3.ts";
import type { AttachmentStorage } from "../attachments/storage.ts";
import { type Config, ConfigError, type Env } from "../config.ts";
import { fsStorage } from "./attachments-fs.ts";
import { PACKAGE_ROOT } from "./paths.ts";

/**
 * The attachment storage a Node server keeps files in, as `ATTACHMENTS` says: a directory (by
 * default `attachments/` in the data directory, beside the development keys), or an S3-compatible
 * bucket. R2 is a worker's binding, which Node has not: refused at start, naming what to set.
 *
 * @example
 * const storage = nodeAttachmentStorage(config, process.env);
 */
export function nodeAttachmentStorage(config: Config, env: Env): AttachmentStorage {
  const where = config.attachments;
  if (where.kind === "r2") {
    throw new ConfigError(
      'ATTACHMENTS: "r2" is a Cloudflare Worker binding; on Node use fs:<dir> or s3://<bucket>',
    );
  }
  if (where.kind === "s3") return s3Storage(where);
  const dataDir = resolve(env.OMNITHREAD_DATA_DIR ?? join(PACKAGE_ROOT, ".omnithread"));
  return fsStorage(where.dir ?? join(dataDir, "attachments"));
}
