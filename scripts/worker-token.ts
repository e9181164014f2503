// npm run worker-token -- create --pool NAME [--name LABEL] [--json] | list | revoke ID
// Manages GPU worker tokens (shown once, stored hashed). Uses DATABASE_URL, or the database of
// the running `npm run dev` (its URL is kept in .data/database-url).
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const devUrlFile = path.join(import.meta.dirname, '..', '.data', 'database-url');
if (!process.env.DATABASE_URL && fs.existsSync(devUrlFile)) {
  process.env.DATABASE_URL = fs.readFileSync(devUrlFile, 'utf8').trim();
}

const { createWorkerToken, listWorkerTokens, revokeWorkerToken } =
  await import('../server/workers/tokens');
const { db } = await import('../server/db');

const [cmd, ...rest] = process.argv.slice(2);
const opt = (name: string) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};

try {
  if (cmd === 'create') {
    const pool = opt('pool') ?? 'default';
    const t = await createWorkerToken(pool, opt('name') ?? `${pool} worker`);
    if (rest.includes('--json')) console.log(JSON.stringify(t));
    else {
      console.log(`Worker token for pool "${t.pool}" (id ${t.id}) — shown once:\n${t.token}`);
      console.log(
        `It leases only jobs whose WORKER_POOLS rule names "${t.pool}", and jobs no rule matches.`,
      );
    }
  } else if (cmd === 'list') {
    console.table(await listWorkerTokens());
  } else if (cmd === 'revoke' && rest[0]) {
    console.log((await revokeWorkerToken(rest[0])) ? 'revoked' : 'no active token with that id');
  } else {
    console.error(
      'usage: npm run worker-token -- create --pool NAME [--name LABEL] [--json] | list | revoke ID',
    );
    process.exitCode = 2;
  }
} finally {
  await db().$disconnect();
}
