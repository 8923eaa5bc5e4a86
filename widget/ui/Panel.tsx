/** @jsxRuntime classic */
/** @jsx h */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { h } from "preact";
import {
  AGENT,
  AWAY,
  CLOSE,
  CONNECTING,
  ERROR,
  format,
  GREETING,
  INPUT,
  MESSAGES,
  OFFLINE,
  RETRY,
  SEND,
  TITLE,
  TYPING,
} from "../i18n.ts";
import { CloseIcon, SendIcon } from "./icons.tsx";
import { Message, Pending } from "./Message.tsx";
import type { Props } from "./types.ts";
import { Offer, offers, Ways } from "./Ways.tsx";

/** The chat panel: a non-modal dialog with the thread, the composer and the other channels. */
export function Panel({ v, a, r }: Props) {
  const { t } = v;
  // "error", "offline" and "connecting" have a line of their own; "online" and "idle" none.
  const status =
    t[
      ({ connecting: CONNECTING, offline: OFFLINE, error: ERROR } as Record<string, number>)[
        v.status
      ]!
    ];
  const submit = () => {
    const input = r.input.current!;
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    a.send(text);
  };
  return (
    <div class="panel" role="dialog" aria-label={t[TITLE]} hidden={!v.open}>
      <div class="head">
        <h2>{t[TITLE]}</h2>
        <button type="button" class="icon" aria-label={t[CLOSE]} onClick={a.close}>
          <CloseIcon />
        </button>
      </div>
      {status && (
        <p class="status">
          {status}
          {v.status === "error" && (
            <button type="button" class="link" onClick={a.reconnect}>
              {t[RETRY]}
            </button>
          )}
          {v.dropped && offers(v) && <Offer v={v} a={a} />}
        </p>
      )}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <ol class="log" ref={r.log} aria-label={t[MESSAGES]} tabIndex={0}>
        <li class="msg">
          <p class="meta">
            <span>{t[AGENT]}</span>
          </p>
          <p class="text">{v.greeting || t[GREETING]}</p>
        </li>
        {v.events.map((event) => (
          <Message key={event.seq} event={event} v={v} a={a} />
        ))}
        {v.outgoing.map((item) => (
          <Pending key={`p${item.id}`} item={item} v={v} a={a} />
        ))}
      </ol>
      <p class="typing">{v.typing ? format(t[TYPING], v.typing) : ""}</p>
      {/* Outside business hours or with nobody online: said plainly by the composer, which stays
          usable, with a callback offered and the other channels right below. */}
      <p class={v.away ? "away" : undefined} role="status">
        {v.away && t[AWAY]}
        {v.away && offers(v) && <Offer v={v} a={a} />}
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
          // LIMITS.messageChars (sdk/protocol.ts), as a number: the object costs bytes in the
          // bundle. The browser test checks the two agree.
          maxLength={4000}
          aria-label={t[INPUT]}
          placeholder={t[INPUT]}
          onInput={a.typing}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="send" aria-label={t[SEND]}>
          <SendIcon />
        </button>
      </form>
    </div>
  );
}
