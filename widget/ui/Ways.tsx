/** @jsxRuntime classic */
/** @jsx h */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { h } from "preact";
import type { Key } from "../i18n.ts";
import type { Actions, View } from "./types.ts";

/**
 * "Other ways to reach us": the handoff channels the site offers, each continuing this same
 * thread. A channel answers with a link (Messenger) or a confirmation; channels that need an
 * address first (email, callback) bring their own step with their issue.
 */
export function Ways({ v, a }: { v: View; a: Actions }) {
  const { t, ways } = v;
  const label = (channel: string) => t[`go_${channel}` as Key] ?? channel;
  return (
    <div class="ways">
      <button type="button" class="link" aria-expanded={ways.open} onClick={a.ways}>
        {t.more}
      </button>
      {ways.open && (
        <ul>
          {v.channels.map((name) => (
            <li key={name}>
              <button type="button" onClick={() => a.choose(name)}>
                {label(name)}
              </button>
            </li>
          ))}
        </ul>
      )}
      <p role="status">
        {ways.url ? (
          <a href={ways.url} target="_blank" rel="noopener noreferrer">
            {label(ways.channel!)}
          </a>
        ) : ways.error ? (
          t.handoffError
        ) : ways.done ? (
          t.handoffDone
        ) : (
          ""
        )}
      </p>
    </div>
  );
}
