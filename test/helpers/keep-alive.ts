/**
 * Test helper: requests a keep-alive client sends one after another down ONE connection (undici's
 * `Agent` with `connections: 1`, as Node's `fetch` pools them), to see what a server does with the
 * connection after it refuses a body.
 */
import { Agent, fetch } from "undici";

export interface Refusal {
  name: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface RefusalOutcome {
  name: string;
  status: number;
  /** The refusal's `Connection` header (`null` when it sent none). */
  connection: string | null;
  /** The status of the request that followed on the same agent, or the error code it failed with. */
  next: number | string;
  /** Connections the agent opened for the two requests: 2 once the first was closed. */
  connections: number;
}

/** The refusals that leave a body unread: too large (413), the wrong type (415), no token (401). */
export function unreadBodyRefusals(token: string): Refusal[] {
  const json = { "content-type": "application/json", authorization: `Bearer ${token}` };
  return [
    {
      name: "413",
      path: "/v1/messages",
      headers: json,
      // Far past the 32 KB limit: the client is still sending when the answer comes.
      body: JSON.stringify({ clientId: "big", text: "x".repeat(2 * 1024 * 1024) }),
    },
    {
      name: "415",
      path: "/v1/messages",
      headers: { ...json, "content-type": "text/plain" },
      body: "hello",
    },
    {
      name: "401",
      path: "/v1/messages",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId: "c-1", text: "hello" }),
    },
  ];
}

/** A message the server takes (201) with its body read: the connection may be kept. */
export function acceptedMessage(token: string): Refusal {
  return {
    name: "201",
    path: "/v1/messages",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ clientId: "kept", text: "hello" }),
  };
}

/**
 * Sends each refusal on a fresh one-connection agent, then `GET next` (with `headers`) on the
 * same agent, and reports what happened to both.
 */
export async function refuseThenContinue(
  base: string,
  refusals: Refusal[],
  next: { path: string; headers?: Record<string, string> },
): Promise<RefusalOutcome[]> {
  const outcomes: RefusalOutcome[] = [];
  for (const refusal of refusals) {
    outcomes.push(await refuseOnce(base, refusal, next));
  }
  return outcomes;
}

/** Whether a request failed because the server closed the connection while its body was sent. */
const resetWhileSending = (error: unknown) =>
  /^(ECONNRESET|EPIPE)$/.test((error as { cause?: { code?: string } }).cause?.code ?? "");

/**
 * One refusal and the request after it. A server may answer an oversized body early and close
 * while the client still writes it; the client then sees a reset instead of the answer (a race
 * of the kernel's buffers, not of ours), so that case is tried again on a fresh connection.
 */
async function refuseOnce(
  base: string,
  refusal: Refusal,
  next: { path: string; headers?: Record<string, string> },
  tries = 10,
): Promise<RefusalOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await refuseOnFreshAgent(base, refusal, next);
    } catch (error) {
      if (attempt >= tries || !resetWhileSending(error)) throw error;
      // On a busy machine the race repeats; a moment's pause changes the timing.
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

async function refuseOnFreshAgent(
  base: string,
  refusal: Refusal,
  next: { path: string; headers?: Record<string, string> },
): Promise<RefusalOutcome> {
  const agent = new Agent({ connections: 1 });
  let connections = 0;
  agent.on("connect", () => {
    connections++;
  });
  try {
    const res = await fetch(base + refusal.path, {
      method: "POST",
      dispatcher: agent,
      headers: refusal.headers,
      body: refusal.body,
    });
    await res.arrayBuffer();
    let after: number | string;
    try {
      const again = await fetch(base + next.path, {
        dispatcher: agent,
        headers: next.headers ?? {},
      });
      await again.arrayBuffer();
      after = again.status;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      after = cause?.code ?? String(error);
    }
    return {
      name: refusal.name,
      status: res.status,
      connection: res.headers.get("connection"),
      next: after,
      connections,
    };
  } finally {
    await agent.close();
  }
}
