// Outgoing mail over SMTP (nodemailer). SMTP_URL and MAIL_FROM are required in production
// (server/env.ts refuses to start without them); elsewhere, without SMTP_URL, each mail is
// printed to the server's log instead, so a developer still sees the link.
import nodemailer, { type Transporter } from 'nodemailer';
import { env } from '../env';
import type { Mail } from './templates';

const g = globalThis as unknown as { __mailer?: { url: string; transport: Transporter } };

function transport(url: string): Transporter {
  if (g.__mailer?.url !== url) {
    g.__mailer?.transport.close();
    g.__mailer = { url, transport: nodemailer.createTransport(url) };
  }
  return g.__mailer.transport;
}

export const DEFAULT_FROM = 'Adapter Studio <no-reply@adapter-studio.localhost>';

/** Sends one mail; throws when the SMTP server refuses it. */
export async function sendMail(to: string, mail: Mail): Promise<void> {
  const e = env();
  if (!e.SMTP_URL) {
    process.stderr.write(
      `[mail] SMTP_URL is not set; not sent to ${to}: ${mail.subject}\n${mail.text}\n`,
    );
    return;
  }
  await transport(e.SMTP_URL).sendMail({
    from: e.MAIL_FROM ?? DEFAULT_FROM,
    to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
  });
}
