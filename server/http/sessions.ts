import type * as v from "valibot";
import type { Agent, EventFrame, ServerFrame, ThreadEvent } from "../../sdk/protocol.ts";
import { CLOSE_POLICY_VIOLATION, LIMITS } from "../../sdk/protocol.ts";
import type { ConversationClaims } from "../auth/tokens.ts";
import { conversationForVisitor, visibleToVisitor } from "../core/visibility.ts";
import { AppError } from "../errors.ts";
import { createCursor } from "../realtime/cursor.ts";
import { SHOWN_TTL_MS, shownKey } from "../realtime/shown.ts";
import { parseWith } from "../schema/check.ts";
import { AgentClientFrame, VisitorClientFrame } from "../schema/frames.ts";
import type { LiveNotice, Unsubscribe } from "../store/types.ts";
import { enforceLimit } from "./rate-limit.ts";
import { authenticateAgent, type Services } from "./services.ts";

/**
 * A fresh frame per socket: the transport shares the event's serialisation (live.ts keys it by
 * the event), and a WeakMap entry per event cost more than this small object.
 */
function eventFrame(conversationId: string, event: ThreadEvent): EventFrame {
  return { type: "event", conversationId, event };
}

/** How a session talks back, whatever carries it (WebSocket, Server-Sent Events). */
export interface Outlet {
  send(frame: ServerFrame): void;
  close(code: number, reason: string): void;
}

/** A client must say hello soon after connecting, or the socket is closed. */
export const HELLO_TIMEOUT_MS = 10_000;
/** One typing notice per client per this many ms. */
const TYPING_INTERVAL_MS = 1500;

function asError(error: unknown): { code: AppError["code"]; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: "internal", message: "Something went wrong on the server" };
}

/** Reads one frame's JSON: anything but a JSON object with a string `type` is refused. */
function readFrame(raw: string): { type: string } & Record<string, unknown> {
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
    Array.isArray(frame) ||
    typeof (frame as { type?: unknown }).type !== "string"
  ) {
    throw new AppError("bad_request", 'Frames are objects with a "type"');
  }
  return frame as { type: string } & Record<string, unknown>;
}

const refuse = (message: string): never => {
  throw new AppError("bad_request", message);
};

/** True at most once per interval: typing notices need no more for a UI. */
function throttle(s: Services, intervalMs: number): () => boolean {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = s.now();
    if (now - last < intervalMs) return false;
    last = now;
    return true;
  };
}

type FrameSchema = typeof VisitorClientFrame | typeof AgentClientFrame;
/** A frame after hello, as the role's schema reads it. */
type LaterFrame<S extends FrameSchema> = Exclude<v.InferOutput<S>, { type: "hello" }>;

/** What differs between the visitor's and the agent's session. */
interface SessionRole<S extends FrameSchema> {
  /** The frames this socket takes (`server/schema/frames.ts`). */
  frames: S;
  /** Verifies the hello and starts streaming; answers how to stop. Cleans up after itself on failure. */
  hello(token: string, after: number): Promise<Unsubscribe>;
  /** Any later frame, checked by `frames`. */
  frame(frame: LaterFrame<S>): Promise<void>;
}

/** A live session as its transport sees it. */
export interface LiveSession {
  receive(raw: string): Promise<void>;
  end(): void;
}

/**
 * The frame loop both sessions share: a hello deadline, one frame at a time, every failure
 * answered with an error frame (echoing a send's clientId), and a refused hello closing.
 *
 * A class, not closures: one lives per open socket, and its methods are shared (tsx names every
 * inner function, which costs each closure a property store of its own).
 */
class FrameLoop<S extends FrameSchema> implements LiveSession {
  private stop: Unsubscribe | null = null;
  private ended = false;
  /** Serialises the work so frames are handled in the order they arrived: a `send` that follows
   * `hello` never runs before the hello is done. */
  private chain: Promise<void> = Promise.resolve();
  /** Dropped once cleared: an idle socket need not hold a spent Timeout. */
  private helloTimer: ReturnType<typeof setTimeout> | null;

  constructor(
    private readonly s: Services,
    private readonly out: Outlet,
    private readonly role: SessionRole<S>,
  ) {
    this.helloTimer = setTimeout(
      () => out.close(CLOSE_POLICY_VIOLATION, "hello expected"),
      HELLO_TIMEOUT_MS,
    );
  }

  private queue(step: () => Promise<void>): Promise<void> {
    const result = this.chain.then(step);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async start(start: () => Promise<Unsubscribe>): Promise<void> {
    if (this.stop) throw new AppError("conflict", "Already said hello");
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    const stop = await start();
    // The socket may have closed while hello was being checked: let nothing outlive it.
    if (this.ended) stop();
    else this.stop = stop;
  }

  private async handle(raw: { type: string } & Record<string, unknown>): Promise<void> {
    // Who may talk first: a frame before hello is refused as unauthenticated, whatever it says.
    if (raw.type !== "hello" && !this.stop)
      throw new AppError("unauthorized", "Say hello with a token first");
    if (raw.type === "hello" && typeof raw.token !== "string")
      throw new AppError("unauthorized", "hello needs a token");
    const frame = parseWith(this.role.frames, raw, refuse, "The frame") as v.InferOutput<S>;
    if (frame.type === "hello") {
      const { token, after = 0 } = frame;
      return this.start(() => this.role.hello(token, after));
    }
    return this.role.frame(frame as LaterFrame<S>);
  }

  /** For transports that authenticate otherwise (SSE reads the Authorization header). */
  greet(start: () => Promise<Unsubscribe>): Promise<void> {
    return this.queue(() => this.start(start));
  }

  receive(raw: string): Promise<void> {
    return this.queue(async () => {
      let frame: Record<string, unknown> | null = null;
      try {
        frame = readFrame(raw);
        await this.handle(frame as { type: string } & Record<string, unknown>);
      } catch (error) {
        if (!(error instanceof AppError))
          this.s.log.error("live frame failed", { error: String(error) });
        const clientId =
          frame?.type === "send" && typeof frame.clientId === "string" ? frame.clientId : undefined;
        this.out.send({ type: "error", ...(clientId ? { clientId } : {}), error: asError(error) });
        if (!this.stop) this.out.close(CLOSE_POLICY_VIOLATION, "hello refused");
      }
    });
  }

  end(): void {
    this.ended = true;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.stop?.();
    this.stop = null;
  }
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
  const mayType = throttle(s, TYPING_INTERVAL_MS);
  /** What this socket sent: its ack carries the event, so the echo is not sent back again. */
  let sentHere: Set<string> | null = null; // made on the first send: most sockets only listen
  /**
   * Only while the visitor has an email linked does anyone ask what the widget was shown (an
   * unseen reply is emailed), so only then is it recorded: the highest agent-message seq sent
   * here, written to the store by one write at a time (later seqs coalesce into the next write).
   */
  let emailLinked = false;
  let shown = 0;
  let recording = false;

  // Methods of one object, not named closures: tsx would give each its own property store.
  const role = {
    frames: VisitorClientFrame,
    async stream(verified: ConversationClaims, after: number): Promise<Unsubscribe> {
      s.origins.check(origin, s.site(verified.siteId));
      const conversationId = verified.conversationId;
      const cursor = createCursor(
        after,
        (from) => s.store.eventsAfter(conversationId, from),
        (stored: ThreadEvent) => {
          if (stored.clientId && sentHere?.delete(stored.clientId)) return;
          if (!visibleToVisitor(stored)) return;
          // Only an event with files waits (for its links): the rest go out at once.
          if (!stored.attachments) return role.show(conversationId, stored);
          return s.attachments.present(stored).then((event) => role.show(conversationId, event));
        },
      );
      // Watch before reading, so nothing appended in between can slip past.
      const stop = await s.hub.watchConversation(verified.siteId, conversationId, (notice) => {
        if (notice.kind === "event") void cursor.push(notice.event);
        else if (notice.kind === "conversation") {
          emailLinked = notice.conversation.channels.some((c) => c.channel === "email");
          out.send({
            type: "conversation",
            conversation: conversationForVisitor(notice.conversation),
          });
        } else if (notice.kind === "typing" && notice.author.role !== "visitor") {
          out.send({ type: "typing", conversationId, author: notice.author });
        } else if (notice.kind === "erased") {
          out.close(CLOSE_POLICY_VIOLATION, "conversation erased");
        }
      });
      try {
        const conversation = await s.threads.get(conversationId);
        emailLinked = conversation.channels.some((c) => c.channel === "email");
        out.send({ type: "conversation", conversation: conversationForVisitor(conversation) });
        await cursor.catchUp();
      } catch (error) {
        stop();
        throw error;
      }
      claims = verified;
      out.send({ type: "ready", conversationId });
      return stop;
    },
    /** Sends one visible event to this socket. */
    show(conversationId: string, event: ThreadEvent): void {
      out.send(eventFrame(conversationId, event));
      if (emailLinked && event.type === "message" && event.author.role === "agent")
        role.shown(conversationId, event.seq);
    },
    /** Records that an agent message up to `seq` was sent to this visitor socket. */
    shown(conversationId: string, seq: number): void {
      if (seq <= shown) return;
      shown = seq;
      if (!recording) void role.record(conversationId);
    },
    async record(conversationId: string): Promise<void> {
      recording = true;
      try {
        let written = 0;
        while (written < shown) {
          written = shown;
          await s.store.raiseMark(shownKey(conversationId), written, SHOWN_TTL_MS);
        }
      } catch (error) {
        s.log.error("recording a shown reply failed", { conversationId, error: String(error) });
      } finally {
        recording = false;
      }
    },
    async hello(token: string, after: number): Promise<Unsubscribe> {
      return role.stream(await s.tokens.verifyConversationToken(token), after);
    },
    async frame(frame: LaterFrame<typeof VisitorClientFrame>): Promise<void> {
      const { conversationId, siteId } = claims!;
      if (frame.type === "send") {
        await enforceLimit(s.store, "messages", conversationId, s.limits.messagesPerConversation);
        const attachments =
          frame.attachments && (await s.attachments.forMessage(conversationId, frame.attachments));
        // Bounded: a retry of an old message leaves an entry that no echo will clear.
        sentHere ??= new Set<string>();
        if (sentHere.size >= 100) sentHere.delete(sentHere.values().next().value!);
        sentHere.add(frame.clientId);
        const { event, duplicate } = await s.threads.postVisitorMessage(conversationId, {
          clientId: frame.clientId,
          text: frame.text,
          attachments,
        });
        if (duplicate) sentHere?.delete(frame.clientId);
        out.send({
          type: "ack",
          clientId: frame.clientId,
          event: event.attachments ? await s.attachments.present(event) : event,
        });
      } else if (mayType()) {
        await s.store.publish({
          kind: "typing",
          siteId,
          conversationId,
          author: { role: "visitor" },
        });
      }
    },
  };
  const session = new FrameLoop(s, out, role);

  return {
    /** Starts streaming for claims verified elsewhere (SSE reads them from the header). */
    begin(verified: ConversationClaims, after: number): Promise<void> {
      return session.greet(() => role.stream(verified, after));
    },
    receive(raw: string): Promise<void> {
      return session.receive(raw);
    },
    end(): void {
      session.end();
    },
  };
}

/**
 * `out.send` that keeps the order frames were offered in, when some are made asynchronously (an
 * event whose attachments are being linked): later frames wait for it, and only then.
 */
function inOrder(out: Outlet): (frame: ServerFrame | Promise<ServerFrame>) => void {
  let queue: Promise<void> | null = null;
  return (frame) => {
    if (!queue && !(frame instanceof Promise)) return out.send(frame);
    const next: Promise<void> = (queue ?? Promise.resolve())
      .then(async () => out.send(await frame))
      .catch(() => undefined)
      .finally(() => {
        if (queue === next) queue = null;
      });
    queue = next;
  };
}

/**
 * The agent's live session: `hello` with the agent token, then every event, conversation change
 * and visitor typing notice of the agent's site; `typing` frames name the conversation.
 */
export function agentSession(s: Services, origin: string | undefined, out: Outlet): LiveSession {
  let agent: Agent | null = null;
  let byKey = false;
  const mayType = throttle(s, TYPING_INTERVAL_MS);

  return new FrameLoop(s, out, {
    frames: AgentClientFrame,
    async hello(token) {
      const { apiKey, ...verified } = await authenticateAgent(s, token, origin);
      agent = verified;
      // A server on an API key watches the site; it is not a teammate who is online.
      byKey = apiKey !== undefined;
      const send = inOrder(out);
      const stop = await s.hub.watchSite(verified.siteId, (notice: LiveNotice) => {
        if (notice.kind === "event") {
          send(
            notice.event.attachments
              ? s.attachments
                  .present(notice.event)
                  .then((event) => eventFrame(notice.conversationId, event))
              : eventFrame(notice.conversationId, notice.event),
          );
        } else if (notice.kind === "conversation") {
          send({ type: "conversation", conversation: notice.conversation });
        } else if (notice.kind === "presence") {
          send({ type: "presence", email: notice.email, status: notice.status });
        } else if (notice.kind === "callback") {
          send({
            type: "callback",
            callback: notice.callback,
            ...(notice.due ? { due: true } : {}),
          });
        } else if (notice.kind === "contact") {
          send({ type: "contact", contact: notice.contact });
        } else if (notice.kind === "erased") {
          send({ type: "erased", conversationId: notice.conversationId });
        } else if (notice.author.role === "visitor") {
          send({
            type: "typing",
            conversationId: notice.conversationId,
            author: notice.author,
          });
        }
      });
      // Being connected is being online; the console may say "away" later.
      let leave: () => Promise<void> = async () => undefined;
      try {
        if (!byKey) leave = await s.presence.join(verified.siteId, verified.email);
      } catch (error) {
        stop();
        throw error;
      }
      out.send({ type: "ready" });
      return () => {
        stop();
        s.defer(leave().catch(() => undefined));
      };
    },
    async frame(frame) {
      const me = agent!;
      if (frame.type === "presence") {
        if (!byKey) await s.presence.set(me.siteId, me.email, frame.status);
        return;
      }
      if (!mayType()) return;
      const conversation = await s.store.getConversation(frame.conversationId);
      if (!conversation || conversation.siteId !== me.siteId) {
        throw new AppError("not_found", "No conversation with that id");
      }
      await s.store.publish({
        kind: "typing",
        siteId: conversation.siteId,
        conversationId: conversation.id,
        author: { role: "agent", name: me.name },
      });
    },
  });
}
