import { Hono } from "hono";
import * as v from "valibot";
import type { Config, MessengerConfig } from "../../config.ts";
import { errorBody } from "../../errors.ts";
import { escapeHtml } from "../../html.ts";
import { seqText, words } from "../../schema/fields.ts";
import { route } from "../../schema/route.ts";
import { serveDemoPage } from "../demo-page.ts";
import { formFields, uploadBody } from "../phone-simulator/form.ts";
import { bubbleThreads, smallBody, WEBHOOK_TOOK_IT } from "../phone-simulator/index.ts";
import { createGraphEmulator, type GraphEmulator, type SentMessage } from "./graph.ts";
import {
  getStartedEvent,
  type MessagingEvent,
  messageEvent,
  postWebhook,
  referralEvent,
  webhookBody,
} from "./meta-wire.ts";

/**
 * The demo's Messenger simulator (Node only): with no Meta settings, `npm start` plays Meta's
 * side on this machine. `/demo/messenger?ref=<handle>` is a phone-like Messenger thread; what
 * the person does there goes to our own `/webhooks/messenger` built and signed as Meta does it
 * (the demo page's app secret stays on the server), and our Send API calls reach the Graph
 * emulation at `/demo/graph`, which the page polls to show them.
 */

/** The demo page's settings: public on purpose, good for nothing but this simulator. */
export const DEMO_MESSENGER: MessengerConfig = {
  pageId: "demo-page",
  appSecret: "demo-app-secret-for-the-simulator-only",
  verifyToken: "demo-verify-token",
  pageAccessToken: "demo-page-access-token",
  linkBase: "/demo/messenger",
};

/** The page's CSP: nothing inline, nothing from elsewhere. */
export const SIMULATOR_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const psid = v.pipe(
  v.string("must be a string"),
  v.regex(/^\d{10,20}$/, "must be 10 to 20 digits"),
);
const ref = v.pipe(
  v.string("must be a string"),
  v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 characters of A–Z, a–z, 0–9, _ and -"),
);

/** What the person does on the phone: each action with what it needs. */
const SendBody = v.variant(
  "action",
  [
    v.object({ action: v.literal("get_started"), psid, ref: v.optional(ref) }),
    v.object({ action: v.literal("open"), psid, ref }),
    v.object({ action: v.literal("message"), psid, text: words(2000) }),
    v.object({ action: v.literal("photo"), psid }),
  ],
  "must be get_started, open, message or photo",
);

const InboxQuery = v.object({ psid, after: seqText });

export interface MessengerSimulator {
  /** Where the Messenger channel's Send API calls go. */
  graphApiUrl: string;
  /** The Graph emulation behind it. */
  graph: GraphEmulator;
  routes: Hono;
}

function page(siteName: string): string {
  const name = escapeHtml(siteName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Messenger simulator · ${name}</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/demo/messenger/app.css">
<script type="module" src="/demo/messenger/app.js"></script>
</head>
<body>
<main class="phone">
  <header class="bar">
    <div class="avatar" aria-hidden="true">${escapeHtml(siteName.slice(0, 1).toUpperCase())}</div>
    <div class="who"><h1>${name}</h1><p>Messenger simulator: Meta's side, played on this machine</p></div>
    <button type="button" class="reset" title="Start again as another Messenger user">New user</button>
  </header>
  <ol class="thread" aria-live="polite" aria-label="Conversation"></ol>
  <div class="start" hidden>
    <p>${name} will see that you came from its website, and your chat goes on here.</p>
    <button type="button" class="get-started">Get Started</button>
  </div>
  <form class="composer" hidden>
    <button type="button" class="photo" aria-label="Send a photo" title="Send a photo">+</button>
    <input name="text" aria-label="Message" placeholder="Aa" autocomplete="off" maxlength="2000">
    <button type="submit">Send</button>
  </form>
  <p class="error" role="alert" hidden></p>
</main>
</body>
</html>
`;
}

/**
 * Sets the simulator up for the demo site when it has no Messenger settings of its own (the
 * caller also checks that `GRAPH_API_URL` is unset): the demo site gets {@link DEMO_MESSENGER},
 * so handoff links open `/demo/messenger`. Answers null when there is nothing to simulate.
 * `localUrl` is how this process reaches itself (`http://127.0.0.1:<port>`).
 *
 * @example
 * const simulator = messengerSimulator(config, `http://127.0.0.1:${config.port}`);
 * if (simulator) app.route("/", simulator.routes);
 */
export function messengerSimulator(config: Config, localUrl: string): MessengerSimulator | null {
  const site = config.sites.find((s) => s.id === "demo");
  if (!site || site.messenger) return null;
  site.messenger = { ...DEMO_MESSENGER };
  const settings = DEMO_MESSENGER;

  const threads = bubbleThreads();
  const push = threads.push;

  const graph = createGraphEmulator({
    accessTokens: [settings.pageAccessToken],
    onSent: (message: SentMessage) =>
      push(message.recipientId, {
        from: "business",
        // A file the page sent shows by its kind and name.
        text: message.file ? `[${message.file.type}] ${message.file.name}` : message.text,
        note: `sent as ${message.tag ? `${message.messagingType}/${message.tag}` : message.messagingType}`,
      }),
  });

  const routes = new Hono();
  serveDemoPage(routes, {
    path: "/demo/messenger",
    title: "Messenger simulator",
    csp: SIMULATOR_CSP,
    html: page(site.name),
    assets: new URL("./assets/", import.meta.url),
  });

  /** What the person does on the phone, sent to our webhook as Meta would send it. */
  routes.post(
    "/demo/messenger/send",
    smallBody,
    route({
      summary: "The simulated person acts on the phone (Meta's webhook call follows)",
      tag: "demo",
      auth: "none",
      body: SendBody,
      responses: WEBHOOK_TOOK_IT,
    }),
    async (c) => {
      const body = c.req.valid("json");
      const who = { psid: body.psid, pageId: settings.pageId };
      let event: MessagingEvent;
      if (body.action === "get_started") {
        event = getStartedEvent({ ...who, ...(body.ref ? { ref: body.ref } : {}) });
        push(body.psid, { from: "person", text: "Get Started" });
      } else if (body.action === "open") {
        event = referralEvent({ ...who, ref: body.ref });
        push(body.psid, {
          from: "info",
          text: "You opened this conversation from the website's link",
        });
      } else if (body.action === "message") {
        event = messageEvent({ ...who, text: body.text });
        push(body.psid, { from: "person", text: body.text });
      } else {
        const url = new URL("/favicon.svg", config.publicUrl).href;
        event = messageEvent({ ...who, attachments: [{ type: "image", url }] });
        push(body.psid, { from: "person", text: `[photo] ${url}` });
      }
      const answer = await postWebhook(
        `${localUrl}/webhooks/messenger`,
        settings.appSecret,
        webhookBody([{ pageId: settings.pageId, events: [event] }]),
      );
      if (!answer.ok) {
        return c.json(
          errorBody("upstream_failed", `The webhook answered HTTP ${answer.status}`),
          502,
        );
      }
      return c.json({ delivered: true as const });
    },
  );

  /** The phone's thread: what the person sent and what the page's Send API calls delivered. */
  routes.get(
    "/demo/messenger/inbox",
    route({
      summary: "The phone's thread after `after`",
      tag: "demo",
      auth: "none",
      query: InboxQuery,
      responses: { 200: "The bubbles" },
    }),
    (c) => {
      const { psid, after } = c.req.valid("query");
      c.header("Cache-Control", "no-store");
      return c.json({ bubbles: threads.after(psid, after) });
    },
  );

  /** The Graph API's Send API, emulated. */
  routes.all("/demo/graph/*", uploadBody, async (c) => {
    const url = new URL(c.req.url);
    const contentType = c.req.header("content-type") ?? "";
    // An attachment upload is multipart; everything else is small JSON or a form.
    const multipart = contentType.startsWith("multipart/form-data");
    if (!multipart && Number(c.req.header("content-length") ?? 0) > 16 * 1024) {
      return c.json(errorBody("payload_too_large", "Too large"), 413);
    }
    const { status, body } = graph.handle({
      method: c.req.method,
      path: url.pathname.slice("/demo/graph".length),
      query: url.searchParams,
      body: multipart ? "" : await c.req.text(),
      contentType,
      ...(multipart ? { form: await formFields(await c.req.formData()) } : {}),
      ...(c.req.header("authorization") ? { authorization: c.req.header("authorization")! } : {}),
    });
    return c.json(body as object, status as 200);
  });

  return { graphApiUrl: `${localUrl}/demo/graph`, graph, routes };
}
