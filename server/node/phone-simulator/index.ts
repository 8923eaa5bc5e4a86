import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { errorBody } from "../../errors.ts";
import { escapeHtml } from "../../html.ts";
import { seqText, words } from "../../schema/fields.ts";
import { route } from "../../schema/route.ts";
import { serveDemoPage } from "../demo-page.ts";

/**
 * The phone the demo's Telegram and WhatsApp simulators show (Node only): one page, shaped by
 * its platform, where the visitor plays the person on the phone. What they type goes to the
 * platform module's `deliver`, which posts our own webhook as the platform would; what our
 * channel sent the person is pushed here and polled back by the page. Text is only ever text.
 */

/** One line of the phone's thread. */
export interface Bubble {
  seq: number;
  from: "person" | "business" | "info";
  text: string;
  at: number;
  /** A line under the bubble: how it went out, or its status ("read"). */
  note?: string;
}

/** The page's CSP: nothing inline, nothing from elsewhere. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const MAX_PEOPLE = 1000;
/** What the phone and the emulated platform APIs take: small JSON. */
export const smallBody = bodyLimit({
  maxSize: 16 * 1024,
  onError: (c) => c.json(errorBody("payload_too_large", "Too large"), 413),
});
const MAX_BUBBLES = 300;

export interface PhoneOptions {
  /** `/demo/telegram`: the page, and `/send`, `/inbox` under it. */
  path: string;
  /** "Telegram", "WhatsApp": the page's title and look. */
  platform: "Telegram" | "WhatsApp" | "SMS";
  siteName: string;
  /** The person's id on the platform, as the page makes it: a chat id, a WhatsApp number. */
  person: { pattern: RegExp; digits: number; prefix: string };
  /** What the link's query carries: a deep link's `start`, a wa.me link's prefilled `text`. */
  linkParam?: "start" | "text";
  /** Show the person their own number, to type it where the site asks (SMS). */
  showNumber?: boolean;
  /** Sends what the person typed to our webhook; answers the webhook's HTTP status. */
  deliver(person: string, text: string): Promise<number>;
  /** The person's phone showed these bubbles (WhatsApp answers "read"). */
  onShown?(person: string, bubbles: Bubble[]): void;
}

function page(options: PhoneOptions): string {
  const name = escapeHtml(options.siteName);
  const { path, platform, person, linkParam } = options;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${platform} simulator · ${name}</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="${path}/app.css">
<script type="module" src="${path}/app.js"></script>
</head>
<body class="${platform.toLowerCase()}" data-base="${path}" data-param="${linkParam ?? ""}"${options.showNumber ? " data-show-number" : ""} data-digits="${person.digits}" data-prefix="${person.prefix}">
<main class="phone">
  <header class="bar">
    <div class="avatar" aria-hidden="true">${escapeHtml(options.siteName.slice(0, 1).toUpperCase())}</div>
    <div class="who"><h1>${name}</h1><p>${platform} simulator: ${platform}'s side, played on this machine</p><p class="number" hidden></p></div>
    <button type="button" class="reset" title="Start again as another ${platform} user">New user</button>
  </header>
  <ol class="thread" aria-live="polite" aria-label="Conversation"></ol>
  <div class="start" hidden><button type="button" class="start-button">Start</button></div>
  <form class="composer">
    <input name="text" aria-label="Message" placeholder="Message" autocomplete="off" maxlength="4000">
    <button type="submit">Send</button>
  </form>
  <p class="error" role="alert" hidden></p>
</main>
</body>
</html>
`;
}

/**
 * Each person's thread on a simulated phone, the oldest people and bubbles let go past a bound.
 *
 * @example
 * const threads = bubbleThreads();
 * threads.push(psid, { from: "person", text: "Get Started" });
 * threads.after(psid, 0); // [{ seq: 1, from: "person", … }]
 */
export function bubbleThreads() {
  const threads = new Map<string, Bubble[]>();
  return {
    push(person: string, bubble: Omit<Bubble, "seq" | "at">): Bubble {
      let bubbles = threads.get(person);
      if (!bubbles) {
        if (threads.size >= MAX_PEOPLE) threads.delete(threads.keys().next().value!);
        bubbles = [];
        threads.set(person, bubbles);
      }
      const added = { seq: (bubbles.at(-1)?.seq ?? 0) + 1, at: Date.now(), ...bubble };
      bubbles.push(added);
      if (bubbles.length > MAX_BUBBLES) bubbles.splice(0, bubbles.length - MAX_BUBBLES);
      return added;
    },
    after: (person: string, seq: number) => (threads.get(person) ?? []).filter((b) => b.seq > seq),
  };
}

/** What a simulator's send route answers once our webhook took what the person did. */
export const WEBHOOK_TOOK_IT = {
  200: { description: "Our webhook took it", schema: v.object({ delivered: v.literal(true) }) },
};

/**
 * The phone's routes: the page, `POST <path>/send { person, text }` (the webhook call follows)
 * and `GET <path>/inbox?person&after` (the thread after a seq). `push` adds what the business
 * sent the person.
 *
 * @example
 * const phone = phoneSimulator({ path: "/demo/telegram", platform: "Telegram", … });
 * phone.push(chatId, { from: "business", text });
 */
export function phoneSimulator(options: PhoneOptions) {
  const threads = bubbleThreads();
  const push = threads.push;

  const person = v.pipe(
    v.string("must be a string"),
    v.regex(options.person.pattern, `must be a ${options.platform} id of digits`),
  );
  const routes = new Hono();
  serveDemoPage(routes, {
    path: options.path,
    title: `${options.platform} simulator`,
    csp: CSP,
    html: page(options),
    assets: new URL("./assets/", import.meta.url),
  });

  routes.post(
    `${options.path}/send`,
    smallBody,
    route({
      summary: `The simulated person writes on the phone (${options.platform}'s webhook call follows)`,
      tag: "demo",
      auth: "none",
      body: v.object({ person, text: words(4000) }),
      responses: WEBHOOK_TOOK_IT,
    }),
    async (c) => {
      const body = c.req.valid("json");
      push(body.person, { from: "person", text: body.text });
      const status = await options.deliver(body.person, body.text);
      if (status !== 200) {
        return c.json(errorBody("upstream_failed", `The webhook answered HTTP ${status}`), 502);
      }
      return c.json({ delivered: true as const });
    },
  );

  routes.get(
    `${options.path}/inbox`,
    route({
      summary: "The phone's thread after `after`",
      tag: "demo",
      auth: "none",
      query: v.object({ person, after: seqText }),
      responses: { 200: "The bubbles" },
    }),
    (c) => {
      const query = c.req.valid("query");
      const bubbles = threads.after(query.person, query.after);
      if (bubbles.length > 0) options.onShown?.(query.person, bubbles);
      c.header("Cache-Control", "no-store");
      return c.json({ bubbles });
    },
  );

  return { routes, push };
}

export type PhoneSimulator = ReturnType<typeof phoneSimulator>;
