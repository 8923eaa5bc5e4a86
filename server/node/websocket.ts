import { upgradeWebSocket as adapterUpgrade, type WebSocketLike } from "@hono/node-server";
import type { Context, MiddlewareHandler, Next } from "hono";
import type { UpgradeWebSocket, WSContext, WSEvents, WSMessageReceive } from "hono/ws";
import type { WebSocket } from "ws";

type Events = WSEvents<WebSocketLike>;
type Options = { onError: (error: unknown) => void } | undefined;

/**
 * `@hono/node-server`'s `upgradeWebSocket` keeps the context it is given (and `env.incoming`,
 * the upgrade request) reachable from every socket listener for the socket's whole life: ~6 KB of
 * Request, Headers, URL and Response per idle socket. The adapter only reads the `upgrade`
 * header, the URL and `env` (the waiter it must call, the connection symbol it sets), so it gets a
 * detached stand-in with just those; the real `env` receives the symbol it set.
 */
function lightRequest(url: string, upgrade: string | undefined) {
  // Its own scope: a closure made next to `settle` would share (and keep) its context. A method,
  // not a named arrow: tsx gives each named closure a property store of its own.
  return {
    url,
    header(name: string) {
      return name.toLowerCase() === "upgrade" ? upgrade : undefined;
    },
  };
}

function detached(c: Context): { light: Context; settle(): void } {
  const real = c.env as Record<PropertyKey, unknown>;
  // Spread copies the adapter's own symbol-keyed waiter along with `incoming`.
  const env: Record<PropertyKey, unknown> = { ...real };
  const light = {
    env,
    req: lightRequest(c.req.url, c.req.header("upgrade")),
  } as unknown as Context;
  return {
    light,
    settle() {
      // The adapter has taken what it needs (it awaits the socket with `env.incoming` at once)
      // and marked `env` with its connection symbol, which the upgrade handler reads on the real one.
      for (const key of Object.getOwnPropertySymbols(env)) real[key] = env[key];
      env.incoming = undefined;
    },
  };
}

function received(data: Buffer | ArrayBuffer, isBinary: boolean): WSMessageReceive {
  // What the adapter would hand on, without its copy of every text frame (Buffer.from(data)).
  if (isBinary) {
    if (data instanceof ArrayBuffer) return data;
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  }
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString("utf-8");
}

function deliver(
  onMessage: NonNullable<Events["onMessage"]>,
  ctx: WSContext<WebSocketLike>,
  options: Options,
  data: Buffer | ArrayBuffer,
  isBinary: boolean,
): void {
  try {
    onMessage({ data: received(data, isBinary) } as MessageEvent<WSMessageReceive>, ctx);
  } catch (error) {
    (options?.onError ?? console.error)(error);
  }
}

/**
 * The adapter builds a `MessageEvent` per frame; a session only reads `data`. Frames go from the
 * `ws` socket straight to `onMessage` as `{ data }`, from the same point in the socket's life
 * (the adapter's open callback), and its own per-frame path finds no `onMessage` to call.
 */
function direct(events: Events, options: Options): Events {
  const { onMessage, onOpen, ...rest } = events;
  if (!onMessage) return events;
  return {
    ...rest,
    onOpen(event, ctx: WSContext<WebSocketLike>) {
      (ctx.raw as unknown as WebSocket).on("message", (data, isBinary) => {
        // Fragments (binaryType "fragments") are one call each, as the adapter does.
        if (!Array.isArray(data)) deliver(onMessage, ctx, options, data, isBinary);
        else for (const part of data) deliver(onMessage, ctx, options, part, isBinary);
      });
      onOpen?.(event, ctx);
    },
  };
}

async function upgrade(c: Context, events: Events, options: Options, next?: Next) {
  const { light, settle } = detached(c);
  const wrapped = direct(events, options);
  try {
    return next
      ? await adapterUpgrade(() => wrapped, options)(light, next)
      : await adapterUpgrade(light, wrapped, options);
  } finally {
    settle();
  }
}

/**
 * `upgradeWebSocket` for `@hono/node-server` with the same handshake and events, lighter per
 * socket and per frame (see `detached` and `direct`).
 */
export const leanUpgradeWebSocket = ((...args: unknown[]) => {
  if (typeof args[0] === "function") {
    const createEvents = args[0] as (c: Context) => Events | Promise<Events>;
    const options = args[1] as Options;
    const middleware: MiddlewareHandler = async (c, next) =>
      upgrade(c, await createEvents(c), options, next);
    return middleware;
  }
  return upgrade(args[0] as Context, args[1] as Events, args[2] as Options);
}) as UpgradeWebSocket;
