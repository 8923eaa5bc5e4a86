import { Miniflare } from "miniflare";
import { afterAll, beforeAll } from "vitest";
import { type R2BucketLike, r2Storage } from "../server/attachments/r2.ts";
import { describeAttachmentStorageContract } from "./attachments.contract.ts";

/** The R2 backend against workerd's own R2 binding (Miniflare, in memory). */
let mf: Miniflare;
let bucket: R2BucketLike;
beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    r2Buckets: ["ATTACHMENTS"],
  });
  // Miniflare types the binding for every R2 call; the backend needs only these.
  bucket = (await mf.getR2Bucket("ATTACHMENTS")) as unknown as R2BucketLike;
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

describeAttachmentStorageContract("R2 (workerd's binding)", async () => r2Storage(bucket));
