import type { ThreadEvent } from "../../sdk/protocol.ts";
import type { Key } from "../i18n.ts";
import { linkify } from "../linkify.ts";
import type { Actions, Outgoing, View } from "./types.ts";

/** Message text as text nodes, with http(s) URLs as safe anchors: never parsed as HTML. */
export function Text({ text }: { text: string }) {
  return (
    <p class="text">
      {linkify(text).map((part) =>
        typeof part === "string" ? (
          part
        ) : (
          <a href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ),
      )}
    </p>
  );
}

/** One event of the thread: a message with author, time and channel badge, or a system line. */
export function Message({ event, v }: { event: ThreadEvent; v: View }) {
  const { t } = v;
  if (event.type !== "message") return event.text ? <li class="sys">{event.text}</li> : null;
  const mine = event.author.role === "visitor";
  const at = new Date(event.createdAt);
  const via = event.channel !== "web" && (t[`via_${event.channel}` as Key] ?? event.channel);
  return (
    <li class={mine ? "msg me" : "msg"}>
      <p class="meta">
        <span>{mine ? t.you : event.author.name || t.agent}</span>
        <time dateTime={event.createdAt}>{Number.isNaN(+at) ? "" : v.time.format(at)}</time>
        {via && <span class="chan">{via}</span>}
      </p>
      <Text text={event.text} />
    </li>
  );
}

/** A message on its way ("sending…"), or one that failed, with a retry button. */
export function Pending({ item, v, a }: { item: Outgoing; v: View; a: Actions }) {
  const { t } = v;
  return (
    <li class={item.failed ? "msg me failed" : "msg me"}>
      <p class="meta">
        <span>{t.you}</span>
        {item.failed ? (
          <>
            <span>{t.failed}</span>
            <button type="button" class="link" onClick={() => a.retry(item)}>
              {t.retry}
            </button>
          </>
        ) : (
          <span>{t.sending}</span>
        )}
      </p>
      <Text text={item.text} />
    </li>
  );
}
