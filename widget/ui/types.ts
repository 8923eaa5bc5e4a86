import type { RefObject } from "preact";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import type { ConnectionStatus } from "../../sdk/types.ts";
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
  /** The email form is open (email needs the visitor's address first). */
  ask?: boolean;
  /** The server refused the address (`bad_request`): the field is marked invalid. */
  bad?: boolean;
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
  /** Hands off to a channel; email first opens its form, whose Send gives the address and
   * whether to email the whole conversation once resolved. */
  choose(channel: string, email?: string, transcript?: boolean): void;
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
