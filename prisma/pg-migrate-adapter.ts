/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- wraps untyped pg internals; from shared/recipes/prisma-offline */
// A migration-aware driver adapter factory for the WASM ("js") schema engine of
// Prisma 6.19.x, wrapping @prisma/adapter-pg's PrismaPg factory. It lets
// `prisma migrate ...` / `prisma db ...` run without the native schema-engine
// binary (which Prisma would otherwise download from its CDN).
//
// What it fixes compared to using `new PrismaPg(...)` directly in prisma.config.ts:
//  1. The pg config is built from discrete host/port/user/password/database fields
//     (parsed from DATABASE_URL), so overriding `database` for the shadow DB works
//     (with `connectionString`, node-postgres ignores the override).
//  2. Introspection queries return columns of type `name` (oid 19) and `"char"`
//     (oid 18), which PrismaPg rejects ("Unsupported column type"). `name` is
//     reported as Text, `"char"` as Character (what the schema engine expects,
//     otherwise it panics with "RuntimeError: unreachable").
//  3. connectToShadowDb creates a temporary database and, on dispose, closes its
//     pool first, then drops it, then closes the admin connection.
//  4. Pools use allowExitOnIdle, and the long (10 s / 60 s) timers that the WASM
//     schema engine starts via setTimeout are unref'd; otherwise e.g.
//     `migrate dev` sits idle for up to 60 s after finishing before it exits.
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';

const dbg = (msg: string) => {
  if (process.env.PG_MIGRATE_ADAPTER_DEBUG)
    console.error(`[pg-migrate-adapter ${new Date().toISOString()}] ${msg}`);
};

const OID_CHAR = 18; // "char"
const OID_NAME = 19; // name
const OID_TEXT = 25; // text

type PgField = { dataTypeID: number };
type PgResult = { fields?: PgField[]; rows?: unknown[] } | undefined;

// Result rows arrays that contained "char" columns -> their column indexes.
// (PrismaPg returns pg's `rows` array unchanged, so it can be used as the key.)
const charColumns = new WeakMap<object, number[]>();

function remapFields(res: unknown): unknown {
  for (const r of (Array.isArray(res) ? res : [res]) as PgResult[]) {
    const chars: number[] = [];
    r?.fields?.forEach((f, i) => {
      if (f.dataTypeID === OID_CHAR) chars.push(i);
      if (f.dataTypeID === OID_NAME || f.dataTypeID === OID_CHAR) f.dataTypeID = OID_TEXT;
    });
    if (chars.length && r?.rows) charColumns.set(r.rows, chars);
  }
  return res;
}

/**
 * pg.Client whose query results report name/"char" columns as text (which PrismaPg
 * accepts). pg.Pool#query calls Client#query with a callback; direct use returns a
 * promise. Handle both.
 */
class IntrospectionFriendlyClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last];
      args[last] = (err: unknown, res: unknown) => cb(err, err ? res : remapFields(res));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ret = (super.query as any)(...args);
    return ret && typeof ret.then === 'function' ? ret.then(remapFields) : ret;
  }
}

/** The schema engine reads "char" columns (e.g. pg_constraint.contype) as Character. */
function patchQueryable<T extends SqlQueryable>(q: T): T {
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query) => {
    const rs = await queryRaw(query);
    for (const i of charColumns.get(rs.rows) ?? []) rs.columnTypes[i] = ColumnTypeEnum.Character;
    return rs;
  };
  return q;
}

function patchAdapter(a: SqlDriverAdapter): SqlDriverAdapter {
  patchQueryable(a);
  const startTransaction = a.startTransaction.bind(a);
  a.startTransaction = async (...args) => patchQueryable(await startTransaction(...args));
  return a;
}

let timersPatched = false;
/** Unref timers created from WebAssembly code (the schema engine) so they cannot keep the CLI alive. */
export function unrefSchemaEngineTimers(): void {
  if (timersPatched) return;
  timersPatched = true;
  const original = globalThis.setTimeout;
  const patched = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
    const t = original(fn, ms, ...rest);
    if ((ms ?? 0) >= 1000 && new Error().stack?.includes('wasm://')) t.unref?.();
    return t;
  }) as typeof setTimeout;
  globalThis.setTimeout = Object.assign(patched, original);
}

/** Parse a postgres URL into discrete node-postgres settings. */
export function pgConfigFromUrl(url: string): pg.PoolConfig {
  const u = new URL(url);
  const cfg: pg.PoolConfig = {
    host: decodeURIComponent(u.hostname) || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  // Unix socket via ?host=/path/to/dir
  const hostParam = u.searchParams.get('host');
  if (hostParam) cfg.host = hostParam;
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode && sslmode !== 'disable') cfg.ssl = { rejectUnauthorized: sslmode === 'verify-full' };
  return cfg;
}

export class PrismaPgMigrate implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly config: pg.PoolConfig;
  private readonly schema?: string;

  constructor(databaseUrl: string, opts: { unrefEngineTimers?: boolean } = {}) {
    if (opts.unrefEngineTimers ?? true) unrefSchemaEngineTimers();
    this.config = {
      ...pgConfigFromUrl(databaseUrl),
      Client: IntrospectionFriendlyClient,
      allowExitOnIdle: true, // let the CLI exit when the pool is idle
      idleTimeoutMillis: 1_000,
      max: 4,
    };
    // `?schema=` in the URL selects the Postgres schema (as with the native engine)
    this.schema = new URL(databaseUrl).searchParams.get('schema') ?? undefined;
  }

  private factory(database?: string): PrismaPg {
    const config = database ? { ...this.config, database } : this.config;
    return new PrismaPg(config, this.schema ? { schema: this.schema } : undefined);
  }

  async connect(): Promise<SqlDriverAdapter> {
    return patchAdapter(await this.factory().connect());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    // Admin connection to the maintenance DB, used to create/drop the shadow DB.
    const admin = await this.factory('postgres').connect();
    const name = `prisma_shadow_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    await admin.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = patchAdapter(await this.factory(name).connect());
    const originalDispose = shadow.dispose.bind(shadow);
    dbg(`shadow db ${name} created`);
    shadow.dispose = async () => {
      dbg(`shadow db ${name} dispose`);
      await originalDispose(); // close connections to the shadow DB first
      try {
        await admin.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await admin.dispose();
        dbg(`shadow db ${name} dropped`);
      }
    };
    return shadow;
  }
}
