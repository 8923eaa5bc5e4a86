/** @jsxRuntime classic */
/** @jsx h */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { h } from "preact";
import { CLOSE, format, OPEN, UNREAD } from "../i18n.ts";
import { ChatIcon, CloseIcon } from "./icons.tsx";
import { Panel } from "./Panel.tsx";
import type { Props } from "./types.ts";

/** The launcher: the only thing the widget shows (and does) until the visitor opens the chat. */
export function Launcher({ v, a, r }: Props) {
  const { t } = v;
  const unread = v.unread && !v.open ? format(t[UNREAD], v.unread) : "";
  return (
    <button
      ref={r.launcher}
      type="button"
      class="launcher"
      aria-label={v.open ? t[CLOSE] : unread ? `${t[OPEN]}, ${unread}` : t[OPEN]}
      onClick={a.toggle}
    >
      {v.open ? <CloseIcon /> : <ChatIcon />}
      {unread && (
        <span class="badge" aria-hidden="true">
          {v.unread > 99 ? "99+" : v.unread}
        </span>
      )}
    </button>
  );
}

export function Root(props: Props) {
  const { v, a } = props;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape anywhere in the widget closes it
    <div class={`root ${v.position}${v.open ? " open" : ""}`} onKeyDown={a.keydown}>
      <Launcher {...props} />
      {v.mounted && <Panel {...props} />}
      <div class="sr" aria-live="polite">
        {v.announce}
      </div>
    </div>
  );
}
