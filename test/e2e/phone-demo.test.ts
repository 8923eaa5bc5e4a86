import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import { agentInbox, agentThread, loginAgent, until } from "../helpers/agent-api.ts";
import { launchChromium, watchProblems } from "../helpers/chromium.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

/**
 * The demo's Telegram and WhatsApp simulators in Debian's Chromium, on the real server: the
 * links the shop's widget offers open the phones (`/demo/telegram`, `/demo/whatsapp`), what the person
 * does there reaches our webhooks as the platforms send it, the agent's answers show on the
 * phone where the person is, and the resume link brings them back to the shop with the thread.
 */
let server: RunningServer;
let browser: Browser;
let phone: BrowserContext;
let agentToken: string;

beforeAll(async () => {
  server = await startTestServer({}, undefined, {
    messengerSimulator: true,
    telegramSimulator: true,
    whatsappSimulator: true,
  });
  browser = await launchChromium();
  phone = await browser.newContext({ viewport: { width: 390, height: 780 } });
  agentToken = await loginAgent(server.url);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const shown = (page: Page, text: string | RegExp) =>
  page
    .getByText(text, typeof text === "string" ? { exact: true } : {})
    .first()
    .waitFor({ timeout: 5000 });

const thread = (id: string) => agentThread(server.url, agentToken, id);
const answer = (id: string, text: string) =>
  api<{ deliveredVia: string }>(server.url, `/v1/agent/conversations/${id}/messages`, {
    token: agentToken,
    body: { text },
  });
const visitorSaid = (events: ThreadEvent[], channel: string) =>
  events.filter((e) => e.channel === channel && e.author.role === "visitor").map((e) => e.text);

/** Sends what the phone's composer holds, as the person does. */
async function send(page: Page, base: string) {
  const sent = page.waitForResponse((r) => r.url().endsWith(`${base}/send`));
  await page.getByRole("button", { name: "Send", exact: true }).click();
  expect((await sent).status()).toBe(200);
}

describe("the demo's phones, in Chromium", () => {
  it("continue a web chat in Telegram, then WhatsApp, and lead back to the shop", {
    timeout: 30_000,
  }, async () => {
    // The visitor chats in the shop's widget on their laptop.
    const laptop = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const shop = await laptop.newPage();
    const shopProblems = watchProblems(shop);
    await shop.goto(`${server.url}/help.html`);
    await shop.getByRole("button", { name: /open chat/i }).click();
    await shop.getByRole("textbox").fill("Hi, where is my order?");
    await shop.getByRole("textbox").press("Enter");
    const web = (
      await until(
        () => agentInbox(server.url, agentToken),
        (list) => list.some((c) => c.lastText === "Hi, where is my order?"),
        "the web message in the inbox",
      )
    ).find((c) => c.lastText === "Hi, where is my order?")!;

    /** "Other ways to reach us" → the channel's entry: the link the widget shows for it. */
    async function widgetLink(name: string): Promise<URL> {
      const more = shop.getByRole("button", { name: "Other ways to reach us" });
      if ((await more.getAttribute("aria-expanded")) !== "true") await more.click();
      await shop.getByRole("button", { name }).click();
      const link = shop.getByRole("link", { name });
      await link.waitFor();
      return new URL((await link.getAttribute("href"))!);
    }

    // Telegram: the t.me link opens the bot's chat with a Start button.
    const telegramLink = await widgetLink("Continue on Telegram");
    expect(`${telegramLink.origin}${telegramLink.pathname}`).toBe(`${server.url}/demo/telegram`);
    const telegram = await phone.newPage();
    const telegramProblems = watchProblems(telegram);
    await telegram.goto(telegramLink.href);
    await telegram.getByRole("heading", { name: "Demo shop" }).waitFor();
    // The link is used once: the simulator takes it out of the address bar.
    await expect.poll(() => new URL(telegram.url()).search).toBe("");
    await telegram.getByRole("button", { name: "Start" }).click();
    await shown(telegram, /^\/start [a-z2-7]{44}$/);
    await shown(telegram, /Thanks, you are connected/);
    await telegram.getByRole("textbox", { name: "Message" }).fill("Order 42, from Telegram");
    await send(telegram, "/demo/telegram");
    await until(
      () => thread(web.id),
      (t) => visitorSaid(t.events, "telegram").includes("Order 42, from Telegram"),
      "the Telegram message in the web thread",
    );
    expect((await answer(web.id, "It ships today")).body.deliveredVia).toBe("telegram");
    await shown(telegram, "It ships today");

    // WhatsApp: the wa.me link opens the chat with the code's line typed in, to send as is.
    const whatsappLink = await widgetLink("Continue on WhatsApp");
    expect(`${whatsappLink.origin}${whatsappLink.pathname}`).toBe(`${server.url}/demo/whatsapp`);
    const whatsapp = await phone.newPage();
    const whatsappProblems = watchProblems(whatsapp);
    await whatsapp.goto(whatsappLink.href);
    const box = whatsapp.getByRole("textbox", { name: "Message" });
    await expect.poll(() => box.inputValue()).toMatch(/^Continue my chat [A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const prefill = await box.inputValue();
    await send(whatsapp, "/demo/whatsapp");
    const welcome = whatsapp.getByText(/Thanks, you are connected/);
    await welcome.waitFor();
    expect((await answer(web.id, "Your neighbour can take it")).body.deliveredVia).toBe("whatsapp");
    await shown(whatsapp, "Your neighbour can take it");

    // One thread: both phones' messages, and WhatsApp's statuses of the answer as the phone saw it.
    const seen = await until(
      () => thread(web.id),
      (t) => t.events.some((e) => e.name === "whatsapp.status" && e.data?.status === "read"),
      "the read status of a WhatsApp answer",
    );
    const fromTelegram = visitorSaid(seen.events, "telegram");
    expect(fromTelegram.filter((text) => text === "Order 42, from Telegram")).toHaveLength(1);
    expect(visitorSaid(seen.events, "whatsapp")).toEqual([prefill]);
    const statuses = seen.events
      .filter((e) => e.name === "whatsapp.status" && e.data?.seq !== undefined)
      .map((e) => e.data?.status);
    expect(statuses).toEqual(["delivered", "read"]);
    expect(seen.conversation.channels.map((c) => c.channel).sort()).toEqual([
      "telegram",
      "web",
      "whatsapp",
    ]);

    // The resume link in the WhatsApp welcome opens the shop on the phone, with the thread.
    const resume = welcome.getByRole("link");
    expect(await resume.getAttribute("href")).toMatch(new RegExp(`^${server.url}/r/[a-z2-7]{44}$`));
    const [onPhone] = await Promise.all([phone.waitForEvent("page"), resume.click()]);
    await onPhone.waitForLoadState("domcontentloaded");
    // The resume link opens the chat by itself.
    const log = onPhone.getByRole("list", { name: "Messages" });
    await log.getByText("Your neighbour can take it", { exact: true }).waitFor();
    for (const text of ["Hi, where is my order?", "Order 42, from Telegram", "It ships today"]) {
      expect(await log.getByText(text, { exact: true }).count()).toBe(1);
    }

    // The laptop's widget got both phones' side live, each message badged with its app.
    await shown(shop, "Order 42, from Telegram");
    await shown(shop, prefill);
    expect(await shop.getByText("via Telegram").count()).toBeGreaterThanOrEqual(2);
    expect(await shop.getByText("via WhatsApp").count()).toBeGreaterThanOrEqual(2);

    expect(shopProblems).toEqual([]);
    expect(telegramProblems).toEqual([]);
    expect(whatsappProblems).toEqual([]);
  });
});
