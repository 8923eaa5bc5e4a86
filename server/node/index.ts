/**
 * `omnithread/server/node`: omnithread's ready-made Node server (what `omnithread start` runs)
 * and the Node-only parts for an app of your own: TCP Redis, SMTP out and in.
 *
 * @example
 * import { startServer } from "omnithread/server/node";
 * const server = await startServer({ env: process.env, production: true, signals: true });
 */
export { type RunningServer, type StartOptions, startServer } from "../node.ts";
export { asyncLogScope } from "./log-scope.ts";
export { tcpDriver } from "./redis-tcp.ts";
export { startSmtpListener } from "./smtp-listener.ts";
export { smtpTransport } from "./smtp-transport.ts";
