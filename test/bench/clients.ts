/**
 * The load generator's clients: visitors and the agent console for each server under test, all
 * behind one small interface so every phase drives every server the same way.
 *
 * The generator must not be the bottleneck, so its hot path stays cheap: frames are built by
 * string templates (the text is plain ASCII), masks are all-zero (ws then skips the XOR on the
 * client side), visitors recognise an ack by the bytes at a fixed offset instead of parsing it,
 * and the agent finds the message number by searching the raw frame.
 */
import { Agent as HttpAgent, request } from "node:http";
import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";

export type ServerKind = "omnithread" | "ws-relay" | "socketio-relay";

/** Every message text starts with this marker followed by the message number and `#`. */
export const MARK = "bench#";
const MARK_BYTES = Buffer.from(MARK);
const FILLER = " Hello, I have a question about my order, can you help?";

export function messageText(n: number): string {
  return `${MARK}${n}#${FILLER}`;
}

/** The message number in a text (or raw frame) holding `bench#<n>#`; -1 when absent. */
function numberAt(buf: Buffer, from: number): number {
  let n = 0;
  let i = from;
  for (; i < buf.length; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i > from && buf[i] === 35 ? n : -1;
}

export function numberInText(text: string): number {
  if (!text.startsWith(MARK)) return -1;
  const end = text.indexOf("#", MARK.length);
  return end > MARK.length ? Number(text.slice(MARK.length, end)) : -1;
}

export interface Visitor {
  /** Sends one message; `onAck` runs once the server acknowledged it. */
  send(clientId: string, text: string): void;
  close(): void;
}

export interface AgentConsole {
  close(): void;
}

export interface Target {
  kind: ServerKind;
  /** Work done before the idle-memory baseline: e.g. creating conversations over HTTP. */
  prepare(visitors: number): Promise<void>;
  /** Opens the agent console; `onMessage(n)` for every visitor message `n` relayed to it. */
  openAgent(onMessage: (n: number) => void): Promise<AgentConsole>;
  /** Opens visitor `i` and waits until its hello was answered with `ready`. */
  openVisitor(i: number, onAck: () => void, onError: (message: string) => void): Promise<Visitor>;
}

const zeroMask = (mask: Buffer) => {
  mask.fill(0);
};

/** Opens a WebSocket; `onMessage`, when given, is attached first (for servers that speak first). */
function openSocket(
  url: string,
  onMessage?: (data: Buffer, socket: WebSocket) => void,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, generateMask: zeroMask });
    if (onMessage) socket.on("message", (data: Buffer) => onMessage(data, socket));
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
    socket.once("unexpected-response", (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
}

/** Resolves on the first frame whose type is `ready`; rejects on an `error` frame. */
function awaitReady(socket: WebSocket, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off("message", onFrame);
      reject(new Error(`no ready frame within ${ms} ms`));
    }, ms);
    const onFrame = (data: Buffer) => {
      const frame = JSON.parse(String(data)) as { type: string; error?: unknown };
      if (frame.type === "ready" || frame.type === "error") {
        clearTimeout(timer);
        socket.off("message", onFrame);
        if (frame.type === "ready") resolve();
        else reject(new Error(`hello refused: ${JSON.stringify(frame.error)}`));
      }
    };
    socket.on("message", onFrame);
  });
}

/** `{"type":"ack"…` : byte 9 is `a`. `{"type":"error"…`: bytes 9-10 are `er`. */
const A = 0x61;
const E = 0x65;
const R = 0x72;
const V = 0x76;

/** A visitor on omnithread's live protocol (which the ws relay speaks too). */
async function liveVisitor(
  base: string,
  token: string | undefined,
  onAck: () => void,
  onError: (message: string) => void,
): Promise<Visitor> {
  const socket = await openSocket(`${base}/v1/live`);
  const ready = awaitReady(socket);
  socket.send(JSON.stringify({ type: "hello", ...(token ? { token } : {}), after: 0 }));
  await ready;
  socket.on("message", (data: Buffer) => {
    if (data[9] === A) onAck();
    else if (data[9] === E && data[10] === R) onError(String(data).slice(0, 300));
  });
  socket.on("close", (code) => {
    if (code !== 1000 && code !== 1005) onError(`visitor socket closed with ${code}`);
  });
  return {
    send(clientId, text) {
      socket.send(`{"type":"send","clientId":"${clientId}","text":"${text}"}`);
    },
    close() {
      socket.removeAllListeners("close");
      socket.close();
    },
  };
}

async function liveAgent(
  base: string,
  token: string | undefined,
  onMessage: (n: number) => void,
): Promise<AgentConsole> {
  const socket = await openSocket(`${base}/v1/agent/live`);
  const ready = awaitReady(socket);
  socket.send(JSON.stringify({ type: "hello", ...(token ? { token } : {}) }));
  await ready;
  socket.on("message", (data: Buffer) => {
    // `{"type":"event"…`; conversation and typing frames are not messages.
    if (data[9] !== E || data[10] !== V) return;
    const at = data.indexOf(MARK_BYTES);
    if (at < 0) return;
    const n = numberAt(data, at + MARK_BYTES.length);
    if (n >= 0) onMessage(n);
  });
  return { close: () => socket.close() };
}

/** A small JSON POST over a keep-alive agent the caller destroys when done. */
function postJson(
  agent: HttpAgent,
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Runs `task(i)` for i in [0, count) with at most `width` at once. */
export async function inParallel(
  count: number,
  width: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
}

function omnithreadTarget(port: number): Target {
  const http = `http://127.0.0.1:${port}`;
  const ws = `ws://127.0.0.1:${port}`;
  const tokens: string[] = [];
  return {
    kind: "omnithread",
    async prepare(visitors) {
      const agent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
      try {
        await inParallel(visitors, 16, async (i) => {
          const res = await postJson(agent, `${http}/v1/conversations`, { siteId: "demo" });
          if (res.status !== 201 || typeof res.body.token !== "string") {
            throw new Error(`POST /v1/conversations: ${res.status} ${JSON.stringify(res.body)}`);
          }
          tokens[i] = res.body.token;
        });
      } finally {
        // Idle keep-alive connections would count against the sockets being measured.
        agent.destroy();
      }
    },
    async openAgent(onMessage) {
      const agent = new HttpAgent({ keepAlive: false });
      const res = await postJson(agent, `${http}/v1/agent/login`, {
        email: "agent@example.com",
        password: "omnithread-demo",
      });
      agent.destroy();
      if (res.status !== 200 || typeof res.body.token !== "string") {
        throw new Error(`agent login: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return liveAgent(ws, res.body.token, onMessage);
    },
    openVisitor(i, onAck, onError) {
      const token = tokens[i];
      if (!token) throw new Error(`no conversation prepared for visitor ${i}`);
      return liveVisitor(ws, token, onAck, onError);
    },
  };
}

function wsRelayTarget(port: number): Target {
  const ws = `ws://127.0.0.1:${port}`;
  return {
    kind: "ws-relay",
    async prepare() {},
    openAgent: (onMessage) => liveAgent(ws, undefined, onMessage),
    openVisitor: (_i, onAck, onError) => liveVisitor(ws, undefined, onAck, onError),
  };
}

function openIo(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: 15_000,
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

function socketIoTarget(port: number): Target {
  const url = `http://127.0.0.1:${port}`;
  return {
    kind: "socketio-relay",
    async prepare() {},
    async openAgent(onMessage) {
      const socket = await openIo(url);
      await socket.timeout(15_000).emitWithAck("agent-hello");
      socket.on("event", (frame: { event: { text: string } }) => {
        const n = numberInText(frame.event.text);
        if (n >= 0) onMessage(n);
      });
      return { close: () => socket.disconnect() };
    },
    async openVisitor(_i, onAck, onError) {
      const socket = await openIo(url);
      await socket.timeout(15_000).emitWithAck("hello");
      const ack = (answer: { type: string }) => {
        if (answer.type === "ack") onAck();
        else onError(JSON.stringify(answer).slice(0, 300));
      };
      socket.on("disconnect", (reason) => {
        if (reason !== "io client disconnect") onError(`visitor socket closed: ${reason}`);
      });
      return {
        send(clientId, text) {
          socket.emit("send", { clientId, text }, ack);
        },
        close() {
          socket.removeAllListeners("disconnect");
          socket.disconnect();
        },
      };
    },
  };
}

/*
 * Socket.IO's wire protocol spoken directly over `ws` (Engine.IO 4 / Socket.IO 5, WebSocket
 * transport): the official client costs the generator about twice the CPU per message, enough to
 * make the generator, not the server, the limit. `--sio-client official` uses socket.io-client.
 *
 *   server → `0{"sid":…}` (open)     client → `40` (connect "/")   server → `40{"sid":…}`
 *   client → `42<id>["send",{…}]`    server → `43<id>[{…}]` (ack)  server → `42["event",{…}]`
 *   server → `2` (ping)              client → `3` (pong)
 */
const DIGIT_0 = 0x30;
const DIGIT_2 = 0x32;
const DIGIT_3 = 0x33;
const DIGIT_4 = 0x34;
const BRACKET = 0x5b;
const EVENT_PREFIX = Buffer.from('42["event",');
const ACK_BODY = Buffer.from('{"type":"ack"');

interface EngineSocket {
  socket: WebSocket;
  /** Emits `name` with `data` and an acknowledgement id. */
  emit(name: string, data?: string): void;
}

/** Opens an Engine.IO socket and joins the main namespace; frames after that go to `onFrame`. */
async function openEngine(port: number, onFrame: (data: Buffer) => void): Promise<EngineSocket> {
  let ackId = 0;
  let connected: () => void = () => {};
  const joined = new Promise<void>((resolve) => {
    connected = resolve;
  });
  // The server speaks first (the open packet), so the listener goes on before the upgrade ends.
  const socket = await openSocket(
    `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
    (data, self) => {
      if (data.length === 1 && data[0] === DIGIT_2) self.send("3");
      else if (data[0] === DIGIT_0) self.send("40");
      else if (data[0] === DIGIT_4 && data[1] === DIGIT_0) connected();
      else onFrame(data);
    },
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    joined,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no Socket.IO connect answer")), 15_000);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    socket,
    emit(name, data) {
      socket.send(`42${ackId++}["${name}"${data === undefined ? "" : `,${data}`}]`);
    },
  };
}

/** Resolves on the next acknowledgement frame (`43<id>[…]`). */
function nextAck(waiters: ((data: Buffer) => void)[]): Promise<Buffer> {
  return new Promise((resolve) => waiters.push(resolve));
}

function rawSocketIoTarget(port: number): Target {
  return {
    kind: "socketio-relay",
    async prepare() {},
    async openAgent(onMessage) {
      const waiters: ((data: Buffer) => void)[] = [];
      const engine = await openEngine(port, (data) => {
        if (data[0] === DIGIT_4 && data[1] === DIGIT_3) {
          waiters.shift()?.(data);
          return;
        }
        if (data.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) !== 0)
          return;
        const at = data.indexOf(MARK_BYTES, EVENT_PREFIX.length);
        if (at < 0) return;
        const n = numberAt(data, at + MARK_BYTES.length);
        if (n >= 0) onMessage(n);
      });
      const ready = nextAck(waiters);
      engine.emit("agent-hello");
      await ready;
      return { close: () => engine.socket.close() };
    },
    async openVisitor(_i, onAck, onError) {
      let ready: ((data: Buffer) => void) | null = null;
      const helloAnswered = new Promise<Buffer>((resolve) => {
        ready = resolve;
      });
      const engine = await openEngine(port, (data) => {
        if (data[0] !== DIGIT_4 || data[1] !== DIGIT_3) return;
        if (ready) {
          const answer = ready;
          ready = null;
          answer(data);
          return;
        }
        // `43<id>[{"type":"ack"…`: the body starts after the ack id.
        const open = data.indexOf(BRACKET, 2);
        if (
          open > 0 &&
          data.compare(ACK_BODY, 0, ACK_BODY.length, open + 1, open + 1 + ACK_BODY.length) === 0
        ) {
          onAck();
        } else onError(String(data).slice(0, 300));
      });
      engine.emit("hello");
      await helloAnswered;
      engine.socket.on("close", (code) => {
        if (code !== 1000 && code !== 1005) onError(`visitor socket closed with ${code}`);
      });
      return {
        send(clientId, text) {
          engine.emit("send", `{"clientId":"${clientId}","text":"${text}"}`);
        },
        close() {
          engine.socket.removeAllListeners("close");
          engine.socket.close();
        },
      };
    },
  };
}

export interface TargetOptions {
  /** Drive Socket.IO with socket.io-client instead of its wire protocol over `ws`. */
  officialSocketIoClient?: boolean;
}

export function targetFor(kind: ServerKind, port: number, options: TargetOptions = {}): Target {
  if (kind === "omnithread") return omnithreadTarget(port);
  if (kind === "ws-relay") return wsRelayTarget(port);
  return options.officialSocketIoClient ? socketIoTarget(port) : rawSocketIoTarget(port);
}
