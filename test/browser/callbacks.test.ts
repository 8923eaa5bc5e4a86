/// <reference types="mocha" />
// The callback form and the thread's callback lines, against the real server: the visitor asks
// for a call in the widget (POST /v1/handoff), Alex schedules, completes, misses and offers it
// again over the agent API, and the thread says so in the visitor's language and time zone.
// The away notice's offer lives in widget.test.ts, with every test that depends on presence.
import { sendKeys } from "@web/test-runner-commands";
import type { CallbackWindow, CallbackWindowsResponse } from "../../sdk/protocol.ts";
import * as i18n from "../../widget/i18n.ts";
import { format } from "../../widget/i18n.ts";
import { whenFormat } from "../../widget/widget.tsx";
import {
  assert,
  destroyAll,
  equal,
  expectNoAxeViolations,
  focused,
  type Mounted,
  mount,
  online,
  server,
  settle,
  sourceStrings,
  started,
  waitFor,
} from "./helpers.ts";

/** The zone the test runner gives the browser (web-test-runner.config.mjs). */
const ZONE = "America/St_Johns";

afterEach(async () => {
  await destroyAll();
  await server.closeLinks();
});

/** Opens "Other ways to reach us" and its callback entry; answers the form once it is there. */
async function openForm(m: Mounted, locale = "en"): Promise<HTMLFormElement> {
  const t = sourceStrings(locale);
  await waitFor(() => m.root.querySelector(".ways"), "the menu");
  const toggle = m.$<HTMLButtonElement>(".ways > button");
  if (toggle.getAttribute("aria-expanded") === "false") toggle.click();
  const entry = await waitFor(
    () => m.$$(".ways li button").find((b) => b.textContent === t[i18n.GO_CALLBACK]),
    "the callback entry",
  );
  (entry as HTMLButtonElement).click();
  return waitFor(() => m.root.querySelector<HTMLFormElement>("form.cb"), "the callback form");
}

const field = <E extends Element>(form: HTMLFormElement, name: string) =>
  form.querySelector<E & Element>(`[name="${name}"]`)!;

/** What the server offers this conversation now, as the form got it. */
const offered = (m: Mounted): Promise<CallbackWindowsResponse> => m.client()!.callbackWindows();

/** The thread's system lines. */
const lines = (m: Mounted) => m.$$(".log .sys");
const line = (m: Mounted, text: string) =>
  waitFor(() => lines(m).find((li) => li.firstChild?.textContent === text), `the line "${text}"`);

/**
 * Days and times as the widget's lines and options say them, in a zone named here rather than
 * left to the browser.
 */
const readIn = (locale: string, timeZone = ZONE) =>
  new Intl.DateTimeFormat(locale, {
    ...(whenFormat(locale).resolvedOptions() as Intl.DateTimeFormatOptions),
    timeZone,
  });

/** How a window reads in the visitor's zone; otherwise in the site's or in UTC (the check is
 * about the zone). */
function inZone(window: CallbackWindow, locale: string): string {
  const read = (zone?: string) =>
    readIn(locale, zone).formatRange(new Date(window.from), new Date(window.to));
  for (const other of ["Europe/Amsterdam", "UTC"]) assert(read(other) !== read(), other);
  return read();
}

/** Fills in and sends the form: a window by its index among the server's (or "asap"). */
function request(form: HTMLFormElement, phone: string, window: number | "asap", note = "") {
  field<HTMLInputElement>(form, "phone").value = phone;
  field<HTMLSelectElement>(form, "w").value = String(window);
  field<HTMLInputElement>(form, "n").value = note;
  form.requestSubmit();
}

/** Sends the form and waits until the server has answered: the form is gone (focus is back on
 * the menu's entry, the status line says so). */
async function requested(form: HTMLFormElement, ...args: [string, number | "asap"]) {
  request(form, ...args);
  await waitFor(() => !form.isConnected, "the request answered");
}

describe("callback form", () => {
  it("asks for the number, its country and a window in the visitor's own zone, by keyboard", async () => {
    equal(Intl.DateTimeFormat().resolvedOptions().timeZone, ZONE, "the browser's zone");
    const m = mount();
    const id = await started(m);
    // Keyboard only: the menu, its callback entry, then the form.
    await waitFor(() => m.root.querySelector(".ways"), "the menu");
    m.$<HTMLButtonElement>(".ways > button").focus();
    await sendKeys({ press: "Enter" });
    const entry = await waitFor(
      () => m.$$(".ways li button").find((b) => b.textContent === "Request a callback"),
      "the callback entry",
    );
    (entry as HTMLButtonElement).focus();
    await sendKeys({ press: "Enter" });
    const form = await waitFor(() => m.root.querySelector<HTMLFormElement>("form.cb"), "the form");
    const phone = field<HTMLInputElement>(form, "phone");
    equal(focused(m), phone, "focus on the number");
    equal(phone.type, "tel");
    equal(phone.autocomplete, "tel");
    equal(phone.required, true);
    const label = (e: HTMLInputElement | HTMLSelectElement) =>
      e.labels?.[0]?.firstChild?.textContent;
    equal(label(phone), "Phone number");
    const country = field<HTMLSelectElement>(form, "c");
    equal(label(country), "Country");
    equal(country.value, "NL", "the site's country, from GET /v1/callback-windows");
    equal(country.selectedOptions[0]!.textContent, "Netherlands", "named, not coded");
    assert(country.options.length > 1, "a few others to pick from");
    const when = field<HTMLSelectElement>(form, "w");
    equal(label(when), "When should we call?");
    const offer = await offered(m);
    const options = [...when.options].map((o) => o.textContent!);
    if (offer.asap) equal(options.shift(), "As soon as possible", "first, while within hours");
    equal(options.length, offer.windows.length, "every window on offer");
    for (const [i, window] of offer.windows.entries()) equal(options[i], inZone(window, "en"));
    equal(label(field<HTMLInputElement>(form, "n")), "Note (optional)");
    for (const input of [phone, country, when, field<HTMLInputElement>(form, "n")])
      equal(getComputedStyle(input).fontSize, "16px", `${input.name}: no zoom on focus in iOS`);
    await expectNoAxeViolations(m.widget.host);

    await sendKeys({ type: "+31 6 12345678" });
    await sendKeys({ press: "Tab" });
    equal(focused(m), country);
    await sendKeys({ press: "Tab" });
    equal(focused(m), when);
    await sendKeys({ press: "ArrowDown" });
    const picked = offer.windows[offer.asap ? 0 : 1]!;
    await sendKeys({ press: "Tab" });
    await sendKeys({ type: "About my order <b>42</b>" });
    await sendKeys({ press: "Enter" });
    const expected = format(sourceStrings("en")[i18n.CB_REQUESTED], inZone(picked, "en"));
    await line(m, expected);
    await waitFor(() => m.$$("form.cb").length === 0, "the form gone");
    const { callbacks } = await server.agentThread(id);
    equal(callbacks[0]!.phone, "+31612345678", "the number the agent calls");
    equal(JSON.stringify(callbacks[0]!.window), JSON.stringify(picked), "the window picked");
    equal(callbacks[0]!.timeZone, ZONE, "the visitor's zone");
    equal(callbacks[0]!.note, "About my order <b>42</b>");
    await expectNoAxeViolations(m.widget.host);
  });

  it("shows the server's word on a bad number, marks the field, and takes a good one", async () => {
    const m = mount();
    await started(m);
    const form = await openForm(m);
    request(form, "12", "asap");
    const status = m.$("#ot-w");
    await waitFor(() => status.textContent!.startsWith('"phone"'), "the server's message");
    assert(/NL/.test(status.textContent!), `judged as a Dutch number: ${status.textContent}`);
    const phone = field<HTMLInputElement>(form, "phone");
    equal(phone.getAttribute("aria-invalid"), "true");
    equal(phone.getAttribute("aria-describedby"), status.id, "the message describes the field");
    equal(field<HTMLSelectElement>(form, "w").getAttribute("aria-invalid"), "false");
    equal(status.getAttribute("role"), "status", "announced");
    equal(lines(m).length, 0, "nothing in the thread");
    await expectNoAxeViolations(m.widget.host);
    request(form, "+31612345678", "asap");
    await line(m, "Callback requested as soon as possible");
    await waitFor(() => status.textContent === "Done: we will continue there.", "done");
    equal(phone.isConnected, false, "the form is gone");
  });

  it("says 'callback requested for …' in Dutch, in the visitor's zone, and cancels it", async () => {
    const m = mount({ locale: "nl" });
    const id = await started(m);
    const nl = sourceStrings("nl");
    const form = await openForm(m, "nl");
    equal(field<HTMLSelectElement>(form, "c").selectedOptions[0]!.textContent, "Nederland");
    const offer = await offered(m);
    await requested(form, "06 12345678", 0);
    const window = offer.windows[0]!;
    const text = format(nl[i18n.CB_REQUESTED], inZone(window, "nl"));
    const requestLine = await line(m, text);
    assert(text.startsWith("Terugbelverzoek voor "), text);
    const cancel = requestLine.querySelector("button")!;
    equal(cancel.textContent, nl[i18n.CB_CANCEL], "Cancel beside the line");
    await expectNoAxeViolations(m.widget.host);

    cancel.focus();
    await sendKeys({ press: "Enter" });
    await line(m, nl[i18n.CB_CANCELLED]);
    equal(m.$$(".log .sys button").length, 0, "nothing left to cancel");
    await waitFor(() => focused(m) === m.$("textarea"), "focus in the composer");
    equal(m.$('[aria-live="polite"]').textContent, nl[i18n.CB_CANCELLED], "said");
    equal((await server.agentThread(id)).callbacks[0]!.status, "cancelled");
  });
});

describe("callback lines", () => {
  it("follows the callback as the agent works it, in German, with a new request on an offer", async () => {
    const m = mount({ locale: "de" });
    const id = await started(m);
    const de = sourceStrings("de");
    const offer = await offered(m);
    await requested(await openForm(m, "de"), "+31612345678", 0);
    const window = offer.windows[0]!;
    await line(m, format(de[i18n.CB_REQUESTED], inZone(window, "de")));
    const [first] = (await server.agentThread(id)).callbacks;

    // Alex schedules it: the new line carries Cancel now, the request's line no longer.
    const at = new Date(Date.parse(window.from) + 10 * 60_000);
    await server.agentCallback(first!.id, { status: "scheduled", scheduledFor: at.toISOString() });
    const scheduled = await line(m, format(de[i18n.CB_SCHEDULED], readIn("de").format(at)));
    equal(m.$$(".log .sys button").length, 1, "one Cancel");
    equal(scheduled.querySelector("button")?.textContent, de[i18n.CB_CANCEL], "on the latest line");

    // Alex called: a short line, nothing to cancel.
    await server.agentCallback(first!.id, { status: "completed", outcome: "Sorted the order" });
    await line(m, de[i18n.CB_COMPLETED]);
    equal(m.$$(".log .sys button").length, 0, "nothing to cancel once done");
    assert(!m.root.textContent!.includes("Sorted the order"), "the outcome is for agents only");

    // Another request, missed, then offered again: a button that opens the form.
    const form = await openForm(m, "de");
    await requested(form, "+31612345678", offer.asap ? "asap" : 0);
    await waitFor(
      async () => (await server.agentThread(id)).callbacks.length === 2,
      "a second request",
    );
    const [second] = (await server.agentThread(id)).callbacks;
    await server.agentCallback(second!.id, { status: "missed" });
    await line(m, de[i18n.CB_MISSED]);
    await server.agentCallback(second!.id, "offer");
    const again = await line(m, de[i18n.CB_OFFERED]);
    const button = again.querySelector("button")!;
    equal(button.textContent, de[i18n.GO_CALLBACK]);
    await expectNoAxeViolations(m.widget.host);
    button.click();
    await waitFor(() => m.root.querySelector("form.cb"), "the form, from the offer");
    // No English from the server's own sentences.
    for (const li of lines(m))
      assert(!/^(Callback|We called)/.test(li.textContent!), li.textContent!);
  });

  it("offers a callback when the connection has been lost mid-chat for a while", async function () {
    this.timeout(20_000);
    const link = await server.link();
    const m = mount({ server: link.url });
    await started(m);
    const status = () => m.root.querySelector(".status");
    await link.cut();
    await waitFor(() => status()?.textContent?.startsWith("Offline. Reconnecting…"), "offline");
    equal(status()!.querySelector("button"), null, "not at once: a blip is not worth a call");
    const offer = await waitFor(
      () => status()?.querySelector<HTMLButtonElement>("button"),
      "the offer, after a while",
      10_000,
    );
    equal(offer.textContent, "Request a callback");
    await expectNoAxeViolations(m.widget.host);
    await link.restore();
    offer.click();
    const form = await waitFor(() => m.root.querySelector<HTMLFormElement>("form.cb"), "the form");
    await waitFor(() => focused(m) === field(form, "phone"), "focus on the number");
    await online(m, 10_000);
    await settle();
    equal(status(), null, "back online: no status line, no offer");
  });
});
