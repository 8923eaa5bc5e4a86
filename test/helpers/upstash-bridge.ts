/**
 * Test helper: an HTTP server that speaks the Upstash REST protocol, the way @upstash/redis 1.39
 * speaks it, in front of a real redis-server.
 *
 * - Every call is `POST {url}/{path}` with `Authorization: Bearer <token>` (else 401).
 * - `/` runs one command array, `/pipeline` an array of them (answers `[{result}|{error}]`),
 *   `/multi-exec` the same inside MULTI/EXEC.
 * - `/subscribe/<channel>` and `/psubscribe/<pattern>` stream Server-Sent Events, one Redis
 *   connection per stream, closed when the HTTP response closes.
 * - `Upstash-Encoding: base64` (the client's default): every bulk or status string in a result is
 *   base64, recursively inside arrays, except a top-level "OK"; integers and null stay as they are;
 *   errors are Redis's own text, unencoded.
 *
 * Replies are read as RESP2 (what Upstash returns; node-redis v6 defaults to RESP3) with bulk
 * strings as Buffers and status strings as JS strings, so the two stay distinguishable.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, RESP_TYPES } from "@redis/client";

export interface UpstashBridgeOptions {
  /** e.g. `redis://127.0.0.1:6379` */
  redisUrl: string;
  /** The bearer token clients must send. */
  token: string;
}

export interface UpstashBridge {
  /** `http://127.0.0.1:<port>`: pass as `url` to `new Redis({ url, token })`. */
  url: string;
  stop(): Promise<void>;
}

type Client = ReturnType<typeof createClient>;

/** Bulk strings as Buffers; status replies stay strings (so "OK" vs bulk "OK" is known). */
const BUFFER_REPLIES = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

/** Commands that would change the state of the shared connection. */
const REFUSED = new Set([
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "hello",
  "quit",
  "reset",
  "select",
]);

/** Commands that block the connection they run on: they get a connection of their own. */
const BLOCKING = new Set([
  "blpop",
  "brpop",
  "brpoplpush",
  "blmove",
  "blmpop",
  "bzpopmin",
  "bzpopmax",
  "bzmpop",
  "wait",
  "waitaof",
]);

class BadRequest extends Error {}

function toArgs(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new BadRequest("ERR command must be a non-empty JSON array");
  }
  return raw.map((arg) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    if (arg === null) return "";
    return JSON.stringify(arg);
  });
}

function checkAllowed(args: string[]): void {
  const name = args[0]!.toLowerCase();
  if (REFUSED.has(name)) {
    throw new BadRequest(`ERR command '${args[0]}' is not supported over REST`);
  }
}

function isBlocking(args: string[]): boolean {
  const name = args[0]!.toLowerCase();
  if (BLOCKING.has(name)) return true;
  return (
    (name === "xread" || name === "xreadgroup") && args.some((arg) => arg.toLowerCase() === "block")
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Redis reply -> JSON value as Upstash sends it. */
function encodeReply(value: unknown, base64: boolean, topLevel: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (Buffer.isBuffer(value)) return base64 ? value.toString("base64") : value.toString("utf8");
  if (typeof value === "string") {
    // A status reply (or a number decoded as string). Only a top-level "OK" is left as is.
    if (!base64 || (topLevel && value === "OK")) return value;
    return Buffer.from(value, "utf8").toString("base64");
  }
  if (value instanceof Error) return encodeReply(value.message, base64, false);
  if (Array.isArray(value)) return value.map((item) => encodeReply(item, base64, false));
  if (value instanceof Map) {
    return [...value].flatMap(([k, v]) => [
      encodeReply(k, base64, false),
      encodeReply(v, base64, false),
    ]);
  }
  if (value instanceof Set) return [...value].map((item) => encodeReply(item, base64, false));
  return encodeReply(String(value), base64, topLevel);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest("ERR failed to parse JSON request body");
  }
}

/**
 * Start the bridge on a free loopback port. The Redis connection is opened before this resolves.
 */
export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const main: Client = createClient({ url: options.redisUrl, RESP: 2 });
  main.on("error", () => {
    // Reconnects on its own (e.g. across redis-server restarts); requests wait meanwhile.
  });
  await main.connect();

  /** Per-request connections (subscriptions, blocking commands), closed on stop(). */
  const extraClients = new Set<Client>();
  const streams = new Set<ServerResponse>();
  const expectedAuth = `Bearer ${options.token}`;

  async function dedicated(): Promise<Client> {
    const client = main.duplicate();
    client.on("error", () => {});
    extraClients.add(client);
    try {
      await client.connect();
    } catch (error) {
      release(client);
      throw error;
    }
    return client;
  }

  function release(client: Client): void {
    if (!extraClients.delete(client)) return;
    client.destroy();
  }

  /** Send a batch on one connection in order; each entry resolves to a reply or rejects. */
  async function runBatch(commands: string[][]): Promise<PromiseSettledResult<unknown>[]> {
    const useOwn = commands.some(isBlocking);
    const client = useOwn ? await dedicated() : main;
    try {
      // Queued synchronously, so they reach Redis back to back, in order.
      const pending = commands.map((args) => client.sendCommand(args, BUFFER_REPLIES));
      return await Promise.allSettled(pending);
    } finally {
      if (useOwn) release(client);
    }
  }

  async function handleCommand(body: unknown, base64: boolean, res: ServerResponse) {
    const args = toArgs(body);
    checkAllowed(args);
    const [outcome] = await runBatch([args]);
    if (outcome!.status === "rejected") {
      sendJson(res, 400, { error: errorText(outcome!.reason) });
    } else {
      sendJson(res, 200, { result: encodeReply(outcome!.value, base64, true) });
    }
  }

  async function handlePipeline(body: unknown, base64: boolean, res: ServerResponse) {
    if (!Array.isArray(body)) throw new BadRequest("ERR pipeline body must be a JSON array");
    // Entries that are not valid commands answer with an error; the rest still run.
    const parsed = body.map((raw): string[] | Error => {
      try {
        const args = toArgs(raw);
        checkAllowed(args);
        return args;
      } catch (error) {
        return error as Error;
      }
    });
    const valid = parsed.filter((entry): entry is string[] => Array.isArray(entry));
    const outcomes = valid.length > 0 ? await runBatch(valid) : [];
    let next = 0;
    const answer = parsed.map((entry) => {
      if (entry instanceof Error) return { error: entry.message };
      const outcome = outcomes[next++]!;
      return outcome.status === "rejected"
        ? { error: errorText(outcome.reason) }
        : { result: encodeReply(outcome.value, base64, true) };
    });
    sendJson(res, 200, answer);
  }

  async function handleMultiExec(body: unknown, base64: boolean, res: ServerResponse) {
    if (!Array.isArray(body) || body.length === 0) {
      throw new BadRequest("ERR multi-exec body must be a non-empty JSON array");
    }
    const commands = body.map((raw) => {
      const args = toArgs(raw);
      checkAllowed(args);
      return args;
    });
    const outcomes = await runBatch([["MULTI"], ...commands, ["EXEC"]]);
    const exec = outcomes[outcomes.length - 1]!;
    if (exec.status === "rejected") {
      // EXECABORT: report the error that made Redis discard the transaction.
      const queued = outcomes.slice(1, -1).find((o) => o.status === "rejected");
      const reason = queued?.status === "rejected" ? queued.reason : exec.reason;
      sendJson(res, 400, { error: errorText(reason) });
      return;
    }
    if (!Array.isArray(exec.value)) {
      sendJson(res, 400, { error: "ERR transaction aborted" });
      return;
    }
    sendJson(
      res,
      200,
      exec.value.map((reply: unknown) =>
        reply instanceof Error
          ? { error: reply.message }
          : { result: encodeReply(reply, base64, true) },
      ),
    );
  }

  async function handleSubscribe(
    kind: "subscribe" | "psubscribe",
    target: string,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    let closed = false;
    let client: Client | undefined;
    const cleanup = () => {
      closed = true;
      streams.delete(res);
      if (client) release(client);
    };
    res.once("close", cleanup);
    req.resume(); // the body ("[]") is not needed

    client = await dedicated();
    const write = (line: string) => {
      if (!closed) res.write(`data: ${line}\n\n`);
    };
    if (kind === "subscribe") {
      await client.subscribe(target, (message, channel) => {
        write(`message,${channel},${message}`);
      });
    } else {
      await client.pSubscribe(target, (message, channel) => {
        write(`pmessage,${target},${channel},${message}`);
      });
    }
    if (closed) {
      release(client);
      return;
    }
    streams.add(res);
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
    // One channel per connection, so the subscription count is always 1.
    write(`${kind},${target},1`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== expectedAuth) {
      req.resume();
      sendJson(res, 401, { error: "Unauthorized: invalid or missing bearer token" });
      return;
    }
    if (req.method !== "POST") {
      req.resume();
      sendJson(res, 405, { error: `ERR method ${req.method} not allowed, use POST` });
      return;
    }
    const path = new URL(req.url ?? "/", "http://bridge").pathname.replace(/\/+$/, "");
    const segments = path.split("/").filter(Boolean);

    if (segments[0] === "subscribe" || segments[0] === "psubscribe") {
      const target = decodeURIComponent(segments.slice(1).join("/"));
      if (!target) throw new BadRequest(`ERR missing ${segments[0]} target`);
      await handleSubscribe(segments[0], target, req, res);
      return;
    }

    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const body = await readBody(req);
    if (segments.length === 0) return handleCommand(body, base64, res);
    if (path === "/pipeline") return handlePipeline(body, base64, res);
    if (path === "/multi-exec") return handleMultiExec(body, base64, res);
    sendJson(res, 404, { error: `ERR unknown path ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      sendJson(res, error instanceof BadRequest ? 400 : 500, { error: errorText(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const res of streams) res.end();
      streams.clear();
      for (const client of [...extraClients]) release(client);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      main.destroy();
    },
  };
}
