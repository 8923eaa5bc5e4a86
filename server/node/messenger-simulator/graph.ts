import { randomBytes } from "node:crypto";
import type { FormFile } from "../phone-simulator/form.ts";

/**
 * An emulation of the Graph API's Send API, as Meta answers it: the demo's Messenger simulator
 * serves it, and the tests' Graph API peer (`test/helpers/graph-api-peer.ts`) wraps the same
 * code in its own HTTP server. Framework-free: a request in, a status and JSON body out.
 */

/** Meta's error shape. */
export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

/** One Send API call, as received, whatever was answered. */
export interface GraphCall {
  at: number;
  method: string;
  path: string;
  version?: string;
  accessToken?: string;
  /** The request body, parsed (JSON, or form fields with JSON values). */
  body: Record<string, unknown>;
  status: number;
  response: unknown;
}

/** A message the page sent, as the person's phone would show it. */
export interface SentMessage {
  at: number;
  messageId: string;
  recipientId: string;
  messagingType: string;
  tag?: string;
  /** The text ("" for an attachment). */
  text: string;
  /** An attachment uploaded with the message (`filedata`). */
  file?: { type: string; name: string; mimeType: string; bytes: Uint8Array };
}

/** The Send API's attachment types, and the largest file it takes by upload. */
const ATTACHMENT_TYPES = new Set(["image", "video", "audio", "file"]);
const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** A failure to answer instead of the next calls' success. */
export interface FailurePlan {
  status: number;
  error: Omit<GraphErrorBody["error"], "fbtrace_id">;
}

export interface GraphEmulatorOptions {
  /** Page access tokens the emulated Graph API accepts. */
  accessTokens: string[];
  /** Called for every message accepted. */
  onSent?: (message: SentMessage) => void;
}

/** Meta's answer to a call that failed for a moment. */
export const TRANSIENT_FAILURE: FailurePlan = {
  status: 500,
  error: {
    message: "An unexpected error has occurred. Please retry your request later.",
    type: "OAuthException",
    code: 2,
    is_transient: true,
  },
};

const MESSAGING_TYPES = new Set(["RESPONSE", "UPDATE", "MESSAGE_TAG"]);
const TAGS = new Set([
  "HUMAN_AGENT",
  "ACCOUNT_UPDATE",
  "CONFIRMED_EVENT_UPDATE",
  "POST_PURCHASE_UPDATE",
]);

const traceId = () => randomBytes(8).toString("base64url");
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function graphError(
  status: number,
  error: Omit<GraphErrorBody["error"], "fbtrace_id">,
): { status: number; body: GraphErrorBody } {
  return { status, body: { error: { ...error, fbtrace_id: traceId() } } };
}

const invalid = (message: string, subcode?: number) =>
  graphError(400, {
    message: `(#100) ${message}`,
    type: "OAuthException",
    code: 100,
    ...(subcode ? { error_subcode: subcode } : {}),
  });

/** Reads a Send API body: JSON, or Meta's form encoding where objects are JSON strings. */
function parseBody(text: string, contentType: string): Record<string, unknown> | null {
  if (/json/i.test(contentType) || text.trimStart().startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(text);
      return isObject(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    try {
      fields[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      fields[key] = value;
    }
  }
  return fields;
}

/**
 * Creates the emulator.
 *
 * @example
 * const graph = createGraphEmulator({ accessTokens: ["page-token"] });
 * const { status, body } = graph.handle({ method: "POST", path: "/v21.0/me/messages", query, body, contentType });
 */
export function createGraphEmulator(options: GraphEmulatorOptions) {
  const calls: GraphCall[] = [];
  const sent: SentMessage[] = [];
  const failures: FailurePlan[] = [];
  const tokens = new Set(options.accessTokens);

  /** Keeps a message the page sent (and tells the demo's phone); answers its id. */
  function accept(message: Omit<SentMessage, "at" | "messageId">): string {
    const record: SentMessage = {
      at: Date.now(),
      messageId: `m_${randomBytes(24).toString("base64url")}`,
      ...message,
    };
    sent.push(record);
    options.onSent?.(record);
    return record.messageId;
  }

  function answer(request: {
    method: string;
    path: string;
    query: URLSearchParams;
    body: Record<string, unknown> | null;
    authorization?: string;
    filedata?: FormFile;
  }): { status: number; body: unknown; version?: string; token?: string } {
    const route = request.path.match(/^\/(v\d+\.\d+)\/([^/]+)\/messages\/?$/);
    if (!route) {
      return graphError(400, {
        message: `Unknown path components: ${request.path}`,
        type: "OAuthException",
        code: 2500,
      });
    }
    const version = route[1]!;
    const token =
      request.query.get("access_token") ??
      (typeof request.body?.access_token === "string" ? request.body.access_token : undefined) ??
      request.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const base = { version, ...(token ? { token } : {}) };
    if (!token) {
      return {
        ...base,
        ...graphError(400, {
          message:
            "An active access token must be used to query information about the current user.",
          type: "OAuthException",
          code: 2500,
        }),
      };
    }
    if (!tokens.has(token)) {
      return {
        ...base,
        ...graphError(400, {
          message: "Invalid OAuth access token - Cannot parse access token",
          type: "OAuthException",
          code: 190,
        }),
      };
    }
    if (request.method !== "POST") {
      return { ...base, ...invalid("Unsupported get request") };
    }
    const failure = failures.shift();
    if (failure) return { ...base, ...graphError(failure.status, failure.error) };

    const body = request.body;
    if (!body) return { ...base, ...invalid("Invalid parameter") };
    const recipient = isObject(body.recipient) ? body.recipient : null;
    const recipientId = typeof recipient?.id === "string" ? recipient.id : undefined;
    if (!recipientId)
      return { ...base, ...invalid("Param recipient[id] must be a valid ID string") };
    const messagingType = body.messaging_type;
    if (typeof messagingType !== "string" || !MESSAGING_TYPES.has(messagingType)) {
      return {
        ...base,
        ...invalid("Param messaging_type must be one of RESPONSE, UPDATE, MESSAGE_TAG"),
      };
    }
    const tag = typeof body.tag === "string" ? body.tag : undefined;
    if (messagingType === "MESSAGE_TAG" && (!tag || !TAGS.has(tag))) {
      return {
        ...base,
        ...invalid("Param tag must be a valid message tag when messaging_type is MESSAGE_TAG"),
      };
    }
    const message = isObject(body.message) ? body.message : null;
    const attachment = isObject(message?.attachment) ? message.attachment : null;
    if (attachment) {
      const type = typeof attachment.type === "string" ? attachment.type : "";
      const upload = request.filedata;
      if (!ATTACHMENT_TYPES.has(type))
        return { ...base, ...invalid("Param message[attachment][type] is invalid") };
      if (!upload) return { ...base, ...invalid("Upload attachment failure: no filedata") };
      if (upload.bytes.length > MAX_UPLOAD_BYTES) {
        return {
          ...base,
          ...invalid("Upload attachment failure: the file is over 25 MB", 2018047),
        };
      }
      const file = { type, name: upload.name, mimeType: upload.type, bytes: upload.bytes };
      const messageId = accept({
        recipientId,
        messagingType,
        ...(tag ? { tag } : {}),
        text: "",
        file,
      });
      const attachmentId = String(1_000_000_000 + sent.length);
      return {
        ...base,
        status: 200,
        body: { recipient_id: recipientId, message_id: messageId, attachment_id: attachmentId },
      };
    }
    const text = typeof message?.text === "string" ? message.text : undefined;
    if (!text)
      return {
        ...base,
        ...invalid("Param message[text] must be a non-empty UTF-8 encoded string"),
      };
    if (text.length > 2000) {
      return {
        ...base,
        ...invalid("Param message[text] must be at most 2000 characters", 2018109),
      };
    }
    const messageId = accept({ recipientId, messagingType, ...(tag ? { tag } : {}), text });
    return { ...base, status: 200, body: { recipient_id: recipientId, message_id: messageId } };
  }

  return {
    /** Every Send API call received, failed ones included, oldest first. */
    calls,
    /** Every message accepted, oldest first. */
    sent,

    /**
     * Answers one request. `path` is relative to the Graph API base (`/v21.0/me/messages`).
     */
    handle(request: {
      method: string;
      path: string;
      query: URLSearchParams;
      body: string;
      contentType?: string;
      authorization?: string;
      /** A multipart call's fields (an attachment upload), read by the caller. */
      form?: Record<string, FormFile | string>;
    }): { status: number; body: unknown } {
      const { form } = request;
      const filedata = form?.filedata;
      // A multipart call's text fields read as Meta's form encoding does (objects as JSON).
      const body = form
        ? parseBody(
            new URLSearchParams(
              Object.entries(form).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])),
            ).toString(),
            "application/x-www-form-urlencoded",
          )
        : parseBody(request.body, request.contentType ?? "");
      const result = answer({
        ...request,
        body,
        ...(filedata && typeof filedata !== "string" ? { filedata } : {}),
      });
      calls.push({
        at: Date.now(),
        method: request.method,
        path: request.path,
        ...(result.version ? { version: result.version } : {}),
        ...(result.token ? { accessToken: result.token } : {}),
        body: body ?? {},
        status: result.status,
        response: result.body,
      });
      return { status: result.status, body: result.body };
    },

    /** The next `count` calls with a valid token fail with `plan` (a transient 500 by default). */
    failNext(count: number, plan: FailurePlan = TRANSIENT_FAILURE): void {
      for (let i = 0; i < count; i++) failures.push(plan);
    },

    /** Forgets calls, messages and planned failures. */
    reset(): void {
      calls.length = 0;
      sent.length = 0;
      failures.length = 0;
    },
  };
}

export type GraphEmulator = ReturnType<typeof createGraphEmulator>;
