import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import { agentInbox, agentThread, until } from "../helpers/agent-api.ts";
import { launchChromium, watchProblems } from "../helpers/chromium.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

/**
 * End to end, the newcomer's path on one machine: the demo shop's widget hands the chat over to
 * Messenger, the demo's Messenger simulator (`/demo/messenger`, Meta's side played by the
 * server) continues it, the agent answers into Messenger through the agent API, and the visitor
 * comes back to the website chat with the whole thread. Debian's Chromium, the real server.
 */
let server: RunningServer;
let browser: Browser;
let agentToken: string;

beforeAll(async () => {
  server = await startTestServer({}, undefined, { messengerSimulator: true });
  browser = await launchChromium();
  const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
    body: { email: "agent@example.com", password: "omnithread-demo" },
  });
  expect(login.status).toBe(200);
  agentToken = login.body.token;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A text shown on the page (a live region may announce the same text: take the first). */
const shown = (page: Page, text: string | RegExp, timeout = 5000) =>
  page
    .getByText(text, typeof text === "string" ? { exact: true } : {})
    .first()
    .waitFor({ timeout });

const thread = (conversationId: string) => agentThread(server.url, agentToken, conversationId);
const inbox = () => agentInbox(server.url, agentToken);

describe("web chat → Messenger (simulator) → web chat, in Chromium", () => {
  it("continues one thread from the shop's widget in Messenger and back", async () => {
    const webText = "Hi! I ordered the rain jacket, can we go on in Messenger?";
    const messengerText = "It's me again, now in Messenger 👋";
    const replyText = "Hello from Alex: your jacket ships tomorrow <b>not bold</b>";

    // 1. The visitor chats on the demo shop's help page.
    const laptop: BrowserContext = await browser.newContext({
      viewport: { width: 1200, height: 800 },
    });
    const shop = await laptop.newPage();
    const shopProblems = watchProblems(shop);
    await shop.goto(`${server.url}/help.html`);
    await shop.getByRole("button", { name: /open chat/i }).click();
    const composer = shop.getByRole("textbox");
    await composer.fill(webText);
    await composer.press("Enter");
    await shown(shop, webText);
    const conversation = (
      await until(
        inbox,
        (list) => list.some((c) => c.lastText === webText),
        "the web message in the inbox",
      )
    ).find((c) => c.lastText === webText)!;

    // 2. "Other ways to reach us" → "Continue on Messenger" shows a link to the simulator.
    const more = shop.getByRole("button", { name: "Other ways to reach us" });
    await more.click();
    expect(await more.getAttribute("aria-expanded")).toBe("true");
    await shop.getByRole("button", { name: "Continue on Messenger" }).click();
    const link = shop.getByRole("link", { name: "Continue on Messenger" });
    await link.waitFor();
    const href = new URL((await link.getAttribute("href"))!);
    expect(`${href.origin}${href.pathname}`).toBe(`${server.url}/demo/messenger`);
    const ref = href.searchParams.get("ref");
    expect(ref).toMatch(/^[a-z2-7]{44}$/);
    expect(await link.getAttribute("target")).toBe("_blank");
    // The thread says where it is going.
    await shown(shop, "Continuing in Messenger");

    // 3. Following the link opens the simulator (a new tab: the visitor's "phone").
    const [phone] = await Promise.all([laptop.waitForEvent("page"), link.click()]);
    const phoneProblems = watchProblems(phone);
    await phone.waitForLoadState("domcontentloaded");
    expect(phone.url()).toContain(`/demo/messenger`);
    await phone.getByRole("heading", { name: "Demo shop" }).waitFor();
    // The ref is used once: the simulator takes it out of the address bar.
    await expect.poll(() => new URL(phone.url()).search).toBe("");

    // 4. A new Messenger thread starts with Get Started, which carries the link's ref.
    const getStarted = phone.getByRole("button", { name: "Get Started" });
    const started = phone.waitForResponse((r) => r.url().endsWith("/demo/messenger/send"));
    await getStarted.click();
    expect((await started).status()).toBe(200);
    await shown(phone, "Get Started");
    await expect.poll(() => getStarted.isVisible()).toBe(false);

    // 5. The visitor writes in Messenger.
    const box = phone.getByRole("textbox", { name: "Message" });
    await box.fill(messengerText);
    const sent = phone.waitForResponse((r) => r.url().endsWith("/demo/messenger/send"));
    await phone.getByRole("button", { name: "Send", exact: true }).click();
    expect((await sent).status()).toBe(200);
    await shown(phone, messengerText);

    // 6. The agent sees ONE thread: web message, handoff, the link, the Messenger message.
    const seen = await until(
      () => thread(conversation.id),
      (t) => t.events.some((e) => e.type === "message" && e.text === messengerText),
      "the Messenger message in the web thread",
    );
    const psid = await phone.evaluate(() => localStorage.getItem("omnithread-simulator:psid"));
    expect(psid).toMatch(/^\d{16}$/);
    expect(seen.conversation.activeChannel).toBe("messenger");
    expect(seen.conversation.channels.map((c) => c.channel)).toEqual(["web", "messenger"]);
    expect(seen.conversation.channels.find((c) => c.channel === "messenger")?.address).toBe(psid);
    const rows = seen.events.map((e) => [e.type, e.name ?? e.author.role, e.channel, e.text]);
    expect(rows).toContainEqual(["message", "visitor", "web", webText]);
    expect(rows).toContainEqual(["system", "handoff.requested", "web", "Continuing in Messenger"]);
    expect(rows).toContainEqual([
      "system",
      "channel.linked",
      expect.anything(),
      "Moved to Messenger",
    ]);
    expect(rows).toContainEqual(["message", "visitor", "messenger", messengerText]);
    const order = (match: (e: ThreadEvent) => boolean) => seen.events.findIndex(match);
    expect(order((e) => e.text === webText)).toBeLessThan(
      order((e) => e.name === "channel.linked"),
    );
    expect(order((e) => e.name === "channel.linked")).toBeLessThan(
      order((e) => e.text === messengerText),
    );
    // No second conversation was started for the Messenger user.
    const holding = (await inbox()).filter(
      (c) => c.id !== conversation.id && c.channels.some((l) => l.channel === "messenger"),
    );
    expect(holding).toEqual([]);

    // 7. The agent replies without naming a channel: it goes to Messenger, the active one.
    const reply = await api<{ event: ThreadEvent; deliveredVia: string }>(
      server.url,
      `/v1/agent/conversations/${conversation.id}/messages`,
      { token: agentToken, body: { text: replyText } },
    );
    expect(reply.status).toBe(201);
    expect(reply.body.deliveredVia).toBe("messenger");
    expect(reply.body.event.channel).toBe("messenger");

    // 8. The phone shows the automatic line with the resume link, then the agent's reply.
    const welcome = phone.getByText(/To go on in the chat on our website/);
    await welcome.waitFor();
    const resume = welcome.getByRole("link");
    expect(await resume.getAttribute("href")).toMatch(new RegExp(`^${server.url}/r/[a-z2-7]{44}$`));
    await shown(phone, replyText);
    await shown(phone, "sent as RESPONSE");
    const after = await thread(conversation.id);
    expect(after.events.some((e) => e.name === "delivery.failed")).toBe(false);
    expect(
      after.events.filter((e) => e.author.role === "bot" && e.channel === "messenger"),
    ).toHaveLength(1);

    // 9. Back on the shop's tab: the widget got the Messenger side live…
    await shop.bringToFront();
    await shown(shop, "Moved to Messenger");
    await shown(shop, messengerText);
    await shown(shop, replyText);
    await shown(shop, /To go on in the chat on our website/);
    expect(await shop.getByText("via Messenger").count()).toBeGreaterThanOrEqual(3);

    // …and after a reload, the whole thread is there in order.
    await shop.reload();
    await shop.getByRole("button", { name: /open chat/i }).click();
    const log = shop.getByRole("list", { name: "Messages" });
    await log.getByText(replyText, { exact: true }).waitFor();
    const texts = await log.locator("p.text").allTextContents();
    const at = (text: string) => texts.findIndex((t) => t.startsWith(text));
    expect(at(webText)).toBeGreaterThanOrEqual(0);
    expect(at(webText)).toBeLessThan(at(messengerText));
    expect(at(messengerText)).toBeLessThan(at("Thanks for your message"));
    expect(at("Thanks for your message")).toBeLessThan(at(replyText));

    expect(shopProblems).toEqual([]);
    expect(phoneProblems).toEqual([]);
    await laptop.close();
  });
});
