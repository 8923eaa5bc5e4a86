import { AwsClient } from "aws4fetch";
import { type AttachmentStorage, checkedKey, checkedPrefix } from "./storage.ts";

/**
 * Attachments in any S3-compatible service (`ATTACHMENTS=s3://<bucket>` with `S3_ENDPOINT`,
 * `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`, `S3_REGION`): AWS, R2's S3 API, Ceph, MinIO …,
 * path-style requests signed with AWS Signature V4 by `aws4fetch` (Web APIs only: the edge runs
 * it as Node does). A conversation's files are listed by prefix (ListObjectsV2) and deleted one
 * by one: the batch delete needs a Content-MD5 that Web Crypto cannot make.
 */

export interface S3Options {
  /** `https://s3.eu-west-1.amazonaws.com`, `https://<account>.r2.cloudflarestorage.com`, … */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `us-east-1` when the service does not care (R2 takes `auto`). */
  region?: string;
  fetch?: typeof fetch;
}

/** A failure of the service, named with its status and S3 error code. */
async function failure(what: string, response: Response): Promise<Error> {
  const body = await response.text().catch(() => "");
  const code = body.match(/<Code>([^<]+)<\/Code>/)?.[1] ?? "no error code";
  return new Error(`S3 ${what} answered ${response.status} (${code})`);
}

/**
 * The backend.
 *
 * @example
 * const storage = s3Storage({ endpoint: "https://s3.eu-west-1.amazonaws.com", bucket: "shop-files", accessKeyId, secretAccessKey, region: "eu-west-1" });
 */
export function s3Storage(options: S3Options): AttachmentStorage {
  const client = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    service: "s3",
    region: options.region ?? "us-east-1",
  });
  const base = `${options.endpoint.replace(/\/+$/, "")}/${encodeURIComponent(options.bucket)}`;
  const call = (url: string, init: RequestInit = {}) =>
    client.sign(url, init).then((request) => (options.fetch ?? fetch)(request));

  return {
    kind: "s3",
    async put(key, bytes) {
      const response = await call(`${base}/${checkedKey(key)}`, {
        method: "PUT",
        body: bytes as Uint8Array<ArrayBuffer>,
        headers: { "content-type": "application/octet-stream" },
      });
      if (!response.ok) throw await failure("PUT", response);
    },
    async get(key) {
      const response = await call(`${base}/${checkedKey(key)}`);
      if (response.status === 404) return null;
      if (!response.ok) throw await failure("GET", response);
      return new Uint8Array(await response.arrayBuffer());
    },
    async deletePrefix(prefix) {
      const under = `${checkedPrefix(prefix)}/`;
      let removed = 0;
      let token: string | undefined;
      do {
        const query = new URLSearchParams({ "list-type": "2", prefix: under });
        if (token) query.set("continuation-token", token);
        const response = await call(`${base}?${query}`);
        if (!response.ok) throw await failure("ListObjectsV2", response);
        const xml = await response.text();
        const keys = [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!);
        for (const key of keys) {
          const gone = await call(`${base}/${checkedKey(key)}`, { method: "DELETE" });
          if (!gone.ok && gone.status !== 404) throw await failure("DELETE", gone);
          removed++;
        }
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
          ? xml.match(/<NextContinuationToken>([^<]+)<\/NextContinuationToken>/)?.[1]
          : undefined;
      } while (token);
      return removed;
    },
  };
}
