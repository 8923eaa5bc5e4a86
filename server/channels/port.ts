import type { Attachments } from "../attachments/service.ts";
import type { HandleService } from "../auth/handles.ts";
import type { SiteConfig } from "../config.ts";
import type { Callbacks } from "../core/callbacks.ts";
import { newShortCode, shortLinkKey } from "../core/short-links.ts";
import type { Threads } from "../core/threads.ts";
import type { Limits } from "../http/rate-limit.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/types.ts";

/** How long a resume link handed out by a channel or an agent keeps working. */
export const RESUME_LINK_TTL_S = 14 * 86_400;

/** The store calls a channel makes: its conversation, its identities, its once-only guards and codes. */
const STORE_CALLS = [
  "append",
  "getConversation",
  "eventsAfter",
  "getContact",
  "saveContact",
  "claimIdentity",
  "findContactId",
  "contactConversationIds",
  "hit",
  "raiseMark",
  "putOnce",
  "takeOnce",
  "peekOnce",
] as const;

/** The thread rules a channel follows: start, link, post, read as an audience, report a failure. */
const THREAD_CALLS = [
  "start",
  "linkChannel",
  "postVisitorMessage",
  "eventsAfter",
  "noteDeliveryFailure",
  "openReplyWindow",
] as const;

/** The attachment calls a channel makes: keep a file that arrived, read or link one to send. */
const ATTACHMENT_CALLS = ["keep", "read", "link"] as const;

export type ChannelStore = Pick<Store, (typeof STORE_CALLS)[number]>;
export type ChannelAttachments = Pick<Attachments, (typeof ATTACHMENT_CALLS)[number]>;
export type ChannelThreads = Pick<Threads, (typeof THREAD_CALLS)[number]>;

/**
 * What a channel may do, and nothing more (docs/architecture.md §5): append to and read its
 * conversations, link and look up identities, make and open handles, ask for a callback, defer
 * work past the answer, log. It never holds the HTTP layer's services (tokens, the hub, origins,
 * other channels), so a channel cannot reach what is not its business.
 */
export interface ChannelPort {
  /** Where this server is reached: links in messages start here. */
  readonly publicUrl: string;
  readonly sites: readonly SiteConfig[];
  /** The site's configuration; throws `not_found` for an unknown id. */
  site(id: string): SiteConfig;
  readonly store: ChannelStore;
  readonly threads: ChannelThreads;
  readonly handles: HandleService;
  readonly callbacks: Pick<Callbacks, "request">;
  /** Files: a channel keeps what arrives (its links expire) and reads what it sends. */
  readonly attachments: ChannelAttachments;
  readonly limits: Limits;
  readonly log: Logger;
  now(): number;
  /** Work that may end after the answer (workerd's `waitUntil`); the caller handles its errors. */
  defer(work: Promise<unknown>): void;
  /** A link that brings the visitor back to the website chat on this thread (`/r/<handle>`). */
  resumeLink(conversationId: string, ttlSeconds?: number): Promise<string>;
  /** The same, short enough for a text message (`/r/<8 characters>`: `core/short-links.ts`). */
  shortResumeLink(conversationId: string, ttlSeconds?: number): Promise<string>;
}

/** `source` with only `keys`, each method bound to it: the rest is not reachable through it. */
function only<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) {
    const value = source[key];
    picked[key] = (typeof value === "function" ? value.bind(source) : value) as T[K];
  }
  return Object.freeze(picked);
}

/** What the port is cut from: the app's whole store, thread engine, handles and callbacks. */
export type PortSources = Omit<
  ChannelPort,
  "store" | "threads" | "handles" | "callbacks" | "attachments" | "resumeLink" | "shortResumeLink"
> & {
  store: Store;
  threads: Threads;
  handles: HandleService;
  callbacks: Callbacks;
  attachments: Attachments;
};

/**
 * The port the app hands every channel, cut from the app's own parts.
 *
 * @example
 * const port = channelPort({ publicUrl, sites, site, store, threads, handles, callbacks, limits, log, now, defer });
 * await channel.handoff(port, conversation, body);
 */
export function channelPort(from: PortSources): ChannelPort {
  return Object.freeze({
    publicUrl: from.publicUrl,
    sites: from.sites,
    site: from.site,
    store: only(from.store, STORE_CALLS),
    threads: only(from.threads, THREAD_CALLS),
    handles: only(from.handles, ["issue", "open"]),
    callbacks: only(from.callbacks, ["request"]),
    attachments: only(from.attachments, ATTACHMENT_CALLS),
    limits: from.limits,
    log: from.log,
    now: from.now,
    defer: from.defer,
    async resumeLink(conversationId: string, ttlSeconds = RESUME_LINK_TTL_S) {
      const handle = await from.handles.issue({ conversationId, channel: "web", ttlSeconds });
      return `${from.publicUrl}/r/${handle}`;
    },
    async shortResumeLink(conversationId: string, ttlSeconds = RESUME_LINK_TTL_S) {
      const handle = await from.handles.issue({ conversationId, channel: "web", ttlSeconds });
      const code = newShortCode();
      // Owned by the conversation: erasing it takes the link too.
      await from.store.putOnce(shortLinkKey(code), handle, ttlSeconds * 1000, conversationId);
      return `${from.publicUrl}/r/${code}`;
    },
  });
}
