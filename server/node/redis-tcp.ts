/**
 * The TCP driver: node-redis on a `redis://` or `rediss://` URL, for Node next to your own Redis.
 * node-redis reconnects by itself (backoff up to 2 s) and resubscribes its pub/sub channels.
 */
import { createClient } from "@redis/client";
import { evalWithFallback, type RedisDriver } from "../store/redis-driver.ts";

export interface TcpDriverOptions {
  /**
   * Hears connection errors. node-redis reports every failed reconnect attempt, so the default
   * stays silent rather than flooding the log while Redis restarts.
   */
  onError?: (error: Error) => void;
}

/** How long close() lets queued commands drain before dropping the sockets. */
const CLOSE_GRACE_MS = 2_000;

/**
 * A {@link RedisDriver} over TCP. Connects at once; commands issued before the connection is
 * ready (or while it reconnects) wait in node-redis's offline queue. Pub/sub gets its own
 * connection, opened on the first subscribe, because a subscribed connection can run nothing else.
 *
 * @example
 * const store = redisStore(tcpDriver(process.env.REDIS_URL ?? "redis://127.0.0.1:6379"));
 */
export function tcpDriver(url: string, options: TcpDriverOptions = {}): RedisDriver {
  const onError = options.onError ?? (() => {});
  const client = createClient({
    url,
    // RESP2, like Upstash: both drivers then hand the store the same reply shapes.
    RESP: 2,
    // The default gives up after a connect timeout; a server should wait for Redis instead.
    socket: {
      reconnectStrategy: (retries) =>
        Math.min(2 ** retries * 50, 2_000) + Math.floor(Math.random() * 200),
    },
  });
  // Without an "error" listener an EventEmitter error (e.g. Redis restarting) crashes the process.
  client.on("error", onError);
  // connect() only rejects once reconnecting gives up or close() interrupts it.
  client.connect().catch(onError);

  let subscriber: ReturnType<typeof client.duplicate> | undefined;
  let subscriberReady: Promise<unknown> | undefined;

  function pubsub() {
    if (!subscriber) {
      subscriber = client.duplicate();
      subscriber.on("error", onError);
      subscriberReady = subscriber.connect();
    }
    return { connection: subscriber, ready: subscriberReady };
  }

  async function shut(connection: { close(): Promise<void>; destroy(): void; isOpen: boolean }) {
    if (!connection.isOpen) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([connection.close().catch(() => {}), grace]);
    clearTimeout(timer);
    if (connection.isOpen) connection.destroy();
  }

  /** SUBSCRIBE or PSUBSCRIBE on the shared pub/sub connection. */
  async function listen(pattern: boolean, target: string, onMessage: (message: string) => void) {
    const { connection, ready } = pubsub();
    await ready;
    // Each call gets its own listener function, so unsubscribing one leaves the others alone.
    const listener = (message: string) => onMessage(message);
    if (pattern) await connection.pSubscribe(target, listener);
    else await connection.subscribe(target, listener);
    return async () => {
      if (!connection.isOpen) return;
      if (pattern) await connection.pUnsubscribe(target, listener);
      else await connection.unsubscribe(target, listener);
    };
  }

  return {
    run(script, keys, args) {
      const tail = [String(keys.length), ...keys, ...args];
      return evalWithFallback(
        script,
        (sha1) => client.sendCommand(["EVALSHA", sha1, ...tail]),
        (source) => client.sendCommand(["EVAL", source, ...tail]),
      );
    },

    subscribe: (channel, onMessage) => listen(false, channel, onMessage),
    psubscribe: (pattern, onMessage) => listen(true, pattern, onMessage),

    async close() {
      await Promise.all([shut(client), subscriber ? shut(subscriber) : undefined]);
    },
  };
}
