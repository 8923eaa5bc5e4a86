/**
 * omnithread for React (`omnithread/react`): one hook over the headless SDK. React is a peer
 * dependency; this module is the only one that imports it.
 *
 * @example
 * import { useOmnithread } from "omnithread/react";
 * function Chat() {
 *   const { messages, status, send } = useOmnithread({ server: "https://chat.example.com", siteId: "demo" });
 *   return <Thread messages={messages} online={status === "online"} onSend={send} />;
 * }
 */
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { createClient } from "./client.ts";
import type { ThreadEvent } from "./protocol.ts";
import type { ChatClient, ClientOptions, ConnectionStatus } from "./types.ts";

/**
 * What {@link useOmnithread} takes: the SDK's {@link ClientOptions}, read once when the component
 * mounts (give the component a new `key` to switch server or site), plus `autoStart`.
 *
 * @example
 * // React Native: AsyncStorage keeps the thread across app launches; start on first send.
 * useOmnithread({ server, siteId: "demo", storage: AsyncStorage, autoStart: false });
 */
export interface UseOmnithreadOptions extends ClientOptions {
  /**
   * Start (or resume) the visitor's conversation once mounted; default `true`. With `false`
   * nothing is asked of the server until `send`, `handoff` or `client.start()`.
   */
  autoStart?: boolean;
}

/**
 * What {@link useOmnithread} answers. `messages` and `status` are React state: a component
 * re-renders when they change. `send` and `handoff` are the client's own (stable) functions.
 *
 * @example
 * const { client, messages, status, send, handoff } = useOmnithread({ server, siteId: "demo" });
 * const { url } = await handoff("messenger");
 * client.on("typing", (who) => showTyping(who));
 */
export interface OmnithreadState {
  /** The headless client, for everything else: `identify`, `typing`, `on("typing")`, `reset`… */
  client: ChatClient;
  /** Visible events so far, ordered by `seq`, no duplicates (a new array on each change). */
  messages: readonly ThreadEvent[];
  status: ConnectionStatus;
  /** Resolves once the server acknowledged the message, with its `seq`; queued while offline. */
  send: ChatClient["send"];
  handoff: ChatClient["handoff"];
}

/**
 * The visitor's thread as React state. SSR-safe: rendering only creates the client, which
 * stores nothing, makes no request and opens no socket; it starts in an effect, so on the
 * server (`renderToString`) it never does. It closes on unmount; StrictMode's extra
 * unmount/mount in development keeps the one connection (the close waits a tick and the
 * remount cancels it), and messages typed meanwhile stay in the outbox.
 *
 * A start that fails (offline at launch) is not retried by itself: `send` tries again, or call
 * `client.start()`; `client.on("error")` reports trouble once connected.
 *
 * @example
 * import { useOmnithread } from "omnithread/react";
 *
 * export function Chat() {
 *   const { messages, status, send } = useOmnithread({
 *     server: "https://chat.example.com",
 *     siteId: "demo",
 *   });
 *   return (
 *     <div>
 *       <p>{status}</p>
 *       {messages.map((m) => <p key={m.seq}>{m.text}</p>)}
 *       <button onClick={() => void send("Hello!")}>Say hello</button>
 *     </div>
 *   );
 * }
 */
export function useOmnithread(options: UseOmnithreadOptions): OmnithreadState {
  const [client] = useState(() => createClient(options));
  const [subscribe] = useState(() => (changed: () => void) => {
    const off = [
      client.on("message", changed),
      client.on("status", changed),
      // A reset or a switch to another thread (identify) replaces the messages too.
      client.on("conversation", changed),
    ];
    return () => {
      for (const stop of off) stop();
    };
  });
  const messages = useSyncExternalStore(
    subscribe,
    () => client.messages,
    () => client.messages,
  );
  const status = useSyncExternalStore(
    subscribe,
    () => client.status,
    () => client.status,
  );
  const closing = useRef<ReturnType<typeof setTimeout>>(undefined);
  const autoStart = options.autoStart ?? true;
  useEffect(() => {
    clearTimeout(closing.current);
    // start() is idempotent: StrictMode's second mount gets the same start, not a second thread.
    if (autoStart) client.start().catch(() => undefined);
    return () => {
      closing.current = setTimeout(() => client.close());
    };
  }, [client, autoStart]);
  return { client, messages, status, send: client.send, handoff: client.handoff };
}
