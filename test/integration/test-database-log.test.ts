// The test database keeps answering however much it logs. scripts/test.mjs started PostgreSQL and
// then ran the suites with spawnSync: its event loop stood still, nobody read PostgreSQL's log
// pipe, and once the pipe was full every backend that logged (any error: a unique violation, a
// division by zero) blocked for good, and with them the app under test (the API fuzz test's
// server stopped answering within a minute). The suites now run asynchronously.
import { expect, it } from 'vitest';
import { db } from '@/server/db';

it('answers after logging far more than a pipe holds (each error is logged with its statement)', async () => {
  const filler = 'x'.repeat(4000);
  // ~300 × (ERROR + STATEMENT with 4 KB of text) ≈ 2.4 MB of log, over any pipe's buffer.
  for (let i = 0; i < 300; i++) {
    await expect(db().$executeRawUnsafe(`SELECT 1/0 /* ${filler} */`)).rejects.toThrow(/zero/);
  }
  expect(await db().$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
}, 120_000);
