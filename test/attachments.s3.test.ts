import { afterAll, beforeAll, expect, it } from "vitest";
import { s3Storage } from "../server/attachments/s3.ts";
import { describeAttachmentStorageContract } from "./attachments.contract.ts";
import { type S3ServerHandle, startS3Server } from "./helpers/s3-server.ts";

/** The S3 backend against a real S3-compatible server on loopback (Ceph's gateway checks SigV4). */
let s3: S3ServerHandle;
beforeAll(async () => {
  s3 = await startS3Server();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

const open = async () => s3Storage({ endpoint: s3.endpoint, bucket: s3.bucket, ...s3.credentials });

describeAttachmentStorageContract("S3 (Ceph RADOS Gateway)", open);

it("refuses to work with a wrong secret: the server checks every signature", async () => {
  const wrong = s3Storage({
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    accessKeyId: s3.credentials.accessKeyId,
    secretAccessKey: "not-the-secret",
  });
  await expect(wrong.put("site-a/c1/a1", new Uint8Array([1]))).rejects.toThrow(
    /S3 PUT answered 403 \(SignatureDoesNotMatch\)/,
  );
});

it("lists past one page when erasing a conversation with many files", async () => {
  const storage = await open();
  for (let i = 0; i < 1005; i++) await storage.put(`site-p/many/a${i}`, new Uint8Array([i % 256]));
  expect(await storage.deletePrefix("site-p/many")).toBe(1005);
}, 120_000);
