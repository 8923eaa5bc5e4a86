import { type R2BucketLike, r2Storage } from "../attachments/r2.ts";
import { s3Storage } from "../attachments/s3.ts";
import type { AttachmentStorage } from "../attachments/storage.ts";
import { type Config, ConfigError } from "../config.ts";

/**
 * The attachment storage a worker keeps files in: its R2 binding (`ATTACHMENTS = "r2"` and an
 * `[[r2_buckets]]` binding named ATTACHMENTS), or an S3-compatible bucket. A worker has no disk:
 * `fs:<dir>` is refused, naming what to set; with ATTACHMENTS unset it keeps none.
 *
 * @example
 * const storage = edgeAttachmentStorage(config, env.ATTACHMENTS_BUCKET);
 */
export function edgeAttachmentStorage(
  config: Config,
  binding: R2BucketLike | undefined,
): AttachmentStorage | undefined {
  const where = config.attachments;
  // Unset: this worker keeps no files, and uploads say so (`attachments_not_configured`).
  if (where.kind === "fs" && where.dir === null) return undefined;
  if (where.kind === "s3") return s3Storage(where);
  if (where.kind === "r2") {
    if (!binding) {
      throw new ConfigError(
        'ATTACHMENTS: "r2" needs an [[r2_buckets]] binding named ATTACHMENTS_BUCKET in wrangler.toml',
      );
    }
    return r2Storage(binding);
  }
  throw new ConfigError(
    'ATTACHMENTS: a worker has no disk; set "r2" (with an R2 binding) or "s3://<bucket>" with S3_*',
  );
}
