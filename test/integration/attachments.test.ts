/**
 * Attachments on the real server, its records in a real Redis and its bytes on the disk: the
 * visitor sends a screenshot, the agent answers with a PDF, each opens the other's by its signed
 * link; every limit and refusal; links that are tampered with, expired or another file's; the
 * export lists the files and erasure deletes them from the disk.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Attachment, ThreadEvent } from "../../sdk/protocol.ts";
import { generateApiKey } from "../../server/auth/api-keys.ts";
import { signAttachment } from "../../server/auth/attachment-links.ts";
import { loadKeyRing } from "../../server/auth/keys.ts";
import { silentLogger } from "../../server/log.ts";
import { type RunningServer, startServer } from "../../server/node.ts";
import { loginAgent } from "../helpers/agent-api.ts";
import { PNG } from "../helpers/files.ts";
import { api, testKeys } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";

const ORIGIN = "https://shop.example";
const demo = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0];
const crm = await generateApiKey("crm");
/** A 1×1 PNG. */
const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
);

let redis: RedisServerHandle;
let server: RunningServer;
let files: string;
let agentToken: string;

beforeAll(async () => {
  redis = await startRedisServer();
  files = mkdtempSync(join(tmpdir(), "omnithread-files-"));
  server = await startServer({
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      OMNITHREAD_KEYS: await testKeys,
      OMNITHREAD_STORE: "redis",
      REDIS_URL: redis.url,
      ATTACHMENTS: `fs:${files}`,
      OMNITHREAD_SITES: JSON.stringify({
        sites: [
          {
            id: "shop",
            origins: [ORIGIN],
            agents: [
              { email: "ann@shop.example", name: "Ann", passwordHash: demo.agents[0].passwordHash },
            ],
            apiKeys: [crm.entry],
            attachments: { maxBytes: 64 * 1024, maxTotalBytes: 200 * 1024 },
          },
        ],
      }),
    },
    log: silentLogger,
    limits: { uploadsPerConversation: { limit: 8, windowMs: 60_000 } },
  });
  agentToken = await loginAgent(server.url, "ann@shop.example");
});

afterAll(async () => {
  await server?.stop();
  await redis?.stop();
  rmSync(files, { recursive: true, force: true });
});

async function visitor() {
  const started = await api<{ token: string; conversation: { id: string; contactId: string } }>(
    server.url,
    "/v1/conversations",
    { body: { siteId: "shop" }, headers: { origin: ORIGIN } },
  );
  return {
    token: started.body.token,
    id: started.body.conversation.id,
    contactId: started.body.conversation.contactId,
  };
}

/** `POST` of a raw file, as the widget and the SDK send it. */
async function upload(
  path: string,
  token: string,
  bytes: Uint8Array,
  name: string,
  headers: Record<string, string> = { origin: ORIGIN },
) {
  const response = await fetch(server.url + path, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/octet-stream",
      "x-filename": encodeURIComponent(name),
      ...headers,
    },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      attachment: Omit<Attachment, "url">;
      error?: { code: string; message: string };
    },
  };
}

const visitorUpload = (token: string, bytes: Uint8Array, name: string) =>
  upload("/v1/attachments", token, bytes, name);

describe("a screenshot from the visitor, a PDF from the agent", () => {
  it("goes into the thread with its metadata and a link each side can open", async () => {
    const me = await visitor();
    const shot = await visitorUpload(me.token, PNG, "Скриншот ошибки.PNG");
    expect(shot.status).toBe(201);
    expect(shot.body.attachment).toMatchObject({
      name: "Скриншот_ошибки.png",
      type: "image/png",
      size: PNG.length,
    });
    const sent = await api<{ event: ThreadEvent }>(server.url, "/v1/messages", {
      token: me.token,
      body: { clientId: "m1", attachments: [shot.body.attachment.id] },
      headers: { origin: ORIGIN },
    });
    expect(sent.status).toBe(201);
    const [file] = sent.body.event.attachments ?? [];
    expect(file).toMatchObject({ id: shot.body.attachment.id, type: "image/png" });
    expect(file?.url).toMatch(/\/v1\/attachments\/[a-z2-7-]+\?sig=\d+\.[\w-]{22}$/);

    // The agent sees it in the thread and opens it: an image, shown inline, that cannot run.
    const thread = await api<{ events: ThreadEvent[]; conversation: { lastText: string } }>(
      server.url,
      `/v1/agent/conversations/${me.id}`,
      { token: agentToken },
    );
    expect(thread.body.conversation.lastText).toBe("📎 Скриншот_ошибки.png");
    const seen = thread.body.events.find((e) => e.clientId === "m1")?.attachments?.[0];
    const image = await fetch(seen!.url!);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("content-disposition")).toMatch(/^inline; /);
    expect(image.headers.get("x-content-type-options")).toBe("nosniff");
    expect(image.headers.get("content-security-policy")).toContain("sandbox");

    // The agent answers with a PDF; the visitor gets it as a download.
    const invoice = await upload(
      `/v1/agent/attachments?conversationId=${me.id}`,
      agentToken,
      PDF,
      "invoice 2026-12.pdf",
      {},
    );
    expect(invoice.status).toBe(201);
    const reply = await api<{ event: ThreadEvent }>(
      server.url,
      `/v1/agent/conversations/${me.id}/messages`,
      {
        token: agentToken,
        body: { text: "Here is your invoice", attachments: [invoice.body.attachment.id] },
      },
    );
    expect(reply.status).toBe(201);
    const history = await api<{ events: ThreadEvent[] }>(server.url, "/v1/conversation", {
      token: me.token,
      headers: { origin: ORIGIN },
    });
    const pdf = history.body.events.find((e) => e.text === "Here is your invoice")
      ?.attachments?.[0];
    expect(pdf).toMatchObject({ name: "invoice_2026-12.pdf", type: "application/pdf" });
    const download = await fetch(pdf!.url!);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="invoice_2026-12.pdf"; filename*=UTF-8''invoice_2026-12.pdf`,
    );
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PDF);

    // A server on an API key fetches the file with its key (webhook bodies carry no link).
    const byKey = await fetch(`${server.url}/v1/agent/attachments/${invoice.body.attachment.id}`, {
      headers: { authorization: `Bearer ${crm.key}` },
    });
    expect(byKey.status).toBe(200);
    expect(byKey.headers.get("cache-control")).toBe("private, no-store");
  });

  it("wipes where a photo was taken before it is kept", async () => {
    const me = await visitor();
    // A JPEG whose EXIF holds a GPS block with one latitude (52/1 as a rational).
    const tiff = Buffer.alloc(80);
    tiff.write("II", 0);
    tiff.writeUInt16LE(42, 2);
    tiff.writeUInt32LE(8, 4);
    tiff.writeUInt16LE(1, 8);
    tiff.writeUInt16LE(0x8825, 10);
    tiff.writeUInt16LE(4, 12);
    tiff.writeUInt32LE(1, 14);
    tiff.writeUInt32LE(26, 18);
    tiff.writeUInt16LE(1, 26);
    tiff.writeUInt16LE(2, 28);
    tiff.writeUInt16LE(5, 30);
    tiff.writeUInt32LE(1, 32);
    tiff.writeUInt32LE(48, 36);
    tiff.writeUInt32LE(0xc0ffee, 48);
    tiff.writeUInt32LE(1, 52);
    const app1 = Buffer.concat([Buffer.from("Exif\0\0"), tiff]);
    const head = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0, app1.length + 2]);
    const jpeg = Buffer.concat([head, app1, Buffer.from([0xff, 0xda, 0, 2, 0xff, 0xd9])]);
    const photo = await visitorUpload(me.token, jpeg, "parcel.jpg");
    expect(photo.status).toBe(201);
    const { body } = await api<{ event: ThreadEvent }>(server.url, "/v1/messages", {
      token: me.token,
      body: { clientId: "p", text: "It came broken", attachments: [photo.body.attachment.id] },
      headers: { origin: ORIGIN },
    });
    const kept = Buffer.from(await (await fetch(body.event.attachments![0]!.url!)).arrayBuffer());
    expect(kept.length).toBe(jpeg.length);
    expect(jpeg.includes(Buffer.from([0xee, 0xff, 0xc0, 0]))).toBe(true);
    expect(kept.includes(Buffer.from([0xee, 0xff, 0xc0, 0]))).toBe(false);
  });
});

describe("refusals", () => {
  it("decides the type from the bytes: a page called .png, an SVG, an empty file", async () => {
    const me = await visitor();
    const page = Buffer.from("<!doctype html><html><script>alert(document.cookie)</script>");
    const renamed = await visitorUpload(me.token, page, "cat.png");
    expect(renamed.status).toBe(415);
    expect(renamed.body.error).toMatchObject({ code: "unsupported_media_type" });
    expect(renamed.body.error?.message).toContain("text/html");
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    expect((await visitorUpload(me.token, svg, "logo.svg")).status).toBe(415);
    expect((await visitorUpload(me.token, new Uint8Array(), "nothing.txt")).status).toBe(400);
  });

  it("serves a polyglot as what its bytes begin with, never as a page", async () => {
    const me = await visitor();
    // A GIF whose bytes also read as a script, and a PDF that also reads as HTML.
    const gifScript = Buffer.concat([
      Buffer.from("GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1);//"),
      Buffer.alloc(16),
    ]);
    const pdfPage = Buffer.from("%PDF-1.4\n<html><body><script>alert(1)</script></body></html>");
    for (const [bytes, name, type, shown] of [
      [gifScript, "funny.gif", "image/gif", "inline"],
      [pdfPage, "report.html", "application/pdf", "attachment"],
    ] as const) {
      const taken = await visitorUpload(me.token, bytes, name);
      expect(taken.status).toBe(201);
      expect(taken.body.attachment.type).toBe(type);
      const { body } = await api<{ event: ThreadEvent }>(server.url, "/v1/messages", {
        token: me.token,
        body: { clientId: `poly-${type.length}`, attachments: [taken.body.attachment.id] },
        headers: { origin: ORIGIN },
      });
      const served = await fetch(body.event.attachments![0]!.url!);
      expect(served.headers.get("content-type")).toBe(type);
      expect(served.headers.get("content-disposition")).toMatch(new RegExp(`^${shown};`));
      expect(served.headers.get("x-content-type-options")).toBe("nosniff");
      expect(served.headers.get("content-security-policy")).toBe(
        "default-src 'none'; img-src 'self'; sandbox",
      );
    }
  });

  it("holds the site's limits: one file's size, a conversation's total, uploads per minute", async () => {
    const me = await visitor();
    const big = Buffer.concat([PNG, Buffer.alloc(64 * 1024)]);
    const tooBig = await visitorUpload(me.token, big, "big.png");
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error?.message).toBe("Files are limited to 64 KB here");

    // 200 KB in all: three files of 60 KB fit, the fourth does not.
    const sixty = Buffer.concat([PDF, Buffer.alloc(60 * 1024 - PDF.length, 0x20)]);
    for (let i = 0; i < 3; i++)
      expect((await visitorUpload(me.token, sixty, "a.pdf")).status).toBe(201);
    const over = await visitorUpload(me.token, sixty, "a.pdf");
    expect(over.status).toBe(413);
    expect(over.body.error?.message).toBe("This conversation has reached its 200 KB of files");

    // Uploads per conversation: 8 a minute here (5 were tried above).
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await visitorUpload(me.token, PNG, "x.png")).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it("answers who may not upload, and names a file that is not the conversation's", async () => {
    const me = await visitor();
    const other = await visitor();
    const theirs = await visitorUpload(other.token, PNG, "theirs.png");
    const wrong = await api(server.url, "/v1/messages", {
      token: me.token,
      body: { clientId: "steal", attachments: [theirs.body.attachment.id] },
      headers: { origin: ORIGIN },
    });
    expect(wrong.status).toBe(404);
    expect(wrong.body).toMatchObject({ error: { code: "not_found" } });
    const empty = await api(server.url, "/v1/messages", {
      token: me.token,
      body: { clientId: "nothing" },
      headers: { origin: ORIGIN },
    });
    expect(empty.body).toMatchObject({
      error: { message: '"text" must not be empty unless the message carries attachments' },
    });
    const foreign = await upload("/v1/attachments", me.token, PNG, "x.png", {
      origin: "https://evil.example",
    });
    expect(foreign.status).toBe(403);
    const anonymous = await fetch(`${server.url}/v1/attachments`, {
      method: "POST",
      headers: { "x-filename": "x.png", origin: ORIGIN },
      body: PNG,
    });
    expect(anonymous.status).toBe(401);
    const unnamed = await upload("/v1/attachments", me.token, PNG, "", { origin: ORIGIN });
    expect(unnamed.status).toBe(400);
    const notTheirs = await upload(
      `/v1/agent/attachments?conversationId=nosuchconversation`,
      agentToken,
      PDF,
      "x.pdf",
      {},
    );
    expect(notTheirs.status).toBe(404);
  });
});

describe("download links", () => {
  it("open one file until they expire: tampered, expired or another file's links open nothing", async () => {
    const me = await visitor();
    const a = await visitorUpload(me.token, PNG, "a.png");
    const b = await visitorUpload(me.token, PDF, "b.pdf");
    const { body } = await api<{ event: ThreadEvent }>(server.url, "/v1/messages", {
      token: me.token,
      body: { clientId: "two", attachments: [a.body.attachment.id, b.body.attachment.id] },
      headers: { origin: ORIGIN },
    });
    const [first, second] = body.event.attachments!;
    const sig = new URL(first!.url!).searchParams.get("sig")!;
    expect((await fetch(first!.url!)).status).toBe(200);

    const tampered = `${first!.url!.slice(0, -2)}${first!.url!.endsWith("AA") ? "BA" : "AA"}`;
    const swapped = `${server.url}/v1/attachments/${second!.id}?sig=${sig}`;
    const [expiry, mac] = sig.split(".");
    const extended = `${server.url}/v1/attachments/${first!.id}?sig=${Number(expiry) + 86_400}.${mac}`;
    for (const url of [tampered, swapped, extended, `${server.url}/v1/attachments/${first!.id}`]) {
      const refused = await fetch(url);
      expect(refused.status, url).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: "unauthorized" } });
    }

    const ring = await loadKeyRing(JSON.parse(await testKeys));
    const lastWeek = await signAttachment(ring, first!.id, Date.now() - 8 * 86_400_000);
    const expired = await fetch(`${server.url}/v1/attachments/${first!.id}?sig=${lastWeek}`);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: "token_expired" } });
  });
});

describe("the customer record", () => {
  it("lists the files in the export, and erasure deletes them from the disk", async () => {
    const me = await visitor();
    const shot = await visitorUpload(me.token, PNG, "proof.png");
    await api(server.url, "/v1/messages", {
      token: me.token,
      body: { clientId: "proof", text: "See", attachments: [shot.body.attachment.id] },
      headers: { origin: ORIGIN },
    });
    const folder = join(files, "shop", me.id);
    expect(readdirSync(folder)).toHaveLength(1);

    const exported = await api<{
      conversations: { attachments: (Attachment & { from: string })[] }[];
    }>(server.url, `/v1/agent/contacts/${me.contactId}/export`, { token: agentToken });
    expect(exported.body.conversations[0]?.attachments).toEqual([
      expect.objectContaining({ id: shot.body.attachment.id, name: "proof.png", from: "visitor" }),
    ]);
    const link = exported.body.conversations[0]!.attachments[0]!.url!;
    expect((await fetch(link)).status).toBe(200);

    const erased = await api<{ erased: { files: number } }>(
      server.url,
      `/v1/agent/contacts/${me.contactId}`,
      { method: "DELETE", token: agentToken },
    );
    expect(erased.body.erased.files).toBe(1);
    expect(existsSync(folder) && readdirSync(folder).length > 0).toBe(false);
    expect((await fetch(link)).status).toBe(404);
  });
});
