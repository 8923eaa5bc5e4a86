/**
 * The Upstash REST driver: HTTPS + JSON through `@upstash/redis`, so it runs wherever `fetch`
 * does (Cloudflare Workers, Deno, Bun, Node). Web APIs only: no `node:` imports here.
 */
import { Redis } from "@upstash/redis";
import { evalWithFallback, type RedisDriver } from "./redis-driver.ts";

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
 * auto-pipelining). Subscriptions are Server-Sent Event streams.
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

  return {
    run(script, keys, args) {
      return evalWithFallback(
        script,
        (sha1) => redis.evalsha(sha1, keys, args),
        (source) => redis.eval(source, keys, args),
      );
    },

    subscribe(channel, onMessage) {
      const subscriber = redis.subscribe<string>(channel);
      const stop = async () => {
        stops.delete(stop);
        await subscriber.unsubscribe();
      };
      stops.add(stop);
      subscriber.on("message", ({ message }) => onMessage(String(message)));
      // The stream opens in the background: wait for Redis's confirmation so a caller that
      // publishes right after subscribing is heard.
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
          () => fail(new Error(`Upstash subscribe to ${channel} was not confirmed`)),
          options.subscribeTimeoutMs ?? 10_000,
        );
        subscriber.on("subscribe", () => {
          if (!pending) return;
          pending = false;
          clearTimeout(timer);
          resolve(stop);
        });
        // The client reports only a failed opening request; a stream that ends later is silent.
        subscriber.on("error", fail);
      });
    },

    async close() {
      await Promise.all([...stops].map((stop) => stop()));
    },
  };
}
