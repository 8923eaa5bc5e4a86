/**
 * The Upstash REST driver: HTTPS + JSON through `@upstash/redis`, so it runs wherever `fetch`
 * does (Cloudflare Workers, Deno, Bun, Node). Web APIs only: no `node:` imports here.
 */
import { Redis } from "@upstash/redis";
import { evalWithFallback, type RedisDriver } from "./redis-driver.ts";

/** The client's subscription object (a channel's or a pattern's); the package does not export its type. */
type Subscriber = ReturnType<Redis["subscribe"]>;

export interface UpstashDriverOptions {
  /** The REST URL, e.g. `https://eu1-fine-cat-12345.upstash.io`. */
  url: string;
  token: string;
  /** How long to wait for the SSE stream to confirm a subscription. */
  subscribeTimeoutMs?: number;
}

/**
 * A {@link RedisDriver} over the Upstash REST protocol. Scripts go through EVALSHA with an EVAL
 * fallback; calls made in the same tick share one `/pipeline` request (the client's
 * auto-pipelining). Subscriptions (channels and patterns) are Server-Sent Event streams.
 *
 * @example
 * const store = redisStore(upstashDriver({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }));
 */
export function upstashDriver(options: UpstashDriverOptions): RedisDriver {
  // Raw replies: the store parses its own JSON, and must not have "123" turned into 123.
  const redis = new Redis({
    url: options.url,
    token: options.token,
    automaticDeserialization: false,
  });
  const stops = new Set<() => Promise<void>>();
  const confirmWithin = options.subscribeTimeoutMs ?? 10_000;

  /**
   * Each subscription is one Server-Sent Events stream. It opens in the background: wait for
   * Redis's confirmation so a caller that publishes right after subscribing is heard.
   */
  function listen(
    target: string,
    subscriber: Subscriber,
    confirmation: "subscribe" | "psubscribe",
    onMessage: (subscriber: Subscriber) => void,
  ): Promise<() => Promise<void>> {
    const stop = async () => {
      stops.delete(stop);
      await subscriber.unsubscribe();
    };
    stops.add(stop);
    onMessage(subscriber);
    return new Promise((resolve, reject) => {
      let pending = true;
      const fail = (error: Error) => {
        if (!pending) return;
        pending = false;
        clearTimeout(timer);
        void stop();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error(`Upstash ${confirmation} to ${target} was not confirmed`)),
        confirmWithin,
      );
      subscriber.on(confirmation, () => {
        if (!pending) return;
        pending = false;
        clearTimeout(timer);
        resolve(stop);
      });
      // The client reports only a failed opening request; a stream that ends later is silent.
      subscriber.on("error", fail);
    });
  }

  return {
    run(script, keys, args) {
      return evalWithFallback(
        script,
        (sha1) => redis.evalsha(sha1, keys, args),
        (source) => redis.eval(source, keys, args),
      );
    },

    subscribe(channel, onMessage) {
      return listen(channel, redis.subscribe(channel), "subscribe", (subscriber) =>
        subscriber.on("message", ({ message }) => onMessage(String(message))),
      );
    },

    psubscribe(pattern, onMessage) {
      return listen(pattern, redis.psubscribe(pattern), "psubscribe", (subscriber) =>
        subscriber.on("pmessage", ({ message }) => onMessage(String(message))),
      );
    },

    async close() {
      await Promise.all([...stops].map((stop) => stop()));
    },
  };
}
