import { describe, expect, it } from "vitest";
import { isTransient } from "../meta/graph.ts";
import { sendClient } from "./send.ts";

interface Seen {
  url: string;
  authorization: string | null;
  body: Record<string, unknown>;
}

/** A fetch that answers from a script and records what was sent. */
function scripted(answers: Array<{ status: number; body: unknown } | "network">) {
  const seen: Seen[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push({
      url: String(input),
      authorization: new Headers(init?.headers).get("authorization"),
      body: JSON.parse(String(init?.body)),
    });
    const next = answers.shift() ?? { status: 200, body: { recipient_id: "1", message_id: "m" } };
    if (next === "network") throw new TypeError("fetch failed");
    return new Response(JSON.stringify(next.body), { status: next.status });
  }) as typeof fetch;
  return { seen, fetcher };
}

const client = (fetcher: typeof fetch, attempts = 3) =>
  sendClient({
    graphApiUrl: "https://graph.example/",
    graphVersion: "v21.0",
    fetch: fetcher,
    retry: { attempts, baseMs: 1 },
    sleep: async () => {},
  });
const input = {
  accessToken: "tok en",
  psid: "123",
  text: "Hello",
  policy: { messagingType: "RESPONSE" } as const,
};

describe("sendClient", () => {
  it("posts Meta's Send API body with the token in the Authorization header, not the URL", async () => {
    const { seen, fetcher } = scripted([]);
    await client(fetcher).send({
      ...input,
      policy: { messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" },
    });
    expect(seen[0]!.url).toBe("https://graph.example/v21.0/me/messages");
    expect(seen[0]!.authorization).toBe("Bearer tok en");
    expect(seen[0]!.body).toEqual({
      recipient: { id: "123" },
      messaging_type: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
      message: { text: "Hello" },
    });
  });

  it("retries transient failures, then delivers once", async () => {
    const transient = {
      status: 500,
      body: { error: { message: "retry", code: 2, is_transient: true } },
    };
    const { seen, fetcher } = scripted(["network", transient]);
    const result = await client(fetcher).send(input);
    expect(seen).toHaveLength(3);
    expect(result.messageIds).toEqual(["m"]);
  });

  it("gives up after the last attempt with Meta's message", async () => {
    const throttled = {
      status: 400,
      body: { error: { message: "Calls to this api have exceeded the rate limit.", code: 613 } },
    };
    const { seen, fetcher } = scripted([throttled, throttled, throttled]);
    await expect(client(fetcher).send(input)).rejects.toMatchObject({
      code: "upstream_failed",
      message: expect.stringContaining("exceeded the rate limit"),
    });
    expect(seen).toHaveLength(3);
  });

  it("does not retry a permanent error", async () => {
    const { seen, fetcher } = scripted([
      {
        status: 400,
        body: {
          error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190 },
        },
      },
    ]);
    await expect(client(fetcher).send(input)).rejects.toMatchObject({
      code: "upstream_failed",
      message: "Invalid OAuth access token (Graph error 190)",
    });
    expect(seen).toHaveLength(1);
  });

  it("says so when Meta refuses a message outside its window", async () => {
    const { fetcher } = scripted([
      {
        status: 400,
        body: {
          error: {
            message: "(#10) This message is sent outside of allowed window.",
            code: 10,
            error_subcode: 2018278,
          },
        },
      },
    ]);
    await expect(client(fetcher).send(input)).rejects.toMatchObject({
      code: "channel_unavailable",
    });
  });

  it("sends long text in parts, in order, and reports a part that failed", async () => {
    const long = `${"a".repeat(1900)} ${"b".repeat(1900)}`;
    const ok = scripted([]);
    expect((await client(ok.fetcher).send({ ...input, text: long })).messageIds).toHaveLength(2);
    expect(ok.seen.map((s) => (s.body.message as { text: string }).text[0])).toEqual(["a", "b"]);

    const failing = scripted([
      { status: 200, body: { message_id: "m1" } },
      { status: 400, body: { error: { message: "No matching user found", code: 100 } } },
    ]);
    await expect(client(failing.fetcher).send({ ...input, text: long })).rejects.toMatchObject({
      message: expect.stringContaining("1 of 2 parts were sent"),
    });
  });

  it("classifies Graph errors", () => {
    expect(isTransient(500, undefined)).toBe(true);
    expect(isTransient(400, { code: 4 })).toBe(true);
    expect(isTransient(400, { code: 100, is_transient: true })).toBe(true);
    expect(isTransient(400, { code: 100 })).toBe(false);
    expect(isTransient(400, { code: 190 })).toBe(false);
    // WhatsApp's throttles: the business number's rate and the pair rate.
    expect(isTransient(400, { code: 130429 })).toBe(true);
    expect(isTransient(400, { code: 131056 })).toBe(true);
    expect(isTransient(400, { code: 131047 })).toBe(false);
  });
});
