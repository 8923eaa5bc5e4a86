import type { ChannelName, Conversation, ConversationStatus } from "../../sdk/protocol.ts";
import { CHANNEL_NAMES, channelName } from "../format.ts";
import {
  type ConsoleApp,
  displayName,
  type Filters,
  inboxList,
  isUnread,
  type Owner,
  type State,
} from "../state.ts";
import { Age, ChannelBadge, plainClick, Tabs } from "./common.tsx";

const STATUSES: { value: ConversationStatus; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "pending", label: "Pending" },
  { value: "resolved", label: "Resolved" },
];
const CHANNELS = Object.keys(CHANNEL_NAMES) as ChannelName[];
const OWNERS: { value: Owner; label: string }[] = [
  { value: "all", label: "Everyone's" },
  { value: "mine", label: "Mine" },
  { value: "unassigned", label: "Unassigned" },
];

/** The href of a conversation: the console routes `/console/c/<id>` to it. */
export const conversationHref = (id: string) => `/console/c/${encodeURIComponent(id)}`;

/** The inbox: status tabs, channel and owner filters, and the matching conversations, live. */
export function Inbox({ state, app }: { state: State; app: ConsoleApp }) {
  const me = state.session?.agent.email;
  const list = inboxList(state.conversations, state.filters, me);
  const { filters } = state;
  const setFilter = (patch: Partial<Filters>) => app.setFilters(patch);

  return (
    <section class="inbox" aria-labelledby="inbox-title">
      <h2 id="inbox-title" class="pane-title">
        Inbox
      </h2>
      <Tabs
        legend="Status"
        options={STATUSES}
        value={filters.status}
        pick={(status) => setFilter({ status })}
      />
      <div class="filters">
        <label>
          <span>Channel</span>
          <select
            value={filters.channel}
            onChange={(e) =>
              setFilter({ channel: (e.currentTarget as HTMLSelectElement).value as ChannelName })
            }
          >
            <option value="all">All channels</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {channelName(c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Assigned</span>
          <select
            value={filters.owner}
            onChange={(e) =>
              setFilter({ owner: (e.currentTarget as HTMLSelectElement).value as Owner })
            }
          >
            {OWNERS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="count" role="status">
        {state.inbox.loading && list.length === 0
          ? "Loading…"
          : `${list.length} ${filters.status} conversation${list.length === 1 ? "" : "s"}`}
      </p>
      {state.inbox.error && (
        <p class="error" role="alert">
          {state.inbox.error}{" "}
          <button type="button" class="link" onClick={() => void app.reloadInbox()}>
            Retry
          </button>
        </p>
      )}
      <ul class="conversations" aria-label="Conversations">
        {list.map((c: Conversation & { waitingSince?: string }) => {
          const unread = isUnread(c, state.seen);
          const selected = c.id === state.selectedId;
          const typing = c.id in state.typing;
          let className = "conv";
          if (unread) className += " unread";
          if (selected) className += " selected";
          return (
            <li key={c.id}>
              <a
                class={className}
                href={conversationHref(c.id)}
                data-id={c.id}
                aria-current={selected ? "page" : undefined}
                onClick={(event) => {
                  if (!plainClick(event)) return;
                  event.preventDefault();
                  app.select(c.id);
                }}
              >
                <span class="conv-top">
                  {unread && (
                    <span class="dot">
                      <span class="sr-only">Unread:</span>
                    </span>
                  )}
                  <span class="who">{displayName(c, null, state.names)}</span>
                  {c.waitingSince ? (
                    <span class="waiting">
                      <span class="sr-only">waiting,</span>
                      <Age at={c.waitingSince} now={state.now} />
                    </span>
                  ) : (
                    <Age at={c.updatedAt} now={state.now} />
                  )}
                </span>
                <span class="preview">
                  {typing ? "Typing…" : c.lastText ? c.lastText : "No messages yet"}
                </span>
                <span class="conv-meta">
                  <ChannelBadge channel={c.activeChannel} />
                  <span class="assignee">
                    {c.assignee
                      ? c.assignee === me
                        ? "Mine"
                        : (state.agents.find((a) => a.email === c.assignee)?.name ?? c.assignee)
                      : "Unassigned"}
                  </span>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      {list.length === 0 && !state.inbox.loading && (
        <p class="empty-list">Nothing here. New conversations appear as they arrive.</p>
      )}
    </section>
  );
}
