/**
 * Structured logs: one JSON object per line, so any collector can parse them. Lines never carry
 * a token, a password or a message's text: callers log ids, counts and outcomes.
 */
export type LogFields = Record<string, unknown>;

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * Fields that belong to whatever is running now (the request id of the request being served),
 * added to every line logged meanwhile. The Node entry keeps them in an AsyncLocalStorage; an
 * app built per request (the edge) may keep them in a variable.
 */
export interface LogScope {
  run<T>(fields: LogFields, work: () => T): T;
  current(): LogFields | undefined;
}

export interface LoggerOptions {
  /** Where lines go; default console.log. */
  write?: (line: string) => void;
  /** Lines below this level are dropped; default `info`. */
  level?: LogLevel;
  scope?: LogScope;
}

/**
 * A JSON-lines logger.
 *
 * @example
 * const log = createLogger({ level: "warn" });
 * log.warn("store slow", { ms: 812 });
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? console.log;
  const threshold = LOG_LEVELS.indexOf(options.level ?? "info");
  const line = (level: LogLevel) =>
    LOG_LEVELS.indexOf(level) < threshold
      ? () => {}
      : (message: string, fields: LogFields = {}) => {
          const time = new Date().toISOString();
          const scoped = options.scope?.current();
          write(JSON.stringify({ time, level, message, ...scoped, ...fields }));
        };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}

/**
 * `LOG_LEVEL` read strictly: a typo must not silently drop the error lines.
 *
 * @example
 * const level = logLevel(process.env.LOG_LEVEL); // "info" when unset
 */
export function logLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === "") return "info";
  const level = value.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new TypeError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  }
  return level;
}

/**
 * A scope kept in a variable: right for an app built per request (the edge worker), wrong for
 * one that serves several requests at once (use the Node entry's AsyncLocalStorage scope there).
 *
 * @example
 * const log = createLogger({ scope: requestScope() });
 */
export function requestScope(): LogScope {
  let fields: LogFields | undefined;
  return {
    run(next, work) {
      fields = next;
      return work();
    },
    current: () => fields,
  };
}

/** For tests and tools that want silence. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
