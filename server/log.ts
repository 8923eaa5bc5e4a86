/** Structured logs: one JSON object per line, so any collector can parse them. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * A JSON-lines logger writing through `write` (console.log by default).
 *
 * @example
 * const log = createLogger();
 * log.info("listening", { port: 8787 });
 */
export function createLogger(write: (line: string) => void = console.log): Logger {
  const line =
    (level: string) =>
    (message: string, fields: LogFields = {}) => {
      write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
    };
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

/** For tests and tools that want silence. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
