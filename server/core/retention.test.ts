import { describe, expect, it } from "vitest";
import type { Conversation } from "../../sdk/protocol.ts";
import { createAttachments } from "../attachments/service.ts";
import { memoryStorage } from "../attachments/storage.ts";
import { generateKeyRingConfig, loadKeyRing } from "../auth/keys.ts";
import { memoryStore } from "../store/memory.ts";
import { sweepRetention } from "./retention.ts";

const DAY = 24 * 3_600_000;
const NOW = Date.parse("2026-12-03T12:00:00Z");

function conversation(id: string, contactId: string, createdAt: number): Conversation {
  const at = new Date(createdAt).toISOString();
  return {
    id,
    siteId: "shop",
    contactId,
    status: "open",
    activeChannel: "web",
    channels: [],
    context: {},
    createdAt: at,
    updatedAt: at,
    lastSeq: 0,
  };
}

/** A visitor's line, `ago` ms before NOW: a conversation someone wrote to. */
const visitorLine = (ago: number) => ({
  type: "message" as const,
  channel: "web" as const,
  author: { role: "visitor" as const },
  text: "hello",
  createdAt: new Date(NOW - ago).toISOString(),
});

/** A store, and the attachments kept with it (a conversation's files go with it). */
async function keeping() {
  const store = memoryStore({ now: () => NOW });
  const attachments = createAttachments({
    store,
    storage: memoryStorage(),
    keyRing: await loadKeyRing(await generateKeyRingConfig()),
    publicUrl: "http://127.0.0.1",
    now: () => NOW,
  });
  return { store, attachments };
}

describe("sweepRetention", () => {
  it("erases abandoned conversations, and a contact only with its last one", async () => {
    const { store, attachments } = await keeping();
    for (const id of ["lone", "busy"]) {
      await store.createContact({
        id,
        siteId: "shop",
        identities: [],
        attributes: {},
        createdAt: "",
      });
    }
    await store.createConversation(conversation("abandoned", "lone", NOW - 2 * DAY));
    await store.createConversation(conversation("silent", "busy", NOW - 2 * DAY));
    await store.createConversation(conversation("talking", "busy", NOW - 2 * DAY));
    await store.createConversation(conversation("fresh", "busy", NOW - 3_600_000));
    await store.append("talking", visitorLine(2 * DAY));
    const sites = [{ id: "shop", name: "Shop", origins: [], locale: "en", agents: [] }];

    expect(await sweepRetention({ store, attachments }, sites, NOW)).toEqual({
      conversations: 2,
      contacts: 1,
    });
    expect(await store.getConversation("abandoned")).toBeNull();
    expect(await store.getContact("lone")).toBeNull();
    expect(await store.getConversation("silent")).toBeNull();
    expect(await store.contactConversationIds("busy")).toEqual(["talking", "fresh"]);
    // Nothing more is due.
    expect(await sweepRetention({ store, attachments }, sites, NOW)).toEqual({
      conversations: 0,
      contacts: 0,
    });
  });

  it("keeps resolved conversations until resolvedDays have passed", async () => {
    const { store, attachments } = await keeping();
    await store.createConversation(conversation("done", "k", NOW - 10 * DAY));
    await store.append("done", visitorLine(10 * DAY));
    await store.updateConversation("done", {
      status: "resolved",
      updatedAt: new Date(NOW - 5 * DAY).toISOString(),
    });
    const site = (resolvedDays: number) => [
      {
        id: "shop",
        name: "Shop",
        origins: [],
        locale: "en",
        agents: [],
        retention: { resolvedDays },
      },
    ];
    expect((await sweepRetention({ store, attachments }, site(7), NOW)).conversations).toBe(0);
    expect((await sweepRetention({ store, attachments }, site(5), NOW)).conversations).toBe(1);
    expect(await store.getConversation("done")).toBeNull();
  });
});
