// Liveness for load balancers and deploys: answers without touching the database. The API
// benchmark uses it as the baseline (what the framework alone costs at the same rate).
export function GET() {
  return Response.json({ ok: true }, { headers: { 'Cache-Control': 'no-store' } });
}
