import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { createTwilioEmulator, TOO_MANY_REQUESTS } from "../../node/sms-simulator/twilio-api.ts";
import { SmsUnsubscribed, twilioClient } from "./twilio.ts";

const ACCOUNT = { accountSid: `AC${"1".repeat(32)}`, authToken: "twilio-auth-token-of-the-shop" };
const FROM = "+3197010000000";
const VISITOR = "+31612345678";
const FALLBACKS = "reply by email or on the web";

/** The client against the Twilio emulator, called in-process; waits are not slept. */
function setup() {
  const twilio = createTwilioEmulator({
    accounts: [{ sid: ACCOUNT.accountSid, authToken: ACCOUNT.authToken, numbers: [FROM] }],
  });
  const calls: Array<{ url: string; type: string | null }> = [];
  const client = twilioClient({
    apiUrl: "https://api.twilio.test/",
    retry: { attempts: 3, baseMs: 10 },
    sleep: async () => {},
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const headers = new Headers(init?.headers);
      calls.push({ url: url.href, type: headers.get("content-type") });
      const { status, body } = twilio.handle({
        path: url.pathname,
        ...(headers.get("authorization") ? { authorization: headers.get("authorization")! } : {}),
        body: String(init?.body ?? ""),
      });
      return new Response(JSON.stringify(body), { status });
    },
  });
  return { twilio, client, calls };
}

describe("the Twilio client", () => {
  it("sends a text form-encoded with Basic auth, and answers its MessageSid", async () => {
    const { twilio, client, calls } = setup();
    const sid = await client.send(
      ACCOUNT,
      {
        from: FROM,
        to: VISITOR,
        body: "Dank je wel! Tot zo 👋",
        statusCallback: "https://chat.example/s",
      },
      FALLBACKS,
    );
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(twilio.sent).toMatchObject([
      {
        sid,
        from: FROM,
        to: VISITOR,
        body: "Dank je wel! Tot zo 👋",
        statusCallback: "https://chat.example/s",
      },
    ]);
    expect(calls).toEqual([
      {
        url: `https://api.twilio.test/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages.json`,
        type: "application/x-www-form-urlencoded",
      },
    ]);
  });

  it("tells an opted-out number apart (21610), naming what works instead", async () => {
    const { twilio, client } = setup();
    twilio.optOut(FROM, VISITOR);
    const error = await client
      .send(ACCOUNT, { from: FROM, to: VISITOR, body: "Hello?" }, FALLBACKS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsUnsubscribed);
    expect(error).toMatchObject({ code: "channel_unavailable" });
    expect((error as Error).message).toContain(FALLBACKS);
    expect(twilio.sent).toEqual([]);
  });

  it("retries 429 and 5xx and sends once; a refusal is upstream_failed with Twilio's words", async () => {
    const { twilio, client } = setup();
    twilio.failNext(1, TOO_MANY_REQUESTS);
    twilio.failNext(1);
    await client.send(ACCOUNT, { from: FROM, to: VISITOR, body: "through" }, FALLBACKS);
    expect(twilio.sent.map((m) => m.body)).toEqual(["through"]);

    const refused = await client
      .send(ACCOUNT, { from: FROM, to: "0612345678", body: "no E.164" }, FALLBACKS)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "upstream_failed" });
    expect((refused as Error).message).toContain("Twilio error 21211");

    const stranger = { ...ACCOUNT, authToken: "not-the-token" };
    const denied = await client
      .send(stranger, { from: FROM, to: VISITOR, body: "hi" }, FALLBACKS)
      .catch((e: unknown) => e);
    expect((denied as Error).message).toContain("Twilio error 20003");
    expect(twilio.sent).toHaveLength(1);
  });

  it("gives up after the last attempt when Twilio keeps failing", async () => {
    const { twilio, client } = setup();
    twilio.failNext(3);
    const error = await client
      .send(ACCOUNT, { from: FROM, to: VISITOR, body: "later" }, FALLBACKS)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "upstream_failed" });
    expect((error as Error).message).toContain("Service Unavailable");
    expect(twilio.sent).toEqual([]);
  });
});
