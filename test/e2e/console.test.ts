import { mkdirSync, readFileSync } from "node:fs";
import { SignJWT } from "jose";
import type {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  Locator,
  Page,
} from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zonedWindow } from "../../console/callbacks.ts";
import type {
  CallbackRequest,
  CallbackWindowsResponse,
  ConversationResponse,
  ConversationSnapshot,
} from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import { until } from "../helpers/agent-api.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { PNG, pdf as pdfOf } from "../helpers/files.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

/**
 * End to end: the agent console (built here with Vite) and visitors on the demo shop, each in
 * Debian's Chromium, against the real server.
 */
const identitySecret = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0]
  .identitySecret as string;
const AXE = "node_modules/axe-core/axe.min.js";

/** Markup that would run or draw if any of it were parsed as HTML. */
const XSS = {
  message: `<img src=x onerror="window.__xss='message'"><script>window.__xss='script'</script>`,
  attribute: `<img src=x onerror="window.__xss='attribute'">`,
  title: `<img src=x onerror="window.__xss='title'"> Sale`,
  name: `<b onmouseover="window.__xss='name'">Mallory</b>`,
};

let server: RunningServer;
let browser: Browser;

// The console bundle is built by the test run's global setup (test/global-setup.ts).
beforeAll(async () => {
  server = await startTestServer(
    {},
    {
      startPerIp: { limit: 1000, windowMs: 60_000 },
      loginPerIp: { limit: 1000, windowMs: 60_000 },
    },
  );
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Tab {
  page: Page;
  context: BrowserContext;
  /** Page errors, failed responses, console errors and dialogs: none expected. */
  problems: string[];
}

async function newTab(
  viewport = { width: 1280, height: 800 },
  options: BrowserContextOptions = {},
): Promise<Tab> {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(message.text());
    }
  });
  return { page, context, problems };
}

// ---- The console ----

async function logIn(tab: Tab, base = server.url): Promise<void> {
  const { page } = tab;
  await page.goto(`${base}/console/`);
  await page.getByLabel("Email").fill("agent@example.com");
  await page.getByLabel("Password").fill("omnithread-demo");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Inbox" }).waitFor();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
}

async function openConsole(): Promise<Tab> {
  const tab = await newTab();
  await logIn(tab);
  return tab;
}

const inboxItem = (page: Page, text: string) =>
  page.locator(".conversations a").filter({ hasText: text });
const timeline = (page: Page) => page.getByRole("log", { name: "Conversation history" });
const card = (page: Page) => page.getByRole("complementary", { name: "Customer" });
const replyBox = (page: Page) => page.getByRole("textbox", { name: "Reply via web chat" });
const noteBox = (page: Page) => page.getByRole("textbox", { name: "Internal note" });
const exactly = (scope: Page | Locator, text: string) =>
  scope.getByText(text, { exact: true }).first();

async function openThread(page: Page, text: string): Promise<void> {
  await inboxItem(page, text).click();
  await exactly(timeline(page), text).waitFor();
}

async function axe(page: Page): Promise<string[]> {
  // Evaluated through DevTools, which the console's strict CSP (no inline script) allows.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(readFileSync(AXE, "utf8"));
  const result = await page.evaluate(async () => {
    const run = (
      window as unknown as {
        axe: {
          run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }>;
        };
      }
    ).axe.run;
    const { violations } = await run();
    return violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
  return result;
}

// ---- The visitor on the demo shop ----

const chatBox = (page: Page) => page.getByRole("textbox", { name: "Write a message…" });

async function visit(path = "/product.html", before?: (page: Page) => Promise<void>) {
  const tab = await newTab({ width: 1000, height: 760 });
  await tab.page.goto(`${server.url}${path}`);
  await before?.(tab.page);
  await tab.page.getByRole("button", { name: /open chat/i }).click();
  await chatBox(tab.page).waitFor();
  return tab;
}

async function say(page: Page, text: string): Promise<void> {
  await chatBox(page).fill(text);
  await chatBox(page).press("Enter");
  await exactly(page, text).waitFor();
}

function unique(text: string): string {
  return `${text} ${Math.random().toString(36).slice(2, 7)}`;
}

/** A proof of identity as the site's backend signs it. */
function proof(claims: { sub: string; name?: string; email?: string }): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .sign(new TextEncoder().encode(identitySecret));
}

interface PageApi {
  identify(jwt: string): Promise<void>;
  setAttributes(attributes: Record<string, string | number>): Promise<void>;
}

/** Calls the page's `window.omnithread` API, as a site's own scripts would. */
async function identify(
  page: Page,
  jwt: string,
  attributes?: Record<string, string | number>,
): Promise<void> {
  await page.evaluate(
    async ({ jwt, attributes }) => {
      const api = (window as unknown as { omnithread: PageApi }).omnithread;
      await api.identify(jwt);
      if (attributes) await api.setAttributes(attributes);
    },
    { jwt, attributes },
  );
}

describe("the agent console in Chromium", () => {
  it("chats live both ways, shows the visitor's pages, keeps notes internal, resolves", async () => {
    // Ana wrote once before, from another browser.
    const userId = unique("ana").replace(" ", "-");
    const ana = { sub: userId, name: "Ana Novak", email: `${userId}@example.com` };
    const before = await visit("/");
    const earlier = unique("Where is order 1041?");
    await say(before.page, earlier);
    await identify(before.page, await proof(ana));
    await before.context.close();

    const agent = await openConsole();
    const { page } = agent;
    const visitor = await visit("/product.html");
    const question = unique("Does the rain jacket come in green?");
    await say(visitor.page, question);
    await identify(visitor.page, await proof(ana), { plan: "Pro", orders: 3 });

    // Live in the inbox, unread, with its channel; live in the thread once opened.
    const item = inboxItem(page, question);
    await item.waitFor();
    expect(await item.locator(".badge").textContent()).toBe("web");
    expect(await item.getAttribute("class")).toContain("unread");
    await openThread(page, question);
    expect(await item.getAttribute("class")).not.toContain("unread");
    expect(await item.getAttribute("aria-current")).toBe("page");
    expect(new URL(page.url()).pathname).toMatch(/^\/console\/c\/.+/);

    // The card: who, verified, the site's attributes, where the chat started, the pages, the
    // earlier conversation.
    await exactly(page.getByRole("heading", { level: 2 }), "Ana Novak").waitFor();
    await exactly(card(page), "Verified identity").waitFor();
    await exactly(card(page), ana.email).waitFor();
    await exactly(card(page), "Pro").waitFor();
    await exactly(card(page), earlier).waitFor();
    await exactly(card(page), "Rain jacket · Northwind Outfitters").waitFor();
    await visitor.page.goto(`${server.url}/cart.html`);
    await exactly(card(page), "Cart · Northwind Outfitters").waitFor();
    const pages = await card(page).locator(".pages li a").allTextContents();
    expect(pages.slice(0, 2)).toEqual([
      "Cart · Northwind Outfitters",
      "Rain jacket · Northwind Outfitters",
    ]);
    expect(await card(page).locator(".pages a").first().getAttribute("rel")).toBe(
      "noopener noreferrer nofollow",
    );

    // The visitor types: the agent sees it; the visitor writes: it appears live.
    await visitor.page.getByRole("button", { name: /open chat/i }).click();
    await chatBox(visitor.page).pressSequentially("And in red", { delay: 20 });
    await exactly(page, "The visitor is typing…").waitFor();
    await chatBox(visitor.page).press("Enter");
    await exactly(timeline(page), "And in red").waitFor();

    // A reply from the console reaches the widget, live.
    await exactly(page, "Reply via web chat").waitFor();
    await replyBox(page).fill("Green arrives next week. <b>not bold</b>");
    await replyBox(page).press("Enter");
    await exactly(visitor.page, "Green arrives next week. <b>not bold</b>").waitFor();
    await expect.poll(() => replyBox(page).inputValue()).toBe("");

    // A note stays in the console: a later reply arrives, the note never does.
    await page.getByRole("button", { name: "Internal note", exact: true }).click();
    await noteBox(page).fill("VIP customer, offer free shipping");
    await noteBox(page).press("Enter");
    const note = timeline(page).locator(".ev.note").filter({ hasText: "VIP customer" });
    await note.waitFor();
    expect(await note.locator(".note-label").textContent()).toBe("Internal note");
    await page.getByRole("button", { name: "Reply", exact: true }).click();
    await replyBox(page).fill("Shipping is on us.");
    await replyBox(page).press("Enter");
    await exactly(visitor.page, "Shipping is on us.").waitFor();
    expect(await visitor.page.getByText("VIP customer").count()).toBe(0);

    // Shift+Enter is a new line, not a send.
    await expect.poll(() => replyBox(page).inputValue()).toBe("");
    await replyBox(page).press("Shift+Enter");
    expect(await replyBox(page).inputValue()).toBe("\n");
    await replyBox(page).fill("");

    if (process.env.UPDATE_SCREENSHOT) {
      mkdirSync("docs", { recursive: true });
      await page.screenshot({ path: "docs/console-thread.png" });
    }

    // Resolve: the thread says so, and the conversation leaves the open inbox.
    await page.getByRole("button", { name: "Resolve", exact: true }).click();
    await timeline(page).locator('.ev.sys[data-name="conversation.resolved"]').waitFor();
    await page.getByRole("button", { name: "Reopen" }).waitFor();
    await item.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Resolved", exact: true }).click();
    await inboxItem(page, "Shipping is on us.").waitFor();

    expect(agent.problems).toEqual([]);
    expect(visitor.problems).toEqual([]);
    await visitor.context.close();
    await agent.context.close();
  }, 60_000);

  it("shows markup in messages, names, attributes and page titles as text", async () => {
    const agent = await openConsole();
    const { page } = agent;
    const visitor = await visit("/help.html", async (p) => {
      await p.evaluate((title) => {
        document.title = title;
      }, XSS.title);
    });
    // Attribute names are checked by the server (a name like "<svg>" is refused); values are
    // free text.
    await identify(
      visitor.page,
      await proof({ sub: unique("xss").replace(" ", "-"), name: XSS.name }),
      {
        x: XSS.attribute,
      },
    );
    const marker = unique("markup");
    const text = `${marker} ${XSS.message} javascript:alert(1) https://example.com/safe`;
    await say(visitor.page, text);

    await inboxItem(page, marker).click();
    await exactly(timeline(page), "https://example.com/safe").waitFor();
    await exactly(page.getByRole("heading", { level: 2 }), XSS.name).waitFor();
    await exactly(card(page), XSS.attribute).waitFor();
    await exactly(card(page), XSS.title).waitFor();
    expect(await timeline(page).locator(".ev.visitor .body").last().textContent()).toBe(text);

    // Only the https URL became a link, and a safe one.
    const links = timeline(page).locator(".ev.visitor .body a");
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute("href")).toBe("https://example.com/safe");
    expect(await links.getAttribute("rel")).toBe("noopener noreferrer nofollow");

    // Nothing was injected, nothing ran.
    const injected = await page.evaluate(() => ({
      elements: document.querySelectorAll("#app img, #app svg, #app b, script:not([src])").length,
      ran: (window as unknown as { __xss?: string }).__xss ?? null,
    }));
    expect(injected).toEqual({ elements: 0, ran: null });

    // The thread has its own address: a reload opens it again, still as text.
    await page.reload();
    await exactly(card(page), XSS.title).waitFor();
    expect(await timeline(page).locator(".ev.visitor .body").last().textContent()).toBe(text);
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss ?? null)).toBe(
      null,
    );
    expect(agent.problems).toEqual([]);
    await visitor.context.close();
    await agent.context.close();
  }, 60_000);

  it("moves with j/k, replies with r, notes with n, resolves with e", async () => {
    // The agent is online first, so each conversation is routed as it starts and the inbox
    // order (most recently updated first) is the order the visitors wrote in.
    const agent = await openConsole();
    const { page } = agent;
    const first = await visit("/");
    const firstText = unique("keyboard one");
    await say(first.page, firstText);
    const second = await visit("/cart.html");
    const secondText = unique("keyboard two");
    await say(second.page, secondText);
    const order = () =>
      page
        .locator(".conversations a")
        .allTextContents()
        .then((items) =>
          items
            .slice(0, 2)
            .map((t) => (t.includes(secondText) ? 2 : t.includes(firstText) ? 1 : 0)),
        );
    await expect.poll(order).toEqual([2, 1]);
    const current = page.locator('.conversations a[aria-current="page"]');
    const focusedLabel = () =>
      page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? null);

    // Newest first: the second visitor's conversation, then the first's.
    await page.keyboard.press("j");
    await current.filter({ hasText: secondText }).waitFor();
    await exactly(timeline(page), secondText).waitFor();
    await page.keyboard.press("j");
    await current.filter({ hasText: firstText }).waitFor();
    await exactly(timeline(page), firstText).waitFor();
    await page.keyboard.press("k");
    await current.filter({ hasText: secondText }).waitFor();

    await page.keyboard.press("r");
    await expect.poll(focusedLabel).toBe("Reply via web chat");
    // Typed into the box, j is a letter, not a move.
    await page.keyboard.type("jk");
    expect(await replyBox(page).inputValue()).toBe("jk");
    await current.filter({ hasText: secondText }).waitFor();
    await page.keyboard.press("Escape");
    await page.keyboard.press("n");
    await expect.poll(focusedLabel).toBe("Internal note");
    await page.keyboard.type("checked the stock");
    await page.keyboard.press("Enter");
    await timeline(page).locator(".ev.note").filter({ hasText: "checked the stock" }).waitFor();
    await page.keyboard.press("Escape");

    await page.keyboard.press("e");
    await page.getByRole("button", { name: "Reopen" }).waitFor();
    await timeline(page).locator('.ev.sys[data-name="conversation.resolved"]').waitFor();

    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    expect(await help.getByRole("definition").allTextContents()).toContain("Next conversation");
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });

    expect(agent.problems).toEqual([]);
    await first.context.close();
    await second.context.close();
    await agent.context.close();
  }, 60_000);

  it("asks the visitor to rate after a resolve and shows the rating on the card", async () => {
    const agent = await openConsole();
    const { page } = agent;
    const visitor = await visit("/help.html");
    const text = unique("Can I return worn boots?");
    await say(visitor.page, text);
    await openThread(page, text);
    await replyBox(page).fill("Within 30 days, yes.");
    await replyBox(page).press("Enter");
    await exactly(visitor.page, "Within 30 days, yes.").waitFor();
    await page.getByRole("button", { name: "Resolve", exact: true }).click();

    // The widget asks; the visitor answers with a score and a comment.
    const rating = visitor.page.getByRole("group", { name: "How did we do?" });
    await rating.getByRole("button", { name: "Rate 4 out of 5" }).click();
    const form = visitor.page.locator("form").filter({ has: rating });
    await form.getByRole("textbox").fill("Quick and <i>clear</i>");
    await form.getByRole("button", { name: "Send" }).click();

    const satisfaction = card(page).getByRole("region", { name: "Satisfaction" });
    await exactly(satisfaction, "4 out of 5").waitFor();
    await exactly(satisfaction, "Quick and <i>clear</i>").waitFor();
    await timeline(page).locator('.ev.sys[data-name="csat.submitted"]').waitFor();
    expect(agent.problems).toEqual([]);
    expect(visitor.problems).toEqual([]);
    await visitor.context.close();
    await agent.context.close();
  }, 60_000);

  it("exports a customer's data as a file, and erases it after asking in place: gone from both consoles", async () => {
    const agent = await openConsole();
    const teammate = await openConsole();
    const { page } = agent;
    const visitor = await visit("/help.html");
    const text = unique("Please delete my data");
    await say(visitor.page, text);
    await openThread(page, text);
    await openThread(teammate.page, text);
    const data = card(page).getByRole("region", { name: "Customer data" });

    // Export: the browser saves the server's document, holding the visitor's message.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      data.getByRole("button", { name: "Export data" }).click(),
    ]);
    const conversationId = new URL(page.url()).pathname.split("/").pop()!;
    expect(download.suggestedFilename()).toMatch(/^contact-.+\.json$/);
    const saved = JSON.parse(readFileSync(await download.path(), "utf8")) as {
      contact: { id: string };
      conversations: { conversation: { id: string }; events: { text: string }[] }[];
    };
    expect(saved.conversations.map((c) => c.conversation.id)).toEqual([conversationId]);
    expect(saved.conversations[0]!.events.map((e) => e.text)).toContain(text);

    // Erase asks first, focused on Cancel; Escape backs out and nothing is erased.
    await data.getByRole("button", { name: "Erase customer…" }).click();
    const confirm = data.getByRole("group", { name: "Confirm erasure" });
    await exactly(confirm, "Cancel").waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Escape");
    await confirm.waitFor({ state: "detached" });
    expect(await inboxItem(teammate.page, text).count()).toBe(1);

    await data.getByRole("button", { name: "Erase customer…" }).click();
    await confirm.getByRole("button", { name: "Erase for good" }).click();
    await exactly(page, "Erased the customer and 1 conversation.").waitFor();
    await inboxItem(page, text).waitFor({ state: "detached" });
    expect(new URL(page.url()).pathname).toBe("/console/");

    // The teammate had it open: it closes there too, with the reason, and leaves the inbox.
    await exactly(
      teammate.page,
      "That conversation was erased: its customer's data is deleted.",
    ).waitFor();
    await inboxItem(teammate.page, text).waitFor({ state: "detached" });
    expect(await card(teammate.page).count()).toBe(0);

    // The server holds nothing: the conversation answers 404.
    const token = await page.evaluate(
      () => JSON.parse(sessionStorage.getItem("omnithread:console:session")!).token as string,
    );
    const gone = await api(server.url, `/v1/agent/conversations/${conversationId}`, { token });
    expect(gone.status).toBe(404);

    expect(agent.problems).toEqual([]);
    expect(teammate.problems).toEqual([]);
    await visitor.context.close();
    await teammate.context.close();
    await agent.context.close();
  }, 60_000);

  it("shows a visitor's image as a thumbnail, and sends the agent's PDF the visitor opens", async () => {
    const origin = server.url;
    const started = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
      body: { siteId: "demo" },
      headers: { origin },
    });
    const token = started.body.token;
    const png = PNG;
    const uploaded = await fetch(`${server.url}/v1/attachments`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, origin, "x-filename": "broken-part.png" },
      body: png,
    });
    const { attachment } = (await uploaded.json()) as { attachment: { id: string } };
    const text = unique("This part came broken");
    await api(server.url, "/v1/messages", {
      token,
      body: { clientId: "shot", text, attachments: [attachment.id] },
      headers: { origin },
    });

    const agent = await openConsole();
    const { page } = agent;
    await openThread(page, text);
    const thumbnail = timeline(page).getByRole("img", { name: "broken-part.png" });
    await thumbnail.waitFor();
    // Drawn under the console's CSP (img-src 'self'): the signed link loaded the image.
    await until(
      () => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth),
      (width) => width > 0,
      "the thumbnail drawn",
    );
    await card(page).getByRole("img", { name: "broken-part.png" }).waitFor();

    const pdf = pdfOf("invoice 77");
    await page
      .locator(".composer input[type=file]")
      .setInputFiles({ name: "invoice-77.pdf", mimeType: "application/pdf", buffer: pdf });
    await page.locator(".upload.done").filter({ hasText: "invoice-77.pdf" }).waitFor();
    // The widget cannot show files yet, and the agent is told before sending to it.
    await page.getByRole("status").filter({ hasText: "does not show files yet" }).waitFor();
    await replyBox(page).fill("Sorry about that: here is the invoice.");
    await replyBox(page).press("Enter");
    await timeline(page)
      .getByRole("link", { name: /invoice-77\.pdf/ })
      .waitFor();

    const sent = await until(
      async () => {
        const history = await api<ConversationResponse>(server.url, "/v1/conversation", {
          token,
          headers: { origin },
        });
        return history.body.events.find((e) => e.author.role === "agent")?.attachments?.[0];
      },
      (file) => file !== undefined,
      "the agent's file in the visitor's thread",
    );
    expect(sent).toMatchObject({ name: "invoice-77.pdf", type: "application/pdf" });
    const opened = await fetch(sent!.url!);
    expect(opened.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(Buffer.from(await opened.arrayBuffer()).equals(pdf)).toBe(true);
    expect(agent.problems).toEqual([]);
    await agent.context.close();
  });

  it("counts arrivals in the tab title while the tab is hidden", async () => {
    const agent = await openConsole();
    const { page } = agent;
    expect(await page.title()).toBe("Inbox · omnithread");
    const setVisibility = (state: "hidden" | "visible") =>
      page.evaluate((value) => {
        Object.defineProperty(document, "visibilityState", {
          configurable: true,
          get: () => value,
        });
        document.dispatchEvent(new Event("visibilitychange"));
      }, state);
    await setVisibility("hidden");
    const visitor = await visit("/");
    await say(visitor.page, unique("anyone there?"));
    await expect.poll(() => page.title()).toMatch(/^\(2\) Inbox · omnithread$/);
    await setVisibility("visible");
    await expect.poll(() => page.title()).toBe("Inbox · omnithread");
    await visitor.context.close();
    await agent.context.close();
  }, 60_000);

  it("sends an agent whose session ended back to the login form", async () => {
    const agent = await openConsole();
    const { page } = agent;
    await page.evaluate(() => {
      const key = "omnithread:console:session";
      const session = JSON.parse(sessionStorage.getItem(key)!);
      sessionStorage.setItem(key, JSON.stringify({ ...session, token: "expired.or.forged" }));
    });
    await page.reload();
    await page.getByText("Your session has ended. Please log in again.").waitFor();
    await page.getByRole("button", { name: "Log in" }).waitFor();
    await agent.context.close();
  }, 30_000);

  it("runs under a strict Content-Security-Policy", async () => {
    const tab = await newTab();
    const { page } = tab;
    // What a deployment may send with the console: no inline script or style anywhere.
    const policy =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
      "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    await page.route(/\/console\/$/, async (route) => {
      const response = await route.fetch();
      await route.fulfill({
        response,
        headers: { ...response.headers(), "content-security-policy": policy },
      });
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __csp: string[] }).__csp = seen;
      document.addEventListener("securitypolicyviolation", (event) =>
        seen.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    await page.goto(`${server.url}/console/`);
    await page.getByLabel("Email").fill("agent@example.com");
    await page.getByLabel("Password").fill("omnithread-demo");
    await page.getByRole("button", { name: "Log in" }).click();
    // (A page fulfilled by the test counts as public to Chromium's local-network checks, which
    // then refuse its WebSocket to localhost: the socket is not what this test is about.)
    await page.getByRole("heading", { name: "Inbox" }).waitFor();
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    const styled = await page.evaluate(
      () => getComputedStyle(document.querySelector(".top")!).borderBottomStyle,
    );
    expect(styled).toBe("solid");
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect(tab.problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    await tab.context.close();
  }, 30_000);

  it("has no axe-core violations on the login, inbox and thread views", async () => {
    const tab = await newTab();
    const { page } = tab;
    await page.goto(`${server.url}/console/`);
    await page.getByRole("button", { name: "Log in" }).waitFor();
    expect(await axe(page)).toEqual([]);

    await logIn(tab);
    await page.locator(".conversations a").first().waitFor();
    expect(await axe(page)).toEqual([]);

    const visitor = await visit("/product.html");
    const text = unique("Is it machine washable?");
    await say(visitor.page, text);
    await openThread(page, text);
    await exactly(card(page), "Rain jacket · Northwind Outfitters").waitFor();
    await page.getByRole("button", { name: "Internal note", exact: true }).click();
    await noteBox(page).fill("a note, for the contrast check");
    await noteBox(page).press("Enter");
    await timeline(page).locator(".ev.note").waitFor();
    expect(await axe(page)).toEqual([]);

    await page.getByRole("button", { name: /Shortcuts/ }).click();
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    expect(await axe(page)).toEqual([]);
    await visitor.context.close();
    await tab.context.close();
  }, 60_000);
});

// ---- The callback queue ----

/**
 * The callback tests' own server: the demo site with no business hours (so callbacks are taken
 * at any hour the tests run) and a second agent, Bea, whose claim the console must respect.
 */
function callbackSites(): string {
  const { sites } = JSON.parse(readFileSync("demo/sites.json", "utf8"));
  const { businessHours: _always, ...demo } = sites[0];
  const alex = demo.agents[0];
  return JSON.stringify({
    sites: [
      {
        ...demo,
        agents: [alex, { email: "bea@example.com", name: "Bea", passwordHash: alex.passwordHash }],
        callback: { country: "NL" },
      },
    ],
  });
}

describe("the callback queue in Chromium", () => {
  let queueServer: RunningServer;
  const phone = "+31612345678";
  /** The agent in New York, the visitors in Amsterdam: every window reads two ways. */
  const AGENT = { timezoneId: "America/New_York", locale: "en-GB" };
  const VISITOR_ZONE = "Europe/Amsterdam";

  beforeAll(async () => {
    queueServer = await startTestServer(
      { OMNITHREAD_SITES: callbackSites() },
      {
        startPerIp: { limit: 1000, windowMs: 60_000 },
        loginPerIp: { limit: 1000, windowMs: 60_000 },
      },
      // The reminder rules run often, so the reminder comes while the test looks.
      { callbackSweepMs: 500 },
    );
  }, 60_000);
  afterAll(async () => {
    await queueServer?.stop();
  });

  async function openQueueConsole(): Promise<Tab> {
    const tab = await newTab(undefined, AGENT);
    await logIn(tab, queueServer.url);
    return tab;
  }

  async function agentToken(email: string): Promise<string> {
    const res = await api<{ token: string }>(queueServer.url, "/v1/agent/login", {
      body: { email, password: "omnithread-demo" },
    });
    expect(res.status).toBe(200);
    return res.body.token;
  }

  /** A visitor who writes once and asks for a call, over the visitor HTTP API. */
  async function visitorAsks(window: "asap" | "first", note: string) {
    const started = await api<ConversationSnapshot>(queueServer.url, "/v1/conversations", {
      body: { siteId: "demo" },
    });
    expect(started.status).toBe(201);
    const token = started.body.token;
    const sent = await api(queueServer.url, "/v1/messages", {
      token,
      body: { clientId: `cb-${Math.random().toString(36).slice(2)}`, text: note },
    });
    expect(sent.status).toBe(201);
    const offered = await api<CallbackWindowsResponse>(queueServer.url, "/v1/callback-windows", {
      token,
    });
    expect(offered.status).toBe(200);
    expect(offered.body.asap).toBe(true);
    const asked = await api<{ callback: CallbackRequest }>(queueServer.url, "/v1/handoff", {
      token,
      body: {
        channel: "callback",
        phone: "06 12345678",
        window: window === "asap" ? "asap" : offered.body.windows[0],
        timeZone: VISITOR_ZONE,
        note,
      },
    });
    expect(asked.status).toBe(201);
    return { token, callback: asked.body.callback };
  }

  const visitorEvents = async (token: string) =>
    (await api<ConversationResponse>(queueServer.url, "/v1/conversation?after=0", { token })).body
      .events;

  const row = (page: Page, text: string) => page.locator(".cb").filter({ hasText: text });
  const callbacksTab = (page: Page) => page.getByRole("link", { name: /^Callbacks/ });
  const queueStatus = (page: Page) => page.locator(".queue .said");
  const facts = (scope: Locator, label: string) =>
    scope.locator(".fact").filter({ has: scope.page().getByText(label, { exact: true }) });

  it("takes a callback from the queue: a teammate's claim refused, claimed, completed with a note, told in the thread", async () => {
    const agent = await openQueueConsole();
    const { page } = agent;
    const note = unique("Call me about my refund");
    const { token, callback } = await visitorAsks("first", note);

    // The queue, one click from the inbox, counts it and lists it with the number as a link.
    await callbacksTab(page).click();
    await page.getByRole("heading", { name: "Callbacks", level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/console/callbacks");
    await expect.poll(() => page.title()).toBe("Callbacks · omnithread");
    const item = row(page, note);
    await item.waitFor();
    expect(await callbacksTab(page).textContent()).toMatch(/^Callbacks \d+ active/);
    expect(await item.getByRole("link", { name: phone }).getAttribute("href")).toBe(`tel:${phone}`);
    expect(await item.locator(".status").textContent()).toBe("requested");
    // The window in the agent's zone and in the visitor's, which differ.
    const when = zonedWindow(
      callback.window,
      Date.now(),
      { timeZone: AGENT.timezoneId, locale: "en-GB" },
      VISITOR_ZONE,
    );
    const window = facts(item, "Window");
    await exactly(window, when.agent).waitFor();
    await exactly(window, when.visitor!).waitFor();
    await exactly(window, `visitor's time (${VISITOR_ZONE})`).waitFor();
    expect(await facts(item, "Claimed by").locator("dd").textContent()).toBe("Nobody yet");
    expect(await axe(page)).toEqual([]);

    // Bea claims it first: the row says so live, and the console's claim is refused with the
    // server's reason.
    const bea = await agentToken("bea@example.com");
    const beaClaims = async (claim: boolean) => {
      const res = await api(queueServer.url, `/v1/agent/callbacks/${callback.id}`, {
        method: "PATCH",
        token: bea,
        body: { claim },
      });
      expect(res.status).toBe(200);
    };
    await beaClaims(true);
    await exactly(facts(item, "Claimed by"), "Bea").waitFor();
    await item.getByRole("button", { name: "Claim" }).click();
    expect(await item.getByRole("alert").textContent()).toBe("Bea has claimed this callback");
    await beaClaims(false);
    await exactly(facts(item, "Claimed by"), "Nobody yet").waitFor();

    // Claimed here, then completed with an outcome note (markup stays text).
    await item.getByRole("button", { name: "Claim" }).click();
    await exactly(facts(item, "Claimed by"), "You").waitFor();
    await item.getByRole("button", { name: "Release" }).waitFor();
    expect(await item.getAttribute("class")).toContain("mine");
    await item.getByRole("button", { name: "Complete…" }).click();
    const outcome = "Reached her, refund agreed <b>today</b>";
    await item.getByRole("textbox", { name: "Outcome note" }).fill(outcome);
    await item.getByRole("button", { name: "Mark completed" }).click();
    await exactly(queueStatus(page), `${phone}: marked completed.`).waitFor();
    await item.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Callbacks");

    // In the completed list, with its outcome; the thread is one click away.
    await page.getByRole("button", { name: "Completed", exact: true }).click();
    const done = row(page, note);
    await exactly(facts(done, "Outcome"), outcome).waitFor();
    expect(await done.locator(".status").textContent()).toBe("completed");
    expect(await axe(page)).toEqual([]);
    await done.getByRole("link", { name: "Open thread" }).click();
    await exactly(timeline(page), note).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/console\/c\/.+/);

    // Each step is a line in the thread, told to the agent; the outcome an internal note.
    const line = (name: string) =>
      timeline(page).locator(`.ev.sys[data-name="${name}"] .sys-text`).allTextContents();
    await timeline(page).locator('.ev.sys[data-name="callback.completed"]').waitFor();
    expect(await line("callback.requested")).toEqual([
      `Callback requested for ${when.agent} (visitor's time: ${when.visitor})`,
    ]);
    expect(await line("callback.claimed")).toEqual([
      "Callback claimed by Bea",
      "Callback claimed by you",
    ]);
    expect(await line("callback.released")).toEqual(["Callback released by Bea"]);
    expect(await line("callback.completed")).toEqual(["Called the visitor back"]);
    await exactly(timeline(page).locator(".ev.note"), `Call outcome: ${outcome}`).waitFor();
    const requests = card(page).getByRole("region", { name: "Callback requests" });
    await exactly(requests, outcome).waitFor();
    expect(await requests.locator(".status").textContent()).toBe("completed");
    expect(await axe(page)).toEqual([]);

    // The visitor's thread has the call, not the team's claims or the note.
    const seen = await visitorEvents(token);
    expect(seen.some((e) => e.name === "callback.completed")).toBe(true);
    expect(seen.some((e) => e.name === "callback.claimed" || e.type === "note")).toBe(false);

    const injected = await page.evaluate(() => document.querySelectorAll("#app b").length);
    expect(injected).toBe(0);
    // The one refusal this test asked for, and nothing else.
    expect(agent.problems).toEqual([`409 ${queueServer.url}/v1/agent/callbacks/${callback.id}`]);
    await agent.context.close();
  }, 90_000);

  it("round trip: asked for in the widget on the shop, completed from the queue, seen when the visitor comes back", async () => {
    // The visitor, in Amsterdam, on the demo shop: writes, then asks for a call in the widget.
    const visitor = await newTab(undefined, { timezoneId: VISITOR_ZONE, locale: "en-GB" });
    const shop = visitor.page;
    await shop.goto(`${queueServer.url}/`);
    await shop.getByRole("button", { name: /open chat/i }).click();
    const question = unique("Can someone call me about order 1234?");
    await shop.getByRole("textbox", { name: /message/i }).fill(question);
    await shop.getByRole("textbox", { name: /message/i }).press("Enter");
    await shop.getByText(question, { exact: true }).first().waitFor();
    // Nobody is at the console yet: the away notice offers a call too; take the menu's.
    await shop.getByRole("button", { name: "Other ways to reach us" }).click();
    await shop.getByRole("listitem").getByRole("button", { name: "Request a callback" }).click();
    await shop.getByRole("textbox", { name: "Phone number" }).fill("06 12345678");
    const when = shop.getByRole("combobox", { name: "When should we call?" });
    expect(await when.locator("option").first().textContent()).toBe("As soon as possible");
    await shop.getByRole("textbox", { name: /note/i }).fill("About the refund");
    // The README's screenshots: refreshed with UPDATE_SCREENSHOT=1 (npm run screenshot).
    if (process.env.UPDATE_SCREENSHOT) await shop.screenshot({ path: "docs/widget-callback.png" });
    await shop.locator("form.cb").getByRole("button", { name: "Send" }).click();
    // The line carries its Cancel button: matched as part of the line's text.
    await shop.getByText("Callback requested as soon as possible").first().waitFor();
    await shop.getByRole("button", { name: "Cancel callback" }).waitFor();

    // The agent, in New York: the request is in the queue with the number and the note.
    const agent = await openQueueConsole();
    const { page } = agent;
    await callbacksTab(page).click();
    const item = row(page, "About the refund");
    await item.waitFor();
    expect(await item.getByRole("link", { name: phone }).getAttribute("href")).toBe(`tel:${phone}`);
    await item.getByRole("button", { name: "Claim" }).click();
    await exactly(facts(item, "Claimed by"), "You").waitFor();
    if (process.env.UPDATE_SCREENSHOT)
      await page.screenshot({ path: "docs/console-callbacks.png" });
    await item.getByRole("button", { name: "Complete…" }).click();
    const outcome = unique("Refund approved on the phone");
    await item.getByRole("textbox", { name: "Outcome note" }).fill(outcome);
    await item.getByRole("button", { name: "Mark completed" }).click();
    await item.waitFor({ state: "detached" });

    // The visitor comes back later (a new page, same browser): the thread shows the call; the
    // agent's note stays with the team.
    await shop.close();
    const back = await visitor.context.newPage();
    await back.goto(`${queueServer.url}/`);
    await back.getByRole("button", { name: /open chat/i }).click();
    await back.getByText(question, { exact: true }).first().waitFor();
    await back.getByText("We called you.", { exact: true }).first().waitFor();
    expect(await back.getByRole("button", { name: "Cancel callback" }).count()).toBe(0);
    expect(await back.getByText(outcome).count()).toBe(0);
    expect(visitor.problems).toEqual([]);
    expect(agent.problems).toEqual([]);
    await agent.context.close();
    await visitor.context.close();
  }, 90_000);

  it("cancels a callback after asking, and lists it under Cancelled", async () => {
    const agent = await openQueueConsole();
    const { page } = agent;
    const note = unique("Maybe call me");
    const { token } = await visitorAsks("first", note);
    await callbacksTab(page).click();
    const item = row(page, note);
    await item.getByRole("button", { name: "Cancel…" }).click();
    // Asked first: keeping it changes nothing.
    await item.getByRole("button", { name: "Keep it" }).click();
    await expect.poll(() => item.locator(".status").textContent()).toBe("requested");
    await item.getByRole("button", { name: "Cancel…" }).click();
    await item.getByRole("button", { name: "Cancel callback" }).click();
    await exactly(queueStatus(page), `${phone}: cancelled.`).waitFor();
    await item.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Cancelled", exact: true }).click();
    const cancelled = row(page, note);
    await cancelled.getByRole("button", { name: "Offer a new time" }).waitFor();
    expect(await cancelled.getByRole("button", { name: "Claim" }).count()).toBe(0);
    const seen = await visitorEvents(token);
    expect(seen.some((e) => e.name === "callback.cancelled")).toBe(true);
    expect(agent.problems).toEqual([]);
    await agent.context.close();
  }, 60_000);

  it("highlights and announces an unclaimed callback, then schedules, misses and offers a new time by keyboard", async () => {
    const agent = await openQueueConsole();
    const { page } = agent;
    const note = unique("Call as soon as you can");
    const { token, callback } = await visitorAsks("asap", note);

    await page.keyboard.press("c");
    const item = row(page, note);
    await item.waitFor();
    expect(await item.getAttribute("class")).toContain("overdue");
    await exactly(item, "ASAP").waitFor();
    await item
      .locator(".cb-urgency")
      .filter({ hasText: /^started .+ ago, unclaimed$/ })
      .waitFor();

    // The server's reminder shows, and is announced politely.
    const reminders = page.getByRole("region", { name: "Callback reminders" });
    expect(await reminders.getAttribute("aria-live")).toBe("polite");
    const reminder = reminders.locator(".reminder").filter({ hasText: phone });
    await reminder.waitFor();
    expect(await reminder.locator("p").textContent()).toBe(
      `Callback due as soon as possible: ${phone}, unclaimed.`,
    );
    expect(await callbacksTab(page).textContent()).toContain("due and unclaimed");
    expect(await axe(page)).toEqual([]);

    // Claimed from the reminder, which then goes.
    await reminder.getByRole("button", { name: "Claim" }).click();
    await reminder.waitFor({ state: "detached" });
    await exactly(facts(item, "Claimed by"), "You").waitFor();
    await expect.poll(() => item.getAttribute("class")).not.toContain("overdue");

    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        if (!el) return "";
        const what = el.tagName === "BUTTON" ? el.textContent : el.getAttribute("type");
        return `${el.tagName.toLowerCase()}:${what ?? ""}`;
      });

    // Schedule: the form takes the focus, Escape gives it back; Enter schedules the time offered.
    const schedule = item.getByRole("button", { name: "Schedule…" });
    await schedule.focus();
    await page.keyboard.press("Enter");
    await expect.poll(focused).toBe("input:datetime-local");
    await page.keyboard.press("Escape");
    await expect.poll(focused).toBe("button:Schedule…");
    await page.keyboard.press("Enter");
    await expect.poll(focused).toBe("input:datetime-local");
    expect(await item.getByText(/^For the visitor: .+ \(Europe\/Amsterdam\)\.$/).count()).toBe(1);
    await page.keyboard.press("Enter");
    await exactly(queueStatus(page), `${phone}: scheduled.`).waitFor();
    expect(await item.locator(".status").textContent()).toBe("scheduled");
    await facts(item, "Agreed time").waitFor();

    // Missed, with a note, all by keyboard.
    await item.getByRole("button", { name: "Missed…" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(focused).toBe("textarea:");
    await page.keyboard.type("No answer, voicemail full");
    await page.keyboard.press("Tab");
    await expect.poll(focused).toBe("button:Mark missed");
    await page.keyboard.press("Enter");
    await exactly(queueStatus(page), `${phone}: marked missed.`).waitFor();
    await item.waitFor({ state: "detached" });

    // The missed list offers a new time; the visitor gets it by their channel.
    await page.getByRole("button", { name: "Missed", exact: true }).click();
    const missed = row(page, note);
    await exactly(facts(missed, "Outcome"), "No answer, voicemail full").waitFor();
    await missed.getByRole("button", { name: "Offer a new time" }).focus();
    await page.keyboard.press("Enter");
    await exactly(queueStatus(page), `${phone}: offered a new time by web chat.`).waitFor();
    const seen = await until(
      () => visitorEvents(token),
      (events) => events.some((e) => e.name === "callback.offered"),
      "the offer in the visitor's thread",
    );
    expect(
      seen.some((e) => e.type === "message" && e.text.startsWith("Sorry we missed you.")),
    ).toBe(true);

    // The thread tells it all, in the agent's words.
    await missed.getByRole("link", { name: "Open thread" }).click();
    const line = (name: string) => timeline(page).locator(`.ev.sys[data-name="${name}"] .sys-text`);
    await line("callback.offered")
      .filter({ hasText: "Offered the visitor a new callback time" })
      .waitFor();
    expect(await line("callback.requested").textContent()).toBe(
      "Callback requested as soon as possible",
    );
    expect(await line("callback.scheduled").textContent()).toMatch(
      /^Callback scheduled for .+ \(visitor's time: .+\)$/,
    );
    expect(await line("callback.missed").textContent()).toBe("Callback marked missed by you");
    expect(callback.asap).toBe(true);
    expect(agent.problems).toEqual([]);
    await agent.context.close();
  }, 60_000);
});
