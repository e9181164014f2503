import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Prisma } from '@prisma/client';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const adminUrl = process.env.TEST_PG_ADMIN_URL!;
const emptyDb = `empty_${randomBytes(4).toString('hex')}`;

function urlFor(db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  u.searchParams.set('schema', 'public');
  return u.toString();
}

async function sql<T extends pg.QueryResultRow>(db: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: urlFor(db) });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

function prisma(args: string[], databaseUrl: string) {
  return spawnSync(path.join(ROOT, 'node_modules', '.bin', 'prisma'), args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1' },
  });
}

const schemaText = fs.readFileSync(path.join(ROOT, 'prisma', 'schema.prisma'), 'utf8');
const schemaModels = [...schemaText.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]).sort();

afterAll(async () => {
  await sql('postgres', `DROP DATABASE IF EXISTS "${emptyDb}" WITH (FORCE)`);
});

describe('migrations', () => {
  it('apply to an empty database and create every table of the schema', async () => {
    await sql('postgres', `CREATE DATABASE "${emptyDb}"`);
    const res = prisma(['migrate', 'deploy'], urlFor(emptyDb));
    expect(res.status, res.stderr + res.stdout).toBe(0);

    const migrationDirs = fs
      .readdirSync(path.join(ROOT, 'prisma', 'migrations'), { withFileTypes: true })
      .filter((d) => d.isDirectory());
    const applied = await sql<{ n: number }>(
      emptyDb,
      'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
    );
    expect(applied[0]?.n).toBe(migrationDirs.length);

    const tables = (
      await sql<{ table_name: string }>(
        emptyDb,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      )
    ).map((r) => r.table_name);
    const mapped = schemaModels.map((m) => {
      const block = schemaText.slice(schemaText.indexOf(`model ${m} {`));
      const map = /@@map\("(\w+)"\)/.exec(block.slice(0, block.indexOf('\n}')));
      return map?.[1] ?? m;
    });
    expect(tables).toEqual(expect.arrayContaining(mapped));
  });

  it('match the schema exactly (no drift between schema.prisma and the migrations)', () => {
    const res = prisma(
      [
        'migrate',
        'diff',
        '--from-migrations',
        'prisma/migrations',
        '--to-schema-datamodel',
        'prisma/schema.prisma',
        '--exit-code',
      ],
      process.env.DATABASE_URL!,
    );
    // --exit-code: 0 = no difference, 2 = the schema has changes no migration holds.
    expect(res.status, res.stdout + res.stderr).toBe(0);
  });
});

describe('the generated client', () => {
  it('was generated from the current schema', () => {
    const generated = fs.readFileSync(
      path.join(ROOT, 'node_modules', '.prisma', 'client', 'schema.prisma'),
      'utf8',
    );
    // `prisma generate` keeps a formatted copy: compare ignoring runs of spaces.
    const norm = (t: string) => t.replace(/[ \t]+/g, ' ').trim();
    expect(norm(generated)).toBe(norm(schemaText));
    expect(Prisma.dmmf.datamodel.models.map((m) => m.name).sort()).toEqual(schemaModels);
  });
});
