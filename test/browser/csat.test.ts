/// <reference types="mocha" />
// The rating that follows a resolve, against the real server: Alex resolves over the agent API,
// the server adds `csat.requested` to the thread, the widget shows a rating card, the visitor
// answers with the SDK's `rate()` (POST /v1/csat), and the agent's thread has the answer.
import { sendKeys } from "@web/test-runner-commands";
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

afterEach(async () => {
  await destroyAll();
  await server.closeLinks();
});

/** A live widget whose visitor wrote once (something to rate), resolved by Alex. */
async function resolved(m: Mounted, text: string): Promise<string> {
  m.widget.open();
  const id = await conversationId(m);
  await online(m);
  type(m, text);
  await acknowledged(m, text);
  equal((await server.setStatus(id, "resolved")).status, "resolved");
  await waitFor(() => m.root.querySelector(".csat"), "the rating card");
  return id;
}

const scores = (m: Mounted) => m.$$(".csat fieldset button") as HTMLButtonElement[];
const send = (m: Mounted) => m.$<HTMLButtonElement>('.csat [type="submit"]');

describe("rating after a resolve", () => {
  it("rates 4/5 with a comment by keyboard, and the agent sees it", async () => {
    const m = mount();
    const id = await resolved(m, "Where is my parcel?");
    // The resolve's own system line shows as before, then the card.
    assert(
      m.$$(".log .sys").some((li) => li.textContent === "Conversation resolved by Alex"),
      "the resolve's system line",
    );
    const card = m.$(".csat");
    equal(m.$(".csat legend").textContent, "How did we do?", "the group is named by the question");
    equal(
      scores(m)
        .map((b) => `${b.textContent}:${b.getAttribute("aria-label")}`)
        .join(),
      [1, 2, 3, 4, 5].map((n) => `${n}:Rate ${n} out of 5`).join(),
    );
    assert(
      scores(m).every((b) => b.getAttribute("aria-pressed") === "false"),
      "nothing picked",
    );
    equal(send(m).disabled, true, "Send waits for a score");
    const comment = m.$<HTMLInputElement>(".csat input");
    equal(comment.getAttribute("aria-label"), "Comment");
    equal(getComputedStyle(comment).fontSize, "16px", "no zoom on focus in iOS");
    await expectNoAxeViolations(m.widget.host);

    // Keyboard only: Tab to the fourth score, Space picks it, Tab on to the comment, Enter sends.
    scores(m)[0]!.focus();
    for (let i = 0; i < 3; i++) await sendKeys({ press: "Tab" });
    equal(focused(m), scores(m)[3], "focus on 4");
    await sendKeys({ press: "Space" });
    await waitFor(() => scores(m)[3]!.getAttribute("aria-pressed") === "true", "4 picked");
    equal(scores(m).filter((b) => b.getAttribute("aria-pressed") === "true").length, 1);
    const look = (b: HTMLElement) => getComputedStyle(b).backgroundColor;
    equal(look(scores(m)[3]!), "rgb(29, 78, 216)", "the picked score in the accent colour");
    equal(look(scores(m)[2]!), "rgb(255, 255, 255)", "the others plain");
    equal(send(m).disabled, false, "Send enabled");
    await expectNoAxeViolations(m.widget.host);
    await sendKeys({ press: "Tab" }); // past 5
    await sendKeys({ press: "Tab" });
    equal(focused(m), comment, "focus on the comment");
    await sendKeys({ type: "Quick and kind" });
    await sendKeys({ press: "Enter" });

    // The card turns into the answer, with a thank-you, announced; focus goes to the composer.
    await waitFor(() => !card.isConnected, "the card is gone");
    const answer = await waitFor(
      () => m.$$(".log .sys").find((li) => li.textContent!.startsWith("You rated")),
      "the answer",
    );
    equal(answer.firstChild!.textContent, "You rated 4/5. Thanks!");
    equal(answer.querySelector(".text")!.textContent, "Quick and kind", "the comment as text");
    await waitFor(
      () => m.$('[aria-live="polite"]').textContent === "You rated 4/5. Thanks!",
      "announced",
    );
    equal(focused(m), m.$("textarea"), "focus on the composer");
    await expectNoAxeViolations(m.widget.host);

    // The agent's thread has the answer, by the visitor.
    const { events } = await server.agentThread(id);
    const submitted = events.find((e) => e.name === "csat.submitted");
    assert(submitted, "csat.submitted in the agent's thread");
    equal(submitted.author.role, "visitor");
    equal(submitted.data?.rating, 4);
    equal(submitted.data?.comment, "Quick and kind");
  });

  it("shows a failed send inline, and sends again", async () => {
    // Through a network path the test can cut, so the first send cannot reach the server.
    const link = await server.link();
    const m = mount({ server: link.url });
    const id = await resolved(m, "Cancel my order, please");
    scores(m)[4]!.click();
    await waitFor(() => scores(m)[4]!.getAttribute("aria-pressed") === "true", "5 picked");
    await link.cut();
    send(m).click();
    const status = m.$('.csat [role="status"]');
    await waitFor(
      () => status.textContent === "That did not work. Please try again.",
      "the error, in the card",
    );
    equal(scores(m)[4]!.getAttribute("aria-pressed"), "true", "the score is kept");
    await expectNoAxeViolations(m.widget.host);
    await link.restore();
    send(m).click();
    await waitFor(
      () => m.$$(".log .sys").some((li) => li.textContent === "You rated 5/5. Thanks!"),
      "rated after all",
      8000,
    );
    equal(m.$$(".csat").length, 0);
    const { events } = await server.agentThread(id);
    equal(events.filter((e) => e.name === "csat.submitted").length, 1, "rated once");
  });

  it("shows a comment with HTML as text", async () => {
    const m = mount();
    await resolved(m, "Thanks for the help");
    const xss = `<img src=x onerror="window.__csat = 1"><script>window.__csat = 2</script>`;
    scores(m)[1]!.click();
    m.$<HTMLInputElement>(".csat input").value = xss;
    await settle();
    send(m).click();
    const text = await waitFor(() => m.root.querySelector(".log .sys .text"), "the comment");
    equal(text.textContent, xss);
    equal(m.$$(".log img, .log script").length, 0, "no element injected");
    equal((window as { __csat?: number }).__csat, undefined, "nothing ran");
    assert(m.$(".log .sys .text").parentElement!.textContent!.startsWith("You rated 2/5."));
  });

  it("asks again after the next resolve, and not before", async () => {
    const m = mount();
    const id = await resolved(m, "One more thing");
    scores(m)[2]!.click();
    await settle();
    send(m).click();
    await waitFor(() => m.$$(".csat").length === 0, "answered");
    // Reopened and resolved again: a new request, so a new card; the first answer stays.
    await server.setStatus(id, "open");
    await waitFor(
      () => m.$$(".log .sys").some((li) => li.textContent === "Conversation reopened by Alex"),
      "reopened",
    );
    equal(m.$$(".csat").length, 0, "no card while open");
    await server.setStatus(id, "resolved");
    await waitFor(() => m.$$(".csat").length === 1, "a new card");
    equal(
      scores(m).filter((b) => b.getAttribute("aria-pressed") === "true").length,
      0,
      "nothing picked on the new card",
    );
    assert(
      m.$$(".log .sys").some((li) => li.textContent === "You rated 3/5. Thanks!"),
      "the first answer stays in the thread",
    );
  });
});
