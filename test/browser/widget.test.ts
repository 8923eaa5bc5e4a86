/// <reference types="mocha" />
// The widget with the real SDK against the real server the test runner started: the server's
// side (agent replies and typing, messages from other channels, a lost network) goes through
// commands of the runner's config that use the server's own code paths.
import { sendKeys, setViewport } from "@web/test-runner-commands";
import { createRef, h, render } from "preact";
import { LIMITS } from "../../sdk/protocol.ts";
import * as i18n from "../../widget/i18n.ts";
import { CSS } from "../../widget/styles.ts";
import { Panel } from "../../widget/ui/Panel.tsx";
import type { Actions, Refs, View } from "../../widget/ui/types.ts";
import { Ways } from "../../widget/ui/Ways.tsx";
import {
  acknowledged,
  assert,
  conversationId,
  destroyAll,
  equal,
  expectNoAxeViolations,
  focused,
  type Mounted,
  mount,
  online,
  server,
  settle,
  type,
  waitFor,
} from "./helpers.ts";

const XSS = [
  `<img src=x onerror="window.__xss = 1">`,
  `<script>window.__xss = 2</script>`,
  `<a href="javascript:window.__xss = 3">click</a> javascript:window.__xss=4`,
  `<svg onload="window.__xss = 5"></svg><iframe src="javascript:1"></iframe>`,
];

afterEach(async () => {
  await destroyAll();
  await server.closeLinks();
  await server.agentsOffline();
  await setViewport({ width: 1024, height: 768 });
});

/** The status line's text, or "" when there is none (online). */
const status = (m: Mounted) => m.root.querySelector(".status")?.textContent ?? "";

/** A started, live widget and its conversation id. */
async function started(m: Mounted): Promise<string> {
  m.widget.open();
  const id = await conversationId(m);
  await online(m);
  return id;
}

describe("launcher", () => {
  it("is a button named for what it does, in a shadow root on body", () => {
    const m = mount();
    equal(m.widget.host.parentElement, document.body);
    const launcher = m.$("button.launcher");
    equal(launcher.tagName, "BUTTON");
    equal(launcher.getAttribute("aria-label"), "Open chat");
    equal(m.$$('[role="dialog"]').length, 0, "no panel before opening");
    equal(getComputedStyle(launcher).position, "fixed");
    assert(performance.getEntriesByName("omnithread:launcher").length > 0, "performance mark");
  });

  it("does nothing beyond the launcher until opened: no client, no storage", async () => {
    const m = mount();
    await settle();
    equal(m.client(), null, "no client created");
    equal(m.options.length, 0);
    equal(m.storage.getItem("omnithread:demo"), null, "nothing stored");
    m.$("button.launcher").click();
    equal(m.options[0]?.siteId, "demo", "the client is created on open");
    await waitFor(() => m.storage.getItem("omnithread:demo"), "conversation token stored");
    await online(m);
    equal(status(m), "", "online: no status line");
  });

  it("opens on click, moves focus to the composer, and closes back to the launcher", async () => {
    const m = mount();
    const launcher = m.$("button.launcher");
    launcher.focus();
    launcher.click();
    const dialog = m.$('[role="dialog"]');
    equal(dialog.hidden, false);
    equal(dialog.getAttribute("aria-label"), "Chat");
    equal(focused(m), m.$("textarea"), "focus in the composer");
    equal(launcher.getAttribute("aria-label"), "Close chat");
    m.$<HTMLButtonElement>('.head button[aria-label="Close chat"]').click();
    equal(dialog.hidden, true);
    equal(focused(m), launcher, "focus back on the launcher");
    equal(launcher.getAttribute("aria-label"), "Open chat");
  });

  it("works by keyboard: Enter and Space open, Escape closes", async () => {
    const m = mount();
    const launcher = m.$("button.launcher");
    launcher.focus();
    await sendKeys({ press: "Enter" });
    await waitFor(() => focused(m) === m.$("textarea"), "focus in composer after Enter");
    await sendKeys({ press: "Escape" });
    await waitFor(() => m.$('[role="dialog"]').hidden, "closed by Escape");
    equal(focused(m), launcher);
    await sendKeys({ press: "Space" });
    await waitFor(() => !m.$('[role="dialog"]').hidden, "opened by Space");
    equal(focused(m), m.$("textarea"));
    // Tab moves through the panel's controls and reaches the launcher.
    await sendKeys({ press: "Shift+Tab" });
    await sendKeys({ press: "Shift+Tab" });
    assert(focused(m) !== null, "focus stays in the widget");
  });

  it("emits open and close to page listeners", () => {
    const m = mount();
    const seen: string[] = [];
    m.widget.on("open", () => seen.push("open"));
    m.widget.on("close", () => seen.push("close"));
    m.widget.toggle();
    m.widget.toggle();
    m.widget.close();
    equal(seen.join(), "open,close");
  });

  it("sits on the left and takes the site's colour and z-index", () => {
    const m = mount({ position: "left", color: "#ffdd00", zIndex: "42" });
    const launcher = m.$("button.launcher");
    assert(launcher.getBoundingClientRect().left < 100, "launcher on the left");
    equal(getComputedStyle(launcher).backgroundColor, "rgb(255, 221, 0)");
    equal(getComputedStyle(launcher).color, "rgb(0, 0, 0)", "dark text on a light colour");
    equal(getComputedStyle(m.widget.host).zIndex, "42");
  });

  it("keeps host page CSS out and its own CSS in", () => {
    const style = document.createElement("style");
    style.textContent =
      "button{background:red!important;font-size:40px!important;border:9px solid lime!important}" +
      "omnithread-widget{display:none}div{display:none}";
    document.head.append(style);
    const outside = document.createElement("button");
    outside.className = "launcher";
    document.body.append(outside);
    try {
      const m = mount();
      const launcher = m.$("button.launcher");
      equal(getComputedStyle(launcher).backgroundColor, "rgb(29, 78, 216)");
      equal(getComputedStyle(launcher).borderTopWidth, "0px");
      equal(getComputedStyle(m.widget.host).display, "block");
      assert(launcher.getBoundingClientRect().width > 0, "launcher visible");
      equal(getComputedStyle(outside).position, "static", "widget CSS does not reach the page");
    } finally {
      style.remove();
      outside.remove();
    }
  });
});

describe("panel", () => {
  it("shows the greeting, messages with author, time and channel badge", async () => {
    const m = mount({ greeting: "Welcome to the shop!" });
    const id = await started(m);
    type(m, "Hi from the web");
    await acknowledged(m, "Hi from the web");
    const at = "2025-01-01T09:30:00.000Z";
    const alex = { role: "agent", name: "Alex" } as const;
    await server.appendEvent(id, {
      text: "Answer by email",
      channel: "email",
      author: alex,
      createdAt: at,
    });
    await server.appendEvent(id, {
      text: "From Messenger",
      channel: "messenger",
      author: { role: "visitor" },
    });
    await server.appendEvent(id, {
      text: "",
      type: "system",
      name: "channel.linked",
      channel: "messenger",
      author: { role: "system" },
    });
    await waitFor(() => m.client()!.messages.some((e) => e.type === "system"), "system event");
    await settle();
    const items = m.$$(".log > li");
    equal(items.length, 4, "greeting + three messages (empty system events hidden)");
    assert(items[0]!.textContent!.includes("Welcome to the shop!"), "greeting");
    assert(items[1]!.textContent!.includes("You"), "visitor author");
    equal(items[1]!.querySelector(".text")!.textContent, "Hi from the web");
    equal(items[1]!.querySelector(".chan"), null, "no badge on web messages");
    equal(items[2]!.querySelector(".meta span")!.textContent, "Alex");
    equal(items[2]!.querySelector(".chan")!.textContent, "via email");
    equal(items[3]!.querySelector(".meta span")!.textContent, "You");
    equal(items[3]!.querySelector(".chan")!.textContent, "via Messenger");
    const time = items[2]!.querySelector("time")!;
    equal(time.getAttribute("datetime"), at);
    const hhmm = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit" });
    equal(time.textContent, hhmm.format(new Date(at)));
  });

  it("sends on Enter, adds a line on Shift+Enter, shows sending… until acknowledged", async () => {
    // Through a network path the test can cut, so the server cannot acknowledge for a while.
    const link = await server.link();
    const m = mount({ server: link.url });
    const id = await started(m);
    const input = m.$<HTMLTextAreaElement>("textarea");
    input.focus();
    await sendKeys({ type: "first line" });
    await sendKeys({ press: "Shift+Enter" });
    await sendKeys({ type: "second" });
    equal(input.value, "first line\nsecond");
    await waitFor(() => server.visitorTyping(id), "typing notices reach the server");
    await link.cut();
    await waitFor(() => status(m) === "Offline. Reconnecting…", "offline");
    await sendKeys({ press: "Enter" });
    await settle();
    equal(input.value, "", "composer cleared");
    const pending = m.$(".log > li:last-child");
    equal(pending.querySelector(".text")!.textContent, "first line\nsecond");
    assert(pending.textContent!.includes("Sending…"), "shown as sending");
    await new Promise((wait) => setTimeout(wait, 300));
    assert(
      m.root.textContent!.includes("Sending…"),
      "still sending while the server is unreachable",
    );
    equal(m.$$(".failed").length, 0, "not failed: it waits to go out");
    await link.restore();
    await acknowledged(m, "first line\nsecond", 8000);
    equal(m.$$(".log > li").length, 2, "greeting + the acknowledged message, once");
    const client = m.client()!;
    equal(client.messages.filter((e) => e.text === "first line\nsecond").length, 1, "stored once");
    // The event can come down the live stream just before the ack of the send.
    await waitFor(() => client.pending.length === 0, "nothing left in the outbox");
  });

  it("offers a retry for a message that could not be sent", async () => {
    // The server cannot be reached when the visitor first writes: the thread cannot start.
    const link = await server.link({ down: true });
    const m = mount({ server: link.url });
    m.widget.open();
    await waitFor(() => status(m).startsWith("Could not connect."), "could not connect");
    type(m, "will fail");
    const retry = await waitFor(
      () => m.root.querySelector<HTMLButtonElement>(".failed button"),
      "retry",
    );
    assert(m.$(".failed").textContent!.includes("Not sent."));
    equal(retry.textContent, "Retry");
    await link.restore();
    retry.click();
    await acknowledged(m, "will fail");
    equal(m.$$(".failed").length, 0, "no failed message left");
    equal(m.client()!.messages.filter((e) => e.text === "will fail").length, 1, "stored once");
    await online(m);
    equal(status(m), "", "connected now");
  });

  it("shows typing, connection status, and announces new messages politely", async () => {
    const link = await server.link();
    const m = mount({ server: link.url });
    const id = await started(m);
    await link.cut();
    await waitFor(() => status(m) === "Offline. Reconnecting…", "offline");
    await link.restore();
    await waitFor(() => m.$$(".status").length === 0, "back online", 8000);
    await server.agentTyping(id);
    await waitFor(() => m.$(".typing").textContent === "Alex is typing…", "typing");
    await server.agentReply({ conversationId: id }, "Here to help");
    const live = m.$('[aria-live="polite"]');
    await waitFor(() => live.textContent === "Alex: Here to help", "announced");
    equal(m.$(".typing").textContent, "", "typing cleared by the message");
    equal(m.$$(".status").length, 0);
  });

  it("counts messages that arrive while closed on the launcher", async () => {
    const m = mount();
    const id = await started(m);
    m.widget.close();
    await server.agentReply({ conversationId: id }, "one");
    await server.agentReply({ conversationId: id }, "two");
    // The visitor's own message from another channel is not unread.
    await server.appendEvent(id, { text: "mine", channel: "email", author: { role: "visitor" } });
    await waitFor(() => m.client()!.messages.some((e) => e.text === "mine"), "all delivered");
    await settle();
    const launcher = m.$("button.launcher");
    equal(launcher.getAttribute("aria-label"), "Open chat, 2 unread");
    equal(m.$(".badge").textContent, "2");
    equal(m.$(".badge").getAttribute("aria-hidden"), "true");
    m.widget.open();
    await settle();
    equal(m.$$(".badge").length, 0);
  });

  it("shows HTML in messages as text and injects no element", async () => {
    const m = mount();
    const id = await started(m);
    for (const text of XSS) await server.agentReply({ conversationId: id }, text);
    type(m, XSS[0]!);
    await waitFor(() => m.$$(".log > li").length === XSS.length + 2, "all messages");
    await acknowledged(m, XSS[0]!);
    await settle();
    const texts = m.$$(".log .text").map((p) => p.textContent);
    for (const text of XSS) assert(texts.includes(text), `shown verbatim: ${text}`);
    equal(m.$$(".log img, .log script, .log iframe, .log svg").length, 0, "no element injected");
    equal(m.$$(".log a").length, 0, "no javascript: link");
    equal((window as { __xss?: number }).__xss, undefined, "nothing ran");
  });

  it("makes http(s) URLs links, safely", async () => {
    const m = mount();
    const id = await started(m);
    const text = "See https://example.com/a?b=1. Or http://x.test, not ftp://y.test";
    await server.agentReply({ conversationId: id }, text);
    await waitFor(() => m.$$(".log .text")[1]?.textContent === text, "the reply");
    const links = m.$$(".log a") as HTMLAnchorElement[];
    equal(links.map((a) => a.href).join(" "), "https://example.com/a?b=1 http://x.test/");
    for (const a of links) {
      equal(a.rel, "noopener noreferrer nofollow");
      equal(a.target, "_blank");
    }
  });

  it("offers no other ways to reach us while the site has no handoff channels", async () => {
    // The "bare" site has set up no channel but the chat.
    const m = mount({ siteId: "bare" });
    await started(m);
    equal(JSON.stringify(m.client()!.site?.channels), "[]", "the server lists no channels");
    await settle();
    equal(m.$$(".ways").length, 0, "no menu without channels");
  });

  it("has no axe violations, closed and open with every kind of message", async () => {
    const link = await server.link({ down: true });
    const m = mount({ server: link.url });
    await expectNoAxeViolations(m.widget.host);
    // Could not connect, with a message not sent: both offer a retry.
    m.widget.open();
    await waitFor(() => status(m).startsWith("Could not connect."), "could not connect");
    type(m, "failing");
    await waitFor(() => m.root.querySelector(".failed"), "failed message");
    await expectNoAxeViolations(m.widget.host);
    await link.restore();
    m.$<HTMLButtonElement>(".status button").click();
    await online(m);
    const id = m.client()!.conversation!.id;
    await server.agentReply({ conversationId: id }, "Hello, see https://example.com");
    await server.appendEvent(id, {
      text: "From email",
      channel: "email",
      author: { role: "visitor" },
    });
    await server.appendEvent(id, {
      text: "Customer linked Messenger",
      type: "system",
      name: "channel.linked",
      channel: "messenger",
      author: { role: "system" },
    });
    await waitFor(() => m.$$(".log .sys").length === 1, "system line");
    // Closed, with an unread reply on the launcher.
    m.widget.close();
    await server.agentReply({ conversationId: id }, "unread");
    await waitFor(() => m.root.querySelector(".badge"), "unread badge");
    await expectNoAxeViolations(m.widget.host);
    // Open, with typing, and offline.
    m.widget.open();
    await server.agentTyping(id);
    await waitFor(() => m.$(".typing").textContent, "typing");
    await link.cut();
    await waitFor(() => status(m) === "Offline. Reconnecting…", "offline");
    equal(m.$$(".failed").length, 1, "the failed message is still there");
    await expectNoAxeViolations(m.widget.host);
  });

  it("is full-screen on a phone and follows the visual viewport", async () => {
    await setViewport({ width: 375, height: 667 });
    const m = mount();
    m.widget.open();
    await settle();
    const rect = m.$('[role="dialog"]').getBoundingClientRect();
    equal(Math.round(rect.left), 0);
    equal(Math.round(rect.top), 0);
    equal(Math.round(rect.width), 375);
    equal(Math.round(rect.height), Math.round(window.visualViewport!.height));
    equal(
      getComputedStyle(m.$("button.launcher")).display,
      "none",
      "launcher hidden under the panel",
    );
    equal(getComputedStyle(m.$("textarea")).fontSize, "16px", "no zoom on focus in iOS");
    equal(m.$<HTMLTextAreaElement>("textarea").maxLength, LIMITS.messageChars, "protocol limit");
    assert(
      m.widget.host.style.getPropertyValue("--ot-vh").endsWith("px"),
      "visual viewport height set",
    );
    // Closing on a phone gives focus back to the launcher, visible again.
    m.$<HTMLButtonElement>('.head button[aria-label="Close chat"]').click();
    equal(getComputedStyle(m.$("button.launcher")).display, "flex");
    equal(focused(m), m.$("button.launcher"));
  });
});

describe("other ways to reach us (the menu alone, with plain props)", () => {
  // The server offers no handoff channel yet, so the widget never shows the menu; until the
  // channel issues land, the component is checked on its own with hand-made view data.
  const view = (ways: View["ways"], away = false): View => ({
    t: i18n.strings("en"),
    time: new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit" }),
    position: "right",
    open: true,
    mounted: true,
    unread: 0,
    events: [],
    outgoing: [],
    status: "online",
    typing: null,
    announce: "",
    greeting: "",
    channels: ["messenger", "email"],
    ways,
    away,
    csat: {},
  });
  const none = () => {};
  let container: HTMLElement;
  beforeEach(() => {
    container = document.createElement("div");
    document.body.append(container);
  });
  afterEach(() => {
    render(null, container);
    container.remove();
  });

  it("toggles, lists the channels, and shows the link a handoff answered", async () => {
    const asked: string[] = [];
    const actions: Actions = {
      toggle: none,
      close: none,
      keydown: none,
      send: none,
      retry: none,
      reconnect: none,
      typing: none,
      ways: () => void asked.push("toggle"),
      choose: (channel) => void asked.push(channel),
      pick: none,
      rate: none,
    };
    render(h(Ways, { v: view({ open: false }), a: actions }), container);
    const toggle = container.querySelector<HTMLButtonElement>(".ways > button")!;
    equal(toggle.textContent, "Other ways to reach us");
    equal(toggle.getAttribute("aria-expanded"), "false");
    equal(container.querySelectorAll(".ways li").length, 0, "closed: no options");
    toggle.click();

    render(h(Ways, { v: view({ open: true }), a: actions }), container);
    equal(toggle.getAttribute("aria-expanded"), "true");
    const options = [...container.querySelectorAll<HTMLButtonElement>(".ways li button")];
    equal(options.map((b) => b.textContent).join("|"), "Continue on Messenger|Continue by email");
    options[0]!.click();
    equal(asked.join(), "toggle,messenger");

    const url = "https://m.me/demo?ref=abc";
    render(h(Ways, { v: view({ open: true, channel: "messenger", url }), a: actions }), container);
    const link = container.querySelector<HTMLAnchorElement>(".ways a")!;
    equal(link.href, url);
    equal(link.rel, "noopener noreferrer");
    equal(link.textContent, "Continue on Messenger");
    await expectNoAxeViolations(container);

    render(
      h(Ways, { v: view({ open: true, channel: "callback", done: true }), a: actions }),
      container,
    );
    equal(container.querySelector('[role="status"]')!.textContent, "Done: we will continue there.");
    render(
      h(Ways, { v: view({ open: true, channel: "email", error: true }), a: actions }),
      container,
    );
    equal(
      container.querySelector('[role="status"]')!.textContent,
      "That did not work. Please try again.",
    );
  });

  it("asks for the address before an email handoff, then confirms or marks it invalid", async () => {
    const asked: [string, string | undefined, boolean | undefined][] = [];
    const actions = {
      ways: none,
      choose: (channel: string, email?: string, transcript?: boolean) =>
        void asked.push([channel, email, transcript]),
    } as unknown as Actions;
    render(
      h(Ways, { v: view({ open: true, channel: "email", ask: true }), a: actions }),
      container,
    );
    const input = container.querySelector<HTMLInputElement>(".ways form input")!;
    equal(input.type, "email");
    equal(input.autocomplete, "email");
    equal(input.required, true);
    equal(input.labels?.[0]?.textContent, "Your email", "labelled");
    equal(document.activeElement, input, "focus moves to the address");
    // With the widget's stylesheet (as in its shadow root): 16 px, no zoom on focus in iOS.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    const box = container.appendChild(document.createElement("div"));
    const styled = box.attachShadow({ mode: "open" });
    styled.adoptedStyleSheets = [sheet];
    styled.append(input.cloneNode());
    equal(getComputedStyle(styled.firstElementChild!).fontSize, "16px", "16 px");
    box.remove();
    await expectNoAxeViolations(container);
    const transcript = container.querySelector<HTMLInputElement>(".ways form [type=checkbox]")!;
    equal(transcript.checked, false, "the transcript is optional, off at first");
    equal(
      transcript.labels?.[0]?.textContent,
      "Email me the whole conversation when it's resolved",
      "labelled",
    );
    input.value = " visitor@example.com ";
    const submit = container.querySelector<HTMLButtonElement>(".ways form [type=submit]")!;
    submit.click();
    transcript.click();
    submit.click();
    equal(
      JSON.stringify(asked),
      JSON.stringify([
        ["email", "visitor@example.com", false],
        ["email", "visitor@example.com", true],
      ]),
    );

    render(
      h(Ways, {
        v: view({ open: true, channel: "email", ask: true, error: true, bad: true }),
        a: actions,
      }),
      container,
    );
    equal(input.getAttribute("aria-invalid"), "true");
    equal(
      container.querySelector('[role="status"]')!.textContent,
      "That did not work. Please try again.",
    );
    await expectNoAxeViolations(container);

    render(
      h(Ways, { v: view({ open: true, channel: "email", done: true }), a: actions }),
      container,
    );
    equal(container.querySelectorAll(".ways form").length, 0, "the form is gone");
    equal(container.querySelector('[role="status"]')!.textContent, "Done: we will continue there.");
    const back = [...container.querySelectorAll<HTMLButtonElement>(".ways li button")][1]!;
    equal(document.activeElement, back, "focus back on Continue by email");
    await expectNoAxeViolations(container);
  });

  it("sit right below the away notice, by the composer", async () => {
    const actions = {} as Actions;
    const refs: Refs = { launcher: createRef(), input: createRef(), log: createRef() };
    render(h(Panel, { v: view({ open: true }, true), a: actions, r: refs }), container);
    const notice = container.querySelector('.panel > [role="status"]')!;
    equal(notice.textContent, "We're away. Leave a message and we'll reply here.");
    const ways = notice.nextElementSibling!;
    equal(ways.className, "ways", "the menu follows the notice");
    equal(ways.querySelectorAll("li button").length, 2, "with the site's channels");
    equal(ways.nextElementSibling!.className, "composer", "then the composer");
    await expectNoAxeViolations(container);
  });
});

/**
 * Away mode against the real server: the snapshot's `site.open` (business hours) and
 * `site.agentsOnline` (an agent's console socket is open). Agents' presence is per site and
 * server-wide, so every test that opens an agent socket lives in this file, where tests run one
 * at a time, and each socket's close waits until the server has the agent offline again.
 */
describe("away mode", () => {
  const AWAY = "We're away. Leave a message and we'll reply here.";
  /** The notice's live region: in the panel from the start, filled once the snapshot says so. */
  const notice = (m: Mounted) => m.$('.panel > p[role="status"]');

  it("says so plainly when no agent is online, and still takes messages", async () => {
    const m = mount();
    m.widget.open();
    equal(notice(m).textContent, "", "an empty live region before the snapshot");
    await conversationId(m);
    await online(m);
    const site = m.client()!.site!;
    equal(site.open, true, "the demo site has no business hours in tests");
    equal(site.agentsOnline, false, "nobody holds an agent socket");
    await waitFor(() => notice(m).textContent === AWAY, "the away notice");
    assert(m.$('[role="dialog"]').contains(notice(m)), "part of the panel, not a modal");
    equal(notice(m).className, "away");
    // The composer stays usable: the message is kept for the first agent who comes online.
    const input = m.$<HTMLTextAreaElement>("textarea");
    equal(input.disabled, false);
    input.focus();
    await sendKeys({ type: "Anyone there?" });
    await sendKeys({ press: "Enter" });
    await acknowledged(m, "Anyone there?");
    equal(notice(m).textContent, AWAY, "still away after the visitor wrote");
    await expectNoAxeViolations(m.widget.host);
  });

  it("shows no notice while an agent is online", async () => {
    await server.agentOnline();
    const m = mount();
    await started(m);
    equal(m.client()!.site!.agentsOnline, true, "Alex's console socket makes the team online");
    await settle();
    equal(notice(m).textContent, "");
    equal(m.$$(".away").length, 0);
  });

  it("takes the notice away once an agent answers live", async () => {
    const m = mount();
    const id = await started(m);
    await waitFor(() => notice(m).textContent === AWAY, "the away notice");
    const reply = "I'm back, how can I help?";
    await server.agentReply({ conversationId: id }, reply);
    await waitFor(() => notice(m).textContent === "", "no notice once Alex answered");
    // A later update of the conversation does not bring the snapshot's notice back.
    await m.widget.setAttributes({ plan: "pro" });
    equal(m.client()!.conversation!.context.attributes?.plan, "pro", "the conversation updated");
    await settle();
    equal(notice(m).textContent, "");
  });

  it("is away outside business hours, even with an agent online", async () => {
    // The "closed" site's hours cover no day; its own agent is at the console.
    equal((await server.agentOnline("night@example.com")).siteId, "closed");
    const m = mount({ siteId: "closed", locale: "de" });
    await started(m);
    const site = m.client()!.site!;
    equal(site.open, false, "outside business hours");
    equal(site.agentsOnline, true, "Nina is online");
    await waitFor(
      () => notice(m).textContent === i18n.strings("de")[i18n.AWAY],
      "the notice, in German",
    );
    type(m, "Hallo?");
    await acknowledged(m, "Hallo?");
    await expectNoAxeViolations(m.widget.host);
  });
});

describe("locales", () => {
  it("speaks Dutch", () => {
    const m = mount({ locale: "nl" });
    equal(m.$("button.launcher").getAttribute("aria-label"), "Chat openen");
    m.widget.open();
    equal(m.$("textarea").getAttribute("aria-label"), "Typ een bericht…");
  });

  it("falls back to English for an unknown locale", () => {
    const m = mount({ locale: "xx" });
    equal(m.$("button.launcher").getAttribute("aria-label"), "Open chat");
  });
});
