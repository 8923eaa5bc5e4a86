import type { RefObject } from "preact";
import type { CallbackWindowsResponse, ThreadEvent } from "../../sdk/protocol.ts";
import type { ConnectionStatus, HandoffOptions } from "../../sdk/types.ts";
import type { Strings } from "../i18n.ts";

/** A message the visitor typed that the server has not acknowledged yet. */
export interface Outgoing {
  id: number;
  text: string;
  failed: boolean;
}

/** The "other ways to reach us" menu and the outcome of the last handoff asked there. */
export interface Ways {
  open: boolean;
  /** The channel asked last. */
  channel?: string;
  busy?: boolean;
  /** The server confirmed the handoff (no link to follow). */
  done?: boolean;
  /** A link to follow (Messenger). */
  url?: string;
  error?: boolean;
  /** The server's own words on a refusal it explains (`bad_request`, `conflict`). */
  said?: string | undefined;
  /** The channel's form is open: email asks for the address first, callback for the number and
   * a window. */
  ask?: boolean;
  /** The field the server refused (`bad_request` names it first: `"phone" is too short …`):
   * marked invalid. */
  bad?: string;
  /** What the callback form offers: its windows, "as soon as possible", the default country. */
  offer?: CallbackWindowsResponse | undefined;
}

/** The callback that may still be cancelled: its id, and the seq of its latest line. */
export interface ActiveCallback {
  id: string;
  seq: number;
}

/** The rating card: the score picked, and whether its send failed. */
export interface Csat {
  rating?: number;
  error?: boolean;
}

/** Everything the view shows; the controller owns it and re-renders on change. */
export interface View {
  t: Strings;
  time: Intl.DateTimeFormat;
  /** Days and times of callback windows, in the visitor's own zone. */
  when: Intl.DateTimeFormat;
  position: "left" | "right";
  open: boolean;
  /** The panel was opened once: it stays in the DOM (hidden) to keep the draft. */
  mounted: boolean;
  unread: number;
  events: readonly ThreadEvent[];
  outgoing: readonly Outgoing[];
  status: ConnectionStatus | "error";
  /** Who is typing, when someone is. */
  typing: string | null;
  /** The latest message from the team, for the aria-live region. */
  announce: string;
  /** The site's own greeting (the script tag's, else the site's); empty: the locale's. */
  greeting: string;
  /** Handoff channels the site offers; the menu shows only when there are some. */
  channels: readonly string[];
  ways: Ways;
  /** Nobody may answer now: outside business hours, or no agent online. */
  away: boolean;
  csat: Csat;
  /** The connection dropped mid-chat a while ago and is not back: a callback is offered. */
  dropped: boolean;
  /** The callback the visitor may cancel, when there is one. */
  active?: ActiveCallback | undefined;
  /** Its Cancel was pressed and the server has not answered, or refused. */
  cancelling?: "busy" | "failed" | undefined;
}

export interface Actions {
  toggle(): void;
  close(): void;
  keydown(event: KeyboardEvent): void;
  send(text: string): void;
  retry(item: Outgoing): void;
  reconnect(): void;
  typing(): void;
  ways(): void;
  /** Hands off to a channel. Email and callback first open their form, whose Send comes back
   * with the options (the address; the number, country, window and note). */
  choose(channel: string, options?: HandoffOptions): void;
  /** Cancels the visitor's callback. */
  cancelCallback(id: string): void;
  /** Picks a score on the rating card. */
  pick(rating: number): void;
  /** Sends the picked score with the comment. */
  rate(comment: string): void;
}

export interface Refs {
  launcher: RefObject<HTMLButtonElement | null>;
  input: RefObject<HTMLTextAreaElement | null>;
  log: RefObject<HTMLOListElement | null>;
}

export interface Props {
  v: View;
  a: Actions;
  r: Refs;
}
