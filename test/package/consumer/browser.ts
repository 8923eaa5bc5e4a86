// A browser app's view of the package (DOM lib, no Node types): the SDK and the React hook.
import { useOmnithread } from "omnithread/react";
import { type ChatClient, createClient, hasStoredSession } from "omnithread/sdk";

const chat: ChatClient = createClient({
  server: "https://chat.example.com",
  siteId: "demo",
  WebSocket,
  storage: localStorage,
});
export const known: boolean = hasStoredSession("demo");
export const useChat = () => useOmnithread({ server: "https://chat.example.com", siteId: "demo" });
export const started = chat.start();
