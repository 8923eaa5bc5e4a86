import type { Context } from "hono";
import { Hono } from "hono";
import * as v from "valibot";
import { rulesOf, tooLarge } from "../attachments/accept.ts";
import { servedInline } from "../attachments/policy.ts";
import type { SiteConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import { loose } from "../schema/fields.ts";
import { UploadAnswer } from "../schema/frames.ts";
import { route } from "../schema/route.ts";
import type { AttachmentRecord } from "../store/types.ts";
import { readBytesUpTo } from "./body.ts";
import { enforceLimit } from "./rate-limit.ts";
import { type AgentEnv, agentOnly, requireVisitor, type Services } from "./services.ts";

/**
 * Attachments over HTTP (docs/architecture.md §12): uploads by the visitor and by agents (the raw
 * file as the body, its name in `X-Filename`), and downloads by a signed link. A download is
 * never something a browser runs on our origin: only raster images are shown inline, and every
 * file comes with `nosniff` and a CSP that sandboxes it.
 */

/** The upload routes read their own bodies, up to the site's limit: the API's 32 KB is not theirs. */
export const UPLOAD_PATHS = new Set(["/v1/attachments", "/v1/agent/attachments"]);

const ATTACHMENT_ID = { id: "The attachment's id" };
const RAW_FILE = { mediaType: "*/*" };

/** `X-Filename`, percent-decoded (a header carries ASCII; browsers send `encodeURIComponent`). */
function fileName(c: Context): string {
  const raw = c.req.header("x-filename")?.trim();
  if (!raw) throw new AppError("bad_request", "Name the file in the X-Filename header");
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Reads the upload and takes it into the conversation. */
async function upload(
  s: Services,
  c: Context,
  conversation: { id: string; siteId: string },
  site: SiteConfig,
  from: AttachmentRecord["from"],
) {
  const name = fileName(c);
  const rules = rulesOf(site);
  const bytes = await readBytesUpTo(c, rules.maxBytes, tooLarge(rules));
  const record = await s.attachments.accept(conversation, site, { name, bytes, from });
  const { id, type, size } = record;
  return c.json({ attachment: { id, name: record.name, type, size } }, 201);
}

/** `filename*` per RFC 6266/8187, with an ASCII `filename` for old clients. */
function disposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The file as a response that cannot run as a page of ours. */
function fileResponse(record: AttachmentRecord, bytes: Uint8Array, cache: string): Response {
  const inline = servedInline(record.type);
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      "Content-Type": record.type === "text/plain" ? "text/plain; charset=utf-8" : record.type,
      "Content-Length": String(bytes.length),
      "Content-Disposition": disposition(inline ? "inline" : "attachment", record.name),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
      // The widget shows images on the customer's site, another origin.
      "Cross-Origin-Resource-Policy": "cross-origin",
      "Cache-Control": cache,
    },
  });
}

const SigQuery = loose({ sig: v.optional(v.string()) });
const ConversationQuery = loose({
  conversationId: v.pipe(
    v.string("must be a conversation id"),
    v.minLength(1, "must be a conversation id"),
  ),
});

export function attachmentRoutes(s: Services) {
  const visitor = new Hono();
  const agent = new Hono<AgentEnv>();

  visitor.post(
    "/attachments",
    route({
      summary: "Upload a file to the visitor's conversation",
      description:
        "The raw file as the body, its name in `X-Filename` (percent-encoded). Its type is read from its bytes; send its id in a message's `attachments`.",
      tag: "visitor",
      auth: "visitor",
      rawBody: RAW_FILE,
      responses: { 201: { description: "Taken", schema: UploadAnswer } },
    }),
    async (c) => {
      const { claim, site } = await requireVisitor(s, c);
      const conversation = { id: claim.conversationId, siteId: claim.siteId };
      await enforceLimit(s.store, "uploads", conversation.id, s.limits.uploadsPerConversation);
      return upload(s, c, conversation, site, "visitor");
    },
  );

  visitor.get(
    "/attachments/:id",
    route({
      summary: "Download a file by its signed link",
      description:
        "The `url` of an event's attachment. Raster images are shown inline; every other type downloads as a file.",
      tag: "visitor",
      auth: "none",
      params: ATTACHMENT_ID,
      query: SigQuery,
      responses: { 200: { description: "The file", mediaType: "*/*" } },
    }),
    async (c) => {
      const { sig } = c.req.valid("query");
      const { record, bytes } = await s.attachments.open(c.req.param("id"), sig);
      // The link itself expires; a cached copy may live a day, in the browser only.
      return fileResponse(record, bytes, "private, max-age=86400");
    },
  );

  agent.post(
    "/attachments",
    agentOnly(s),
    route({
      summary: "Upload a file to send in a reply",
      description:
        "The raw file as the body, its name in `X-Filename` (percent-encoded), the conversation in `?conversationId=`. Send its id in the reply's `attachments`.",
      tag: "agent",
      auth: "agent",
      rawBody: RAW_FILE,
      query: ConversationQuery,
      responses: { 201: { description: "Taken", schema: UploadAnswer } },
    }),
    async (c) => {
      const { conversationId } = c.req.valid("query");
      const conversation = await s.store.getConversation(conversationId);
      if (!conversation || conversation.siteId !== c.var.agent.siteId) {
        throw new AppError("not_found", "No conversation with that id");
      }
      return upload(s, c, conversation, s.site(conversation.siteId), "agent");
    },
  );

  agent.get(
    "/attachments/:id",
    agentOnly(s),
    route({
      summary: "Download a file of the site's conversations",
      description: "For a server on an API key (a webhook's files carry no link).",
      tag: "agent",
      auth: "agent",
      params: ATTACHMENT_ID,
      responses: { 200: { description: "The file", mediaType: "*/*" } },
    }),
    async (c) => {
      const { record, bytes } = await s.attachments.read(c.req.param("id"), c.var.agent.siteId);
      return fileResponse(record, bytes, "private, no-store");
    },
  );

  return { visitor, agent };
}
