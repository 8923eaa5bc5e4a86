import { useEffect, useRef, useState } from "preact/hooks";
import type { ChannelName, Conversation } from "../../sdk/protocol.ts";
import { LIMITS } from "../../sdk/protocol.ts";
import { ApiError } from "../api.ts";
import { channelName, newClientId } from "../format.ts";
import { type ComposerMode, type ConsoleApp, replyChannels } from "../state.ts";
import { fileSize } from "./common.tsx";

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

/** A file on its way into the reply: uploading, uploaded (with its id) or failed (with why). */
interface Pending {
  key: number;
  file: File;
  progress: number;
  id?: string;
  error?: string;
}

let pendingKeys = 0;

/**
 * The reply box: a reply to the visitor's active channel (or one the agent picks), or an
 * internal note. Enter sends, Shift+Enter starts a new line. Files join a reply by the attach
 * button, a paste or a drop; each uploads at once with its progress, a failed one can be tried
 * again, and the reply waits until every file is in.
 */
export function Composer({ conversation, mode, focus, app }: ComposerProps) {
  const input = useRef<HTMLTextAreaElement>(null);
  const clientId = useRef(newClientId());
  const focusAtMount = useRef(focus);
  const [picked, setPicked] = useState<ChannelName | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [files, setFiles] = useState<Pending[]>([]);
  const channels = replyChannels(conversation);
  const channel = picked && channels.includes(picked) ? picked : conversation.activeChannel;
  const note = mode === "note";

  useEffect(() => {
    if (focus !== focusAtMount.current) input.current?.focus();
  }, [focus]);

  const change = (key: number, patch: Partial<Pending>) =>
    setFiles((all) => all.map((p) => (p.key === key ? { ...p, ...patch } : p)));

  async function upload(pending: Pending): Promise<void> {
    change(pending.key, { progress: 0, error: undefined });
    try {
      const id = await app.upload(pending.file, (progress) => change(pending.key, { progress }));
      change(pending.key, { id, progress: 1 });
    } catch (failure) {
      change(pending.key, { error: explain(failure) });
    }
  }

  function attach(list: FileList | null | undefined): void {
    const added = [...(list ?? [])].map((file) => ({ key: ++pendingKeys, file, progress: 0 }));
    if (added.length === 0) return;
    setFiles((all) => [...all, ...added]);
    for (const pending of added) void upload(pending);
  }

  async function send(): Promise<void> {
    const box = input.current;
    if (!box || busy) return;
    const text = box.value.trim();
    const ids = note ? [] : files.flatMap((p) => (p.id ? [p.id] : []));
    if (!text && ids.length === 0) return;
    if (!note && ids.length < files.length) {
      setError("Wait for the files to upload, or remove the ones that failed.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // The same clientId until it succeeds: a retry after a lost answer is the same event.
      if (note) await app.note(text, clientId.current);
      else await app.reply(text, clientId.current, picked ? channel : undefined, ids);
      clientId.current = newClientId();
      if (box.value.trim() === text) box.value = "";
      if (!note) setFiles([]);
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
      onDragOver={(event) => {
        if (!note && event.dataTransfer?.types.includes("Files")) event.preventDefault();
      }}
      onDrop={(event) => {
        if (note || !event.dataTransfer?.files.length) return;
        event.preventDefault();
        attach(event.dataTransfer.files);
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
        onPaste={(event) => {
          if (note || !event.clipboardData?.files.length) return;
          event.preventDefault();
          attach(event.clipboardData.files);
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
      {!note && files.length > 0 && (
        <ul class="uploads" aria-label="Files for this reply">
          {files.map((p) => (
            <li key={p.key} class={p.error ? "upload failed" : p.id ? "upload done" : "upload"}>
              <span class="file-name">{p.file.name}</span>
              <span class="file-size">{fileSize(p.file.size)}</span>
              {p.error ? (
                <>
                  <span class="upload-error" role="alert">
                    {p.error}
                  </span>
                  <button type="button" onClick={() => void upload(p)}>
                    Try again
                  </button>
                </>
              ) : (
                !p.id && (
                  <progress max={1} value={p.progress} aria-label={`Uploading ${p.file.name}`} />
                )
              )}
              <button
                type="button"
                aria-label={`Remove ${p.file.name}`}
                onClick={() => setFiles((all) => all.filter((f) => f.key !== p.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {!note && channel === "web" && files.length > 0 && (
        <p class="hint" role="status">
          The website chat does not show files yet: the visitor sees your words only. Send files by
          a channel they have linked, or as a link.
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="composer-foot">
        <span class="hint">Enter sends · Shift+Enter new line · Esc leaves</span>
        {!note && (
          <label class="attach">
            <span>Attach files</span>
            <input
              type="file"
              multiple
              class="sr-only"
              onChange={(event) => {
                const picker = event.currentTarget as HTMLInputElement;
                attach(picker.files);
                picker.value = "";
              }}
            />
          </label>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {note ? "Add note" : "Send"}
        </button>
      </div>
    </form>
  );
}
