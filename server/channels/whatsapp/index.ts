import { Hono } from "hono";
import * as v from "valibot";
import type { SiteConfig, WhatsAppConfig } from "../../config.ts";
import { AppError, errorBody } from "../../errors.ts";
import { parseJsonBytes } from "../../http/body.ts";
import { carryFiles, withFileLinks } from "../file-links.ts";
import { filledSettings, type Later, requireSettings, sendAfterAnswer } from "../messaging-app.ts";
import { signedPost, verifyRoute } from "../meta/verify.ts";
import type { ChannelPort } from "../port.ts";
import type { Channel } from "../types.ts";
import { type CloudApi, cloudApi, WindowClosed } from "./cloud-api.ts";
import { issueCode } from "./code.ts";
import { handleEvent, SENT_MARK_MS, sentKey, type WhatsAppSite } from "./inbound.ts";
import { WebhookBody } from "./schema.ts";
import { parseWebhook } from "./webhook.ts";
import { fallbacks, windowOpen } from "./window.ts";

export interface WhatsAppOptions {
  /** Meta's Graph API base URL (`GRAPH_API_URL`), `https://graph.facebook.com` in production. */
  graphApiUrl: string;
  /**
   * The Graph API version in Cloud API paths. v21.0 is Meta's until it retires it (announced for
   * January 2027): move to a newer one before then, as for Messenger.
   */
  graphVersion?: string;
  fetch?: typeof fetch;
  /** Attempts per message (1 = no retry) and the first backoff. */
  retry?: { attempts: number; baseMs: number };
  sleep?: (ms: number) => Promise<void>;
}

/** A code in a wa.me link is for the visitor's next few days, not for months. */
export const HANDOFF_TTL_S = 3 * 86_400;
const DEFAULT_PREFILL = "Continue my chat";

/** The site's WhatsApp settings when all five are there, else null. */
export function whatsappOf(site: SiteConfig): WhatsAppConfig | null {
  return filledSettings(site.whatsapp, [
    "phoneNumberId",
    "number",
    "accessToken",
    "appSecret",
    "verifyToken",
  ]);
}

function mustWhatsApp(site: SiteConfig): WhatsAppConfig {
  return requireSettings(whatsappOf(site), "WhatsApp", site);
}

/**
 * `GET|POST /webhooks/whatsapp`. The POST is verified before anything is parsed, against each
 * configured app secret; a change is then taken only for the site whose business number it names
 * AND whose secret signed the body. The store work happens before the 200 (Meta retries what
 * failed; `wamid`s absorb the repeats); the answers to the customer go out after it.
 */
function webhookRoutes(port: ChannelPort, api: CloudApi): Hono {
  const routes = new Hono();
  const sites = (): WhatsAppSite[] =>
    port.sites.filter((site): site is WhatsAppSite => whatsappOf(site) !== null);

  verifyRoute(routes, "WhatsApp", "whatsapp.verifyToken", () =>
    sites().map((site) => site.whatsapp.verifyToken),
  );

  signedPost(
    routes,
    {
      summary: "Receive WhatsApp messages and statuses",
      description:
        'The Cloud API\'s `{ object: "whatsapp_business_account", entry: [{ id, changes: [{ field: "messages", value }] }] }`, checked by `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret) before it is parsed. A message with a valid one-time code links the number to the code\'s conversation; other messages land in the number\'s thread; statuses (delivered, read, failed) of our messages are shown to the agent.',
      rawBody: { mediaType: "application/json", schema: WebhookBody },
      responses: { 200: { description: "Received", mediaType: "application/json" } },
    },
    () => sites().map((site) => site.whatsapp.appSecret),
    async (c, raw, signedBy) => {
      const read = v.safeParse(WebhookBody, parseJsonBytes(raw));
      if (!read.success) {
        return c.json(
          errorBody(
            "bad_request",
            'The body must be a WhatsApp webhook: { "object": "whatsapp_business_account", "entry": [...] }',
          ),
          400,
        );
      }
      const later: Later[] = [];
      try {
        for (const event of parseWebhook(read.output)) {
          const site = sites().find(
            (x) =>
              x.whatsapp.phoneNumberId === event.phoneNumberId &&
              signedBy.has(x.whatsapp.appSecret),
          );
          if (!site) {
            port.log.warn("whatsapp webhook for a number no site has", {
              phoneNumberId: event.phoneNumberId,
            });
            continue;
          }
          try {
            await handleEvent({ port, site, api, later }, event);
          } catch (error) {
            // Bad data in one event must not make Meta retry the batch; a failing store does.
            if (!(error instanceof AppError)) throw error;
            port.log.warn("whatsapp event skipped", { siteId: site.id, error: error.message });
          }
        }
      } finally {
        sendAfterAnswer(port, "whatsapp", later);
      }
      return c.json({ ok: true });
    },
  );

  return routes;
}

/**
 * The WhatsApp channel (docs/architecture.md §5), on Meta's Cloud API: `wa.me/<number>?text=…`
 * handoffs whose prefilled text carries a one-time code, the verified webhook, and agent replies
 * within the 24-hour customer-service window (after it, the site's template, or a clear
 * `window_closed` naming the fallbacks before anything is stored). Web APIs only.
 *
 * @example
 * const { app } = createApp({ config, store, keyRing, channels: [whatsappChannel({ graphApiUrl: config.graphApiUrl })] });
 */
export function whatsappChannel(options: WhatsAppOptions): Channel {
  const api = cloudApi({
    graphApiUrl: options.graphApiUrl,
    graphVersion: options.graphVersion ?? "v21.0",
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    retry: options.retry ?? { attempts: 3, baseMs: 250 },
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });

  return {
    name: "whatsapp",

    configured: (site) => whatsappOf(site) !== null,

    async handoff(port, conversation) {
      const w = mustWhatsApp(port.site(conversation.siteId));
      const code = await issueCode(port, conversation, HANDOFF_TTL_S);
      const url = new URL(
        w.linkBase ? new URL(w.linkBase, `${port.publicUrl}/`).href : `https://wa.me/${w.number}`,
      );
      url.searchParams.set("text", `${w.prefill ?? DEFAULT_PREFILL} ${code}`);
      // wa.me reads %20 for spaces, not the form encoding's "+".
      return { status: 200, body: { url: url.href.replaceAll("+", "%20") } };
    },

    async checkDelivery(port, conversation) {
      const w = mustWhatsApp(port.site(conversation.siteId));
      if (!windowOpen(conversation, port.now()) && !w.template) {
        throw new WindowClosed(
          conversation.channels.some((c) => c.channel === "whatsapp" && c.replyUntil)
            ? "the visitor last wrote more than 24 hours ago"
            : "the visitor has not written by WhatsApp yet",
          fallbacks(conversation, w),
        );
      }
    },

    async deliver(port, conversation, event) {
      const w = mustWhatsApp(port.site(conversation.siteId));
      const waId = conversation.channels.find((c) => c.channel === "whatsapp")?.address;
      if (!waId)
        throw new AppError("channel_unavailable", "The visitor has not continued in WhatsApp");
      const to = { whatsapp: w, waId };
      const ways = fallbacks(conversation, w);
      let wamids: string[];
      if (windowOpen(conversation, port.now())) {
        // The words, then each file as WhatsApp shows it (a document holds up to 100 MB, our
        // own largest).
        const { carried, event: reply } = await carryFiles(port, event, () => null);
        wamids = reply.text ? await api.sendText(to, reply.text, ways) : [];
        for (const { record, bytes } of carried) {
          wamids.push(
            await api.sendFile(to, { name: record.name, type: record.type, bytes }, ways),
          );
        }
      } else if (w.template) {
        // A template carries no file: its text names each one with its link.
        const { text } = await withFileLinks(port, event);
        wamids = [
          await api.sendTemplate(to, w.template, w.template.textParameter ? text : null, ways),
        ];
        await port.store.append(conversation.id, {
          type: "system",
          channel: "whatsapp",
          author: { role: "system" },
          name: "whatsapp.template_sent",
          text: `Sent as the WhatsApp template ${w.template.name}: the 24-hour window had closed`,
          clientId: `whatsapp:template:${event.seq}`,
          createdAt: new Date(port.now()).toISOString(),
          data: { seq: event.seq, template: w.template.name },
        });
      } else {
        throw new WindowClosed("the visitor last wrote more than 24 hours ago", ways);
      }
      // The statuses Meta reports later name the wamid: they find this reply by it.
      for (const wamid of wamids.filter(Boolean)) {
        await port.store.raiseMark(sentKey(conversation.id, wamid), event.seq, SENT_MARK_MS);
      }
    },

    webhooks: (port) => webhookRoutes(port, api),
  };
}
