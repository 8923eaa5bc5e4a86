import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { ServerFrame, ThreadEvent } from "../../sdk/protocol.ts";
import { AppError } from "../errors.ts";
import type { HubOptions } from "../realtime/hub.ts";
import { parseWith } from "../schema/check.ts";
import { seqText } from "../schema/fields.ts";
import { route } from "../schema/route.ts";
import { EventsQuery } from "../schema/visitor.ts";
import { requireVisitor, type Services } from "./services.ts";
import { agentSession, type LiveSession, type Outlet, visitorSession } from "./sessions.ts";

const refuse = (message: string): never => {
  throw new AppError("bad_request", message);
};

/** SSE comments keep proxies from closing a quiet stream. */
const KEEPALIVE_MS = 25_000;

/**
 * How live delivery fits the runtime (see `AppDeps.live`).
 *
 * @example
 * createApp({ config, store, keyRing, live: { subscriptions: "connection", sseKeepaliveMs: 5_000 } });
 */
export interface LiveOptions {
  /**
   * How live connections hear the bus: `instance` (the default) shares one subscription per
   * process; `connection` gives each its own, scoped to its conversation or site, for a runtime
   * where one request's I/O cannot serve another's (an edge worker). See `createHub`.
   */
  subscriptions?: HubOptions["subscriptions"];
  /**
   * How often a quiet SSE stream writes a comment, in ms (default 25 s, under proxies' idle
   * timeouts). A runtime that notices a gone client only when a write fails (workerd) ends the
   * stream, and its subscription, within this time.
   */
  sseKeepaliveMs?: number;
}

/** Every open live socket, so a graceful shutdown can tell each to reconnect elsewhere. */
export interface LiveSockets {
  closeAll(code: number, reason: string): void;
  readonly size: number;
}

/** Frames shared by many sockets (one event to every tab and agent) are serialised once. */
const serialised = new WeakMap<ServerFrame, string>();

/**
 * A message's event rides in two frames (the sender's ack, the agent's event frame): its JSON is
 * made once. Events never change once stored (the memory store freezes them), so the text
 * cannot go stale.
 */
const serialisedEvents = new WeakMap<ThreadEvent, string>();

function eventText(event: ThreadEvent): string {
  let text = serialisedEvents.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    serialisedEvents.set(event, text);
  }
  return text;
}

function textOf(frame: ServerFrame): string {
  // Same bytes as JSON.stringify(frame): sessions build these two with exactly these keys. They
  // are made per socket, so only the event's text is kept (by the event, shared by all).
  if (frame.type === "ack") {
    return `{"type":"ack","clientId":${JSON.stringify(frame.clientId)},"event":${eventText(frame.event)}}`;
  }
  if (frame.type === "event") {
    return `{"type":"event","conversationId":${JSON.stringify(frame.conversationId)},"event":${eventText(frame.event)}}`;
  }
  let text = serialised.get(frame);
  if (text === undefined) {
    text = JSON.stringify(frame);
    serialised.set(frame, text);
  }
  return text;
}

function outletFor(ws: WSContext): Outlet {
  return {
    send(frame: ServerFrame) {
      if (ws.readyState === 1) ws.send(textOf(frame));
    },
    close(code, reason) {
      ws.close(code, reason);
    },
  };
}

/**
 * Live delivery: WebSocket `/v1/live` and `/v1/agent/live` where the runtime can upgrade, and
 * Server-Sent Events `/v1/events` everywhere (read with fetch, so the token rides in a header).
 *
 * @example
 * const live = liveRoutes(services, upgradeWebSocket);
 * app.route("/v1", live.routes);
 */
export function liveRoutes(
  s: Services,
  upgradeWebSocket?: UpgradeWebSocket,
  options: LiveOptions = {},
) {
  const keepaliveMs = options.sseKeepaliveMs ?? KEEPALIVE_MS;
  const routes = new Hono();
  const open = new Set<WSContext>();
  /** Open SSE streams, each by the function that ends it. */
  const streams = new Set<() => void>();

  function socketRoute(
    start: (s: Services, origin: string | undefined, out: Outlet) => LiveSession,
  ) {
    if (!upgradeWebSocket) {
      return () => {
        throw new AppError(
          "bad_request",
          "WebSockets are not available here; use GET /v1/events and POST /v1/messages",
        );
      };
    }
    return upgradeWebSocket((c) => {
      const origin = c.req.header("origin");
      // The token arrives in the first frame; the origin can be judged now against all sites.
      if (origin !== undefined && !s.origins.allowedSomewhere(origin)) {
        throw new AppError("origin_not_allowed", `Origin ${origin} is not allowed`);
      }
      let session: LiveSession | null = null;
      return {
        onOpen(_event, ws) {
          open.add(ws);
          session = start(s, origin, outletFor(ws));
        },
        onMessage(event, ws) {
          // Some runtimes (workerd) never fire onOpen: start on the first frame instead.
          if (!session) {
            open.add(ws);
            session = start(s, origin, outletFor(ws));
          }
          if (typeof event.data !== "string") {
            ws.send(
              JSON.stringify({
                type: "error",
                error: { code: "bad_request", message: "Frames are JSON text" },
              }),
            );
            return;
          }
          void session.receive(event.data);
        },
        onClose(_event, ws) {
          open.delete(ws);
          session?.end();
          // Answer the client's close: workerd waits for our side; elsewhere this is a no-op.
          try {
            ws.close();
          } catch {
            // already closed
          }
        },
        onError(_event, ws) {
          open.delete(ws);
          session?.end();
        },
      };
    });
  }

  routes.get(
    "/live",
    route({
      summary: "The visitor's live socket (WebSocket)",
      description:
        'Upgrade to a WebSocket. The first frame is `{ type: "hello", token, after }` (the token never goes in the URL); then `send` and `typing` frames in, and `event`, `ack`, `typing`, `conversation`, `ready` and `error` frames out (see `server/schema/frames.ts`).',
      tag: "live",
      auth: "none",
      responses: { 101: "Switching to the WebSocket protocol" },
    }),
    socketRoute(visitorSession),
  );
  routes.get(
    "/agent/live",
    route({
      summary: "The agent's live socket (WebSocket)",
      description:
        'Upgrade to a WebSocket. The first frame is `{ type: "hello", token }` with the agent token; then `typing` (naming the conversation) and `presence` frames in, and every event, conversation, callback, presence and visitor typing notice of the site out.',
      tag: "live",
      auth: "none",
      responses: { 101: "Switching to the WebSocket protocol" },
    }),
    socketRoute(agentSession),
  );

  routes.get(
    "/events",
    route({
      summary: "The visitor's live events as Server-Sent Events",
      description:
        "For runtimes without WebSockets: `id: <seq>`, `data: <event JSON>` per event, other frames as named events. Read with fetch so the Authorization header can be sent. A reconnect may say where it left off with `Last-Event-ID` instead of `after`.",
      tag: "live",
      auth: "visitor",
      query: EventsQuery,
      responses: { 200: { description: "The event stream", mediaType: "text/event-stream" } },
    }),
    async (c) => {
      const { claim } = await requireVisitor(s, c);
      const after =
        c.req.valid("query").after ??
        parseWith(seqText, c.req.header("last-event-id"), refuse, '"Last-Event-ID"');
      return streamSSE(c, async (stream) => {
        let closed = false;
        const end = () => {
          closed = true;
          void stream.close();
        };
        const session = visitorSession(s, c.req.header("origin"), {
          send(frame) {
            if (closed) return;
            const write =
              frame.type === "event"
                ? { id: String(frame.event.seq), data: JSON.stringify(frame.event) }
                : { event: frame.type, data: JSON.stringify(frame) };
            void stream.writeSSE(write).catch(() => undefined);
          },
          close: end,
        });
        streams.add(end);
        stream.onAbort(() => {
          closed = true;
          session.end();
        });
        await session.begin(claim, after);
        while (!closed && !stream.aborted) {
          await stream.sleep(keepaliveMs);
          if (!closed) await stream.write(": keepalive\n\n");
        }
        streams.delete(end);
        session.end();
      });
    },
  );

  const sockets: LiveSockets = {
    closeAll(code, reason) {
      for (const ws of open) ws.close(code, reason);
      open.clear();
      // An SSE client reconnects by itself once its stream ends.
      for (const end of streams) end();
      streams.clear();
    },
    get size() {
      return open.size + streams.size;
    },
  };
  return { routes, sockets };
}
