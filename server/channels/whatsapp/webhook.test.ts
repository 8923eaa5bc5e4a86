import { readFileSync } from "node:fs";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { WebhookBody } from "./schema.ts";
import { MAX_EVENT_TEXT, parseWebhook } from "./webhook.ts";

/** A Cloud API body from `test/fixtures/whatsapp/` (shapes from Meta's reference; see its README). */
const raw = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/whatsapp/${name}.json`, "utf8")) as {
    entry: Array<{ changes: Array<{ value: Record<string, unknown>; field: string }> }>;
  };
const parse = (body: unknown) => parseWebhook(v.parse(WebhookBody, body));
/** The fixture's first message, changed by `edit`. */
function withMessage(name: string, edit: (message: Record<string, unknown>) => void) {
  const body = raw(name);
  const messages = body.entry[0]!.changes[0]!.value.messages as Array<Record<string, unknown>>;
  edit(messages[0]!);
  return body;
}

describe("reading Cloud API webhooks", () => {
  it("reads a text message with the business number, the customer's id, name and time", () => {
    const body = raw("webhook-text");
    const [message] = body.entry[0]!.changes[0]!.value.messages as Array<{
      id: string;
      timestamp: string;
      text: { body: string };
    }>;
    expect(parse(body)).toEqual([
      {
        kind: "message",
        phoneNumberId: "110245678901234",
        waId: "447700900123",
        wamid: message!.id,
        timestamp: Number(message!.timestamp),
        text: message!.text.body,
        files: [],
        profileName: "Dana Ivers",
      },
    ]);
  });

  it("shows an image's caption as the text and keeps its media id, and a document's name", () => {
    const [image] = parse(raw("webhook-image"));
    expect(image).toMatchObject({
      kind: "message",
      text: "Here is the damaged box",
      files: [
        {
          type: "image",
          mediaId: "1298374650192837",
          mimeType: "image/jpeg",
          sha256: "kWUVlX5E1aMcKRdUdgpC4PYXlrrOz4OD8h4LMMqBbrY=",
        },
      ],
    });
    const [document] = parse(raw("webhook-document"));
    expect(document?.kind).toBe("message");
    if (document?.kind !== "message") return;
    expect(document.files).toHaveLength(1);
    expect(document.files[0]).toMatchObject({ type: "document" });
    expect(document.text).toBe("Invoice attached");
  });

  it("shows a message type it does not act on by its type, and a button tap by its title", () => {
    const location = withMessage("webhook-text", (m) => {
      delete m.text;
      m.type = "location";
      m.location = { latitude: 51.5, longitude: -0.12 };
    });
    expect(parse(location)[0]).toMatchObject({ kind: "message", text: "[location]", files: [] });

    const tap = withMessage("webhook-text", (m) => {
      delete m.text;
      m.type = "button";
      m.button = { text: "Track my order", payload: "track" };
    });
    expect(parse(tap)[0]).toMatchObject({ text: "Track my order" });
  });

  it("cuts an overlong text to what one thread event holds", () => {
    const long = withMessage("webhook-text", (m) => {
      m.text = { body: "x".repeat(MAX_EVENT_TEXT + 50) };
    });
    const [event] = parse(long);
    expect(event?.kind === "message" && event.text.length).toBe(MAX_EVENT_TEXT);
  });

  it("reads statuses of our messages, with Meta's reason when one failed", () => {
    for (const status of ["sent", "delivered", "read"] as const) {
      expect(parse(raw(`webhook-status-${status}`))).toEqual([
        {
          kind: "status",
          phoneNumberId: "110245678901234",
          wamid: expect.stringMatching(/^wamid\./),
          status,
          recipientId: "447700900123",
          timestamp: expect.any(Number),
        },
      ]);
    }
    expect(parse(raw("webhook-status-failed"))[0]).toMatchObject({
      status: "failed",
      error: {
        code: 131047,
        title: "Re-engagement message",
        details: expect.stringContaining("more than 24 hours"),
      },
    });
  });

  it("leaves out other fields and odd values, and refuses a body that is not WhatsApp's", () => {
    const other = raw("webhook-text");
    other.entry[0]!.changes[0]!.field = "account_update";
    expect(parse(other)).toEqual([]);

    const odd = withMessage("webhook-text", (m) => {
      m.timestamp = "soon";
    });
    expect(parse(odd)[0]).toMatchObject({ kind: "message", timestamp: 0 });

    expect(() => parse({ object: "page", entry: [] })).toThrow();
  });
});
