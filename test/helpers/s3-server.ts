import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AwsClient } from "aws4fetch";
import { freePort } from "./free-port.ts";

const run = promisify(execFile);

/**
 * A real S3-compatible server on loopback for the tests: Debian's Ceph RADOS Gateway, one
 * monitor and one in-memory OSD under a temporary directory (`s3/ceph-rgw-start.sh`, about 12 s
 * to start). It checks AWS Signature V4 for real, so a wrongly signed request fails here as it
 * would at AWS. Its monitor takes 127.0.0.1:3300: one per machine at a time.
 *
 * @example
 * const s3 = await startS3Server();
 * const storage = s3Storage({ endpoint: s3.endpoint, bucket: s3.bucket, ...s3.credentials });
 */
export interface S3ServerHandle {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<S3ServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), "omnithread-s3-"));
  const port = await freePort();
  const script = new URL("./s3/ceph-rgw-start.sh", import.meta.url).pathname;
  await run("bash", [script], { env: { ...process.env, D: dir, PORT: String(port) } });
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: "AKIATEST", secretAccessKey: "secrettest" };
  const bucket = "omnithread-test";
  const client = new AwsClient({ ...credentials, service: "s3", region: "us-east-1" });
  const made = await fetch(await client.sign(`${endpoint}/${bucket}`, { method: "PUT" }));
  if (!made.ok) throw new Error(`S3 test server: creating the bucket answered ${made.status}`);
  return {
    endpoint,
    bucket,
    credentials,
    async stop() {
      for (const name of readdirSync(join(dir, "run")).filter((n) => n.endsWith(".pid"))) {
        const pid = Number(readFileSync(join(dir, "run", name), "utf8"));
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone already.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
