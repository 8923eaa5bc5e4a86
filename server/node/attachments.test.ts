import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { edgeAttachmentStorage } from "../worker/attachments.ts";
import { nodeAttachmentStorage } from "./attachments.ts";

const SITES = JSON.stringify({
  sites: [{ id: "shop", name: "Shop", origins: ["https://shop.example"], agents: [] }],
});
const S3 = {
  ATTACHMENTS: "s3://shop-files",
  S3_ENDPOINT: "https://s3.example",
  S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
  S3_SECRET_ACCESS_KEY: "secret",
};

describe("where a server keeps attachments", () => {
  it("on Node: the data directory by default, a bucket when asked, never R2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "omnithread-data-"));
    try {
      const env = { OMNITHREAD_DATA_DIR: dir };
      const storage = nodeAttachmentStorage(loadConfig(env, SITES), env);
      expect(storage.kind).toBe("fs");
      await storage.put("shop/c1/a1", new Uint8Array([1]));
      expect(await nodeAttachmentStorage(loadConfig(env, SITES), env).get("shop/c1/a1")).toEqual(
        new Uint8Array([1]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(nodeAttachmentStorage(loadConfig(S3, SITES), S3).kind).toBe("s3");
    expect(() => nodeAttachmentStorage(loadConfig({ ATTACHMENTS: "r2" }, SITES), {})).toThrow(
      /Cloudflare Worker binding/,
    );
  });

  it("on the edge: the R2 binding or a bucket, never a disk, and none when unset", () => {
    const r2 = loadConfig({ ATTACHMENTS: "r2" }, SITES);
    expect(() => edgeAttachmentStorage(r2, undefined)).toThrow(/r2_buckets/);
    expect(edgeAttachmentStorage(loadConfig(S3, SITES), undefined)?.kind).toBe("s3");
    const disk = loadConfig({ ATTACHMENTS: "fs:/tmp/files" }, SITES);
    expect(() => edgeAttachmentStorage(disk, undefined)).toThrow(/no disk/);
    expect(edgeAttachmentStorage(loadConfig({}, SITES), undefined)).toBeUndefined();
  });
});
