import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import { DEMO_EMAIL } from "../../server/node/mail-simulator/index.ts";
import type { RunningServer } from "../../server/node.ts";
import { agentInbox, agentThread, until } from "../helpers/agent-api.ts";
import { launchChromium, watchProblems } from "../helpers/chromium.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

/**
 * End to end, the email round trip on one machine: the demo shop's chat continues by email, the
 * demo's webmail (`/demo/mail`, the visitor's mailbox played by the server) shows the transcript
 * and answers it as real mail with quoted history, the agent's answer goes out by email, and the
 * mail's resume link brings the whole thread back to the website chat in a fresh browser.
 */
let server: RunningServer;
let browser: Browser;
let agentToken: string;

beforeAll(async () => {
  server = await startTestServer({}, undefined, { mailSimulator: true });
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
const shown = (page: Page, text: string, timeout = 5000) =>
  page.getByText(text, { exact: true }).first().waitFor({ timeout });

const thread = (conversationId: string) => agentThread(server.url, agentToken, conversationId);
const inbox = () => agentInbox(server.url, agentToken);

const isMessage = (e: ThreadEvent, channel: string, text: string) =>
  e.type === "message" && e.channel === channel && e.text === text;

describe("web chat → email (demo webmail) → web chat, in Chromium", () => {
  it("continues one thread by email and comes back through the resume link", async () => {
    const webText = "Hi! Can you email me about the rain jacket?";
    const mailText = "Thanks, replying from my mailbox: size M please.";
    const answerText = "Hello from Alex: size M is reserved <b>not bold</b>";
    const againText = "Back on the website now";

    // 1. The visitor chats on the demo shop, then continues by email (the visitor API).
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
    // The visitor picks email in the widget and types their address.
    const address = shop.getByRole("textbox", { name: "Your email" });
    await shop.getByRole("button", { name: "Other ways to reach us" }).click();
    await shop.getByRole("button", { name: "Continue by email" }).click();
    await address.fill("ana@example.com");
    const handoff = shop.waitForResponse((r) => r.url().endsWith("/v1/handoff"));
    await address.press("Enter");
    expect((await handoff).status()).toBe(202);
    expect(await (await handoff).json()).toMatchObject({
      channel: "email",
      address: "ana@example.com",
    });

    // 2. The webmail shows the transcript mail, from the demo's address, to the visitor.
    const mailbox = await laptop.newPage();
    const mailProblems = watchProblems(mailbox);
    await mailbox.goto(`${server.url}/demo/mail`);
    const transcript = mailbox.getByRole("article", {
      name: "Your conversation with Demo shop",
      exact: true,
    });
    await transcript.waitFor();
    await transcript.locator(".body").getByText(webText, { exact: false }).waitFor();
    await transcript.getByText("ana@example.com", { exact: true }).waitFor();
    await transcript.getByText(`"Demo shop" <${DEMO_EMAIL.from}>`, { exact: true }).waitFor();
    // Headers on demand: the reply address carries the thread's handle.
    await transcript.getByRole("button", { name: "Show headers" }).click();
    const headers = await transcript.locator("pre.headers").textContent();
    expect(headers).toMatch(
      new RegExp(`^Reply-To: reply\\+[A-Za-z0-9_-]+@${DEMO_EMAIL.replyDomain}$`, "m"),
    );
    expect(headers).toMatch(/^Auto-Submitted: auto-generated$/m);

    // 3. The visitor replies from the webmail: a real mail, quoted history below.
    await transcript.getByRole("button", { name: "Reply", exact: true }).click();
    await transcript.getByRole("textbox", { name: "Your reply" }).fill(mailText);
    const quote = await transcript.locator("pre.quote").textContent();
    expect(quote).toMatch(/^On .+ Demo shop <support@demo\.example> wrote:\n> /);
    const replied = mailbox.waitForResponse((r) => r.url().endsWith("/demo/mail/reply"));
    await transcript.getByRole("button", { name: "Send", exact: true }).click();
    const reply = (await (await replied).json()) as {
      outcome: { status: string; conversationId: string };
      raw: string;
    };
    expect(reply.outcome).toMatchObject({ status: "accepted", conversationId: conversation.id });
    expect(reply.raw).toMatch(/^In-Reply-To: <[^>]+>\r$/m);
    expect(reply.raw).toMatch(/^References: <[^>]+>/m);
    expect(reply.raw).toMatch(new RegExp(`^To: reply\\+\\S+@${DEMO_EMAIL.replyDomain}\\r$`, "m"));
    await shown(mailbox, "Sent: the reply reached the conversation.");

    // 4. The reply lands in the same thread, the quote stripped; email is now active.
    const landed = await until(
      () => thread(conversation.id),
      (t) => t.events.some((e) => isMessage(e, "email", mailText)),
      "the mailed reply in the thread",
    );
    const mailed = landed.events.find((e) => isMessage(e, "email", mailText))!;
    expect(mailed.author.role).toBe("visitor");
    expect(mailed.data).toMatchObject({ stripped: true, from: "ana@example.com" });
    expect(String(mailed.data?.original)).toContain("wrote:");
    expect(landed.conversation.activeChannel).toBe("email");

    // 4b. The console shows the new text; the whole mail, quote and all, is a click away.
    const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const console_ = await desk.newPage();
    const consoleProblems = watchProblems(console_);
    await console_.goto(`${server.url}/console/`);
    await console_.getByLabel("Email").fill("agent@example.com");
    await console_.getByLabel("Password").fill("omnithread-demo");
    await console_.getByRole("button", { name: "Log in" }).click();
    await console_.locator(".conversations a").filter({ hasText: mailText }).click();
    const history = console_.getByRole("log", { name: "Conversation history" });
    const mailedItem = history.locator("li.ev.visitor").filter({ hasText: mailText });
    await mailedItem.waitFor();
    const whole = mailedItem.locator("details.whole-mail pre");
    expect(await whole.isVisible()).toBe(false);
    await mailedItem.getByText("Show the whole email", { exact: true }).click();
    await whole.waitFor();
    expect(await whole.textContent()).toMatch(/wrote:\n> /);
    expect(consoleProblems).toEqual([]);
    await desk.close();

    // 5. The agent answers without naming a channel: it goes by email.
    const answer = await api<{ event: ThreadEvent; deliveredVia: string }>(
      server.url,
      `/v1/agent/conversations/${conversation.id}/messages`,
      { token: agentToken, body: { text: answerText } },
    );
    expect(answer.status).toBe(201);
    expect(answer.body.deliveredVia).toBe("email");

    // 6. The answer appears in the webmail, in the same mail thread, with the resume link.
    const answered = mailbox.getByRole("article", {
      name: "Re: Your conversation with Demo shop",
      exact: true,
    });
    await answered.waitFor({ timeout: 5000 });
    await answered.locator(".body").getByText(answerText, { exact: false }).waitFor();
    await answered.getByRole("button", { name: "Show headers" }).click();
    expect(await answered.locator("pre.headers").textContent()).toMatch(/^In-Reply-To: <.+>$/m);
    const resume = answered.locator(".body").getByRole("link", { name: /\/r\// });
    const href = (await resume.getAttribute("href"))!;
    expect(href).toMatch(new RegExp(`^${server.url}/r/[a-z2-7]{44}$`));

    // 7. A fresh browser opens the link: the widget shows the whole thread.
    const phone = await browser.newContext({
      viewport: { width: 375, height: 740 },
      isMobile: true,
    });
    const web = await phone.newPage();
    const webProblems = watchProblems(web);
    await web.goto(href);
    await shown(web, webText);
    await shown(web, mailText);
    await shown(web, answerText);
    expect(new URL(web.url()).pathname).toBe("/help.html");
    expect(new URL(web.url()).hash).toBe("");

    // 8. The visitor writes on the web again; the agent sees it in the same thread.
    const box = web.getByRole("textbox");
    await box.fill(againText);
    await box.press("Enter");
    await shown(web, againText);
    const back = await until(
      () => thread(conversation.id),
      (t) => t.events.some((e) => isMessage(e, "web", againText)),
      "the web message after the resume link",
    );
    const at = (match: (e: ThreadEvent) => boolean) => back.events.findIndex(match);
    expect(at((e) => isMessage(e, "web", webText))).toBeLessThan(
      at((e) => isMessage(e, "email", mailText)),
    );
    expect(at((e) => isMessage(e, "email", mailText))).toBeLessThan(
      at((e) => e.type === "message" && e.text === answerText),
    );
    expect(at((e) => e.type === "message" && e.text === answerText)).toBeLessThan(
      at((e) => isMessage(e, "web", againText)),
    );
    expect(back.events.some((e) => e.name === "delivery.failed")).toBe(false);
    expect((await inbox()).filter((c) => c.lastText === againText).map((c) => c.id)).toEqual([
      conversation.id,
    ]);

    expect(shopProblems).toEqual([]);
    expect(mailProblems).toEqual([]);
    expect(webProblems).toEqual([]);
    await laptop.close();
    await phone.close();
  });
});
