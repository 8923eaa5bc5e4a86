import { useLayoutEffect, useRef } from "preact/hooks";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import { type SentenceContext, systemSentence } from "../format.ts";
import { type ConsoleApp, displayName, type State } from "../state.ts";
import { Composer } from "./Composer.tsx";
import { ChannelBadge, Files, Text, When } from "./common.tsx";

/** Who wrote a message or note, as the agent reads it. */
function authorName(event: ThreadEvent, me: string | undefined): string {
  const { author } = event;
  if (author.role === "visitor") return "Visitor";
  if (author.role === "agent")
    return author.id && author.id === me ? "You" : author.name || "Agent";
  if (author.role === "bot") return author.name || "Bot";
  return "System";
}

interface ItemProps {
  event: ThreadEvent;
  now: number;
  me: string | undefined;
  sentence: SentenceContext;
}

/**
 * A mailed message reads as its new text; the whole mail (quoted history, signature) is one
 * click away, and a forward says so.
 */
function WholeEmail({ event }: { event: ThreadEvent }) {
  const data = event.data ?? {};
  if (event.channel !== "email") return null;
  const original = typeof data.original === "string" ? data.original : "";
  return (
    <>
      {data.forwarded === true && <p class="mail-note">Forwarded mail</p>}
      {data.stripped === true && original && (
        <details class="whole-mail">
          <summary>Show the whole email</summary>
          <pre>
            <Text text={original} />
          </pre>
        </details>
      )}
    </>
  );
}

/** One event of the timeline: a message, an internal note or a system sentence. */
function Item({ event, now, me, sentence }: ItemProps) {
  if (event.type === "system") {
    return (
      <li class="ev sys" data-name={event.name} data-seq={event.seq}>
        <ChannelBadge channel={event.channel} />
        <span class="sys-text">{systemSentence(event, sentence)}</span>
        <When at={event.createdAt} now={now} />
      </li>
    );
  }
  const note = event.type === "note";
  const role = note ? "note" : event.author.role === "visitor" ? "visitor" : "team";
  return (
    <li class={`ev ${role}`} data-seq={event.seq}>
      <p class="meta">
        {note && <strong class="note-label">Internal note</strong>}
        <span class="author">{authorName(event, me)}</span>
        <ChannelBadge channel={event.channel} />
        <When at={event.createdAt} now={now} />
      </p>
      {event.text && (
        <p class="body">
          <Text text={event.text} />
        </p>
      )}
      {event.attachments && <Files files={event.attachments} />}
      <WholeEmail event={event} />
    </li>
  );
}

/** Keeps the newest event in view, unless the agent scrolled up to read. */
function useStickToBottom(count: number, id: string | undefined) {
  const ref = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const lastId = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (lastId.current !== id) {
      lastId.current = id;
      stuck.current = true;
    }
    if (stuck.current) el.scrollTop = el.scrollHeight;
  }, [count, id]);
  const onScroll = () => {
    const el = ref.current;
    if (el) stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };
  return { ref, onScroll };
}

/** The open conversation: its header and actions, the timeline, the typing line, the composer. */
export function Thread({ state, app }: { state: State; app: ConsoleApp }) {
  const thread = state.thread;
  const me = state.session?.agent.email;
  const scroller = useStickToBottom(thread?.events.length ?? 0, thread?.id);

  if (!thread) {
    return (
      <main class="thread empty" aria-labelledby="thread-title">
        <h2 id="thread-title">No conversation open</h2>
        <p class="thread-notice" role="status">
          {state.threadNotice}
        </p>
        <p>
          Pick one in the inbox, or press <kbd>j</kbd>.
        </p>
      </main>
    );
  }
  const { conversation } = thread;
  const name = conversation ? displayName(conversation, thread.contact, state.names) : "…";
  const typing = thread.id in state.typing;
  const sentence: SentenceContext = {
    now: state.now,
    timeZone: state.timeZone,
    agentName: (email) =>
      email === me ? "you" : (state.agents.find((a) => a.email === email)?.name ?? email),
  };
  const agents = [...state.agents];
  if (conversation?.assignee && !agents.some((a) => a.email === conversation.assignee)) {
    agents.push({ email: conversation.assignee, name: conversation.assignee, status: "offline" });
  }

  return (
    <main class="thread" aria-labelledby="thread-title">
      <div class="thread-head">
        <h2 id="thread-title">{name}</h2>
        {conversation && (
          <div class="actions">
            <span class={`status s-${conversation.status}`}>{conversation.status}</span>
            {conversation.assignee !== me && (
              <button type="button" onClick={() => void app.assign(me ?? null)}>
                Assign to me
              </button>
            )}
            <label class="assign">
              <span>Assignee</span>
              <select
                value={conversation.assignee ?? ""}
                onChange={(e) => {
                  const value = (e.currentTarget as HTMLSelectElement).value;
                  void app.assign(value || null);
                }}
              >
                <option value="">Unassigned</option>
                {agents.map((a) => (
                  <option key={a.email} value={a.email}>
                    {a.email === me ? `${a.name} (you)` : `${a.name} (${a.status})`}
                  </option>
                ))}
              </select>
            </label>
            {conversation.status === "resolved" ? (
              <button type="button" onClick={() => void app.reopen()}>
                Reopen
              </button>
            ) : (
              <button
                type="button"
                class="primary"
                aria-keyshortcuts="e"
                onClick={() => void app.resolve()}
              >
                Resolve
              </button>
            )}
          </div>
        )}
        {state.actionError && (
          <p class="error" role="alert">
            {state.actionError}
          </p>
        )}
      </div>
      {thread.error && (
        <p class="error" role="alert">
          {thread.error}{" "}
          <button type="button" class="link" onClick={() => app.select(thread.id)}>
            Retry
          </button>
        </p>
      )}
      <div
        class="timeline"
        role="log"
        aria-label="Conversation history"
        aria-busy={thread.loading}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        ref={scroller.ref}
        onScroll={scroller.onScroll}
        key={thread.id}
      >
        {thread.loading && thread.events.length === 0 ? (
          <p class="muted">Loading…</p>
        ) : (
          <ol>
            {thread.events.map((event) => (
              <Item key={event.seq} event={event} now={state.now} me={me} sentence={sentence} />
            ))}
          </ol>
        )}
      </div>
      <p class="typing" aria-live="polite">
        {typing ? "The visitor is typing…" : ""}
      </p>
      {conversation && (
        <Composer
          key={thread.id}
          conversation={conversation}
          mode={state.composer.mode}
          focus={state.composer.focus}
          app={app}
        />
      )}
    </main>
  );
}
