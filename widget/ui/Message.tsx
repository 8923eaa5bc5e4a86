/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { Fragment, h } from "preact";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import {
  AGENT,
  CB_CANCEL,
  CB_REQUESTED,
  CB_SOON,
  COMMENT,
  CSAT,
  channelText,
  FAILED,
  format,
  HANDOFFERROR,
  RATE,
  RATED,
  RETRY,
  SEND,
  SENDING,
  VIA_APP,
  YOU,
} from "../i18n.ts";
import { linkify } from "../linkify.ts";
import type { Actions, Outgoing, View } from "./types.ts";
import { Offer, offers } from "./Ways.tsx";

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

/**
 * The rating card that follows a resolve: the scores 1–5 as toggle buttons in a group named by
 * the question, an optional comment, Send, and a failed send's error.
 */
function Rate({ v, a }: { v: View; a: Actions }) {
  const { t, csat } = v;
  return (
    <li class="csat">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          a.rate((event.currentTarget.c as HTMLInputElement).value);
        }}
      >
        <fieldset>
          <legend>{t[CSAT]}</legend>
          {[1, 2, 3, 4, 5].map((n) => (
            <button
              key={n}
              type="button"
              aria-pressed={csat.rating === n}
              aria-label={format(t[RATE], n)}
              onClick={() => a.pick(n)}
            >
              {n}
            </button>
          ))}
        </fieldset>
        <input name="c" maxLength={1000} aria-label={t[COMMENT]} placeholder={t[COMMENT]} />
        <button type="submit" disabled={!csat.rating}>
          {t[SEND]}
        </button>
        <p role="status">{csat.error && t[HANDOFFERROR]}</p>
      </form>
    </li>
  );
}

/** `callback.<status>` events whose lines the widget words itself: `cb_requested` … in `KEYS`. */
const CALLBACK_LINES = ["requested", "scheduled", "completed", "missed", "cancelled", "offered"];

/**
 * A callback event's line in the visitor's language, times in their own zone; the server's
 * (English) text for an event the widget does not know or cannot read.
 */
function callbackLine(event: ThreadEvent, v: View): string {
  const i = CALLBACK_LINES.indexOf(event.name!.slice(9));
  const {
    window: w,
    asap,
    scheduledFor,
  } = (event.data ?? {}) as {
    window?: { from: string; to: string };
    asap?: boolean;
    scheduledFor?: string;
  };
  try {
    if (i < 0) return event.text;
    if (!i && asap) return v.t[CB_SOON];
    const at = i
      ? i < 2
        ? v.when.format(new Date(scheduledFor!))
        : ""
      : v.when.formatRange(new Date(w!.from), new Date(w!.to));
    return format(v.t[CB_REQUESTED + i]!, at);
  } catch {
    // A time the event lacks (or an Invalid Date, which throws): the server's sentence says it.
    return event.text;
  }
}

/**
 * One event of the thread: a message with author, time and channel badge, a system line, the
 * rating card (the latest request, until answered) or the answer to it, a callback's line (with
 * Cancel on the active one's latest, and a new request on an offer not taken up yet).
 */
export function Message({ event, v, a }: { event: ThreadEvent; v: View; a: Actions }) {
  const { t } = v;
  if (event.name === "csat.requested")
    return v.events.some((e) => e.seq > event.seq && e.name?.startsWith("csat.")) ? null : (
      <Rate v={v} a={a} />
    );
  if (event.name === "csat.submitted") {
    const { rating, comment } = (event.data ?? {}) as { rating?: number; comment?: string };
    return (
      <li class="sys">
        {format(t[RATED], rating!)}
        {comment && <p class="text">{comment}</p>}
      </li>
    );
  }
  if (event.name?.startsWith("callback."))
    return (
      <li class="sys">
        {callbackLine(event, v)}{" "}
        {v.active?.seq === event.seq && (
          <>
            <button
              type="button"
              class="link"
              disabled={v.cancelling === "busy"}
              onClick={() => a.cancelCallback(v.active!.id)}
            >
              {t[CB_CANCEL]}
            </button>
            <span role="status">{v.cancelling === "failed" ? t[HANDOFFERROR] : ""}</span>
          </>
        )}
        {event.name === "callback.offered" &&
          offers(v) &&
          !v.events.some(
            (e) => e.seq > event.seq && /^callback\.(requested|offered)$/.test(e.name!),
          ) && <Offer v={v} a={a} />}
      </li>
    );
  if (event.type !== "message") return event.text ? <li class="sys">{event.text}</li> : null;
  const mine = event.author.role === "visitor";
  const at = new Date(event.createdAt);
  const via = event.channel !== "web" && channelText(t, VIA_APP, event.channel);
  return (
    <li class={mine ? "msg me" : "msg"}>
      <p class="meta">
        <span>{mine ? t[YOU] : event.author.name || t[AGENT]}</span>
        <time dateTime={event.createdAt}>{+at ? v.time.format(at) : ""}</time>
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
        <span>{t[YOU]}</span>
        {item.failed ? (
          <>
            <span>{t[FAILED]}</span>
            <button type="button" class="link" onClick={() => a.retry(item)}>
              {t[RETRY]}
            </button>
          </>
        ) : (
          <span>{t[SENDING]}</span>
        )}
      </p>
      <Text text={item.text} />
    </li>
  );
}
