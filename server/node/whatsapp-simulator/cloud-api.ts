import { randomBytes } from "node:crypto";
import { type FailurePlan, graphError, TRANSIENT_FAILURE } from "../messenger-simulator/graph.ts";
import type { FormFile } from "../phone-simulator/form.ts";

/**
 * An emulation of the WhatsApp Cloud API's send endpoint as Meta answers it
 * (`POST /<version>/<phone_number_id>/messages`, Bearer token): the tests' Graph API peer serves
 * it beside the Messenger Send API. It keeps Meta's rule that a free-form message reaches a
 * customer only within 24 hours of their last message (`customerWrote`), answering 131047
 * otherwise, and takes templates at any time. Framework-free: a request in, a status and JSON out.
 */

/** A message the business number sent, as the customer's phone would show it. */
export interface CloudMessage {
  at: number;
  wamid: string;
  phoneNumberId: string;
  to: string;
  type: "text" | "template" | "image" | "document";
  /** The text, a template's parameters, or a file's caption. */
  text: string;
  template?: { name: string; language: string; parameters: string[] };
  /** The uploaded media an image or document message carries. */
  media?: CloudMedia;
}

/** A file uploaded to `/<phone_number_id>/media`, kept by its media id. */
export interface CloudMedia {
  id: string;
  name: string;
  type: string;
  bytes: Uint8Array;
}

/** A multipart upload's fields: text fields, and files with their bytes. */
export type CloudForm = Record<string, string | FormFile>;

export interface CloudApiEmulatorOptions {
  accessTokens: string[];
  phoneNumberIds: string[];
  now?: () => number;
  onSent?: (message: CloudMessage) => void;
}

const WINDOW_MS = 24 * 3_600_000;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const invalid = (message: string) =>
  graphError(400, { message: `(#100) ${message}`, type: "OAuthException", code: 100 });

/** A wamid in Meta's layout (base64 of the number and a random tag). */
function wamid(to: string): string {
  const tag = randomBytes(9).toString("hex").toUpperCase();
  const bytes = Buffer.concat([
    Buffer.from([0x1c, 0x18, to.length]),
    Buffer.from(to),
    Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, tag.length]),
    Buffer.from(tag),
    Buffer.from([0x00]),
  ]);
  return `wamid.${bytes.toString("base64")}`;
}

/**
 * Creates the emulator.
 *
 * @example
 * const cloud = createCloudApiEmulator({ accessTokens: ["EAAG…"], phoneNumberIds: ["110245678901234"] });
 * cloud.customerWrote("447700900123");
 * cloud.handle({ path: "/v21.0/110245678901234/messages", authorization: "Bearer EAAG…", body });
 */
export function createCloudApiEmulator(options: CloudApiEmulatorOptions) {
  const now = options.now ?? Date.now;
  const sent: CloudMessage[] = [];
  const failures: FailurePlan[] = [];
  const lastWrote = new Map<string, number>();
  const tokens = new Set(options.accessTokens);
  const numbers = new Set(options.phoneNumberIds);

  const media = new Map<string, CloudMedia>();

  /** Free-form messages reach a customer only within 24 hours of their last message. */
  const windowClosed = (to: string) => {
    const wrote = lastWrote.get(to);
    return wrote === undefined || now() - wrote >= WINDOW_MS;
  };
  const REENGAGE = {
    message: "(#131047) Re-engagement message",
    type: "OAuthException",
    code: 131047,
  };

  /** `POST /<phone_number_id>/media`: a file kept for messages to name by its id. */
  function upload(form: CloudForm | undefined) {
    const file = form?.file;
    if (form?.messaging_product !== "whatsapp") {
      return invalid("The parameter messaging_product is required.");
    }
    if (!file || typeof file === "string") return invalid("The parameter file is required.");
    const id = String(1_000_000_000_000_000 + media.size);
    media.set(id, { id, name: file.name, type: file.type, bytes: file.bytes });
    return { status: 200, body: { id } };
  }

  function answer(request: {
    path: string;
    authorization?: string;
    body: string;
    form?: CloudForm;
  }): {
    status: number;
    body: unknown;
  } {
    const route = request.path.match(/^\/v\d+\.\d+\/(\d+)\/(messages|media)\/?$/);
    if (!route || !numbers.has(route[1]!)) {
      return graphError(400, {
        message: `Unsupported post request. Object with ID '${route?.[1] ?? "?"}' does not exist`,
        type: "GraphMethodException",
        code: 100,
        error_subcode: 33,
      });
    }
    const token = request.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (!token || !tokens.has(token)) {
      return graphError(401, {
        message: "Invalid OAuth access token - Cannot parse access token",
        type: "OAuthException",
        code: 190,
      });
    }
    const failure = failures.shift();
    if (failure) return graphError(failure.status, failure.error);
    if (route[2] === "media") return upload(request.form);
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return invalid("Invalid parameter");
    }
    if (!isObject(body) || body.messaging_product !== "whatsapp") {
      return invalid("The parameter messaging_product is required.");
    }
    const to = typeof body.to === "string" ? body.to : "";
    if (!/^\d{6,20}$/.test(to)) return invalid("Invalid parameter: to");
    const base = { at: now(), wamid: wamid(to), phoneNumberId: route[1]!, to };
    let message: CloudMessage;
    if (body.type === "text") {
      const text = isObject(body.text) && typeof body.text.body === "string" ? body.text.body : "";
      if (!text) return invalid("The parameter text['body'] is required.");
      if (text.length > 4096)
        return invalid("Param text['body'] must be at most 4096 characters long.");
      if (windowClosed(to)) return graphError(400, REENGAGE);
      message = { ...base, type: "text", text };
    } else if (body.type === "image" || body.type === "document") {
      const part = body[body.type];
      const file = isObject(part) && typeof part.id === "string" ? media.get(part.id) : undefined;
      if (!file) return invalid(`The parameter ${body.type}['id'] is not an uploaded media id.`);
      if (windowClosed(to)) return graphError(400, REENGAGE);
      const caption = isObject(part) && typeof part.caption === "string" ? part.caption : "";
      const filename = isObject(part) && typeof part.filename === "string" ? part.filename : "";
      message = {
        ...base,
        type: body.type,
        text: caption,
        media: { ...file, name: filename || file.name },
      };
    } else if (body.type === "template" && isObject(body.template)) {
      const t = body.template;
      const language =
        isObject(t.language) && typeof t.language.code === "string" ? t.language.code : "";
      if (typeof t.name !== "string" || !language) {
        return invalid("The parameter template['name'] and template['language'] are required.");
      }
      const components = Array.isArray(t.components) ? t.components : [];
      const parameters = components
        .flatMap((c) => (isObject(c) && Array.isArray(c.parameters) ? c.parameters : []))
        .map((p) => (isObject(p) && typeof p.text === "string" ? p.text : ""));
      if (parameters.some((p) => /[\n\t]| {5}/.test(p))) {
        return invalid(
          "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
        );
      }
      message = {
        ...base,
        type: "template",
        text: parameters.join(" "),
        template: { name: t.name, language, parameters },
      };
    } else {
      return invalid("Unsupported message type");
    }
    sent.push(message);
    options.onSent?.(message);
    return {
      status: 200,
      body: {
        messaging_product: "whatsapp",
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id: message.wamid }],
      },
    };
  }

  return {
    /** Every message accepted, oldest first. */
    sent,
    /** Whether a path is this API's (`/<version>/<digits>/messages` or `…/media`). */
    owns: (path: string) => /^\/v\d+\.\d+\/\d+\/(messages|media)\/?$/.test(path),
    handle: answer,
    /** The customer wrote to the business (their window opens); `at` defaults to now. */
    customerWrote(waId: string, at = now()): void {
      lastWrote.set(waId, Math.max(lastWrote.get(waId) ?? 0, at));
    },
    failNext(count: number, plan: FailurePlan = TRANSIENT_FAILURE): void {
      for (let i = 0; i < count; i++) failures.push(plan);
    },
    reset(): void {
      sent.length = 0;
      failures.length = 0;
      lastWrote.clear();
    },
  };
}

export type CloudApiEmulator = ReturnType<typeof createCloudApiEmulator>;
