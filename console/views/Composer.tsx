import { useEffect, useRef, useState } from "preact/hooks";
import type { ChannelName, Conversation } from "../../sdk/protocol.ts";
import { LIMITS } from "../../sdk/protocol.ts";
import { ApiError } from "../api.ts";
import { channelName, newClientId } from "../format.ts";
import { type ComposerMode, type ConsoleApp, replyChannels } from "../state.ts";

export interface ComposerProps {
  conversation: Conversation;
  mode: ComposerMode;
  /** Grows when the composer should take the focus (the r and n keys). */
  focus: number;
  app: ConsoleApp;
}

/** What the agent reads when the server refuses: its message, with a hint for known codes. */
function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return "Could not send. Try again.";
  if (error.code === "channel_not_configured") {
    return `${error.message}. Pick another channel, or add an internal note.`;
  }
  if (error.code === "network") return `${error.message} Your text is kept: send again.`;
  return error.message;
}

/**
 * The reply box: a reply to the visitor's active channel (or one the agent picks), or an
 * internal note. Enter sends, Shift+Enter starts a new line.
 */
export function Composer({ conversation, mode, focus, app }: ComposerProps) {
  const input = useRef<HTMLTextAreaElement>(null);
  const clientId = useRef(newClientId());
  const focusAtMount = useRef(focus);
  const [picked, setPicked] = useState<ChannelName | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const channels = replyChannels(conversation);
  const channel = picked && channels.includes(picked) ? picked : conversation.activeChannel;
  const note = mode === "note";

  useEffect(() => {
    if (focus !== focusAtMount.current) input.current?.focus();
  }, [focus]);

  async function send(): Promise<void> {
    const box = input.current;
    if (!box || busy) return;
    const text = box.value.trim();
    if (!text) return;
    setBusy(true);
    setError(null);
    try {
      // The same clientId until it succeeds: a retry after a lost answer is the same event.
      if (note) await app.note(text, clientId.current);
      else await app.reply(text, clientId.current, picked ? channel : undefined);
      clientId.current = newClientId();
      if (box.value.trim() === text) box.value = "";
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setBusy(false);
    }
  }

  const label = note ? "Internal note" : `Reply via ${channelName(channel)}`;
  return (
    <form
      class={note ? "composer note" : "composer"}
      aria-label="Reply"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <div class="composer-bar">
        <fieldset class="modes">
          <legend class="sr-only">Message type</legend>
          <button
            type="button"
            aria-pressed={!note}
            aria-keyshortcuts="r"
            onClick={() => app.compose("reply")}
          >
            Reply
          </button>
          <button
            type="button"
            aria-pressed={note}
            aria-keyshortcuts="n"
            onClick={() => app.compose("note")}
          >
            Internal note
          </button>
        </fieldset>
        {note ? (
          <p class="via">Only agents see notes</p>
        ) : channels.length > 1 ? (
          <label class="via">
            <span>Reply via</span>
            <select
              value={channel}
              onChange={(e) =>
                setPicked((e.currentTarget as HTMLSelectElement).value as ChannelName)
              }
            >
              {channels.map((c) => (
                <option key={c} value={c}>
                  {c === conversation.activeChannel ? `${channelName(c)} (active)` : channelName(c)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p class="via">{label}</p>
        )}
      </div>
      <textarea
        ref={input}
        rows={3}
        maxLength={LIMITS.messageChars}
        aria-label={label}
        placeholder={note ? "Write a note for the team…" : "Write a reply…"}
        onInput={() => {
          if (!note) app.typing();
          if (error) setError(null);
        }}
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            void send();
          } else if (event.key === "Escape") {
            (event.currentTarget as HTMLTextAreaElement).blur();
          }
        }}
      />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="composer-foot">
        <span class="hint">Enter sends · Shift+Enter new line · Esc leaves</span>
        <button type="submit" class="primary" disabled={busy}>
          {note ? "Add note" : "Send"}
        </button>
      </div>
    </form>
  );
}
