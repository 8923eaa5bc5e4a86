/**
 * omnithread's headless SDK: start or resume the visitor's thread, send with acknowledgement,
 * receive live (WebSocket, or SSE + POST where WebSockets are blocked), continue elsewhere.
 *
 * @example
 * import { createClient } from "omnithread/sdk";
 * const chat = createClient({ server: "https://chat.example.com", siteId: "demo" });
 * await chat.start();
 * await chat.send("Where is my order?");
 */
export { createClient } from "./client.ts";
export { OmnithreadError } from "./errors.ts";
export type * from "./protocol.ts";
export { hasStoredSession, memoryStorage } from "./storage.ts";
export type * from "./types.ts";
