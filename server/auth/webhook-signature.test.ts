import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { signWebhook, webhookKey } from "./webhook-signature.ts";

// The secret of the Standard Webhooks specification's own examples.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("signWebhook", () => {
  it("signs so the standardwebhooks verifier accepts it, and refuses a changed body", async () => {
    const body = JSON.stringify({ type: "message.created", data: { text: "héllo 👋" } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "webhook-id": "evt_demo_1-0",
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signWebhook(SECRET, "evt_demo_1-0", timestamp, body),
    };
    const verifier = new Webhook(SECRET);
    expect(verifier.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => verifier.verify(body.replace("héllo", "hello"), headers)).toThrow();
  });

  it("refuses a secret that is not whsec_<base64>", () => {
    expect(() => webhookKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toThrow(/whsec_/);
    expect(() => webhookKey("whsec_not base64!")).toThrow(TypeError);
  });
});
