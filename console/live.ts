/**
 * The agent socket (`/v1/agent/live`): hello with the token in the first frame, frames in,
 * typing and presence out, reconnects with jittered backoff for as long as the console is open.
 */
import type { ClientFrame, PresenceFrame, ServerFrame } from "../sdk/protocol.ts";
import { backoff } from "./format.ts";

export type LiveStatus = "connecting" | "online" | "offline";
/** The agent's own choice: online (taking new conversations) or away. */
export type Presence = PresenceFrame["status"];

/** The part of the WebSocket API used here, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  url: string;
  token: string;
  frame(frame: ServerFrame): void;
  status(status: LiveStatus): void;
  /** The server accepted the hello; `again` is true after a reconnect (time to refetch). */
  ready(again: boolean): void;
  /** The token was refused: no point reconnecting. */
  unauthorized(message: string): void;
  socket?: (url: string) => SocketLike;
  random?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (timer: unknown) => void;
}

export interface Live {
  /** False when the socket is not open (the frame is dropped: typing and presence are soft). */
  send(frame: ClientFrame): boolean;
  /** Reconnect now instead of waiting out the backoff (the browser came back online). */
  retry(): void;
  close(): void;
}

/**
 * @example
 * const live = connectLive({ url: "wss://chat.example.com/v1/agent/live", token, frame, status, ready, unauthorized });
 * live.send({ type: "typing", conversationId });
 */
export function connectLive(options: LiveOptions): Live {
  const makeSocket =
    options.socket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const later = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const cancel =
    options.clearTimeout ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  let socket: SocketLike | null = null;
  let timer: unknown = null;
  let attempt = 0;
  let wasReady = false;
  let stopped = false;

  function open(): void {
    timer = null;
    if (stopped) return;
    options.status("connecting");
    const ws = makeSocket(options.url);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", token: options.token }));
    ws.onmessage = (message) => {
      if (socket !== ws) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(message.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === "ready") {
        attempt = 0;
        options.status("online");
        options.ready(wasReady);
        wasReady = true;
        return;
      }
      if (
        frame.type === "error" &&
        (frame.error.code === "unauthorized" || frame.error.code === "token_expired")
      ) {
        stopped = true;
        socket = null;
        ws.close();
        options.status("offline");
        options.unauthorized(frame.error.message);
        return;
      }
      options.frame(frame);
    };
    const lost = () => {
      if (socket !== ws) return;
      socket = null;
      if (stopped) return;
      options.status("offline");
      timer = later(open, backoff(attempt++, options.random));
    };
    ws.onclose = lost;
    ws.onerror = lost;
  }

  open();
  return {
    send(frame) {
      if (socket?.readyState !== 1) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    retry() {
      if (stopped || socket) return;
      if (timer !== null) cancel(timer);
      attempt = 0;
      open();
    },
    close() {
      stopped = true;
      if (timer !== null) cancel(timer);
      const ws = socket;
      socket = null;
      ws?.close(1000, "bye");
    },
  };
}
