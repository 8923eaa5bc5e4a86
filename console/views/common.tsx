import type { ComponentChildren } from "preact";
import type { Attachment, ChannelName } from "../../sdk/protocol.ts";
import {
  CHANNEL_NAMES,
  channelName,
  clock,
  linkify,
  longAge,
  safeHref,
  shortAge,
  shortUrl,
} from "../format.ts";
import { type ConsoleApp, pathOf, type View } from "../state.ts";

const KNOWN: readonly string[] = Object.keys(CHANNEL_NAMES);
const SHORT: Record<string, string> = { web: "web", callback: "callback" };

/** A plain left click, which the console routes itself; others (a new tab) follow the href. */
export function plainClick(event: MouseEvent): boolean {
  return !(event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0);
}

/** Toggle buttons, one pressed: the inbox's statuses, the queue's filters. */
export function Tabs<T extends string>({
  legend,
  options,
  value,
  pick,
}: {
  legend: string;
  options: readonly { value: T; label: string }[];
  value: T;
  pick(value: T): void;
}) {
  return (
    <fieldset class="tabs">
      <legend class="sr-only">{legend}</legend>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={value === o.value}
          onClick={() => pick(o.value)}
        >
          {o.label}
        </button>
      ))}
    </fieldset>
  );
}

/** A link to a view (the inbox keeps its open thread), routed by the console on a plain click. */
export function ViewLink({
  view,
  app,
  current,
  children,
  keys,
}: {
  view: View;
  app: ConsoleApp;
  /** The header's tabs mark the view shown. */
  current?: boolean;
  keys?: string;
  children: ComponentChildren;
}) {
  return (
    <a
      href={pathOf({ view, id: view === "inbox" ? app.state.selectedId : null })}
      aria-current={current ? "page" : undefined}
      aria-keyshortcuts={keys}
      onClick={(event) => {
        if (!plainClick(event)) return;
        event.preventDefault();
        app.show(view);
      }}
    >
      {children}
    </a>
  );
}

/** A channel's badge: "web", "Messenger", "email", "callback", "Telegram", "WhatsApp". */
export function ChannelBadge({
  channel,
  label,
}: {
  channel: ChannelName | string;
  label?: string;
}) {
  const known = KNOWN.includes(channel);
  return (
    <span class={known ? `badge ch-${channel}` : "badge"} title={label}>
      {SHORT[channel] ?? channelName(channel)}
    </span>
  );
}

/** A moment as a clock time, the full date and time on hover. */
export function When({ at, now }: { at: string; now: number }) {
  const date = new Date(at);
  return (
    <time dateTime={at} title={Number.isNaN(date.getTime()) ? undefined : date.toLocaleString()}>
      {clock(at, now)}
    </time>
  );
}

/** A moment as an age ("5 min"), read out in words ("5 minutes ago"). */
export function Age({ at, now }: { at: string; now: number }) {
  return (
    <time dateTime={at} title={longAge(at, now)}>
      <span aria-hidden="true">{shortAge(at, now)}</span>
      <span class="sr-only">{longAge(at, now)}</span>
    </time>
  );
}

/** Text as text nodes; only http(s) URLs become links. Nothing is ever parsed as HTML. */
export function Text({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((part) =>
        typeof part === "string" ? (
          part
        ) : (
          <a href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ),
      )}
    </>
  );
}

/** A URL the server reported: a link when it is http(s), plain text otherwise. */
export function Url({ url, label }: { url: string; label?: string | undefined }) {
  const href = safeHref(url);
  const text = label || shortUrl(url);
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {text}
    </a>
  ) : (
    <span>{text}</span>
  );
}

/** Images the browser shows from our links (the server serves only these inline). */
const SHOWN = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

/** A file's size as an agent reads it. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A message's files: images as thumbnails that open the full image, other files as chips that
 * download. Names are text; the links are the server's own signed ones.
 */
export function Files({ files }: { files: readonly Attachment[] }) {
  return (
    <ul class="files">
      {files.map((file) =>
        file.url && SHOWN.has(file.type) ? (
          <li key={file.id} class="file image">
            <a href={file.url} target="_blank" rel="noopener" title={file.name}>
              <img src={file.url} alt={file.name} loading="lazy" />
            </a>
          </li>
        ) : (
          <li key={file.id} class="file">
            <a href={file.url} download={file.name}>
              <span aria-hidden="true">📎 </span>
              <span class="file-name">{file.name}</span>
            </a>
            <span class="file-size">{fileSize(file.size)}</span>
          </li>
        ),
      )}
    </ul>
  );
}
