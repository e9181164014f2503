// Runs once when the Next.js server starts. Stamps requests with their peer address and starts
// the webhook delivery queue (pg-boss), in the Node.js runtime only — never in the edge runtime, and never while `next build` runs.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  // A bad or missing setting stops the server now, naming each variable (server/startup.ts).
  const { exitOnInvalidEnv } = await import('./server/startup');
  exitOnInvalidEnv();
  // Route handlers never see the socket: stamp each request with its peer address
  // (server/auth/client-address.ts), so no client-sent header decides who is calling.
  const { installPeerStamp } = await import('./server/auth/client-address');
  installPeerStamp();
  // Undeclared methods (TRACE included, which Next.js itself would answer with a 500) get 405 +
  // Allow before Next.js sees them (server/route-methods.ts).
  const { installMethodGuard } = await import('./server/route-methods');
  installMethodGuard();
  const { startWebhookWorkerInBackground } = await import('./server/webhooks/worker');
  startWebhookWorkerInBackground();
}
