import type { SyncTokenStorage, TokenStorage } from "./types.ts";

/** Storage that lives as long as the page (Node, private modes without localStorage). */
export function memoryStorage(): SyncTokenStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** The host page's localStorage (first-party: no third-party-cookie trouble), else memory. */
export function defaultStorage(): SyncTokenStorage {
  try {
    const storage = globalThis.localStorage;
    if (storage) return storage;
  } catch {
    // Access throws when storage is blocked; memory still works for this page view.
  }
  return memoryStorage();
}

/** Where the conversation token of a site is kept: one name, shared by the SDK and the widget. */
export function storageKey(siteId: string): string {
  return `omnithread:${siteId}`;
}

/**
 * Whether this device already has a thread with the site, without touching the server: at once
 * with a synchronous store (the default `localStorage`), as a Promise with an async one
 * (AsyncStorage). A store that throws or rejects answers false.
 *
 * @example
 * if (hasStoredSession("demo")) void chat.start(); // reconnect a returning visitor at once
 * if (await hasStoredSession("demo", AsyncStorage)) void chat.start();
 */
export function hasStoredSession(siteId: string, storage?: SyncTokenStorage): boolean;
export function hasStoredSession(siteId: string, storage: TokenStorage): boolean | Promise<boolean>;
export function hasStoredSession(
  siteId: string,
  storage: TokenStorage = defaultStorage(),
): boolean | Promise<boolean> {
  try {
    const value = storage.getItem(storageKey(siteId));
    return value instanceof Promise
      ? value.then(
          (v) => v !== null,
          () => false,
        )
      : value !== null;
  } catch {
    return false;
  }
}
