import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { fsStorage } from "../server/node/attachments-fs.ts";
import { describeAttachmentStorageContract } from "./attachments.contract.ts";

const dir = mkdtempSync(join(tmpdir(), "omnithread-attachments-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeAttachmentStorageContract("filesystem", async () => fsStorage(dir));

it("keeps files only under its own directory, with no partial file left behind", async () => {
  const storage = fsStorage(dir);
  await storage.put("site-b/c1/a1", new Uint8Array([7]));
  expect(readdirSync(join(dir, "site-b", "c1"))).toEqual(["a1"]);
});
