// The mails the product sends, each as plain text and HTML. Only the app's own links and the
// user's own address go in; every inserted value is HTML-escaped.
export interface Mail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(title: string, paragraphs: string[], action?: { label: string; url: string }) {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join('');
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:#4338ca;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600">${escapeHtml(action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#52525b">Or open this address: ${escapeHtml(action.url)}</p>`
    : '';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;color:#18181b;max-width:560px;margin:0 auto;padding:24px">` +
    `<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(title)}</h1>${body}${button}` +
    `<p style="font-size:12px;color:#52525b;margin-top:32px">Adapter Studio</p></body></html>`
  );
}

export function verificationMail(url: string, starterCredits: number): Mail {
  const title = 'Confirm your e-mail address';
  const lines = [
    'Welcome to Adapter Studio. Confirm that this address is yours to start creating' +
      (starterCredits > 0
        ? ` — your ${starterCredits} free starter credits arrive when you do.`
        : '.'),
    'If you did not sign up, ignore this mail: nothing happens without the link.',
  ];
  return {
    subject: title,
    text: `${title}\n\n${lines[0]}\n\n${url}\n\n${lines[1]}\n`,
    html: layout(title, lines, { label: 'Confirm my address', url }),
  };
}

export function passwordResetMail(url: string): Mail {
  const title = 'Reset your password';
  const lines = [
    'Someone (we hope you) asked to reset the password of your Adapter Studio account. The link works for one hour, once.',
    'If it was not you, ignore this mail: your password stays as it is.',
  ];
  return {
    subject: title,
    text: `${title}\n\n${lines[0]}\n\n${url}\n\n${lines[1]}\n`,
    html: layout(title, lines, { label: 'Choose a new password', url }),
  };
}

export function signInLockedMail(resetUrl: string, lockedForS: number, address: string): Mail {
  const title = 'Sign-in paused after wrong passwords';
  const minutes = Math.max(1, Math.round(lockedForS / 60));
  const lines = [
    `There were several wrong passwords for your Adapter Studio account (last from ${address}), so sign-in is paused for about ${minutes} minute${minutes === 1 ? '' : 's'}; each further wrong password makes the pause longer.`,
    'If this was you, wait or reset your password. If it was not you, your account is safe: resetting the password ends the pause.',
  ];
  return {
    subject: title,
    text: `${title}\n\n${lines[0]}\n\n${lines[1]}\n\n${resetUrl}\n`,
    html: layout(title, lines, { label: 'Reset my password', url: resetUrl }),
  };
}
