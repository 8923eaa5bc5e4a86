/**
 * The outside channels a server runs, built from its configuration: the one list the Node entry
 * and the edge entry share, so both offer the same channels the same way. Each entry brings
 * only what its runtime decides: the mail transport (SMTP is Node's) and, for the demo, where
 * the Graph API (Messenger and WhatsApp), the Bot API and Twilio's API are.
 */
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { callbackChannel } from "./callback/index.ts";
import { type EmailChannel, emailChannel, type MailTransport } from "./email/index.ts";
import { logTransport, postmarkTransport } from "./email/transports.ts";
import { messengerChannel } from "./messenger/index.ts";
import { smsChannel } from "./sms/index.ts";
import { telegramChannel } from "./telegram/index.ts";
import type { Channel } from "./types.ts";
import { whatsappChannel } from "./whatsapp/index.ts";

/**
 * The channels an entry runs, and the email channel among them for its inbound paths.
 *
 * @example
 * const { channels, email }: ServerChannels = serverChannels(config, { transport });
 */
export interface ServerChannels {
  /** Every outside channel, for `createApp({ channels })`. */
  channels: Channel[];
  /** The email channel among them: inbound paths of the runtime (SMTP, Email Workers) feed it. */
  email: EmailChannel;
}

/**
 * The configured mail transport when it needs nothing but `fetch` (Postmark's HTTP API, or the
 * `log` transport); null when the configuration names SMTP, which only the Node entry has.
 *
 * @example
 * const transport = httpMailTransport(config, log) ?? smtpTransport(url); // Node
 */
export function httpMailTransport(config: Config, log: Logger): MailTransport | null {
  const t = config.email.transport;
  if (t.kind === "smtp") return null;
  if (t.kind === "postmark") {
    return postmarkTransport({
      serverToken: t.serverToken,
      ...(t.apiUrl ? { apiUrl: t.apiUrl } : {}),
    });
  }
  return logTransport(log);
}

/**
 * Messenger, Telegram, WhatsApp, SMS, email and phone callbacks as the configuration sets them up (each is offered only
 * where a site configures it).
 *
 * @example
 * const { channels, email } = serverChannels(config, { transport: httpMailTransport(config, log)! });
 * const { app, services } = createApp({ config, store, keyRing, channels });
 * await email.receiveRaw(services, raw);
 */
export function serverChannels(
  config: Config,
  parts: {
    transport: MailTransport;
    graphApiUrl?: string;
    telegramApiUrl?: string;
    twilioApiUrl?: string;
  },
): ServerChannels {
  const email = emailChannel({
    transport: parts.transport,
    ...(config.email.inboundSecret ? { inboundSecret: config.email.inboundSecret } : {}),
    ...(config.email.mailgunSigningKey
      ? { mailgunSigningKey: config.email.mailgunSigningKey }
      : {}),
  });
  const graphApiUrl = parts.graphApiUrl ?? config.graphApiUrl;
  const messenger = messengerChannel({ graphApiUrl });
  const whatsapp = whatsappChannel({ graphApiUrl });
  const telegram = telegramChannel({ apiUrl: parts.telegramApiUrl ?? config.telegramApiUrl });
  const sms = smsChannel({ apiUrl: parts.twilioApiUrl ?? config.twilioApiUrl });
  return { channels: [messenger, telegram, whatsapp, sms, email, callbackChannel()], email };
}
