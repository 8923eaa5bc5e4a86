import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Conversation } from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import { loginAgent } from "../helpers/agent-api.ts";
import { eventually } from "../helpers/channel-suite.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

/**
 * The demo's SMS simulator, over HTTP on the real server: the phone at `/demo/sms` texts the
 * shop's number through our signed Twilio webhook, and what the shop texts it (an agent's reply,
 * HELP's answer, a callback's confirmation) shows on the phone.
 */
let server: RunningServer;
let agent: string;
const PERSON = "31611223344";

beforeAll(async () => {
  server = await startTestServer({}, undefined, { smsSimulator: true });
  agent = await loginAgent(server.url);
});
afterAll(async () => {
  await server?.stop();
});

const phoneSays = (text: string) =>
  api<{ delivered: boolean }>(server.url, "/demo/sms/send", { body: { person: PERSON, text } });
const phoneShows = async () =>
  (
    await api<{ bubbles: Array<{ from: string; text: string }> }>(
      server.url,
      `/demo/sms/inbox?person=${PERSON}&after=0`,
    )
  ).body.bubbles;

describe("the demo's SMS phone", () => {
  it("texts the shop, gets the agent's answer, HELP's, and a callback's confirmation", async () => {
    expect((await phoneSays("Hallo, is mijn bestelling onderweg?")).status).toBe(200);
    const list = await api<{ conversations: Conversation[] }>(
      server.url,
      "/v1/agent/conversations",
      {
        token: agent,
      },
    );
    const conversation = list.body.conversations.find((c) =>
      c.channels.some((l) => l.channel === "sms" && l.address === `+${PERSON}`),
    )!;
    expect(conversation).toBeDefined();
    const reply = await api<{ deliveredVia: string }>(
      server.url,
      `/v1/agent/conversations/${conversation.id}/messages`,
      { token: agent, body: { text: "Ja, hij komt morgen" } },
    );
    expect(reply.body.deliveredVia).toBe("sms");
    await eventually(
      async () => (await phoneShows()).some((b) => b.text === "Ja, hij komt morgen"),
      "the reply",
    );

    await phoneSays("HELP");
    expect((await phoneShows()).at(-1)).toMatchObject({
      from: "business",
      text: expect.stringContaining("STOP"),
    });

    const { body } = await api<{ token: string }>(server.url, "/v1/conversations", {
      body: { siteId: "demo", context: { locale: "en" } },
    });
    // The demo shop calls back in its business hours: the first window it offers.
    const offered = await api<{ asap: boolean; windows: Array<{ from: string; to: string }> }>(
      server.url,
      "/v1/callback-windows",
      { token: body.token },
    );
    const window = offered.body.asap ? "asap" : offered.body.windows[0]!;
    const asked = await api(server.url, "/v1/handoff", {
      token: body.token,
      body: { channel: "callback", phone: `+${PERSON}`, window, timeZone: "Europe/Amsterdam" },
    });
    expect(asked.status).toBe(201);
    await eventually(
      async () =>
        (await phoneShows()).some((b) => b.text.startsWith("Demo shop: we will call you at")),
      "the callback's confirmation",
    );
  });
});
