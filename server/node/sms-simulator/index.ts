import { randomBytes } from "node:crypto";
import { TWILIO_SIGNATURE_HEADER, twilioSignature } from "../../channels/sms/signature.ts";
import type { Config, SmsConfig } from "../../config.ts";
import { type PhoneSimulator, phoneSimulator, smallBody } from "../phone-simulator/index.ts";
import { createTwilioEmulator, type TwilioEmulator } from "./twilio-api.ts";

/**
 * The demo's SMS simulator (Node only): with no SMS settings and no `TWILIO_API_URL`, `npm start`
 * plays Twilio and a mobile phone on this machine. `/demo/sms` is a phone with a Dutch mobile
 * number of its own; what it texts to the shop's number reaches our `/webhooks/sms/twilio` as a
 * form signed as Twilio signs it, and our texts (replies, callback confirmations for that
 * number) reach the Twilio emulation at `/demo/twilio`, which shows them on the phone.
 */

/** The demo number's settings: public on purpose, good for nothing but this simulator. */
export const DEMO_SMS: SmsConfig = {
  accountSid: `AC${"0".repeat(31)}1`,
  authToken: "demo0sms0simulator0auth0token000",
  from: "+3197010000000",
};

export interface SmsSimulator {
  /** Where the SMS channel's Twilio calls go. */
  apiUrl: string;
  twilio: TwilioEmulator;
  phone: PhoneSimulator;
}

/**
 * Sets the simulator up for the demo site when it has no SMS settings of its own (the caller
 * also checks that `TWILIO_API_URL` is unset). Answers null when there is nothing to simulate.
 *
 * @example
 * const simulator = smsSimulator(config, `http://127.0.0.1:${config.port}`);
 * if (simulator) app.route("/", simulator.phone.routes);
 */
export function smsSimulator(config: Config, localUrl: string): SmsSimulator | null {
  const site = config.sites.find((s) => s.id === "demo");
  if (!site || site.sms) return null;
  site.sms = { ...DEMO_SMS };
  const path = "/webhooks/sms/twilio";

  const phone = phoneSimulator({
    path: "/demo/sms",
    platform: "SMS",
    siteName: site.name,
    // A Dutch mobile number, its digits after the +.
    person: { pattern: /^316\d{8}$/, digits: 8, prefix: "316" },
    showNumber: true,
    async deliver(digits, text) {
      const form = {
        MessageSid: `SM${randomBytes(16).toString("hex")}`,
        AccountSid: DEMO_SMS.accountSid,
        From: `+${digits}`,
        To: DEMO_SMS.from,
        Body: text,
        NumMedia: "0",
        NumSegments: "1",
        ApiVersion: "2010-04-01",
      };
      // Twilio signs the URL configured on the number: the public one.
      const signature = await twilioSignature(
        DEMO_SMS.authToken,
        `${config.publicUrl}${path}`,
        form,
      );
      const res = await fetch(`${localUrl}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          [TWILIO_SIGNATURE_HEADER]: signature,
        },
        body: new URLSearchParams(form).toString(),
      });
      // HELP's answer comes back in the TwiML, as Twilio would text it.
      const twiml = await res.text();
      const answer = twiml.match(/<Message>([\s\S]*?)<\/Message>/)?.[1];
      if (answer) phone.push(digits, { from: "business", text: unescapeXml(answer) });
      return res.status;
    },
  });

  const twilio = createTwilioEmulator({
    accounts: [
      { sid: DEMO_SMS.accountSid, authToken: DEMO_SMS.authToken, numbers: [DEMO_SMS.from] },
    ],
    onSent: (message) => phone.push(message.to.slice(1), { from: "business", text: message.body }),
  });
  phone.routes.post("/demo/twilio/*", smallBody, async (c) => {
    const { status, body } = twilio.handle({
      path: new URL(c.req.url).pathname.slice("/demo/twilio".length),
      body: await c.req.text(),
      ...(c.req.header("authorization") ? { authorization: c.req.header("authorization")! } : {}),
    });
    return c.json(body as object, status as 201);
  });

  return { apiUrl: `${localUrl}/demo/twilio`, twilio, phone };
}

const unescapeXml = (text: string) =>
  text.replace(/&#(\d+);/g, (_all, code: string) => String.fromCharCode(Number(code)));
