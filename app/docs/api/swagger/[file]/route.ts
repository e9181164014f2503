// Swagger UI's own files, served from the installed swagger-ui-dist package: no CDN, no remote
// fetch. Only the two files the docs page loads are served.
import fs from 'node:fs/promises';
import path from 'node:path';

const FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

type Ctx = { params: Promise<{ file: string }> };

export async function GET(_req: Request, ctx: Ctx) {
  const { file } = await ctx.params;
  const type = FILES[file];
  if (!type) return new Response('Not found', { status: 404 });
  const body = await fs.readFile(path.join(process.cwd(), 'node_modules', 'swagger-ui-dist', file));
  return new Response(new Uint8Array(body), {
    headers: { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' },
  });
}
