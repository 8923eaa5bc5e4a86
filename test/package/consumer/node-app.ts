// A Node or React Native app's view of the package, with no DOM lib: the SDK and the hook.
import { type OmnithreadState, useOmnithread } from "omnithread/react";
import {
  type ChatClient,
  createClient,
  memoryStorage,
  OmnithreadError,
  type ThreadEvent,
  type TokenStorage,
} from "omnithread/sdk";

const chat: ChatClient = createClient({
  server: "https://chat.example.com",
  siteId: "demo",
  storage: memoryStorage(),
});

// An async store shaped like React Native's AsyncStorage.
const asyncStorage: TokenStorage = {
  getItem: async (_key: string) => null,
  setItem: async (_key: string, _value: string) => {},
  removeItem: async (_key: string) => {},
};
createClient({ server: "https://chat.example.com", siteId: "demo", storage: asyncStorage });

export async function firstSeq(): Promise<number> {
  try {
    const event: ThreadEvent = await chat.send("Where is my order?");
    return event.seq;
  } catch (error) {
    if (error instanceof OmnithreadError) return -1;
    throw error;
  }
}

export function useChat(): OmnithreadState {
  return useOmnithread({ server: "https://chat.example.com", siteId: "demo", autoStart: false });
}
