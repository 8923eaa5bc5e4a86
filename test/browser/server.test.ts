/// <reference types="mocha" />
// The widget with the real SDK against a real omnithread server (started by the WTR config);
// agent replies go through the agent API from the Node side.
import { executeServerCommand } from "@web/test-runner-commands";
import { OmnithreadError } from "../../sdk/index.ts";
import {
  assert,
  destroyAll,
  equal,
  expectNoAxeViolations,
  mount,
  server,
  settle,
  waitFor,
} from "./helpers.ts";

const agentReply = (match: string, text: string) => server.agentReply({ match }, text);

const unique = (what: string) => `${what} ${crypto.randomUUID().slice(0, 8)}`;

afterEach(() => destroyAll());

describe("widget against the real server", () => {
  it("chats: send with Enter, acknowledged, agent reply live and announced", async () => {
    const m = mount();
    equal(m.storage.getItem("omnithread:demo"), null, "nothing stored before open");
    m.widget.open();
    await waitFor(() => m.storage.getItem("omnithread:demo"), "conversation token stored on open");
    const input = m.$<HTMLTextAreaElement>("textarea");
    const text = unique("Where is my order?");
    input.value = text;
    input.dispatchEvent(
      new KeyboardEvent("keydown", { key: "Enter", bubbles: true, composed: true }),
    );
    await waitFor(
      () =>
        m.$$(".log .text").some((p) => p.textContent === text) &&
        !m.root.textContent!.includes("Sending…"),
      "acknowledged message",
    );
    equal(m.$$(".log .text").filter((p) => p.textContent === text).length, 1, "shown once");

    const reply = `It ships today <img src=x onerror="window.__xss=1"> https://example.com/track`;
    await agentReply(text, reply);
    const item = await waitFor(
      () => m.$$(".log > li").find((li) => li.querySelector(".text")?.textContent === reply),
      "agent reply",
    );
    equal(item.querySelector(".meta span")!.textContent, "Alex");
    equal(item.querySelectorAll("img").length, 0, "HTML shown as text");
    equal(item.querySelector("a")!.getAttribute("href"), "https://example.com/track");
    equal(m.$('[aria-live="polite"]').textContent, `Alex: ${reply}`);
    equal(m.$$(".status").length, 0, "online: no status line");
    await expectNoAxeViolations(m.widget.host);
  });

  it("counts replies that arrive while the panel is closed", async () => {
    const m = mount();
    m.widget.open();
    const input = m.$<HTMLTextAreaElement>("textarea");
    const text = unique("Hello?");
    input.value = text;
    m.$<HTMLFormElement>("form.composer").requestSubmit();
    await waitFor(
      () => !m.root.textContent!.includes("Sending…") && m.root.textContent!.includes(text),
      "sent",
    );
    m.widget.close();
    await agentReply(text, "Anyone there? Yes!");
    await waitFor(() => m.root.querySelector(".badge")?.textContent === "1", "unread badge");
    equal(m.$("button.launcher").getAttribute("aria-label"), "Open chat, 1 unread");
  });

  it("continues a thread from a resume link's code, on a fresh device", async () => {
    const first = mount();
    first.widget.open();
    const text = unique("Started on my laptop");
    first.$<HTMLTextAreaElement>("textarea").value = text;
    first.$<HTMLFormElement>("form.composer").requestSubmit();
    await waitFor(
      () => !first.root.textContent!.includes("Sending…") && first.root.textContent!.includes(text),
      "sent",
    );
    const { code } = await executeServerCommand<{ code: string | null }, { match: string }>(
      "resume-code",
      {
        match: text,
      },
    );
    assert(code, "a resume code");
    first.widget.destroy();

    const second = mount();
    second.widget.resume(code);
    equal(second.$('[role="dialog"]').hidden, false, "opens the panel");
    await waitFor(
      () => second.$$(".log .text").some((p) => p.textContent === text),
      "the earlier thread",
    );
    assert(
      second.root.textContent!.includes("Here is a link to continue."),
      "the agent's message too",
    );
    assert(second.storage.getItem("omnithread:demo"), "the new device holds a token now");
  });

  it("surfaces the server's error for a channel that is not configured", async () => {
    const m = mount();
    const error = await m.widget.handoff("messenger").then(
      () => null,
      (e: unknown) => e,
    );
    assert(error instanceof OmnithreadError, "a typed error");
    equal(error.code, "channel_not_configured");
    await settle();
  });
});
