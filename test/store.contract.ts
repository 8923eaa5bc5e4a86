import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallbackRequest, Contact, Conversation } from "../sdk/protocol.ts";
import { randomId } from "../server/auth/base32.ts";
import type { LiveNotice, NewEvent, QueueEndpoint, Store } from "../server/store/types.ts";

let counter = 0;
const uniqueId = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

function newConversation(overrides: Partial<Conversation> = {}): Conversation {
  const at = new Date().toISOString();
  return {
    id: uniqueId("c"),
    siteId: overrides.siteId ?? uniqueId("site"),
    contactId: uniqueId("k"),
    status: "open",
    activeChannel: "web",
    channels: [{ channel: "web", linkedAt: at }],
    context: { url: "https://shop.example/p/1", pages: [], attributes: {} },
    createdAt: at,
    updatedAt: at,
    lastSeq: 0,
    ...overrides,
  };
}

function visitorMessage(text: string, clientId?: string): NewEvent {
  return {
    type: "message",
    channel: "web",
    author: { role: "visitor" },
    text,
    createdAt: new Date().toISOString(),
    ...(clientId ? { clientId } : {}),
  };
}

function newCallback(overrides: Partial<CallbackRequest> = {}): CallbackRequest {
  const at = new Date().toISOString();
  return {
    id: uniqueId("cb"),
    siteId: uniqueId("site"),
    conversationId: uniqueId("c"),
    contactId: uniqueId("k"),
    phone: "+31612345678",
    country: "NL",
    window: { from: "2030-01-07T09:00:00.000Z", to: "2030-01-07T10:00:00.000Z" },
    asap: false,
    timeZone: "Europe/Amsterdam",
    status: "requested",
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** Waits until `predicate` holds for the notices heard so far (pub/sub is asynchronous). */
async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a live notice");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The behaviour every Store must have. Each implementation's test file calls this with a
 * factory; the suite never looks behind the interface.
 */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it("creates and reads a conversation exactly as given", async () => {
      const conversation = newConversation({
        context: {
          url: "https://shop.example/checkout?x=1,2",
          referrer: "https://search.example/?q=ä",
          locale: "nl",
          pages: [
            { url: "https://shop.example/", title: "Home <b>", at: new Date().toISOString() },
          ],
          attributes: { plan: "pro", orders: 3, vip: true, note: null },
          labels: [],
        },
      });
      await store.createConversation(conversation);
      expect(await store.getConversation(conversation.id)).toEqual(conversation);
      expect(await store.getConversation("missing")).toBeNull();
    });

    it("numbers appended events 1, 2, 3 and reads them back after a seq", async () => {
      const conversation = newConversation();
      await store.createConversation(conversation);
      for (const text of ["hello", 'a, b "quoted" ☃', "third"]) {
        await store.append(conversation.id, visitorMessage(text));
      }
      const all = await store.eventsAfter(conversation.id, 0);
      expect(all.map((e) => [e.seq, e.text])).toEqual([
        [1, "hello"],
        [2, 'a, b "quoted" ☃'],
        [3, "third"],
      ]);
      expect(new Set(all.map((e) => e.id)).size).toBe(3);
      expect((await store.eventsAfter(conversation.id, 2)).map((e) => e.seq)).toEqual([3]);
      expect(await store.eventsAfter(conversation.id, 3)).toEqual([]);
      expect((await store.eventsAfter(conversation.id, 0, 2)).map((e) => e.seq)).toEqual([1, 2]);
    });

    it("keeps every field of an event", async () => {
      const conversation = newConversation();
      await store.createConversation(conversation);
      const input: NewEvent = {
        type: "system",
        channel: "messenger",
        author: { role: "system", name: "omnithread" },
        text: "moved to Messenger",
        createdAt: new Date().toISOString(),
        clientId: "mid.abc",
        name: "channel.linked",
        data: { psid: "123", nested: { list: [1, "two"] }, empty: [] },
      };
      const { event } = await store.append(conversation.id, input);
      expect(event).toEqual({ ...input, id: event.id, seq: 1 });
      expect(await store.eventsAfter(conversation.id, 0)).toEqual([event]);
    });

    it("returns the first event when the same clientId is appended again", async () => {
      const conversation = newConversation();
      await store.createConversation(conversation);
      const first = await store.append(conversation.id, visitorMessage("once", "k-1"));
      const again = await store.append(conversation.id, visitorMessage("twice?", "k-1"));
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(again.event).toEqual(first.event);
      expect((await store.eventsAfter(conversation.id, 0)).length).toBe(1);
      expect((await store.getConversation(conversation.id))?.lastSeq).toBe(1);
    });

    it("gives 50 parallel appends seq 1..50 exactly once each", async () => {
      const conversation = newConversation();
      await store.createConversation(conversation);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.append(conversation.id, visitorMessage(`m${i}`, `p${i}`)),
        ),
      );
      expect(results.map((r) => r.event.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      const log = await store.eventsAfter(conversation.id, 0);
      expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(new Set(log.map((e) => e.text)).size).toBe(50);
    });

    it("gives one event per key when the same key races itself", async () => {
      const conversation = newConversation();
      await store.createConversation(conversation);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.append(conversation.id, visitorMessage("same", "dup")),
        ),
      );
      expect(new Set(results.map((r) => r.event.seq))).toEqual(new Set([1]));
      expect(results.filter((r) => !r.duplicate).length).toBe(1);
    });

    it("refuses to append to a conversation that does not exist", async () => {
      await expect(store.append("nope", visitorMessage("x"))).rejects.toMatchObject({
        code: "not_found",
      });
    });

    it("updates lastSeq, updatedAt, preview and active channel on append", async () => {
      const conversation = newConversation();
      await store.createConversation(conversation);
      const at = new Date(Date.now() + 1000).toISOString();
      await store.append(conversation.id, {
        ...visitorMessage("from messenger"),
        channel: "messenger",
        createdAt: at,
      });
      await store.append(conversation.id, {
        type: "note",
        channel: "web",
        author: { role: "agent", id: "a@x" },
        text: "internal",
        createdAt: at,
      });
      const after = await store.getConversation(conversation.id);
      await store.updateConversation(conversation.id, { assignee: "a@x", updatedAt: at });
      const third = await store.append(conversation.id, visitorMessage("who answers?"));
      expect(third.assignee).toBe("a@x");
      expect(after).toMatchObject({
        lastSeq: 2,
        updatedAt: at,
        activeChannel: "messenger",
        lastText: "from messenger",
      });
    });

    it("reopens a resolved conversation when the visitor writes, and not when an agent does", async () => {
      const conversation = newConversation({ status: "resolved" });
      await store.createConversation(conversation);
      await store.append(conversation.id, {
        type: "message",
        channel: "web",
        author: { role: "agent", id: "a@x" },
        text: "closing note to visitor",
        createdAt: new Date().toISOString(),
      });
      expect((await store.getConversation(conversation.id))?.status).toBe("resolved");
      await store.append(conversation.id, visitorMessage("one more question"));
      expect((await store.getConversation(conversation.id))?.status).toBe("open");
      const open = await store.listConversations(conversation.siteId, { status: "open" });
      expect(open.map((c) => c.id)).toEqual([conversation.id]);
      expect(await store.listConversations(conversation.siteId, { status: "resolved" })).toEqual(
        [],
      );
    });

    it("patches status, assignee, context and channels", async () => {
      const conversation = newConversation();
      await store.createConversation(conversation);
      const at = new Date(Date.now() + 5000).toISOString();
      const patched = await store.updateConversation(conversation.id, {
        status: "pending",
        assignee: "alex@example.com",
        context: { ...conversation.context, attributes: { plan: "pro" } },
        channels: [
          ...conversation.channels,
          { channel: "email", address: "v@example.com", linkedAt: at },
        ],
        updatedAt: at,
      });
      expect(patched).toMatchObject({
        status: "pending",
        assignee: "alex@example.com",
        updatedAt: at,
      });
      expect(patched?.channels).toHaveLength(2);
      expect(await store.getConversation(conversation.id)).toEqual(patched);
      const unassigned = await store.updateConversation(conversation.id, {
        assignee: null,
        updatedAt: at,
      });
      expect(unassigned?.assignee).toBeUndefined();
      expect(
        await store.updateConversation("missing", { status: "open", updatedAt: at }),
      ).toBeNull();
    });

    it("lists a site's inbox by status, most recently updated first", async () => {
      const siteId = uniqueId("site");
      const base = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const at = new Date(base + i * 1000).toISOString();
        const c = newConversation({ siteId, createdAt: at, updatedAt: at });
        ids.push(c.id);
        await store.createConversation(c);
      }
      await store.createConversation(newConversation()); // another site's
      expect((await store.listConversations(siteId)).map((c) => c.id)).toEqual([...ids].reverse());
      // Writing to the oldest moves it to the top.
      await store.append(ids[0]!, {
        ...visitorMessage("bump"),
        createdAt: new Date(base + 9000).toISOString(),
      });
      expect((await store.listConversations(siteId)).map((c) => c.id)).toEqual([
        ids[0],
        ids[2],
        ids[1],
      ]);
      await store.updateConversation(ids[2]!, {
        status: "resolved",
        updatedAt: new Date(base + 9500).toISOString(),
      });
      expect((await store.listConversations(siteId, { status: "open" })).map((c) => c.id)).toEqual([
        ids[0],
        ids[1],
      ]);
      expect(
        (await store.listConversations(siteId, { status: "resolved" })).map((c) => c.id),
      ).toEqual([ids[2]]);
      expect(await store.listConversations(siteId, { limit: 1 })).toHaveLength(1);
    });

    it("stores contacts and lets the first claim of an identity win", async () => {
      const siteId = uniqueId("site");
      const contact: Contact = {
        id: uniqueId("k"),
        siteId,
        identities: [{ kind: "visitor", value: "v1", verified: false }],
        attributes: { plan: "free" },
        createdAt: new Date().toISOString(),
      };
      await store.createContact(contact);
      expect(await store.getContact(contact.id)).toEqual(contact);
      await store.saveContact({ ...contact, name: "Ana", email: "ana@example.com" });
      expect(await store.getContact(contact.id)).toMatchObject({
        name: "Ana",
        email: "ana@example.com",
      });
      expect(await store.getContact("missing")).toBeNull();

      const identity = { kind: "user" as const, value: "user-42" };
      expect(await store.findContactId(siteId, identity)).toBeNull();
      const [a, b] = await Promise.all([
        store.claimIdentity(siteId, identity, "contact-a"),
        store.claimIdentity(siteId, identity, "contact-b"),
      ]);
      expect(a).toBe(b);
      expect(await store.findContactId(siteId, identity)).toBe(a);
      expect(await store.findContactId("other-site", identity)).toBeNull();
    });

    it("remembers a contact's conversations, oldest first", async () => {
      const contactId = uniqueId("k");
      const first = newConversation({ contactId });
      const second = newConversation({
        contactId,
        createdAt: new Date(Date.now() + 1).toISOString(),
      });
      await store.createConversation(first);
      await store.createConversation(second);
      expect(await store.contactConversationIds(contactId)).toEqual([first.id, second.id]);
    });

    it("moves a conversation to another contact, in the contacts' indexes too", async () => {
      const from = uniqueId("k");
      const to = uniqueId("k");
      const older = newConversation({ contactId: to });
      const moved = newConversation({
        contactId: from,
        createdAt: new Date(Date.now() + 10).toISOString(),
      });
      await store.createConversation(older);
      await store.createConversation(moved);
      const after = await store.updateConversation(moved.id, {
        contactId: to,
        updatedAt: moved.updatedAt,
      });
      expect(after?.contactId).toBe(to);
      expect(await store.contactConversationIds(from)).toEqual([]);
      expect(await store.contactConversationIds(to)).toEqual([older.id, moved.id]);
    });

    it("keeps a one-time value for one taker, until it expires", async () => {
      const key = uniqueId("code");
      await store.putOnce(key, "conversation-1", 10_000);
      const [a, b] = await Promise.all([store.takeOnce(key), store.takeOnce(key)]);
      expect([a, b].sort()).toEqual(["conversation-1", null].sort());
      expect(await store.takeOnce(key)).toBeNull();
      const brief = uniqueId("code");
      await store.putOnce(brief, "x", 50);
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.takeOnce(brief)).toBeNull();
    });

    it("lets a one-time value be read in place, until it is taken or expires", async () => {
      const key = uniqueId("short");
      expect(await store.peekOnce(key)).toBeNull();
      await store.putOnce(key, "handle-1", 10_000);
      expect(await store.peekOnce(key)).toBe("handle-1");
      expect(await store.peekOnce(key)).toBe("handle-1");
      expect(await store.takeOnce(key)).toBe("handle-1");
      expect(await store.peekOnce(key)).toBeNull();
      const brief = uniqueId("short");
      await store.putOnce(brief, "x", 50);
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.peekOnce(brief)).toBeNull();
    });

    it("keeps attachment records with their conversation, found by id alone, gone with it", async () => {
      const siteId = uniqueId("site");
      const conversation = newConversation({ siteId, id: randomId() });
      await store.createConversation(conversation);
      const record = (n: number) => ({
        id: `${conversation.id}-${randomId(6)}`,
        siteId,
        conversationId: conversation.id,
        name: `photo-${n}.png`,
        type: "image/png",
        size: 1000 + n,
        createdAt: new Date(Date.UTC(2026, 11, 4, 10, n)).toISOString(),
        from: "visitor" as const,
      });
      const [second, first] = [record(2), record(1)];
      await store.saveAttachment(second);
      await store.saveAttachment(first);
      expect(await store.getAttachment(first.id)).toEqual(first);
      expect(await store.conversationAttachments(conversation.id)).toEqual([first, second]);
      // An id not shaped as ours, or another conversation's, finds nothing.
      expect(await store.getAttachment("../x")).toBeNull();
      expect(await store.getAttachment(`${randomId()}-${first.id.split("-")[1]}`)).toBeNull();

      await store.erase(siteId, { conversationIds: [conversation.id] });
      expect(await store.getAttachment(first.id)).toBeNull();
      expect(await store.conversationAttachments(conversation.id)).toEqual([]);
    });

    it("raises a high-water mark, never lowers it, and forgets it when it expires", async () => {
      const key = uniqueId("mark");
      expect(await store.raiseMark(key, 0, 10_000)).toBe(0);
      expect(await store.raiseMark(key, 5, 10_000)).toBe(5);
      expect(await store.raiseMark(key, 3, 10_000)).toBe(5);
      expect(await store.raiseMark(key, 0, 10_000)).toBe(5);
      const raced = await Promise.all([7, 9, 8].map((v) => store.raiseMark(key, v, 10_000)));
      expect(Math.max(...raced)).toBe(9);
      expect(await store.raiseMark(key, 0, 10_000)).toBe(9);
      const brief = uniqueId("mark");
      expect(await store.raiseMark(brief, 4, 50)).toBe(4);
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.raiseMark(brief, 0, 50)).toBe(0);
      expect(await store.raiseMark(brief, 2, 50)).toBe(2);
    });

    it("keeps agents' presence until it expires, per site", async () => {
      const siteId = uniqueId("site");
      const now = Date.now();
      await store.setPresence(siteId, "ana@example.com", "online", now + 60_000);
      await store.setPresence(siteId, "bo@example.com", "away", now + 60_000);
      await store.setPresence(siteId, "cy@example.com", "online", now - 1);
      expect(await store.presence(siteId, now)).toEqual({
        "ana@example.com": "online",
        "bo@example.com": "away",
      });
      expect(await store.presence(siteId, now + 61_000)).toEqual({});
      await store.setPresence(siteId, "ana@example.com", null, 0);
      expect(await store.presence(siteId, now)).toEqual({ "bo@example.com": "away" });
      expect(await store.presence(uniqueId("site"), now)).toEqual({});
    });

    it("counts hits in a window and starts over when it ends", async () => {
      const key = uniqueId("rl");
      expect((await store.hit(key, 200)).count).toBe(1);
      const second = await store.hit(key, 200);
      expect(second.count).toBe(2);
      expect(second.resetMs).toBeGreaterThan(0);
      expect(second.resetMs).toBeLessThanOrEqual(200);
      await new Promise((r) => setTimeout(r, 260));
      expect((await store.hit(key, 200)).count).toBe(1);
    });

    it("publishes a notice for every new append, and none for a duplicate", async () => {
      const conversation = newConversation();
      await store.createConversation(conversation);
      const heard: LiveNotice[] = [];
      // Resolved means listening: what is appended next is heard.
      const stop = await store.subscribe((n) => {
        if (n.kind === "event" && n.conversationId === conversation.id) heard.push(n);
      });
      try {
        await store.append(conversation.id, visitorMessage("live", "live-1"));
        await store.append(conversation.id, visitorMessage("live", "live-1"));
        await store.append(conversation.id, visitorMessage("live 2"));
        await until(() => heard.length >= 2);
        await new Promise((r) => setTimeout(r, 50));
        expect(
          heard.map((n) => (n.kind === "event" ? [n.siteId, n.event.seq, n.event.text] : null)),
        ).toEqual([
          [conversation.siteId, 1, "live"],
          [conversation.siteId, 2, "live 2"],
        ]);
      } finally {
        stop();
      }
    });

    it("saves a callback only over the version it was read at", async () => {
      const callback = newCallback({ note: "About my order", claimedBy: undefined });
      delete callback.claimedBy;
      expect(await store.saveCallback(callback, 0)).toBe(true);
      expect(await store.getCallback(callback.id)).toEqual(callback);
      // A second create, or a change made on a stale copy, changes nothing.
      expect(await store.saveCallback({ ...callback, note: "again" }, 0)).toBe(false);
      const claimed = {
        ...callback,
        claimedBy: { email: "a@example.com", name: "Alex" },
        version: 2,
      };
      const rival = { ...callback, claimedBy: { email: "b@example.com", name: "Bo" }, version: 2 };
      const results = await Promise.all([
        store.saveCallback(claimed, 1),
        store.saveCallback(rival, 1),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? claimed : rival;
      expect(await store.getCallback(callback.id)).toEqual(winner);
      expect(await store.getCallback(uniqueId("cb"))).toBeNull();
    });

    it("lists the queue by window start and final callbacks by their latest change", async () => {
      const siteId = uniqueId("site");
      const at = (h: number) => `2030-01-07T${String(h).padStart(2, "0")}:00:00.000Z`;
      const late = newCallback({ siteId, window: { from: at(15), to: at(16) } });
      const early = newCallback({ siteId, window: { from: at(9), to: at(10) } });
      const scheduled = newCallback({
        siteId,
        status: "scheduled",
        window: { from: at(11), to: at(12) },
      });
      const other = newCallback({ window: { from: at(8), to: at(9) } });
      for (const cb of [late, early, scheduled, other])
        expect(await store.saveCallback(cb, 0)).toBe(true);

      const queue = await store.listCallbacks(siteId, ["requested", "scheduled"]);
      expect(queue.map((c) => c.id)).toEqual([early.id, scheduled.id, late.id]);
      expect((await store.listCallbacks(siteId, ["requested"])).map((c) => c.id)).toEqual([
        early.id,
        late.id,
      ]);
      expect(await store.listCallbacks(siteId, ["requested", "scheduled"], 1)).toEqual([early]);

      // Completing moves it out of the queue into the completed list, newest change first.
      const done1 = { ...early, status: "completed" as const, version: 2, updatedAt: at(10) };
      const done2 = { ...late, status: "completed" as const, version: 2, updatedAt: at(17) };
      expect(await store.saveCallback(done1, 1)).toBe(true);
      expect(await store.saveCallback(done2, 1)).toBe(true);
      expect(
        (await store.listCallbacks(siteId, ["requested", "scheduled"])).map((c) => c.id),
      ).toEqual([scheduled.id]);
      expect((await store.listCallbacks(siteId, ["completed"])).map((c) => c.id)).toEqual([
        late.id,
        early.id,
      ]);
    });

    it("lists a conversation's callbacks, the newest request first", async () => {
      const conversationId = uniqueId("c");
      const first = newCallback({ conversationId, createdAt: "2030-01-01T10:00:00.000Z" });
      const second = newCallback({ conversationId, createdAt: "2030-01-02T10:00:00.000Z" });
      await store.saveCallback(first, 0);
      await store.saveCallback(second, 0);
      await store.saveCallback(newCallback(), 0);
      expect((await store.conversationCallbacks(conversationId)).map((c) => c.id)).toEqual([
        second.id,
        first.id,
      ]);
      expect(await store.conversationCallbacks(uniqueId("c"))).toEqual([]);
    });

    it("fans out published notices to subscribers", async () => {
      const heard: LiveNotice[] = [];
      const siteId = uniqueId("site");
      const stop = await store.subscribe((n) => {
        if (n.siteId === siteId) heard.push(n);
      });
      try {
        const notice: LiveNotice = {
          kind: "typing",
          siteId,
          conversationId: "c1",
          author: { role: "agent", name: "Alex" },
        };
        await store.publish(notice);
        await until(() => heard.length === 1);
        expect(heard[0]).toEqual(notice);
      } finally {
        stop();
      }
    });

    it("hears only its scope: one conversation, or one site's conversations and team", async () => {
      const siteId = uniqueId("site");
      const mine = newConversation({ siteId });
      const sibling = newConversation({ siteId });
      const elsewhere = newConversation();
      for (const c of [mine, sibling, elsewhere]) await store.createConversation(c);
      const byConversation: string[] = [];
      const bySite: string[] = [];
      const label = (n: LiveNotice) =>
        n.kind === "event" ? n.event.text : n.kind === "presence" ? `presence ${n.email}` : n.kind;
      const stops = await Promise.all([
        store.subscribe((n) => byConversation.push(label(n)), {
          siteId,
          conversationId: mine.id,
        }),
        store.subscribe((n) => bySite.push(label(n)), { siteId }),
      ]);
      try {
        await store.append(elsewhere.id, visitorMessage("another site"));
        await store.append(sibling.id, visitorMessage("a sibling"));
        await store.publish({ kind: "presence", siteId, email: "a@example.com", status: "online" });
        // A callback request is the team's business, though it names the conversation.
        await store.publish({
          kind: "callback",
          siteId,
          callback: newCallback({ siteId, conversationId: mine.id }),
        });
        await store.publish({
          kind: "typing",
          siteId,
          conversationId: mine.id,
          author: { role: "visitor" },
        });
        await store.append(mine.id, visitorMessage("mine"));
        await until(() => byConversation.length >= 2 && bySite.length >= 5);
        await new Promise((r) => setTimeout(r, 50));
        expect(byConversation).toEqual(["typing", "mine"]);
        expect(bySite).toEqual([
          "a sibling",
          "presence a@example.com",
          "callback",
          "typing",
          "mine",
        ]);
      } finally {
        for (const stop of stops) stop();
      }
    });

    it("reports conversations, messages, changes and contacts on the site's feed, in order", async () => {
      const conversation = newConversation();
      const { siteId } = conversation;
      await store.createConversation(conversation);
      const first = await store.append(
        conversation.id,
        visitorMessage("where is my order?", "f-1"),
      );
      await store.append(conversation.id, visitorMessage("where is my order?", "f-1"));
      await store.append(conversation.id, {
        ...visitorMessage("VIP, be quick"),
        type: "note",
        author: { role: "agent", id: "ann@example.com" },
      });
      await store.updateConversation(conversation.id, {
        status: "resolved",
        assignee: "ann@example.com",
        updatedAt: new Date().toISOString(),
      });
      await store.append(conversation.id, {
        type: "system",
        channel: "web",
        author: { role: "system" },
        text: "Conversation resolved by Ann",
        name: "conversation.resolved",
        createdAt: new Date().toISOString(),
      });
      const contact: Contact = {
        id: conversation.contactId,
        siteId,
        identities: [],
        attributes: { orders: 3 },
        createdAt: new Date().toISOString(),
      };
      await store.saveContact(contact);

      const items = await store.readLog(siteId, "feed", undefined, 10);
      const bodies = items.map((i) => JSON.parse(i.body));
      // The note stays inside; the duplicate append reports nothing.
      expect(bodies.map((b) => b.type)).toEqual([
        "conversation.created",
        "message.created",
        "conversation.updated",
        "contact.updated",
      ]);
      const base = { conversationId: conversation.id, contactId: conversation.contactId };
      expect(bodies[0].data).toEqual({
        ...base,
        status: "open",
        assignee: null,
        activeChannel: "web",
      });
      expect(bodies[1]).toEqual({
        type: "message.created",
        timestamp: first.event.createdAt,
        data: { ...base, status: "open", assignee: null, activeChannel: "web", event: first.event },
      });
      expect(bodies[2].data).toMatchObject({
        ...base,
        status: "resolved",
        assignee: "ann@example.com",
      });
      expect(bodies[2].data.event.name).toBe("conversation.resolved");
      expect(bodies[3].data).toEqual({ contactId: contact.id, contact });

      // Paging by cursor: after an item, the ones behind it; the cursors only grow.
      const cursors = items.map((i) => i.cursor);
      for (const c of cursors) expect(c).toMatch(/^\d+-\d+$/);
      expect(await store.readLog(siteId, "feed", cursors[1], 1)).toEqual([items[2]]);
      expect(await store.readLog(siteId, "feed", cursors[3], 10)).toEqual([]);
      expect(await store.readLog(uniqueId("site"), "feed", undefined, 10)).toEqual([]);
    });

    it("keeps audit entries in a site log of their own", async () => {
      const siteId = uniqueId("site");
      const cursor = await store.writeLog(siteId, "audit", '{"action":"exported"}', {
        contactId: "k1",
      });
      expect(await store.readLog(siteId, "audit", undefined, 5)).toEqual([
        { cursor, body: '{"action":"exported"}' },
      ]);
      expect(await store.readLog(siteId, "feed", undefined, 5)).toEqual([]);
    });

    it("queues feed items per endpoint and conversation, leasing each lane to one claimer", async () => {
      const siteId = uniqueId("site");
      const all: QueueEndpoint = { id: "e1", events: ["message.created", "conversation.created"] };
      const early = newConversation({ siteId });
      await store.createConversation(early);
      // A new endpoint hears what happens from now on.
      expect(await store.queueWebhooks(siteId, [all], Date.now())).toBe(0);
      const a = newConversation({ siteId });
      const b = newConversation({ siteId });
      await store.createConversation(a);
      await store.append(a.id, visitorMessage("a1"));
      await store.append(a.id, visitorMessage("a2"));
      await store.createConversation(b);
      await store.append(b.id, visitorMessage("b1"));
      // Two instances pumping at once queue each item once.
      const now = Date.now();
      const counts = await Promise.all([
        store.queueWebhooks(siteId, [all], now),
        store.queueWebhooks(siteId, [all], now),
      ]);
      expect(counts[0]! + counts[1]!).toBe(5);

      const mine = async (at: number) =>
        (await store.claimWebhooks(at, 30_000, 1000)).filter((c) => c.siteId === siteId);
      const claims = await mine(now);
      // One lane per conversation, each at its oldest item.
      const heads = claims
        .map((c) => JSON.parse(c.item!.body))
        .map((x) => [x.type, x.data.conversationId]);
      expect(heads.sort()).toEqual(
        [
          ["conversation.created", a.id],
          ["conversation.created", b.id],
        ].sort(),
      );
      expect(claims.every((c) => c.attempt === 1 && c.endpointId === "e1")).toBe(true);
      // Leased: nobody else gets them, however often they ask.
      expect(await mine(now + 1000)).toEqual([]);

      const laneA = claims.find((c) => c.refs.conversationId === a.id)!;
      const laneB = claims.find((c) => c.refs.conversationId === b.id)!;
      expect(await store.settleWebhook(laneA, { result: "delivered", log: '{"n":1}' }, now)).toBe(
        true,
      );
      // A settled lease is spent: a second settle of it changes nothing.
      expect(await store.settleWebhook(laneA, { result: "delivered" }, now)).toBe(false);
      await store.settleWebhook(
        laneB,
        { result: "retry", retryAt: now + 5000, log: '{"n":2}' },
        now,
      );

      const next = await mine(now + 10);
      expect(next.map((c) => JSON.parse(c.item!.body).data.event.text)).toEqual(["a1"]);
      // B's head comes back when its retry is due, as the same item, counting the attempt.
      const again = await mine(now + 5000);
      expect(again.map((c) => [c.item!.cursor, c.attempt])).toEqual([[laneB.item!.cursor, 2]]);

      const log = await store.readLog(siteId, "deliveries", undefined, 10);
      expect(log.map((i) => i.body)).toEqual(['{"n":1}', '{"n":2}']);
    });

    it("switches an endpoint off when told it is gone, dropping what it had queued", async () => {
      const siteId = uniqueId("site");
      const gone: QueueEndpoint = { id: "gone", events: ["message.created"] };
      const kept: QueueEndpoint = { id: "kept", events: ["message.created"] };
      await store.queueWebhooks(siteId, [gone, kept], Date.now());
      const conversation = newConversation({ siteId });
      await store.createConversation(conversation);
      await store.append(conversation.id, visitorMessage("one"));
      await store.append(conversation.id, visitorMessage("two"));
      const now = Date.now();
      expect(await store.queueWebhooks(siteId, [gone, kept], now)).toBe(4);
      const claims = (await store.claimWebhooks(now, 30_000, 1000)).filter(
        (c) => c.siteId === siteId,
      );
      const goneClaim = claims.find((c) => c.endpointId === "gone")!;
      await store.settleWebhook(goneClaim, { result: "disabled", log: '{"410":true}' }, now);
      await store.append(conversation.id, visitorMessage("three"));
      expect(await store.queueWebhooks(siteId, [gone, kept], now)).toBe(1);
      const keptClaim = claims.find((c) => c.endpointId === "kept")!;
      await store.settleWebhook(keptClaim, { result: "delivered" }, now);
      const later = (await store.claimWebhooks(now + 60_000, 30_000, 1000)).filter(
        (c) => c.siteId === siteId,
      );
      expect(later.map((c) => [c.endpointId, JSON.parse(c.item!.body).data.event.text])).toEqual([
        ["kept", "two"],
      ]);
    });

    it("erases a contact and its conversations, leaving its neighbours alone", async () => {
      const siteId = uniqueId("site");
      const contactId = uniqueId("k");
      const endpoint: QueueEndpoint = { id: "crm", events: ["message.created"] };
      await store.queueWebhooks(siteId, [endpoint], Date.now());
      const a = newConversation({ siteId, contactId });
      const b = newConversation({ siteId, contactId });
      const neighbour = newConversation({ siteId });
      for (const c of [a, b, neighbour]) await store.createConversation(c);
      const address = `${contactId}@mail.example`;
      expect(await store.claimIdentity(siteId, { kind: "email", value: address }, contactId)).toBe(
        contactId,
      );
      await store.saveContact({
        id: contactId,
        siteId,
        identities: [{ kind: "email", value: address, verified: false }],
        attributes: {},
        createdAt: new Date().toISOString(),
      });
      await store.append(a.id, visitorMessage("one", "e-1"));
      await store.append(a.id, visitorMessage("two"));
      await store.append(b.id, visitorMessage("three"));
      await store.append(neighbour.id, visitorMessage("next door"));
      const callback = newCallback({ siteId, conversationId: a.id, contactId });
      await store.saveCallback(callback, 0);
      const code = uniqueId("code");
      await store.putOnce(code, a.id, 60_000, a.id);
      await store.writeLog(siteId, "audit", '{"action":"contact.exported"}', { contactId });
      await store.queueWebhooks(siteId, [endpoint], Date.now());

      expect(await store.erase(siteId, { conversationIds: [a.id, b.id], contactId })).toEqual({
        conversations: 2,
        events: 3,
      });
      expect(await store.getConversation(a.id)).toBeNull();
      expect(await store.getConversation(b.id)).toBeNull();
      expect(await store.eventsAfter(a.id, 0)).toEqual([]);
      expect(await store.getContact(contactId)).toBeNull();
      expect(await store.contactConversationIds(contactId)).toEqual([]);
      expect(await store.getCallback(callback.id)).toBeNull();
      expect(await store.listCallbacks(siteId, ["requested"])).toEqual([]);
      expect(await store.takeOnce(code)).toBeNull();
      // The address is free: a later message from it starts a new contact.
      expect(await store.findContactId(siteId, { kind: "email", value: address })).toBeNull();
      expect(await store.claimIdentity(siteId, { kind: "email", value: address }, "k-new")).toBe(
        "k-new",
      );
      // A second append with the erased conversation's key is refused, not stored anew.
      await expect(store.append(a.id, visitorMessage("one", "e-1"))).rejects.toThrow();
      expect((await store.listConversations(siteId)).map((c) => c.id)).toEqual([neighbour.id]);

      const feed = (await store.readLog(siteId, "feed", undefined, 100)).map((i) => i.body);
      expect(feed.some((body) => body.includes(a.id) || body.includes(contactId))).toBe(false);
      expect(feed.filter((body) => body.includes(neighbour.id))).toHaveLength(2);
      expect(await store.readLog(siteId, "audit", undefined, 10)).toEqual([]);
      const claims = await store.claimWebhooks(Date.now(), 30_000, 1000);
      expect(claims.filter((c) => c.siteId === siteId).map((c) => c.refs.conversationId)).toEqual([
        neighbour.id,
      ]);

      // Nothing is left to erase, and another site cannot erase this site's conversations.
      expect(await store.erase(siteId, { conversationIds: [a.id], contactId })).toEqual({
        conversations: 0,
        events: 0,
      });
      expect(await store.erase(uniqueId("site"), { conversationIds: [neighbour.id] })).toEqual({
        conversations: 0,
        events: 0,
      });
      expect(await store.getConversation(neighbour.id)).not.toBeNull();
    });

    it("finds what retention erases: long-resolved and abandoned conversations", async () => {
      const siteId = uniqueId("site");
      const now = Date.now();
      const ago = (hours: number) => new Date(now - hours * 3_600_000).toISOString();
      const written = async (createdHoursAgo: number) => {
        const c = newConversation({
          siteId,
          createdAt: ago(createdHoursAgo),
          updatedAt: ago(createdHoursAgo),
        });
        await store.createConversation(c);
        await store.append(c.id, { ...visitorMessage("hi"), createdAt: ago(createdHoursAgo) });
        return c;
      };
      const resolvedLongAgo = await written(300);
      await store.updateConversation(resolvedLongAgo.id, {
        status: "resolved",
        updatedAt: ago(240),
      });
      const resolvedLately = await written(300);
      await store.updateConversation(resolvedLately.id, { status: "resolved", updatedAt: ago(1) });
      await written(300); // open, however old: kept
      const abandoned = newConversation({ siteId, createdAt: ago(48), updatedAt: ago(48) });
      await store.createConversation(abandoned);
      await store.createConversation(newConversation({ siteId })); // silent, but only just opened
      // An agent's line is not the visitor's: still abandoned.
      await store.append(abandoned.id, {
        ...visitorMessage("Can I help?"),
        author: { role: "agent", id: "ann@example.com" },
        createdAt: ago(47),
      });

      const cutoffs = {
        resolvedBefore: now - 7 * 24 * 3_600_000,
        idleBefore: now - 24 * 3_600_000,
      };
      expect((await store.expiring(siteId, cutoffs, 100)).sort()).toEqual(
        [resolvedLongAgo.id, abandoned.id].sort(),
      );
      expect(await store.expiring(siteId, { idleBefore: cutoffs.idleBefore }, 100)).toEqual([
        abandoned.id,
      ]);
      expect(await store.expiring(siteId, cutoffs, 1)).toHaveLength(1);
      expect(await store.expiring(uniqueId("site"), cutoffs, 100)).toEqual([]);
    });
  });
}
