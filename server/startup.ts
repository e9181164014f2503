// Checks run once when the Node.js server starts (instrumentation.ts), kept out of
// instrumentation.ts itself so its edge build never sees Node-only calls.
import { env } from './env';

/**
 * A bad or missing setting (in production: SMTP_URL, MAIL_FROM, BETTER_AUTH_SECRET…) stops the
 * server now, naming each variable, rather than at the first request that needs it.
 */
export function exitOnInvalidEnv(): void {
  try {
    env();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
