/** @jsxRuntime classic */
/** @jsx h */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { h } from "preact";
import {
  channelText,
  EMAIL,
  GO_MESSENGER,
  HANDOFFDONE,
  HANDOFFERROR,
  MORE,
  SEND,
  TRANSCRIPT,
} from "../i18n.ts";
import type { Actions, View } from "./types.ts";

/** Focuses an element once, when it mounts (a stable ref callback is called only then). */
const focus = (element: HTMLElement | null) => element?.focus();

/**
 * "Other ways to reach us": the handoff channels the site offers, each continuing this same
 * thread. A channel answers with a link (Messenger) or a confirmation; email first asks for the
 * address in a small form right below the channels (callback brings its own step with its issue).
 */
export function Ways({ v, a }: { v: View; a: Actions }) {
  const { t, ways } = v;
  const label = (channel: string) => channelText(t, GO_MESSENGER, channel);
  return (
    <div class="ways">
      <button type="button" class="link" aria-expanded={ways.open} onClick={a.ways}>
        {t[MORE]}
      </button>
      {ways.open && (
        <ul>
          {v.channels.map((name) => (
            <li key={name}>
              <button
                type="button"
                // Back here once the form it opened is gone (done), so focus is not lost.
                ref={ways.done && ways.channel === name ? focus : undefined}
                onClick={() => a.choose(name)}
              >
                {label(name)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {ways.ask && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            a.choose(
              "email",
              (form.e as HTMLInputElement).value.trim(),
              (form.x as HTMLInputElement).checked,
            );
          }}
        >
          <label>
            {t[EMAIL]}
            <input
              ref={focus}
              name="e"
              type="email"
              autocomplete="email"
              required
              maxLength={254}
              aria-invalid={ways.bad}
              aria-describedby="ot-w"
            />
          </label>
          <button type="submit" disabled={ways.busy}>
            {t[SEND]}
          </button>
          <label class="t">
            <input name="x" type="checkbox" />
            {t[TRANSCRIPT]}
          </label>
        </form>
      )}
      <p id="ot-w" role="status">
        {ways.url ? (
          <a href={ways.url} target="_blank" rel="noopener noreferrer">
            {label(ways.channel!)}
          </a>
        ) : ways.error ? (
          t[HANDOFFERROR]
        ) : ways.done ? (
          t[HANDOFFDONE]
        ) : (
          ""
        )}
      </p>
    </div>
  );
}
