import { AsyncLocalStorage } from "node:async_hooks";
import type { LogFields, LogScope } from "../log.ts";

/**
 * The request's log fields for everything that runs on its behalf, however deep or deferred
 * (Node's AsyncLocalStorage follows promises and timers started while serving it).
 *
 * @example
 * const scope = asyncLogScope();
 * const log = createLogger({ scope });
 */
export function asyncLogScope(): LogScope {
  const storage = new AsyncLocalStorage<LogFields>();
  return { run: (fields, work) => storage.run(fields, work), current: () => storage.getStore() };
}
