import { mkdirSync, readFileSync } from "node:fs";
import { SignJWT } from "jose";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Conversation, ThreadEvent } from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

/**
 * End to end: Debian's Chromium, driven from Node, against the real server serving the demo shop
 * and the built widget (`npm run build:widget`, done by the test setup).
 */
const identitySecret = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0]
  .identitySecret as string;

let server: RunningServer;
let browser: Browser;
let agentToken: string;

beforeAll(async () => {
  server = await startTestServer({}, { startPerIp: { limit: 1000, windowMs: 60_000 } });
  browser = await launchChromium();
  const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
    body: { email: "agent@example.com", password: "omnithread-demo" },
  });
  agentToken = login.body.token;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(
  context?: BrowserContext,
): Promise<{ page: Page; context: BrowserContext; requests: string[]; problems: string[] }> {
  const ctx = context ?? (await browser.newContext({ viewport: { width: 1200, height: 800 } }));
  const page = await ctx.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("console", (message) => {
    // Failed loads are reported above with their URL.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(message.text());
    }
  });
  return { page, context: ctx, requests, problems };
}

const launcher = (page: Page) => page.getByRole("button", { name: /open chat/i });

async function openChat(page: Page): Promise<void> {
  await launcher(page).click();
  await page.getByRole("textbox").waitFor();
}

/** A message shown in the thread (the live region may announce the same text: take the first). */
const shown = (page: Page, text: string) => page.getByText(text, { exact: true }).first().waitFor();

async function say(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox").fill(text);
  await page.getByRole("textbox").press("Enter");
  await shown(page, text);
}

/** The conversation id the page's widget holds, read from the agent inbox by its last message. */
async function conversationWith(text: string): Promise<Conversation> {
  for (let i = 0; i < 50; i++) {
    const inbox = await api<{ conversations: Conversation[] }>(
      server.url,
      "/v1/agent/conversations",
      { token: agentToken },
    );
    const found = inbox.body.conversations.find((c) => c.lastText === text);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no conversation ends with "${text}"`);
}

async function agentReply(conversationId: string, text: string): Promise<void> {
  const res = await api(server.url, `/v1/agent/conversations/${conversationId}/messages`, {
    token: agentToken,
    body: { text },
  });
  expect(res.status).toBe(201);
}

describe("the demo shop in Chromium", () => {
  it("chats on the shop, gets a live reply, keeps the thread across a reload, and records the pages", async () => {
    const { page, context, requests, problems } = await newPage();
    await page.goto(`${server.url}/product.html`);
    await launcher(page).waitFor();
    // Privacy: nothing stored, nothing requested beyond the page and the script, until opened.
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    expect(requests.filter((url) => url.includes("/v1/"))).toEqual([]);

    await openChat(page);
    await say(page, "Does the rain jacket run small?");
    const conversation = await conversationWith("Does the rain jacket run small?");
    await agentReply(conversation.id, "It runs true to size. <b>Not bold</b>");
    await shown(page, "It runs true to size. <b>Not bold</b>");
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual(["omnithread:demo"]);

    await page.goto(`${server.url}/cart.html`);
    await openChat(page);
    await shown(page, "Does the rain jacket run small?");
    await shown(page, "It runs true to size. <b>Not bold</b>");

    const thread = await api<{ conversation: Conversation; events: ThreadEvent[] }>(
      server.url,
      `/v1/agent/conversations/${conversation.id}`,
      { token: agentToken },
    );
    expect(thread.body.conversation.context.pages?.map((p) => new URL(p.url).pathname)).toEqual([
      "/product.html",
      "/cart.html",
    ]);
    // The README's screenshot: refreshed with UPDATE_SCREENSHOT=1 (npm run screenshot).
    if (process.env.UPDATE_SCREENSHOT) {
      mkdirSync("docs", { recursive: true });
      await page.screenshot({ path: "docs/widget-demo-shop.png" });
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it("works on the strict-CSP page with no policy violation", async () => {
    const { page, context, problems } = await newPage();
    const response = await page.goto(`${server.url}/csp.html`);
    expect(response?.headers()["content-security-policy"]).toContain("style-src 'self'");
    await openChat(page);
    await say(page, "hello from the CSP page");
    await conversationWith("hello from the CSP page");
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    await context.close();
  });

  it("opens the whole thread in a fresh browser from a resume link", async () => {
    const first = await newPage();
    await first.page.goto(`${server.url}/help.html`);
    await openChat(first.page);
    await say(first.page, "I will continue on my phone");
    const conversation = await conversationWith("I will continue on my phone");
    await agentReply(conversation.id, "Sure, use the link we send you");
    const link = await api<{ url: string }>(
      server.url,
      `/v1/agent/conversations/${conversation.id}/resume-link`,
      {
        token: agentToken,
        body: {},
      },
    );

    const phone = await newPage(
      await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true }),
    );
    await phone.page.goto(link.body.url);
    await shown(phone.page, "I will continue on my phone");
    await shown(phone.page, "Sure, use the link we send you");
    expect(new URL(phone.page.url()).pathname).toBe("/help.html");
    expect(new URL(phone.page.url()).hash).toBe("");
    await say(phone.page, "on my phone now");
    await shown(first.page, "on my phone now");
    await first.context.close();
    await phone.context.close();
  });

  it("redeems a resume link even when the page queued calls before the widget loaded", async () => {
    const first = await newPage();
    await first.page.goto(`${server.url}/help.html`);
    await openChat(first.page);
    await say(first.page, "queued pages still resume");
    const conversation = await conversationWith("queued pages still resume");
    const link = await api<{ url: string }>(
      server.url,
      `/v1/agent/conversations/${conversation.id}/resume-link`,
      {
        token: agentToken,
        body: {},
      },
    );
    const fresh = await newPage();
    // A site that queues `open` (or `identify`) before the script tag, as the README shows.
    await fresh.page.addInitScript(() => {
      (window as unknown as { omnithread: unknown[] }).omnithread = [["open"]];
    });
    await fresh.page.goto(link.body.url);
    await shown(fresh.page, "queued pages still resume");
    await first.context.close();
    await fresh.context.close();
  });

  it("makes one contact of a user identified in two browsers", async () => {
    const userId = `e2e-${Date.now()}`;
    const proof = () =>
      new SignJWT({ sub: userId, name: "Ana" })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuedAt()
        .sign(new TextEncoder().encode(identitySecret));
    const laptop = await newPage();
    await laptop.page.goto(`${server.url}/`);
    await openChat(laptop.page);
    await laptop.page.evaluate(
      (jwt) =>
        (
          window as unknown as { omnithread: { identify(j: string): Promise<unknown> } }
        ).omnithread.identify(jwt),
      await proof(),
    );
    await say(laptop.page, "order 1234 is late");

    const desktop = await newPage();
    await desktop.page.goto(`${server.url}/`);
    await openChat(desktop.page);
    await desktop.page.evaluate(
      (jwt) =>
        (
          window as unknown as { omnithread: { identify(j: string): Promise<unknown> } }
        ).omnithread.identify(jwt),
      await proof(),
    );
    await shown(desktop.page, "order 1234 is late");

    const conversation = await conversationWith("order 1234 is late");
    const thread = await api<{ contact: { name?: string; identities: unknown[] } }>(
      server.url,
      `/v1/agent/conversations/${conversation.id}`,
      { token: agentToken },
    );
    expect(thread.body.contact.name).toBe("Ana");
    await laptop.context.close();
    await desktop.context.close();
  });

  it("reports how long the launcher takes to appear after the script runs", async () => {
    const { page, context } = await newPage();
    await page.goto(`${server.url}/`);
    await launcher(page).waitFor();
    const ms = await page.evaluate(() => {
      const start = performance.getEntriesByName("omnithread:script-start")[0];
      const shown = performance.getEntriesByName("omnithread:launcher")[0];
      return start && shown ? shown.startTime - start.startTime : null;
    });
    expect(ms).not.toBeNull();
    console.log(`launcher appeared ${ms?.toFixed(1)} ms after the widget script started`);
    await context.close();
  });
});
