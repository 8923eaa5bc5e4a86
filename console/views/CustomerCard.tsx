import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { AttributeValue, Contact, Conversation, Identity } from "../../sdk/protocol.ts";
import { isActive } from "../callbacks.ts";
import { attributeText, ratings } from "../format.ts";
import { type ConsoleApp, displayName, type State, type Thread } from "../state.ts";
import { CallbackFacts, Phone } from "./Callbacks.tsx";
import { ChannelBadge, Files, plainClick, Url, ViewLink, When } from "./common.tsx";
import { conversationHref } from "./Inbox.tsx";

const IDENTITY_KINDS: Record<Identity["kind"], string> = {
  visitor: "Visitor id",
  user: "User id",
  email: "Email",
  psid: "Messenger id",
  phone: "Phone",
  telegram: "Telegram",
  whatsapp: "WhatsApp",
};

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value ? value : undefined;

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const id = `card-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section class="card-section" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

function Who({
  contact,
  conversation,
  name,
}: {
  contact: Contact | null;
  conversation: Conversation;
  name: string;
}) {
  const identities = (contact?.identities ?? []).filter((i) => i.kind !== "visitor");
  const verified = identities.some((i) => i.verified);
  return (
    <div class="who-block">
      <p class="card-name">{name}</p>
      <p class={verified ? "verified yes" : "verified"}>
        {verified ? "Verified identity" : "Not verified"}
      </p>
      <dl class="facts">
        {contact?.email && !identities.some((i) => i.kind === "email") && (
          <div class="fact">
            <dt>Email</dt>
            <dd>{contact.email}</dd>
          </div>
        )}
        {identities.map((i) => (
          <div key={`${i.kind}:${i.value}`} class="fact">
            <dt>{IDENTITY_KINDS[i.kind] ?? i.kind}</dt>
            <dd>
              <span class="value">{i.value}</span>{" "}
              <span class={i.verified ? "tag ok" : "tag"}>
                {i.verified ? "verified" : "unverified"}
              </span>
            </dd>
          </div>
        ))}
        <div class="fact">
          <dt>Contact id</dt>
          <dd class="mono">{conversation.contactId}</dd>
        </div>
      </dl>
    </div>
  );
}

function Attributes({ attributes }: { attributes: Record<string, AttributeValue> }) {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return <p class="muted">None set by the site.</p>;
  return (
    <dl class="facts">
      {keys.map((key) => (
        <div key={key} class="fact">
          <dt>{key}</dt>
          <dd>{attributeText(attributes[key])}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Hands the browser a JSON document to save, as a file of that name. */
function download(filename: string, document: unknown): void {
  const blob = new Blob([JSON.stringify(document, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(window.document.createElement("a"), { href: url, download: filename });
  link.click();
  // The click has handed the blob to the download; the address is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The customer's rights over their data: a copy of everything held (export), and erasure, which
 * asks once more in place, naming what goes, before anything is deleted.
 */
function ContactData({
  app,
  contactId,
  name,
  conversations,
}: {
  app: ConsoleApp;
  contactId: string;
  name: string;
  conversations: number | null;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) cancel.current?.focus();
  }, [confirming]);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Something went wrong. Try again.");
    } finally {
      setBusy(false);
    }
  };
  const save = () =>
    run(async () => download(`contact-${contactId}.json`, await app.exportContact()));
  const what =
    conversations === null
      ? "all their conversations"
      : conversations === 1
        ? "their conversation"
        : `all ${conversations} of their conversations`;

  return (
    <Section title="Customer data">
      <div class="data-actions">
        <button type="button" disabled={busy} onClick={() => void save()}>
          Export data
        </button>
        {!confirming && (
          <button type="button" disabled={busy} onClick={() => setConfirming(true)}>
            Erase customer…
          </button>
        )}
      </div>
      {confirming && (
        <fieldset
          class="confirm"
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              event.stopPropagation();
              setConfirming(false);
            }
          }}
        >
          <legend>Confirm erasure</legend>
          <p>
            Erase {name} and {what}, with every message, note, callback and rating? This cannot be
            undone.
          </p>
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={() => void run(() => app.eraseContact())}
          >
            Erase for good
          </button>
          <button type="button" ref={cancel} disabled={busy} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </fieldset>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </Section>
  );
}

/** Beside the thread: who the customer is and everything they did, from every channel. */
export function CustomerCard({ state, app }: { state: State; app: ConsoleApp }) {
  const thread = state.thread as Thread;
  const conversation = thread.conversation;
  if (!conversation) {
    return (
      <aside class="card" aria-label="Customer">
        <p class="muted">Loading…</p>
      </aside>
    );
  }
  const { contact } = thread;
  const context = conversation.context;
  const attributes = { ...(contact?.attributes ?? {}), ...(context.attributes ?? {}) };
  const pages = [...(context.pages ?? [])].reverse();
  const csat = ratings(thread.events);
  // Every file of the thread, newest first, whoever sent it (notes' files stay in the notes).
  const files = thread.events
    .filter((e) => e.type === "message")
    .flatMap((e) => e.attachments ?? [])
    .reverse();
  const now = state.now;
  const name = displayName(conversation, contact, state.names);

  return (
    <aside class="card" aria-label="Customer">
      <h2 class="pane-title">Customer</h2>
      <Who contact={contact} conversation={conversation} name={name} />

      <Section title="Attributes">
        <Attributes attributes={attributes} />
      </Section>

      <Section title="Visit">
        <dl class="facts">
          <div class="fact">
            <dt>Started on</dt>
            <dd>{context.url ? <Url url={context.url} /> : "—"}</dd>
          </div>
          <div class="fact">
            <dt>Referrer</dt>
            <dd>{context.referrer ? <Url url={context.referrer} /> : "Direct"}</dd>
          </div>
          <div class="fact">
            <dt>Locale</dt>
            <dd>{context.locale || "—"}</dd>
          </div>
          {context.labels && context.labels.length > 0 && (
            <div class="fact">
              <dt>Labels</dt>
              <dd>{context.labels.join(", ")}</dd>
            </div>
          )}
        </dl>
      </Section>

      <Section title="Pages visited">
        {pages.length === 0 ? (
          <p class="muted">None recorded.</p>
        ) : (
          <ol class="pages">
            {pages.map((p, i) => (
              <li key={`${p.at}:${i}`}>
                <Url url={p.url} label={str(p.title)} />
                {p.title && <span class="url-line">{p.url}</span>}
                {p.at && <When at={p.at} now={now} />}
              </li>
            ))}
          </ol>
        )}
      </Section>

      <Section title="Channels">
        <ul class="channels">
          {conversation.channels.map((c) => (
            <li key={`${c.channel}:${c.address ?? ""}`}>
              <ChannelBadge channel={c.channel} />
              {c.address && <span class="address">{c.address}</span>}
              {c.channel === conversation.activeChannel && <span class="tag ok">active</span>}
              <span class="since">
                linked <When at={c.linkedAt} now={now} />
              </span>
            </li>
          ))}
        </ul>
      </Section>

      {files.length > 0 && (
        <Section title="Files">
          <Files files={files} />
        </Section>
      )}

      {csat.length > 0 && (
        <Section title="Satisfaction">
          <ul class="ratings">
            {csat.map((r) => (
              <li key={r.seq}>
                <span class="stars" aria-hidden="true">
                  {"★".repeat(r.rating)}
                  {"☆".repeat(5 - r.rating)}
                </span>
                <span class="rating">{r.rating} out of 5</span>
                <When at={r.at} now={now} />
                {r.comment && <q class="comment">{r.comment}</q>}
              </li>
            ))}
          </ul>
        </Section>
      )}

      <Section title="Callback requests">
        {thread.callbacks.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="callbacks">
            {thread.callbacks.map((cb) => (
              <li key={cb.id}>
                <p class="cb-line">
                  <Phone phone={cb.phone} />
                  <span class={`status cb-${cb.status}`}>{cb.status}</span>
                </p>
                <CallbackFacts callback={cb} state={state} />
              </li>
            ))}
          </ul>
        )}
        {thread.callbacks.some(isActive) && (
          <ViewLink view="callbacks" app={app}>
            Open the callback queue
          </ViewLink>
        )}
      </Section>

      {thread.earlier && (
        <Section title="Earlier conversations">
          {thread.earlier.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul class="earlier">
              {thread.earlier.map((c) => (
                <li key={c.id}>
                  <a
                    href={conversationHref(c.id)}
                    onClick={(event) => {
                      if (!plainClick(event)) return;
                      event.preventDefault();
                      app.select(c.id);
                    }}
                  >
                    {c.lastText || "No messages"}
                  </a>
                  <span class="earlier-meta">
                    <ChannelBadge channel={c.activeChannel} />
                    <span class={`status s-${c.status}`}>{c.status}</span>
                    <When at={c.updatedAt} now={now} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}

      <ContactData
        key={conversation.contactId}
        app={app}
        contactId={conversation.contactId}
        name={name}
        conversations={thread.earlier ? thread.earlier.length + 1 : null}
      />
    </aside>
  );
}
