import type { TokenStorage } from "./types.ts";

/** Storage that lives as long as the page (Node, private modes without localStorage). */
export function memoryStorage(): TokenStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** The host page's localStorage (first-party: no third-party-cookie trouble), else memory. */
export function defaultStorage(): TokenStorage {
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

/** Whether this browser already has a thread with the site (without touching the server). */
export function hasStoredSession(
  siteId: string,
  storage: TokenStorage = defaultStorage(),
): boolean {
  try {
    return storage.getItem(storageKey(siteId)) !== null;
  } catch {
    return false;
  }
}
