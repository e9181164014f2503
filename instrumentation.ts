// Runs once when the Next.js server starts. Starts the webhook delivery queue (pg-boss) in the
// Node.js runtime only — never in the edge runtime, and never while `next build` runs.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  // Undeclared methods (TRACE included, which Next.js itself would answer with a 500) get 405 +
  // Allow before Next.js sees them (server/route-methods.ts).
  const { installMethodGuard } = await import('./server/route-methods');
  installMethodGuard();
  const { startWebhookWorkerInBackground } = await import('./server/webhooks/worker');
  startWebhookWorkerInBackground();
}
