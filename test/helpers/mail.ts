// Reading the mails the app sent, from the real mail catcher (MailDev) that scripts/test.mjs
// starts, through its HTTP API.
export const MAIL_CATCHER_URL = process.env.MAIL_CATCHER_URL;

export interface CaughtMail {
  id: string;
  subject: string;
  text: string;
  html: string;
  to: { address: string }[];
  time: string;
}

/** Every mail to `to` whose subject matches, newest first. */
export async function mailsTo(to: string, subject?: RegExp): Promise<CaughtMail[]> {
  if (!MAIL_CATCHER_URL)
    throw new Error('MAIL_CATCHER_URL is not set: run the tests with `npm test`.');
  const res = await fetch(`${MAIL_CATCHER_URL}/api/email`);
  if (!res.ok) throw new Error(`mail catcher: ${res.status}`);
  const all = (await res.json()) as CaughtMail[];
  const address = to.toLowerCase();
  return all
    .filter((m) => m.to.some((t) => t.address.toLowerCase() === address))
    .filter((m) => !subject || subject.test(m.subject))
    .sort((a, b) => b.time.localeCompare(a.time));
}

/** Waits (up to 20 s) for a mail to `to` with a matching subject. */
export async function waitForMail(to: string, subject: RegExp): Promise<CaughtMail> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [mail] = await mailsTo(to, subject);
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail "${subject.source}" to ${to} within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first link in a mail's plain-text part. */
export function linkIn(mail: CaughtMail): string {
  const m = /https?:\/\/\S+/.exec(mail.text);
  if (!m) throw new Error(`no link in "${mail.subject}"`);
  return m[0];
}
