import { readFileSync } from "node:fs";
import type { RunningServer } from "../../server/node.ts";
import { api, startTestServer } from "./omnithread.ts";
import { type SmtpPeer, startSmtpPeer } from "./smtp-peer.ts";

export const INBOUND_SECRET = "inbound-secret-0123456789abcdef";
export const MAILGUN_KEY = "key-mailgun-signing-0123456789";
export const REPLY_DOMAIN = "reply.shop.example";

/** The demo agent's password hash, so every test site logs in with "omnithread-demo". */
export const DEMO_HASH = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0].agents[0]
  .passwordHash as string;

/** A shop with email set up, answered by agent@shop.example. */
export const SHOP_SITE = {
  id: "shop",
  name: "The shop",
  origins: ["https://shop.example"],
  url: "https://shop.example/",
  locale: "en",
  agents: [{ email: "agent@shop.example", name: "Alex", passwordHash: DEMO_HASH }],
  email: { from: "support@shop.example", replyDomain: REPLY_DOMAIN },
};

const loose = { limit: 100_000, windowMs: 60_000 };

let fixtures = 0;

/**
 * A mail of `test/fixtures/email/` with its placeholders filled: `{{FROM}}`, `{{TO}}`,
 * `{{IN_REPLY_TO}}`, `{{REFERENCES}}` (the In-Reply-To by default), and `{{N}}`, a number that
 * makes each Message-ID new.
 */
export function emailFixture(
  name: string,
  values: { from: string; to: string; inReplyTo?: string; references?: string },
): string {
  return readFileSync(`test/fixtures/email/${name}`, "utf8")
    .replaceAll("{{FROM}}", values.from)
    .replaceAll("{{TO}}", values.to)
    .replaceAll("{{IN_REPLY_TO}}", values.inReplyTo ?? "<unrelated@mail.example.net>")
    .replaceAll(
      "{{REFERENCES}}",
      values.references ?? values.inReplyTo ?? "<unrelated@mail.example.net>",
    )
    .replaceAll("{{N}}", String(++fixtures));
}

export interface EmailServer {
  server: RunningServer;
  /** Where the server's SMTP transport delivers: the mail it sent, as received. */
  smtp: SmtpPeer;
  agentToken: string;
  stop(): Promise<void>;
}

/**
 * A real server sending through a real SMTP peer, listening for SMTP itself, with the inbound
 * secret and Mailgun key set, and the shop's agent logged in.
 */
export async function startEmailServer(sites: object[] = [SHOP_SITE]): Promise<EmailServer> {
  const smtp = await startSmtpPeer();
  const server = await startTestServer(
    {
      OMNITHREAD_SITES: JSON.stringify({ sites }),
      SMTP_URL: smtp.url,
      SMTP_LISTEN_PORT: "0",
      EMAIL_INBOUND_SECRET: INBOUND_SECRET,
      MAILGUN_SIGNING_KEY: MAILGUN_KEY,
    },
    { startPerIp: loose, requestsPerIp: loose, loginPerIp: loose, messagesPerConversation: loose },
  );
  const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
    body: { email: "agent@shop.example", password: "omnithread-demo" },
  });
  return {
    server,
    smtp,
    agentToken: login.body.token,
    async stop() {
      await server.stop();
      await smtp.stop();
    },
  };
}
