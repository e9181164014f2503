// Reading the mails the app sent, from the real mail catcher (Mailpit) that scripts/test.mjs
// starts: its HTTP API, searched by recipient.
export const MAILPIT_URL = process.env.MAILPIT_URL;

export interface CaughtMail {
  ID: string;
  Subject: string;
  Text: string;
  HTML: string;
  To: { Address: string }[];
}

interface Summary {
  ID: string;
  Subject: string;
}

/** Every mail to `to` whose subject matches, newest first. */
export async function mailsTo(to: string, subject?: RegExp): Promise<CaughtMail[]> {
  if (!MAILPIT_URL) throw new Error('MAILPIT_URL is not set: run the tests with `npm test`.');
  const q = encodeURIComponent(`to:"${to}"`);
  const res = await fetch(`${MAILPIT_URL}/api/v1/search?query=${q}&limit=50`);
  if (!res.ok) throw new Error(`Mailpit search: ${res.status}`);
  const { messages } = (await res.json()) as { messages: Summary[] };
  const wanted = messages.filter((m) => !subject || subject.test(m.Subject));
  return Promise.all(
    wanted.map(async (m) => {
      const r = await fetch(`${MAILPIT_URL}/api/v1/message/${m.ID}`);
      return (await r.json()) as CaughtMail;
    }),
  );
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
  const m = /https?:\/\/\S+/.exec(mail.Text);
  if (!m) throw new Error(`no link in "${mail.Subject}"`);
  return m[0];
}
