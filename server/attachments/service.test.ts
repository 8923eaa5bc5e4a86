import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyRingConfig, loadKeyRing } from "../auth/keys.ts";
import type { SiteConfig } from "../config.ts";
import { readUpTo } from "../http/body.ts";
import { memoryStore } from "../store/memory.ts";
import { createAttachments } from "./service.ts";
import { memoryStorage } from "./storage.ts";

/**
 * A channel's file kept on arrival, as Messenger's CDN, Telegram's file API or Twilio's media
 * serve it: over HTTP from a peer on loopback that counts its downloads.
 */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
let cdn: Server;
let base: string;
const downloads: string[] = [];

beforeAll(async () => {
  cdn = createServer((req, res) => {
    downloads.push(req.url ?? "");
    if (req.url === "/photo.png") res.writeHead(200, { "content-type": "image/png" }).end(PNG);
    else if (req.url === "/page.png") res.writeHead(200).end("<!doctype html><script>x</script>");
    else if (req.url === "/huge") res.writeHead(200).end(Buffer.alloc(4096, 0x20));
    else res.writeHead(404).end();
  });
  await new Promise<void>((done) => cdn.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => cdn.close(done)));

const site = { id: "shop", attachments: { maxBytes: 1024 } } as SiteConfig;
const conversation = { id: "conversationone", siteId: "shop" };

async function setup() {
  const store = memoryStore();
  const storage = memoryStorage();
  const attachments = createAttachments({
    store,
    storage,
    keyRing: await loadKeyRing(await generateKeyRingConfig()),
    publicUrl: "http://127.0.0.1:8787",
    now: Date.now,
  });
  /** How a channel downloads: its platform's link, read up to the site's size. */
  const download = (path: string) => async (max: number, tooLarge: string) => {
    const response = await fetch(base + path);
    if (!response.ok) throw new Error(`the platform answered ${response.status}`);
    return readUpTo(response, max, tooLarge);
  };
  const keep = (key: string, path: string) =>
    attachments.keep(conversation, site, {
      key,
      name: path.slice(1),
      from: "telegram",
      download: download(path),
    });
  return { store, attachments, keep };
}

describe("keeping a channel's file", () => {
  it("copies it once: a redelivered webhook finds it kept and downloads nothing", async () => {
    const { attachments, keep } = await setup();
    downloads.length = 0;
    const first = await keep("update-1:0", "/photo.png");
    const again = await keep("update-1:0", "/photo.png");
    expect(first).toEqual(again);
    expect(downloads).toEqual(["/photo.png"]);
    if (!("kept" in first)) throw new Error("not kept");
    expect(first.kept).toMatchObject({ name: "photo.png", type: "image/png", size: PNG.length });
    expect((await attachments.read(first.kept.id)).bytes).toEqual(new Uint8Array(PNG));
  });

  it("answers why a file was not kept: its type, its size, a failed download", async () => {
    const { keep, store } = await setup();
    expect(await keep("a", "/page.png")).toEqual({
      refused: expect.stringContaining("text/html"),
    });
    expect(await keep("b", "/huge")).toEqual({ refused: "Files are limited to 1 KB here" });
    expect(await keep("c", "/gone")).toEqual({ refused: "it could not be downloaded" });
    expect(await store.conversationAttachments(conversation.id)).toEqual([]);
  });
});
