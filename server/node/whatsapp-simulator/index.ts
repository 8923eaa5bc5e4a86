import { randomBytes } from "node:crypto";
import type { Config, WhatsAppConfig } from "../../config.ts";
import { postWebhook } from "../messenger-simulator/meta-wire.ts";
import { formFields, uploadBody } from "../phone-simulator/form.ts";
import { type PhoneSimulator, phoneSimulator, smallBody } from "../phone-simulator/index.ts";
import { type CloudApiEmulator, createCloudApiEmulator } from "./cloud-api.ts";

/**
 * The demo's WhatsApp simulator (Node only): with no WhatsApp settings, `npm start` plays Meta's
 * side on this machine. `/demo/whatsapp?text=…` is the chat a wa.me link opens, its text typed
 * in; what the person sends goes to our own `/webhooks/whatsapp` built and signed as Meta does
 * it, and our Cloud API calls reach the emulation under the Graph API's base (`/demo/graph`,
 * shared with the Messenger simulator), which shows them on the phone and reports them
 * delivered, then read once the phone showed them, as status webhooks.
 */

/** The demo number's settings: public on purpose, good for nothing but this simulator. */
export const DEMO_WHATSAPP: WhatsAppConfig = {
  phoneNumberId: "100000000000001",
  number: "15550000001",
  accessToken: "demo-whatsapp-access-token",
  appSecret: "demo-whatsapp-app-secret-for-the-simulator-only",
  verifyToken: "demo-whatsapp-verify-token",
  linkBase: "/demo/whatsapp",
};

/** How long after a send its "delivered" status comes: after our channel noted the wamid. */
const DELIVERED_AFTER_MS = 300;

export interface WhatsAppSimulator {
  cloud: CloudApiEmulator;
  phone: PhoneSimulator;
}

/** The Cloud API's webhook envelope around one `value` for the demo number. */
function webhookBody(value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "100000000000000",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: {
                display_phone_number: DEMO_WHATSAPP.number,
                phone_number_id: DEMO_WHATSAPP.phoneNumberId,
              },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

const seconds = () => String(Math.floor(Date.now() / 1000));

/**
 * Sets the simulator up for the demo site when it has no WhatsApp settings of its own. The
 * caller runs it only beside the Messenger simulator (whose Graph API base, `/demo/graph`, the
 * channel then uses) and mounts its routes first, so Cloud API paths reach this emulation.
 * Answers null when there is nothing to simulate.
 *
 * @example
 * const simulator = whatsappSimulator(config, `http://127.0.0.1:${config.port}`);
 * if (simulator) app.route("/", simulator.phone.routes);
 */
export function whatsappSimulator(config: Config, localUrl: string): WhatsAppSimulator | null {
  const site = config.sites.find((s) => s.id === "demo");
  if (!site || site.whatsapp) return null;
  site.whatsapp = { ...DEMO_WHATSAPP };
  const post = (value: Record<string, unknown>) =>
    postWebhook(`${localUrl}/webhooks/whatsapp`, DEMO_WHATSAPP.appSecret, webhookBody(value));
  const status = (wamid: string, waId: string, value: "delivered" | "read") =>
    post({
      statuses: [{ id: wamid, status: value, timestamp: seconds(), recipient_id: waId }],
    }).catch(() => undefined);
  /** Our messages not yet shown on the phone, by bubble: their "delivered" status, for "read". */
  const deliveredOf = new Map<string, Promise<unknown> & { wamid: string }>();

  const phone = phoneSimulator({
    path: "/demo/whatsapp",
    platform: "WhatsApp",
    siteName: site.name,
    // A Dutch mobile number, as WhatsApp ids are: country code first, digits only.
    person: { pattern: /^316\d{8}$/, digits: 8, prefix: "316" },
    linkParam: "text",
    async deliver(waId, text) {
      cloud.customerWrote(waId);
      const res = await post({
        contacts: [{ profile: { name: "Demo visitor" }, wa_id: waId }],
        messages: [
          {
            from: waId,
            id: `wamid.${randomBytes(18).toString("base64url")}`,
            timestamp: seconds(),
            type: "text",
            text: { body: text },
          },
        ],
      });
      return res.status;
    },
    onShown(waId, bubbles) {
      for (const bubble of bubbles) {
        const key = `${waId}:${bubble.seq}`;
        const delivered = deliveredOf.get(key);
        if (!delivered) continue;
        deliveredOf.delete(key);
        // Read after delivered, as a phone reports them.
        void delivered.then(() => status(delivered.wamid, waId, "read"));
      }
    },
  });

  const cloud = createCloudApiEmulator({
    accessTokens: [DEMO_WHATSAPP.accessToken],
    phoneNumberIds: [DEMO_WHATSAPP.phoneNumberId],
    onSent(message) {
      const bubble = phone.push(message.to, {
        from: "business",
        // A file the business sent shows by its kind and name.
        text: message.media ? `[${message.type}] ${message.media.name}` : message.text,
        ...(message.template ? { note: `template ${message.template.name}` } : {}),
      });
      const delivered = new Promise((done) => setTimeout(done, DELIVERED_AFTER_MS)).then(() =>
        status(message.wamid, message.to, "delivered"),
      );
      if (deliveredOf.size > 10_000) deliveredOf.clear();
      deliveredOf.set(
        `${message.to}:${bubble.seq}`,
        Object.assign(delivered, { wamid: message.wamid }),
      );
    },
  });
  phone.routes.post("/demo/graph/:version/:phoneNumberId/messages", smallBody, async (c) => {
    const answer = cloud.handle({
      path: new URL(c.req.url).pathname.slice("/demo/graph".length),
      body: await c.req.text(),
      ...(c.req.header("authorization") ? { authorization: c.req.header("authorization")! } : {}),
    });
    return c.json(answer.body as object, answer.status as 200);
  });

  phone.routes.post("/demo/graph/:version/:phoneNumberId/media", uploadBody, async (c) => {
    const answer = cloud.handle({
      path: new URL(c.req.url).pathname.slice("/demo/graph".length),
      body: "",
      form: await formFields(await c.req.formData()),
      ...(c.req.header("authorization") ? { authorization: c.req.header("authorization")! } : {}),
    });
    return c.json(answer.body as object, answer.status as 200);
  });

  return { cloud, phone };
}
