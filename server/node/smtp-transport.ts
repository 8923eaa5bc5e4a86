import nodemailer from "nodemailer";
import type { MailMessage, MailTransport } from "../channels/email/index.ts";
import { AppError } from "../errors.ts";

/**
 * Mail out over SMTP with nodemailer (Node only): `SMTP_URL`, e.g.
 * `smtp://user:pass@smtp.example.com:587` (STARTTLS when offered) or `smtps://…:465`.
 * Our `Message-ID`, `In-Reply-To` and `References` are sent as given.
 *
 * @example
 * const transport = smtpTransport("smtp://127.0.0.1:2525");
 */
export function smtpTransport(url: string): MailTransport & { close(): void } {
  const mailer = nodemailer.createTransport(url);
  return {
    kind: "smtp",
    async send(message: MailMessage) {
      try {
        const info = await mailer.sendMail({
          from: message.from,
          to: message.to,
          replyTo: message.replyTo,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: message.messageId,
          ...(message.inReplyTo ? { inReplyTo: message.inReplyTo } : {}),
          ...(message.references?.length ? { references: message.references } : {}),
          headers: message.headers ?? {},
          ...(message.attachments?.length
            ? {
                attachments: message.attachments.map((file) => ({
                  filename: file.filename,
                  contentType: file.contentType,
                  content: Buffer.from(file.content),
                })),
              }
            : {}),
        });
        return { messageId: info.messageId || message.messageId };
      } catch (error) {
        throw new AppError(
          "upstream_failed",
          `The SMTP server did not take the email: ${(error as Error).message}`,
        );
      }
    },
    close: () => mailer.close(),
  };
}
