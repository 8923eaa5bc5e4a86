/**
 * The few things the redis store needs from a Redis connection. Two drivers implement it: TCP
 * (`server/node/redis-tcp.ts`, node-redis) and Upstash REST (`./redis-upstash.ts`, any runtime).
 * Every store operation is one Lua script, so a driver only has to run scripts and listen.
 */

/** A Lua script with its SHA-1, computed once on first use (Web Crypto, so it runs anywhere). */
export class RedisScript {
  #sha1: Promise<string> | undefined;

  constructor(readonly source: string) {}

  /** The lowercase hex SHA-1 Redis files the script under for EVALSHA. */
  sha1(): Promise<string> {
    this.#sha1 ??= crypto.subtle
      .digest("SHA-1", new TextEncoder().encode(this.source))
      .then((digest) =>
        [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""),
      );
    return this.#sha1;
  }
}

/**
 * A connection the redis store runs on.
 *
 * Replies are plain JSON-like values as RESP2 gives them to Lua callers: strings, integers,
 * nulls and arrays of those.
 *
 * @example
 * const driver: RedisDriver = upstashDriver({ url, token });
 * await driver.run(new RedisScript("return 1"), [], []);
 */
export interface RedisDriver {
  /** EVALSHA, falling back to EVAL when the server answers NOSCRIPT. */
  run(script: RedisScript, keys: string[], args: string[]): Promise<unknown>;
  /** Listens on a pub/sub channel; resolves once subscribed, with the function that stops. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  /** Listens on every channel matching a glob pattern (PSUBSCRIBE), likewise. */
  psubscribe(pattern: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Runs a script by SHA and sends its source only when the server does not know it yet: after a
 * restart or a SCRIPT FLUSH the next call pays one extra round trip, every other call just one.
 *
 * @example
 * await evalWithFallback(script, (sha) => redis.evalsha(sha, keys, args), (src) => redis.eval(src, keys, args));
 */
export async function evalWithFallback(
  script: RedisScript,
  bySha: (sha1: string) => Promise<unknown>,
  bySource: (source: string) => Promise<unknown>,
): Promise<unknown> {
  try {
    return await bySha(await script.sha1());
  } catch (error) {
    // Both clients keep Redis's wording in the message ("NOSCRIPT No matching script...").
    if (error instanceof Error && error.message.includes("NOSCRIPT"))
      return bySource(script.source);
    throw error;
  }
}
