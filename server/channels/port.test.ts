import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryApp } from "../../test/helpers/memory-app.ts";

async function port() {
  const { services } = await memoryApp();
  return { services, port: services.port };
}

/** Every source file under `dir`, tests aside. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("the channel port", () => {
  it("is all a channel imports of the server: no services bag, no app, no tokens, no hub", () => {
    const forbidden =
      /from "[./]*\/(http\/services|app|auth\/tokens|realtime\/hub|http\/origins)\.ts"/;
    const offenders = sources("server/channels").filter((file) =>
      forbidden.test(readFileSync(file, "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("hands a channel only the calls it names, each working on the app's own store", async () => {
    const { services, port: p } = await port();
    const store = p.store as unknown as Record<string, unknown>;
    // Erasure, listings and the webhook queue are not a channel's business.
    for (const call of ["erase", "listConversations", "claimWebhooks", "updateConversation"]) {
      expect(store[call]).toBeUndefined();
    }
    expect(Object.isFrozen(p)).toBe(true);
    const { conversation } = await p.threads.start("demo", null, {});
    const { event } = await p.threads.postVisitorMessage(conversation.id, {
      clientId: "c1",
      text: "Hello from a channel",
    });
    // Bound to the real store: what the channel wrote, the app reads.
    expect((await services.store.eventsAfter(conversation.id, 0)).at(-1)?.id).toBe(event.id);
    expect((await p.store.getConversation(conversation.id))?.lastSeq).toBe(event.seq);
  });

  it("makes resume links on the public URL that open on the web channel", async () => {
    const { services, port: p } = await port();
    const { conversation } = await p.threads.start("demo", null, {});
    const link = await p.resumeLink(conversation.id);
    expect(link.startsWith(`${services.config.publicUrl}/r/`)).toBe(true);
    const handle = link.split("/r/")[1]!;
    expect((await services.handles.open(handle, "web")).conversationId).toBe(conversation.id);
  });
});
