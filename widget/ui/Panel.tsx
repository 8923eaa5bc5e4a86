/** @jsxRuntime classic */
/** @jsx h */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { h } from "preact";
import { LIMITS } from "../../sdk/protocol.ts";
import { format } from "../i18n.ts";
import { CloseIcon, SendIcon } from "./icons.tsx";
import { Message, Pending } from "./Message.tsx";
import type { Props } from "./types.ts";
import { Ways } from "./Ways.tsx";

/** The chat panel: a non-modal dialog with the thread, the composer and the other channels. */
export function Panel({ v, a, r }: Props) {
  const { t } = v;
  // "error", "offline" and "connecting" have a line of their own; "online" and "idle" none.
  const status = (t as Partial<Record<string, string>>)[v.status];
  const submit = () => {
    const input = r.input.current!;
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    a.send(text);
  };
  return (
    <div class="panel" role="dialog" aria-label={t.title} hidden={!v.open}>
      <div class="head">
        <h2>{t.title}</h2>
        <button type="button" class="icon" aria-label={t.close} onClick={a.close}>
          <CloseIcon />
        </button>
      </div>
      {status && (
        <p class="status">
          {status}
          {v.status === "error" && (
            <button type="button" class="link" onClick={a.reconnect}>
              {t.retry}
            </button>
          )}
        </p>
      )}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <ol class="log" ref={r.log} aria-label={t.messages} tabIndex={0}>
        <li class="msg">
          <p class="meta">
            <span>{t.agent}</span>
          </p>
          <p class="text">{v.greeting}</p>
        </li>
        {v.events.map((event) => (
          <Message key={event.seq} event={event} v={v} a={a} />
        ))}
        {v.outgoing.map((item) => (
          <Pending key={`p${item.id}`} item={item} v={v} a={a} />
        ))}
      </ol>
      <p class="typing">{v.typing ? format(t.typing, v.typing) : ""}</p>
      {/* Outside business hours or with nobody online: said plainly by the composer, which stays
          usable, with the other channels right below. */}
      <p class={v.away ? "away" : undefined} role="status">
        {v.away && t.away}
      </p>
      {v.channels.length > 0 && <Ways v={v} a={a} />}
      <form
        class="composer"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <textarea
          ref={r.input}
          rows={1}
          maxLength={LIMITS.messageChars}
          aria-label={t.input}
          placeholder={t.input}
          onInput={a.typing}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="send" aria-label={t.send}>
          <SendIcon />
        </button>
      </form>
    </div>
  );
}
