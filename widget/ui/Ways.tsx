/** @jsxRuntime classic */
/** @jsx h */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { h } from "preact";
import type { CallbackWindowsResponse } from "../../sdk/protocol.ts";
import {
  ASAP,
  COUNTRY,
  channelText,
  EMAIL,
  GO_APP,
  GO_CALLBACK,
  HANDOFFDONE,
  HANDOFFERROR,
  MORE,
  NOTE,
  PHONE,
  SEND,
  TRANSCRIPT,
  WHEN,
} from "../i18n.ts";
import type { Actions, View } from "./types.ts";

/** Focuses an element once, when it mounts (a stable ref callback is called only then). */
const focus = (element: HTMLElement | null) => element?.focus();

/**
 * A form's first field, the one the server checks: focused when the form appears, marked invalid
 * (and described by the status line, which says why) when the server refused it by name.
 */
function Entry(props: { v: View; label: string; name: string; type: string; max: number }) {
  const { v, label, name, type, max } = props;
  return (
    <label>
      {label}
      <input
        ref={focus}
        name={name}
        // Preact's types check an input's attributes against one literal type at a time; tel
        // and email allow the same ones.
        type={type as "email"}
        autocomplete={type}
        required
        maxLength={max}
        aria-invalid={v.ways.bad === name}
        aria-describedby="ot-w"
      />
    </label>
  );
}

/** Countries the phone field offers besides the site's own: a hint for national numbers (an
 * international one, `+…`, works whatever is picked). */
const COUNTRIES = "AT BE CH DE ES FR GB HR IE NL PL US".split(" ");

/** "Request a callback": opens the callback form, where the widget offers one on its own. */
export function Offer({ v, a }: { v: View; a: Actions }) {
  return (
    <button type="button" class="link" onClick={() => a.choose("callback")}>
      {v.t[GO_CALLBACK]}
    </button>
  );
}

/** Whether the widget should offer a callback now: the site takes them, none is active. */
export const offers = (v: View) => v.channels.includes("callback") && !v.active;

/**
 * The callback form: the number (with its country), a window in the visitor's own zone ("as
 * soon as possible" first, when the site is within its hours now), an optional note.
 */
function CallbackForm({ v, a, offer }: { v: View; a: Actions; offer: CallbackWindowsResponse }) {
  const { t, ways } = v;
  const names = new Intl.DisplayNames([v.time.resolvedOptions().locale], { type: "region" });
  // `of` answers the code itself for a region it cannot name.
  const name = (code: string) => names.of(code)!;
  const countries = [...new Set([offer.country, ...COUNTRIES])].sort((x, y) =>
    name(x).localeCompare(name(y)),
  );
  return (
    <form
      class="cb"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const picked = (form.w as HTMLSelectElement).value;
        a.choose("callback", {
          // As typed: the server reads spaces and dashes, and drops an empty note.
          phone: (form.phone as HTMLInputElement).value,
          country: (form.c as HTMLSelectElement).value,
          window: picked === "asap" ? "asap" : offer.windows[+picked]!,
          note: (form.n as HTMLInputElement).value,
        });
      }}
    >
      <Entry v={v} label={t[PHONE]} name="phone" type="tel" max={32} />
      <label>
        {t[COUNTRY]}
        <select name="c">
          {countries.map((code) => (
            <option key={code} value={code} selected={code === offer.country}>
              {name(code)}
            </option>
          ))}
        </select>
      </label>
      <label class="w">
        {t[WHEN]}
        <select name="w" aria-invalid={ways.bad === "window"} aria-describedby="ot-w">
          {offer.asap && <option value="asap">{t[ASAP]}</option>}
          {offer.windows.map((w, i) => (
            <option key={w.from} value={i}>
              {v.when.formatRange(new Date(w.from), new Date(w.to))}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t[NOTE]}
        <input name="n" maxLength={500} />
      </label>
      <button type="submit" disabled={ways.busy}>
        {t[SEND]}
      </button>
    </form>
  );
}

/**
 * "Other ways to reach us": the handoff channels the site offers, each continuing this same
 * thread. A channel answers with a link (Messenger) or a confirmation; email first asks for the
 * address, callback for the number and a window, in a small form right below the channels.
 */
export function Ways({ v, a }: { v: View; a: Actions }) {
  const { t, ways } = v;
  const label = (channel: string) => channelText(t, GO_APP, channel);
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
      {ways.ask && ways.offer && <CallbackForm v={v} a={a} offer={ways.offer} />}
      {ways.ask && ways.channel === "email" && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = event.currentTarget;
            // `transcript`: the server emails the whole conversation once it is resolved.
            a.choose("email", {
              email: (form.email as HTMLInputElement).value.trim(),
              transcript: (form.x as HTMLInputElement).checked,
            });
          }}
        >
          <Entry v={v} label={t[EMAIL]} name="email" type="email" max={254} />
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
          ways.said || t[HANDOFFERROR]
        ) : ways.done ? (
          t[HANDOFFDONE]
        ) : (
          ""
        )}
      </p>
    </div>
  );
}
