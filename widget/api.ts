import type { AttributeValue } from "../sdk/protocol.ts";
import type { HandoffOptions, HandoffResult } from "../sdk/types.ts";
import {
  type HandoffChannel,
  type Listener,
  type Widget,
  type WidgetEvent,
  warn,
} from "./widget.tsx";

/** One queued call: `["open"]`, `["on", "message", fn]` …, or a function given the API. */
export type Call = [string, ...unknown[]] | ((api: OmnithreadApi) => void);

/** `window.omnithread` once the widget has loaded (docs/architecture.md §4). */
export interface OmnithreadApi {
  open(): void;
  close(): void;
  toggle(): void;
  identify(jwt: string): Promise<void>;
  setAttributes(attributes: Record<string, AttributeValue>): Promise<void>;
  on(event: WidgetEvent, listener: Listener): () => void;
  handoff(channel: HandoffChannel, options?: HandoffOptions): Promise<HandoffResult>;
  reset(): void;
  /** Runs calls in order, like the queue the page filled before the script loaded. */
  push(...calls: Call[]): number;
}

const METHODS = [
  "open",
  "close",
  "toggle",
  "identify",
  "setAttributes",
  "on",
  "handoff",
  "reset",
] as const;

/** The page-facing API over a mounted widget. */
export function createApi(widget: Widget): OmnithreadApi {
  const api = {
    push(...calls: Call[]) {
      for (const call of calls) {
        try {
          run(call);
        } catch (error) {
          warn(error);
        }
      }
      return 0;
    },
  } as OmnithreadApi;
  // Every other method calls the widget's own.
  for (const name of METHODS)
    (api as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      (widget[name] as (...a: unknown[]) => unknown)(...args);
  function run(call: Call): void {
    if (typeof call === "function") {
      call(api);
      return;
    }
    const [name, ...args] = call;
    if (!(METHODS as readonly string[]).includes(name))
      throw new TypeError(`unknown method "${name}"`);
    const result = (api[name as (typeof METHODS)[number]] as (...a: unknown[]) => unknown)(...args);
    // A queued call has no caller to see its failure: report it instead of an unhandled rejection.
    if (result instanceof Promise) result.catch(warn);
  }
  return api;
}

/**
 * Replaces the page's queue (`window.omnithread = window.omnithread || []`) with the API and
 * replays the queued calls in order.
 */
export function install(target: { omnithread?: unknown }, widget: Widget): OmnithreadApi {
  const queued = target.omnithread;
  const api = createApi(widget);
  target.omnithread = api;
  if (Array.isArray(queued)) api.push(...(queued as Call[]));
  return api;
}
