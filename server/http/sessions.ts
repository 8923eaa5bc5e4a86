import type { Agent, ClientFrame, ServerFrame, ThreadEvent } from "../../sdk/protocol.ts";
import { CLOSE_POLICY_VIOLATION, LIMITS } from "../../sdk/protocol.ts";
import type { ConversationClaims } from "../auth/tokens.ts";
import { conversationForVisitor, visibleToVisitor } from "../core/visibility.ts";
import { AppError } from "../errors.ts";
import { createCursor } from "../realtime/cursor.ts";
import type { LiveNotice, Unsubscribe } from "../store/types.ts";
import { enforceLimit } from "./rate-limit.ts";
import type { Services } from "./services.ts";
import { CLIENT_ID } from "./validate.ts";

/** How a session talks back, whatever carries it (WebSocket, Server-Sent Events). */
export interface Outlet {
  send(frame: ServerFrame): void;
  close(code: number, reason: string): void;
}

/** A client must say hello soon after connecting, or the socket is closed. */
export const HELLO_TIMEOUT_MS = 10_000;
/** Typing notices are throttled: one per client per this many ms is plenty for a UI. */
const TYPING_INTERVAL_MS = 1500;

function asError(error: unknown): { code: AppError["code"]; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: "internal", message: "Something went wrong on the server" };
}

/** Parses one client frame; anything that is not a known frame is refused with `bad_request`. */
function parseFrame(raw: string): ClientFrame {
  if (raw.length > LIMITS.bodyBytes) throw new AppError("payload_too_large", "Frame too large");
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    throw new AppError("invalid_json", "Frames are JSON objects");
  }
  if (
    typeof frame !== "object" ||
    frame === null ||
    typeof (frame as { type?: unknown }).type !== "string"
  ) {
    throw new AppError("bad_request", 'Frames are objects with a "type"');
  }
  return frame as ClientFrame;
}

/**
 * Serialises a session's work so frames are handled in the order they arrived: a `send` that
 * follows `hello` never runs before the hello is done.
 */
function serial() {
  let chain: Promise<void> = Promise.resolve();
  return (step: () => Promise<void>): Promise<void> => {
    const result = chain.then(step);
    chain = result.catch(() => undefined);
    return result;
  };
}

/**
 * The visitor's live session: `hello` with the conversation token (never in the URL), then every
 * visible event after the client's seq and live ones as they come; `send` and `typing` in.
 *
 * @example
 * const session = visitorSession(services, origin, { send, close });
 * socket.on("message", (raw) => session.receive(String(raw)));
 */
export function visitorSession(s: Services, origin: string | undefined, out: Outlet) {
  let claims: ConversationClaims | null = null;
  let stopWatching: Unsubscribe | null = null;
  let lastTyping = 0;
  const queue = serial();
  const helloTimer = setTimeout(
    () => out.close(CLOSE_POLICY_VIOLATION, "hello expected"),
    HELLO_TIMEOUT_MS,
  );

  /** Starts the stream for verified claims; SSE calls it directly with the header's token. */
  async function begin(verified: ConversationClaims, after: number): Promise<void> {
    clearTimeout(helloTimer);
    const site = s.site(verified.siteId);
    s.origins.check(origin, site);
    claims = verified;
    const conversationId = verified.conversationId;
    const cursor = createCursor(
      after,
      (from) => s.store.eventsAfter(conversationId, from),
      (event: ThreadEvent) => {
        if (visibleToVisitor(event)) out.send({ type: "event", conversationId, event });
      },
    );
    // Watch before reading, so nothing appended in between can slip past.
    stopWatching = s.hub.watchConversation(conversationId, (notice: LiveNotice) => {
      if (notice.kind === "event") void cursor.push(notice.event);
      else if (notice.kind === "conversation") {
        out.send({
          type: "conversation",
          conversation: conversationForVisitor(notice.conversation),
        });
      } else if (notice.author.role !== "visitor") {
        out.send({ type: "typing", conversationId, author: notice.author });
      }
    });
    const conversation = await s.threads.get(conversationId);
    out.send({ type: "conversation", conversation: conversationForVisitor(conversation) });
    await cursor.catchUp();
    out.send({ type: "ready", conversationId });
  }

  async function handle(frame: ClientFrame): Promise<void> {
    if (frame.type === "hello") {
      if (claims) throw new AppError("conflict", "Already said hello");
      if (typeof frame.token !== "string")
        throw new AppError("unauthorized", "hello needs the conversation token");
      const after =
        Number.isSafeInteger(frame.after) && (frame.after ?? 0) >= 0 ? (frame.after ?? 0) : 0;
      await begin(await s.tokens.verifyConversationToken(frame.token), after);
      return;
    }
    if (!claims) throw new AppError("unauthorized", "Say hello with the conversation token first");
    if (frame.type === "send") {
      if (typeof frame.clientId !== "string" || !CLIENT_ID.test(frame.clientId)) {
        throw new AppError("bad_request", '"clientId" must be 1-64 characters of [A-Za-z0-9._:-]');
      }
      if (
        typeof frame.text !== "string" ||
        frame.text.trim() === "" ||
        frame.text.length > LIMITS.messageChars
      ) {
        throw new AppError("bad_request", `"text" must be 1-${LIMITS.messageChars} characters`);
      }
      await enforceLimit(
        s.store,
        "messages",
        claims.conversationId,
        s.limits.messagesPerConversation,
      );
      const { event } = await s.threads.postVisitorMessage(claims.conversationId, {
        clientId: frame.clientId,
        text: frame.text,
      });
      out.send({ type: "ack", clientId: frame.clientId, event });
      return;
    }
    if (frame.type === "typing") {
      const now = s.now();
      if (now - lastTyping < TYPING_INTERVAL_MS) return;
      lastTyping = now;
      await s.store.publish({
        kind: "typing",
        siteId: claims.siteId,
        conversationId: claims.conversationId,
        author: { role: "visitor" },
      });
      return;
    }
    throw new AppError("bad_request", `Unknown frame type`);
  }

  return {
    begin: (verified: ConversationClaims, after: number) => queue(() => begin(verified, after)),
    /** Handles one raw text frame; failures answer an error frame, and a failed hello closes. */
    receive(raw: string): Promise<void> {
      return queue(async () => {
        let frame: ClientFrame | null = null;
        try {
          frame = parseFrame(raw);
          await handle(frame);
        } catch (error) {
          if (!(error instanceof AppError))
            s.log.error("live frame failed", { error: String(error) });
          const clientId =
            frame?.type === "send" && typeof frame.clientId === "string"
              ? frame.clientId
              : undefined;
          out.send({ type: "error", ...(clientId ? { clientId } : {}), error: asError(error) });
          if (!claims) out.close(CLOSE_POLICY_VIOLATION, "hello refused");
        }
      });
    },
    end(): void {
      clearTimeout(helloTimer);
      stopWatching?.();
      stopWatching = null;
    },
  };
}

/**
 * The agent's live session: `hello` with the agent token, then every event, conversation change
 * and visitor typing notice of the agent's site; `typing` frames name the conversation.
 */
export function agentSession(s: Services, origin: string | undefined, out: Outlet) {
  let agent: Agent | null = null;
  let stopWatching: Unsubscribe | null = null;
  let lastTyping = 0;
  const queue = serial();
  const helloTimer = setTimeout(
    () => out.close(CLOSE_POLICY_VIOLATION, "hello expected"),
    HELLO_TIMEOUT_MS,
  );

  async function handle(frame: ClientFrame): Promise<void> {
    if (frame.type === "hello") {
      if (agent) throw new AppError("conflict", "Already said hello");
      if (typeof frame.token !== "string")
        throw new AppError("unauthorized", "hello needs the agent token");
      const verified = await s.tokens.verifyAgentToken(frame.token);
      s.origins.checkOwn(origin);
      clearTimeout(helloTimer);
      agent = verified;
      stopWatching = s.hub.watchSite(verified.siteId, (notice: LiveNotice) => {
        if (notice.kind === "event") {
          out.send({ type: "event", conversationId: notice.conversationId, event: notice.event });
        } else if (notice.kind === "conversation") {
          out.send({ type: "conversation", conversation: notice.conversation });
        } else if (notice.author.role === "visitor") {
          out.send({
            type: "typing",
            conversationId: notice.conversationId,
            author: notice.author,
          });
        }
      });
      out.send({ type: "ready" });
      return;
    }
    if (!agent) throw new AppError("unauthorized", "Say hello with the agent token first");
    if (frame.type === "typing") {
      const now = s.now();
      if (now - lastTyping < TYPING_INTERVAL_MS || typeof frame.conversationId !== "string") return;
      lastTyping = now;
      const conversation = await s.store.getConversation(frame.conversationId);
      if (!conversation || conversation.siteId !== agent.siteId)
        throw new AppError("not_found", "No conversation with that id");
      await s.store.publish({
        kind: "typing",
        siteId: agent.siteId,
        conversationId: conversation.id,
        author: { role: "agent", name: agent.name },
      });
      return;
    }
    throw new AppError("bad_request", "Agents reply over HTTP; this socket takes hello and typing");
  }

  return {
    receive(raw: string): Promise<void> {
      return queue(async () => {
        try {
          await handle(parseFrame(raw));
        } catch (error) {
          if (!(error instanceof AppError))
            s.log.error("agent frame failed", { error: String(error) });
          out.send({ type: "error", error: asError(error) });
          if (!agent) out.close(CLOSE_POLICY_VIOLATION, "hello refused");
        }
      });
    },
    end(): void {
      clearTimeout(helloTimer);
      stopWatching?.();
      stopWatching = null;
    },
  };
}
