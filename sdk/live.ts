import type { ClientFrame, ServerFrame } from "./protocol.ts";
import type { WebSocketLike } from "./types.ts";

export interface LiveHandlers {
  frame(frame: ServerFrame): void;
  /** The connection ended; `opened` tells a refused connection from a dropped one. */
  closed(info: { opened: boolean; code?: number }): void;
}

/** One live connection, whatever carries it; `send` answers false where frames cannot go up. */
export interface LiveConnection {
  send(frame: ClientFrame): boolean;
  close(): void;
}

/** WebSocket: the token goes in the first frame, never in the URL. */
export function openSocket(
  WS: WebSocketLike,
  url: string,
  token: string,
  after: number,
  handlers: LiveHandlers,
): LiveConnection {
  const socket = new WS(url);
  let opened = false;
  let done = false;
  const finish = (code?: number) => {
    if (done) return;
    done = true;
    handlers.closed({ opened, ...(code === undefined ? {} : { code }) });
  };
  socket.onopen = () => {
    opened = true;
    socket.send(JSON.stringify({ type: "hello", token, after }));
  };
  socket.onmessage = (message) => {
    try {
      handlers.frame(JSON.parse(String(message.data)) as ServerFrame);
    } catch {
      // A frame we cannot read is skipped; the seq cursor fills any gap on the next one.
    }
  };
  socket.onclose = (event) => finish(event.code);
  socket.onerror = () => finish();
  return {
    send(frame) {
      if (socket.readyState !== 1) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    close() {
      done = true;
      socket.close();
    },
  };
}

/**
 * Server-Sent Events read with fetch (EventSource cannot send the Authorization header), for
 * networks that refuse WebSockets. Frames go up by HTTP instead. Where fetch cannot stream (React
 * Native's has no `response.body`, and answers only once a response is complete), it polls
 * `GET /v1/conversation?after=<seq>` every 3 s instead, with the same frames.
 */
export function openEvents(
  fetchFn: typeof fetch,
  server: string,
  token: string,
  after: number,
  handlers: LiveHandlers,
): LiveConnection {
  const controller = new AbortController();
  let opened = false;
  let done = false;
  let refused = false;
  const finish = () => {
    if (done) return;
    done = true;
    // A refused token reads like a refused WebSocket hello (1008), so the client renews it.
    handlers.closed(refused ? { opened, code: 1008 } : { opened });
  };
  const get = async (path: string) => {
    const response = await fetchFn(server + path + after, {
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      signal: controller.signal,
    });
    refused = response.status === 401 || response.status === 403;
    if (!response.ok) throw 0;
    opened = true;
    return response;
  };

  void (async () => {
    const body = "body" in Response.prototype && (await get("/v1/events?after=")).body;
    if (!body) {
      for (let json = ""; !done; await new Promise((r) => setTimeout(r, 3000))) {
        const answer = await (await get("/v1/conversation?after=")).json();
        // In seq order: the last one is where the next poll starts.
        for (const event of answer.events) {
          after = event.seq;
          handlers.frame({ type: "event", conversationId: "", event });
        }
        const next = JSON.stringify(answer.conversation);
        if (next !== json)
          handlers.frame({ type: "conversation", conversation: answer.conversation });
        // The first answer is the catch-up a stream's `ready` follows: the outbox may go now.
        if (!json) handlers.frame({ type: "ready" });
        json = next;
      }
      return;
    }
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
      }
    }
  })()
    .catch(() => undefined)
    .finally(finish);

  function dispatch(block: string): void {
    let name = "";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trimStart();
    }
    if (!data) return;
    try {
      const parsed = JSON.parse(data);
      // Unnamed messages are events; named ones carry a whole frame.
      handlers.frame(name ? parsed : { type: "event", conversationId: "", event: parsed });
    } catch {
      // Skipped, as on the socket.
    }
  }

  return {
    send: () => false,
    close() {
      done = true;
      controller.abort();
    },
  };
}
