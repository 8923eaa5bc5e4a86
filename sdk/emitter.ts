/** A tiny typed event emitter: the SDK's `on()`, with unsubscribe. */
export function createEmitter<Events>() {
  const listeners = new Map<keyof Events, Set<(value: never) => void>>();
  return {
    on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (value: never) => void);
      return () => set.delete(listener as (value: never) => void);
    },
    emit<K extends keyof Events>(event: K, value: Events[K]): void {
      for (const listener of listeners.get(event) ?? []) {
        // One broken listener must not stop the others, nor the client.
        try {
          (listener as (value: Events[K]) => void)(value);
        } catch (error) {
          console.error(error);
        }
      }
    },
  };
}
