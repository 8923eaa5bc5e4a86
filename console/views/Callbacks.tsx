import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { CallbackRequest, UpdateCallbackRequest } from "../../sdk/protocol.ts";
import { ApiError } from "../api.ts";
import {
  type CallbackFilter,
  callbackQueue,
  callbackUrgency,
  fromLocalInput,
  isActive,
  momentText,
  telHref,
  toLocalInput,
  type ZonedText,
  zonedMoment,
  zonedWindow,
} from "../callbacks.ts";
import { channelName } from "../format.ts";
import { type ConsoleApp, displayName, dueReminders, type State } from "../state.ts";
import { Age, plainClick, Tabs, ViewLink } from "./common.tsx";
import { conversationHref } from "./Inbox.tsx";

const FILTERS: { value: CallbackFilter; label: string }[] = [
  { value: "active", label: "Active" },
  { value: "completed", label: "Completed" },
  { value: "missed", label: "Missed" },
  { value: "cancelled", label: "Cancelled" },
];

function explain(error: unknown): string {
  return error instanceof ApiError ? error.message : "Something went wrong. Try again.";
}

/** The number, as a `tel:` link when it is E.164 (the server stores it so). */
export function Phone({ phone }: { phone: string }) {
  const href = telHref(phone);
  return href ? <a href={href}>{phone}</a> : <span>{phone}</span>;
}

/** A time in the agent's zone and, when it reads otherwise there, the visitor's. */
function Zoned({ text, zone }: { text: ZonedText; zone: string }) {
  if (!text.visitor) return <span>{text.agent}</span>;
  return (
    <>
      <span>{text.agent}</span> <span class="muted">your time</span>
      <span class="theirs">
        <span>{text.visitor}</span> <span class="muted">visitor's time ({zone})</span>
      </span>
    </>
  );
}

/** Who has it: "You", a teammate's name, or nobody. */
function claimer(callback: CallbackRequest, me: string | undefined): string {
  if (!callback.claimedBy) return "Nobody yet";
  return callback.claimedBy.email === me ? "You" : callback.claimedBy.name;
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A callback's facts: window (both zones), agreed time, note, who has it, outcome, age. */
export function CallbackFacts({ callback, state }: { callback: CallbackRequest; state: State }) {
  const agent = { timeZone: state.timeZone };
  const zone = callback.timeZone;
  return (
    <dl class="facts cb-facts">
      <Fact label="Window">
        {callback.asap && <span class="tag asap">ASAP</span>}{" "}
        <Zoned text={zonedWindow(callback.window, state.now, agent, zone)} zone={zone} />
      </Fact>
      {callback.scheduledFor && (
        <Fact label="Agreed time">
          <Zoned text={zonedMoment(callback.scheduledFor, state.now, agent, zone)} zone={zone} />
        </Fact>
      )}
      {callback.note && <Fact label="Note">{callback.note}</Fact>}
      <Fact label="Claimed by">{claimer(callback, state.session?.agent.email)}</Fact>
      {callback.outcome && <Fact label="Outcome">{callback.outcome}</Fact>}
      <Fact label="Requested">
        <Age at={callback.createdAt} now={state.now} />
      </Fact>
    </dl>
  );
}

/** The longest outcome note the server keeps. */
const OUTCOME_CHARS = 1000;

type FormKind = "schedule" | "completed" | "missed" | "cancelled";

interface FormProps {
  callback: CallbackRequest;
  state: State;
  busy: boolean;
  submit(patch: UpdateCallbackRequest): void;
  back(): void;
}

/** Focuses the form's first field when it opens; Escape goes back. */
function useFormFocus<T extends HTMLElement>(back: () => void) {
  const first = useRef<T>(null);
  useEffect(() => first.current?.focus(), []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    back();
  };
  return { first, onKeyDown };
}

function FormButtons({ label, busy, back }: { label: string; busy: boolean; back(): void }) {
  return (
    <div class="cb-form-actions">
      <button type="submit" class="primary" disabled={busy}>
        {label}
      </button>
      <button type="button" onClick={back}>
        Back
      </button>
    </div>
  );
}

/** Schedule: a time in the agent's zone, read back in the visitor's. */
function ScheduleForm({ callback, state, busy, submit, back }: FormProps) {
  const { first, onKeyDown } = useFormFocus<HTMLInputElement>(back);
  const zone = state.timeZone;
  const start =
    callback.scheduledFor ??
    (Date.parse(callback.window.from) > state.now
      ? callback.window.from
      : new Date(state.now + 5 * 60_000).toISOString());
  const [value, setValue] = useState(() => toLocalInput(start, zone));
  const at = fromLocalInput(value, zone);
  const theirs = at ? zonedMoment(at, state.now, { timeZone: zone }, callback.timeZone) : null;
  const hint = `cb-${callback.id}-hint`;
  return (
    <form
      class="cb-form"
      aria-label="Schedule the call"
      onKeyDown={onKeyDown}
      onSubmit={(event) => {
        event.preventDefault();
        if (at) submit({ status: "scheduled", scheduledFor: at });
      }}
    >
      <label>
        <span>Call at (your time)</span>
        <input
          ref={first}
          type="datetime-local"
          required
          value={value}
          aria-describedby={hint}
          onInput={(event) => setValue(event.currentTarget.value)}
        />
      </label>
      <p class="muted" id={hint}>
        {theirs?.visitor
          ? `For the visitor: ${theirs.visitor} (${callback.timeZone}).`
          : "The visitor's clock reads the same."}
      </p>
      <FormButtons label="Schedule" busy={busy} back={back} />
    </form>
  );
}

/** Completed or missed: with a note on how it went (agents only). */
function OutcomeForm({ kind, busy, submit, back }: FormProps & { kind: "completed" | "missed" }) {
  const { first, onKeyDown } = useFormFocus<HTMLTextAreaElement>(back);
  const label = kind === "completed" ? "Mark completed" : "Mark missed";
  return (
    <form
      class="cb-form"
      aria-label={label}
      onKeyDown={onKeyDown}
      onSubmit={(event) => {
        event.preventDefault();
        const outcome = first.current?.value.trim() ?? "";
        if (outcome) submit({ status: kind, outcome });
      }}
    >
      <label>
        <span>Outcome note</span>
        <textarea ref={first} required rows={2} maxLength={OUTCOME_CHARS} />
      </label>
      <p class="muted">For agents only: the visitor never sees it.</p>
      <FormButtons label={label} busy={busy} back={back} />
    </form>
  );
}

function CancelForm({ busy, submit, back }: FormProps) {
  const { first, onKeyDown } = useFormFocus<HTMLButtonElement>(back);
  return (
    <form
      class="cb-form"
      aria-label="Cancel the callback"
      onKeyDown={onKeyDown}
      onSubmit={(event) => {
        event.preventDefault();
        submit({ status: "cancelled" });
      }}
    >
      <p>Cancel this callback? The visitor sees that in their thread.</p>
      <div class="cb-form-actions">
        <button ref={first} type="submit" class="danger" disabled={busy}>
          Cancel callback
        </button>
        <button type="button" onClick={back}>
          Keep it
        </button>
      </div>
    </form>
  );
}

const FORMS: Record<FormKind, (props: FormProps) => JSX.Element> = {
  schedule: ScheduleForm,
  completed: (props) => <OutcomeForm {...props} kind="completed" />,
  missed: (props) => <OutcomeForm {...props} kind="missed" />,
  cancelled: CancelForm,
};

const DONE: Record<string, string> = {
  scheduled: "scheduled",
  completed: "marked completed",
  missed: "marked missed",
  cancelled: "cancelled",
};

interface RowProps {
  callback: CallbackRequest;
  state: State;
  app: ConsoleApp;
  /** Says what happened (in the queue's status line); `gone`: the row leaves this list. */
  done(text: string, gone: boolean): void;
}

/** One callback: its facts, and what the agent can do with it now. */
function CallbackRow({ callback, state, app, done }: RowProps) {
  const [form, setForm] = useState<FormKind | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const me = state.session?.agent.email;
  const mine = callback.claimedBy?.email === me;
  const active = isActive(callback);
  const urgency = callbackUrgency(callback, state.now, state.remindMs);
  const title = `cb-${callback.id}`;
  const conversation = state.conversations[callback.conversationId];
  const who = conversation ? displayName(conversation, null, state.names) : null;

  function close(): void {
    setForm(null);
    // Back to the button that opened the form.
    requestAnimationFrame(() => opener.current?.isConnected && opener.current.focus());
  }

  function open(kind: FormKind, event: MouseEvent): void {
    opener.current = event.currentTarget as HTMLElement;
    setError(null);
    setForm(kind);
  }

  async function run(action: () => Promise<{ text: string; gone: boolean }>): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      if (form) close();
      done(`${callback.phone}: ${result.text}.`, result.gone);
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setBusy(false);
    }
  }

  const update = (patch: UpdateCallbackRequest, text: string) =>
    run(async () => {
      const next = await app.updateCallback(callback.id, patch);
      return { text, gone: state.queue.filter === "active" && !isActive(next) };
    });

  const submit = (patch: UpdateCallbackRequest) =>
    update(patch, DONE[patch.status ?? ""] ?? "updated");

  const Form = form ? FORMS[form] : null;
  let className = "cb";
  if (urgency) className += ` ${urgency.kind}`;
  if (mine && active) className += " mine";
  const action = (kind: FormKind, label: string) => (
    <button
      type="button"
      aria-describedby={title}
      aria-expanded={form === kind}
      disabled={busy}
      onClick={(event) => open(kind, event)}
    >
      {label}
    </button>
  );

  return (
    <li class={className}>
      <article aria-labelledby={title}>
        <div class="cb-head">
          <h3 id={title}>
            <Phone phone={callback.phone} />
          </h3>
          {who && <span class="cb-who">{who}</span>}
          <span class={`status cb-${callback.status}`}>{callback.status}</span>
          {urgency && <strong class="cb-urgency">{urgency.text}</strong>}
        </div>
        <CallbackFacts callback={callback} state={state} />
        <div class="cb-actions">
          {active && (
            <button
              type="button"
              class={mine ? "" : "primary"}
              aria-describedby={title}
              disabled={busy}
              onClick={() => void update({ claim: !mine }, mine ? "released" : "claimed by you")}
            >
              {mine ? "Release" : "Claim"}
            </button>
          )}
          {active && action("schedule", "Schedule…")}
          {active && action("completed", "Complete…")}
          {active && action("missed", "Missed…")}
          {active && action("cancelled", "Cancel…")}
          {callback.offeredAt && <span class="cb-offered">new time offered</span>}
          {(callback.status === "missed" || callback.status === "cancelled") &&
            !callback.offeredAt && (
              <button
                type="button"
                aria-describedby={title}
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    const via = await app.offerCallback(callback.id);
                    return { text: `offered a new time by ${channelName(via)}`, gone: false };
                  })
                }
              >
                Offer a new time
              </button>
            )}
          <a
            href={conversationHref(callback.conversationId)}
            aria-describedby={title}
            onClick={(event) => {
              if (!plainClick(event)) return;
              event.preventDefault();
              app.select(callback.conversationId);
            }}
          >
            Open thread
          </a>
        </div>
        {Form && (
          <Form callback={callback} state={state} busy={busy} submit={submit} back={close} />
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </article>
    </li>
  );
}

/** The callback queue: active ones by when the call is due, or a final status; live. */
export function CallbackQueue({ state, app }: { state: State; app: ConsoleApp }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [said, setSaid] = useState("");
  const { filter, loading, error } = state.queue;
  const list = callbackQueue(state.callbacks, filter);
  const label = FILTERS.find((f) => f.value === filter)!.label.toLowerCase();
  const done = (text: string, gone: boolean) => {
    setSaid(text);
    // The row the focus was in has left the list: start again from the top.
    if (gone) heading.current?.focus();
  };

  return (
    <main class="queue" aria-labelledby="queue-title">
      <div class="queue-head">
        <h2 id="queue-title" ref={heading} tabIndex={-1}>
          Callbacks
        </h2>
        <Tabs
          legend="Show"
          options={FILTERS}
          value={filter}
          pick={(value) => app.setCallbackFilter(value)}
        />
      </div>
      <p class="count" role="status">
        {loading && list.length === 0
          ? "Loading…"
          : `${list.length} ${label} callback${list.length === 1 ? "" : "s"}`}
      </p>
      <p class="said" role="status">
        {said}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}{" "}
          <button type="button" class="link" onClick={() => void app.reloadCallbacks()}>
            Retry
          </button>
        </p>
      )}
      <ul class="cb-list" aria-label="Callback requests">
        {list.map((c) => (
          <CallbackRow key={c.id} callback={c} state={state} app={app} done={done} />
        ))}
      </ul>
      {list.length === 0 && !loading && (
        <p class="empty-list">
          {filter === "active"
            ? "No callbacks waiting. Requests appear here as visitors make them."
            : `No ${label} callbacks.`}
        </p>
      )}
    </main>
  );
}

/** One reminder: a callback that starts soon and nobody has claimed. */
function Reminder({
  callback,
  state,
  app,
}: {
  callback: CallbackRequest;
  state: State;
  app: ConsoleApp;
}) {
  const [error, setError] = useState<string | null>(null);
  const when = momentText(callback.window.from, state.now, { timeZone: state.timeZone });
  return (
    <div class="reminder">
      <p>
        <strong>Callback due {callback.asap ? "as soon as possible" : when}:</strong>{" "}
        {callback.phone}, unclaimed.
      </p>
      <button
        type="button"
        class="primary"
        onClick={() =>
          void app.updateCallback(callback.id, { claim: true }).catch((e) => setError(explain(e)))
        }
      >
        Claim
      </button>
      {state.view !== "callbacks" && (
        <ViewLink view="callbacks" app={app}>
          Show the queue
        </ViewLink>
      )}
      <button type="button" class="link" onClick={() => app.dismissReminder(callback.id)}>
        Dismiss
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Reminders the server sent (`due` frames), announced politely, shown until claimed or dismissed. */
export function Reminders({ state, app }: { state: State; app: ConsoleApp }) {
  const due = dueReminders(state);
  return (
    <section class="reminders" aria-label="Callback reminders" aria-live="polite">
      {due.map((c) => (
        <Reminder key={c.id} callback={c} state={state} app={app} />
      ))}
    </section>
  );
}

/** The header's link to the queue: the active count, and how many need someone now. */
export function CallbacksTab({ state, app }: { state: State; app: ConsoleApp }) {
  const active = Object.values(state.callbacks).filter(isActive);
  const waiting = active.filter(
    (c) => !c.claimedBy && callbackUrgency(c, state.now, state.remindMs),
  ).length;
  const current = state.view === "callbacks";
  return (
    <ViewLink view="callbacks" app={app} current={current} keys="c">
      Callbacks{" "}
      <span class="pill">
        {active.length}
        <span class="sr-only"> active</span>
      </span>
      {waiting > 0 && (
        <span class="pill alert" title={`${waiting} due and unclaimed`}>
          <span class="sr-only">, </span>
          {waiting}
          <span class="sr-only"> due and unclaimed</span>
        </span>
      )}
    </ViewLink>
  );
}
