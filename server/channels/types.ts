import type { Hono } from "hono";
import type {
  CallbackRequest,
  ChannelName,
  Conversation,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import type { SiteConfig } from "../config.ts";
import type { ChannelPort } from "./port.ts";

/** A channel other than the website chat, which needs no module: it delivers over live sockets. */
export type ExternalChannel = Exclude<ChannelName, "web">;

/** What a handoff answers the visitor: the status and body of `POST /v1/handoff`. */
export interface HandoffAnswer {
  status: 200 | 201 | 202;
  body: Record<string, unknown>;
  /** The channel recorded the handoff in the thread itself (no `handoff.requested`). */
  recorded?: boolean;
}

/**
 * One outside channel (docs/architecture.md §5): it makes handoffs, verifies and parses its inbound
 * webhook, and delivers agents' replies. The core never sees its wire format; channels never see
 * each other, and reach the rest only through the {@link ChannelPort} they are handed.
 *
 * @example
 * const channels = [messengerChannel({ graphApiUrl, fetch })];
 * createApp({ config, store, keyRing, channels });
 */
export interface Channel {
  readonly name: ExternalChannel;
  /** Whether the site has this channel set up; only then is it offered or used. */
  configured(site: SiteConfig): boolean;
  /** Starts a handoff for the visitor's conversation (a link, a confirmation, a request). */
  handoff(
    port: ChannelPort,
    conversation: Conversation,
    input: Record<string, unknown>,
  ): Promise<HandoffAnswer>;
  /**
   * Throws an AppError when a reply cannot go out now (say, outside the platform's window), so
   * the agent hears it before anything is stored.
   */
  checkDelivery?(port: ChannelPort, conversation: Conversation): Promise<void>;
  /** Sends a stored agent reply; retries transient failures itself; throws AppError when it gives up. */
  deliver(port: ChannelPort, conversation: Conversation, event: ThreadEvent): Promise<void>;
  /**
   * An agent's reply went to the website chat (live sockets only); the channel may follow up
   * later, e.g. email it when the widget has not shown it. Must not throw or block the reply.
   */
  webReplied?(port: ChannelPort, conversation: Conversation, event: ThreadEvent): void;
  /** An agent resolved the conversation (e.g. email the transcript). Must not throw. */
  resolved?(port: ChannelPort, conversation: Conversation): Promise<void>;
  /**
   * A callback request changed (requested, scheduled, closed): the channel may tell the visitor
   * (e.g. a confirmation by email when they gave an address). Must not throw or block.
   */
  callbackChanged?(port: ChannelPort, conversation: Conversation, callback: CallbackRequest): void;
  /** A scheduled call is near (`remindMinutes`): the channel may remind the visitor. Must not throw or block. */
  callbackDue?(port: ChannelPort, conversation: Conversation, callback: CallbackRequest): void;
  /** Inbound webhooks, mounted at `/webhooks/<name>`. */
  webhooks?(port: ChannelPort): Hono;
}
