import { describe, expect, it } from "vitest";
import type { Conversation } from "../../../sdk/protocol.ts";
import { memoryStore } from "../../store/memory.ts";
import type { NewEvent, Store } from "../../store/types.ts";
import {
  HUMAN_AGENT_WINDOW_MS,
  lastInteraction,
  policyAt,
  RESPONSE_WINDOW_MS,
  sendPolicy,
} from "./window.ts";

const HOUR = 3_600_000;
const NOW = Date.parse("2030-03-10T12:00:00Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();

async function conversationIn(store: Store): Promise<Conversation> {
  const at = ago(30 * 24 * HOUR);
  const conversation: Conversation = {
    id: "c1",
    siteId: "demo",
    contactId: "k1",
    status: "open",
    activeChannel: "web",
    channels: [{ channel: "web", linkedAt: at }],
    context: {},
    createdAt: at,
    updatedAt: at,
    lastSeq: 0,
  };
  await store.createConversation(conversation);
  return conversation;
}

const visitor = (createdAt: string, extra: Partial<NewEvent> = {}): NewEvent => ({
  type: "message",
  channel: "messenger",
  author: { role: "visitor" },
  text: "hi",
  createdAt,
  ...extra,
});

async function policyAfter(events: NewEvent[]) {
  const store = memoryStore();
  const conversation = await conversationIn(store);
  for (const event of events) await store.append(conversation.id, event);
  const fresh = (await store.getConversation(conversation.id))!;
  return sendPolicy(store, fresh, NOW);
}

describe("policyAt", () => {
  it("answers RESPONSE for 24 hours, HUMAN_AGENT up to 7 days, then nothing", () => {
    expect(policyAt(NOW, NOW)).toEqual({ messagingType: "RESPONSE" });
    expect(policyAt(NOW - RESPONSE_WINDOW_MS + 1, NOW)).toEqual({ messagingType: "RESPONSE" });
    expect(policyAt(NOW - RESPONSE_WINDOW_MS, NOW)).toEqual({
      messagingType: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
    });
    expect(policyAt(NOW - HUMAN_AGENT_WINDOW_MS + 1, NOW)?.messagingType).toBe("MESSAGE_TAG");
    expect(policyAt(NOW - HUMAN_AGENT_WINDOW_MS, NOW)).toBeNull();
    expect(policyAt(null, NOW)).toBeNull();
  });

  it("treats a time in the future as now", () => {
    expect(policyAt(NOW + HOUR, NOW)).toEqual({ messagingType: "RESPONSE" });
  });
});

describe("sendPolicy from stored events", () => {
  it("counts from the visitor's last Messenger message", async () => {
    expect(await policyAfter([visitor(ago(2 * HOUR))])).toEqual({ messagingType: "RESPONSE" });
    expect(await policyAfter([visitor(ago(30 * HOUR))])).toEqual({
      messagingType: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
    });
  });

  it("refuses after 7 days with a clear error that suggests email", async () => {
    await expect(policyAfter([visitor(ago(8 * 24 * HOUR))])).rejects.toMatchObject({
      code: "channel_unavailable",
      status: 409,
      message: expect.stringMatching(/7-day window has closed.*email/),
    });
  });

  it("refuses when the visitor never wrote in Messenger", async () => {
    await expect(policyAfter([visitor(ago(HOUR), { channel: "web" })])).rejects.toMatchObject({
      code: "channel_unavailable",
    });
  });

  it("ignores web messages, agent and bot replies after the last Messenger message", async () => {
    const policy = await policyAfter([
      visitor(ago(30 * HOUR)),
      visitor(ago(HOUR), { channel: "web" }),
      visitor(ago(HOUR), { author: { role: "agent", name: "Alex" } }),
      visitor(ago(HOUR), { author: { role: "bot" } }),
      visitor(ago(HOUR), { type: "note", author: { role: "agent" } }),
    ]);
    expect(policy.messagingType).toBe("MESSAGE_TAG");
  });

  it("counts opening the thread from an m.me link, but not a conflict note", async () => {
    const opened = (name: string): NewEvent => ({
      type: "system",
      channel: "messenger",
      author: { role: "system" },
      text: "Opened",
      name,
      createdAt: ago(HOUR),
    });
    expect(
      (await policyAfter([visitor(ago(30 * HOUR)), opened("messenger.opened")])).messagingType,
    ).toBe("RESPONSE");
    expect(
      (await policyAfter([visitor(ago(30 * HOUR)), opened("messenger.link_conflict")]))
        .messagingType,
    ).toBe("MESSAGE_TAG");
  });

  it("uses Meta's send time when a delivery came late, never a time after storing", async () => {
    const late = visitor(ago(HOUR), { data: { sentAt: ago(30 * HOUR) } });
    expect((await policyAfter([late])).messagingType).toBe("MESSAGE_TAG");
    const future = visitor(ago(30 * HOUR), { data: { sentAt: new Date(NOW).toISOString() } });
    expect((await policyAfter([future])).messagingType).toBe("MESSAGE_TAG");
  });

  it("finds the last interaction behind more than one page of events", async () => {
    const store = memoryStore();
    const conversation = await conversationIn(store);
    await store.append(conversation.id, visitor(ago(3 * HOUR)));
    for (let i = 0; i < 1200; i++) {
      await store.append(conversation.id, visitor(ago(HOUR), { channel: "web", text: `w${i}` }));
    }
    const fresh = (await store.getConversation(conversation.id))!;
    expect(await lastInteraction(store, fresh.id, fresh.lastSeq)).toBe(NOW - 3 * HOUR);
  });
});
