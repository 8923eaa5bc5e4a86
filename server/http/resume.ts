import { Hono } from "hono";
import type { Conversation } from "../../sdk/protocol.ts";
import { randomId } from "../auth/base32.ts";
import type { SiteConfig } from "../config.ts";
import { SHORT_CODE, shortLinkKey } from "../core/short-links.ts";
import { AppError } from "../errors.ts";
import { route } from "../schema/route.ts";
import { ResumeBody, Snapshot } from "../schema/visitor.ts";
import type { Services } from "./services.ts";
import { snapshotFor } from "./snapshot.ts";

/** A resume code is for the click that just happened, not for later. */
export const RESUME_CODE_TTL_MS = 10 * 60_000;

const codeKey = (code: string) => `resume:${code}`;

/**
 * Where a resume link lands: the page the chat started on when it belongs to the site (the
 * visitor typed that URL's origin nowhere: it must be one the site allows), else the home page.
 */
export function landingPage(conversation: Conversation, site: SiteConfig): string {
  const started = conversation.context.url;
  if (started && site.origins.includes(new URL(started).origin)) return started.split("#")[0]!;
  return site.url ?? `${site.origins[0] ?? ""}/`;
}

/**
 * The resume link of docs/architecture.md §3: `GET /r/<handle>` redirects to the site with a
 * one-time code in the fragment (`#omnithread-resume=<code>`, so it never reaches the site's server
 * logs), and `POST /v1/resume { code }` exchanges it for a token on the thread, once.
 *
 * @example
 * app.route("/", resumeRoutes(services));
 */
export function resumeRoutes(s: Services) {
  const routes = new Hono();
  /** A short link's code stands for its handle while that is kept; anything else is a handle. */
  const handleOf = async (param: string) =>
    SHORT_CODE.test(param) ? ((await s.store.peekOnce(shortLinkKey(param))) ?? param) : param;

  routes.get(
    "/r/:handle",
    route({
      summary: "Open a resume link",
      description:
        "Redirects to the site with a one-time code in the fragment (`#omnithread-resume=<code>`). A browser (Accept: text/html) gets a short page when the link is not valid.",
      tag: "visitor",
      auth: "none",
      params: { handle: "The link's handle, as an agent or a channel handed it out" },
      responses: { 302: "To the site's page, with the code in the fragment" },
    }),
    async (c) => {
      try {
        // Only resume-link handles: reply addresses and Messenger refs name the thread too, but
        // travel in headers and third-party hands, so they must not open it in a browser.
        const { conversationId } = await s.handles.open(
          await handleOf(c.req.param("handle")),
          "web",
        );
        const conversation = await s.threads.get(conversationId);
        const code = randomId(15);
        await s.store.putOnce(codeKey(code), conversation.id, RESUME_CODE_TTL_MS, conversation.id);
        c.header("Cache-Control", "no-store");
        c.header("Referrer-Policy", "no-referrer");
        return c.redirect(
          `${landingPage(conversation, s.site(conversation.siteId))}#omnithread-resume=${code}`,
          302,
        );
      } catch (error) {
        // People click these links: a browser gets a short page, a program the JSON error.
        if (!(error instanceof AppError) || !c.req.header("accept")?.includes("text/html"))
          throw error;
        const expired = error.code === "token_expired";
        return c.html(
          `<!doctype html><meta charset="utf-8"><title>Link not valid</title><p>${
            expired ? "This chat link has expired." : "This chat link is not valid."
          } Open the chat on the website to continue, or ask us for a new link.</p>`,
          error.status as 401,
        );
      }
    },
  );

  routes.post(
    "/v1/resume",
    route({
      summary: "Exchange a resume code for the conversation",
      tag: "visitor",
      auth: "none",
      body: ResumeBody,
      responses: { 200: { description: "The conversation, with a token", schema: Snapshot } },
    }),
    async (c) => {
      const { code } = c.req.valid("json");
      const conversationId = await s.store.takeOnce(codeKey(code));
      if (!conversationId)
        throw new AppError("unauthorized", "This resume code was used already or has expired");
      const conversation = await s.threads.get(conversationId);
      s.origins.check(c.req.header("origin"), s.site(conversation.siteId));
      return c.json(await snapshotFor(s, conversation));
    },
  );

  return routes;
}
