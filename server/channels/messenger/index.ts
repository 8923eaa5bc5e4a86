import { Hono } from "hono";
import type { MessengerConfig, SiteConfig } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { parseJsonBytes } from "../../http/body.ts";
import { carryFiles } from "../file-links.ts";
import { filledSettings, type Later, requireSettings, sendAfterAnswer } from "../messaging-app.ts";
import { signedPost, verifyRoute } from "../meta/verify.ts";
import type { ChannelPort } from "../port.ts";
import type { Channel } from "../types.ts";
import { handleEvent, type MessengerSite } from "./inbound.ts";
import { WebhookBody } from "./schema.ts";
import { MAX_UPLOAD_BYTES, type SendClient, sendClient } from "./send.ts";
import { parseWebhook } from "./webhook.ts";
import { sendPolicy } from "./window.ts";

export interface MessengerOptions {
  /** Meta's Graph API base URL (`GRAPH_API_URL`), e.g. `https://graph.facebook.com`. */
  graphApiUrl: string;
  /** The Graph API version in Send API paths. */
  graphVersion?: string;
  /** The HTTP client; the runtime's `fetch` by default. */
  fetch?: typeof fetch;
  /** Attempts per message part (1 = no retry) and the first backoff. */
  retry?: { attempts: number; baseMs: number };
}

const DEFAULTS = { graphVersion: "v21.0", retry: { attempts: 3, baseMs: 250 } };
/** An m.me link is for the visitor's next few days, not for months. */
export const HANDOFF_TTL_S = 3 * 86_400;

/** The site's Messenger settings when all four are there, else null. */
function messengerOf(site: SiteConfig): MessengerConfig | null {
  return filledSettings(site.messenger, ["pageId", "appSecret", "verifyToken", "pageAccessToken"]);
}

function mustMessenger(site: SiteConfig): MessengerConfig {
  return requireSettings(messengerOf(site), "Messenger", site);
}

/**
 * `GET|POST /webhooks/messenger`. The POST is verified before anything is parsed; since the
 * body names the page only once it is parsed, the signature is checked against each configured
 * app secret (one per Meta app, often one for all), and an entry is then taken only for a site
 * whose page it names AND whose secret signed the body: one app's secret never writes into
 * another app's pages. The store work happens before the 200 (so Meta retries what failed and
 * `mid`s absorb the repeats); sends through the Send API run after it.
 */
function webhookRoutes(s: ChannelPort, client: SendClient): Hono {
  const routes = new Hono();
  const sites = (): MessengerSite[] =>
    s.sites.filter((site): site is MessengerSite => messengerOf(site) !== null);

  verifyRoute(routes, "Messenger", "messenger.verifyToken", () =>
    sites().map((site) => site.messenger.verifyToken),
  );

  signedPost(
    routes,
    {
      summary: "Receive Messenger events",
      description:
        "Meta's `{ object: \"page\", entry: [{ id, time, messaging: [...] }] }`, checked by `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret) before it is parsed. The envelope must be Meta's (else 400); inside it one event of the wrong shape is skipped, never the batch.",
      rawBody: { mediaType: "application/json", schema: WebhookBody },
      responses: { 200: { description: "Received", mediaType: "text/plain" } },
    },
    () => sites().map((site) => site.messenger.appSecret),
    async (c, raw, signedBy) => {
      // The signature covers these bytes as sent; bytes that are not UTF-8 answer 400.
      const body = parseJsonBytes(raw);

      const later: Later[] = [];
      try {
        for (const entry of parseWebhook(body)) {
          const site = sites().find(
            (x) => x.messenger.pageId === entry.pageId && signedBy.has(x.messenger.appSecret),
          );
          if (!site) {
            s.log.warn("messenger webhook for a page no site has", { pageId: entry.pageId });
            continue;
          }
          for (const event of entry.events) {
            try {
              await handleEvent({ s, site, client, later }, event);
            } catch (error) {
              // Bad data in one event must not make Meta retry the batch for hours; a failing
              // store (anything else) answers 500 so it does.
              if (!(error instanceof AppError)) throw error;
              s.log.warn("messenger event skipped", { pageId: entry.pageId, error: error.message });
            }
          }
        }
      } finally {
        sendAfterAnswer(s, "messenger", later);
      }
      return c.text("EVENT_RECEIVED");
    },
  );

  return routes;
}

/**
 * The Messenger channel (docs/architecture.md §5): `m.me/<page>?ref=<handle>` handoffs, the
 * verified webhook, and agent replies through the Send API within Meta's windows (`RESPONSE` for 24
 * hours after the visitor's last interaction, `MESSAGE_TAG` + `HUMAN_AGENT` up to 7 days, then a
 * clear `channel_unavailable`). Web APIs only, so it runs on any runtime.
 *
 * @example
 * const { app } = createApp({ config, store, keyRing, channels: [messengerChannel({ graphApiUrl: config.graphApiUrl })] });
 */
export function messengerChannel(options: MessengerOptions): Channel {
  const client = sendClient({
    graphApiUrl: options.graphApiUrl,
    graphVersion: options.graphVersion ?? DEFAULTS.graphVersion,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    retry: options.retry ?? DEFAULTS.retry,
  });

  return {
    name: "messenger",

    configured: (site) => messengerOf(site) !== null,

    async handoff(s, conversation) {
      const m = mustMessenger(s.site(conversation.siteId));
      const ref = await s.handles.issue({
        conversationId: conversation.id,
        channel: "messenger",
        ttlSeconds: HANDOFF_TTL_S,
      });
      const url = new URL(
        m.linkBase
          ? new URL(m.linkBase, `${s.publicUrl}/`).href
          : `https://m.me/${encodeURIComponent(m.pageId)}`,
      );
      url.searchParams.set("ref", ref);
      return { status: 200, body: { url: url.href } };
    },

    async checkDelivery(s, conversation) {
      await sendPolicy(s.store, conversation, s.now());
    },

    async deliver(s, conversation, event) {
      const m = mustMessenger(s.site(conversation.siteId));
      const psid = conversation.channels.find((c) => c.channel === "messenger")?.address;
      if (!psid) {
        throw new AppError("channel_unavailable", "The visitor has not continued in Messenger");
      }
      const policy = await sendPolicy(s.store, conversation, s.now());
      // The words, then each file as an attachment upload; one over 25 MB goes as a link.
      const { carried, event: reply } = await carryFiles(s, event, (file) =>
        file.size > MAX_UPLOAD_BYTES ? "too large for Messenger" : null,
      );
      const accessToken = m.pageAccessToken;
      if (reply.text) await client.send({ accessToken, psid, text: reply.text, policy });
      for (const { record, bytes } of carried) {
        await client.sendFile({
          accessToken,
          psid,
          policy,
          file: { name: record.name, type: record.type, bytes },
        });
      }
    },

    webhooks: (s) => webhookRoutes(s, client),
  };
}
