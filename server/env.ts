// Every setting the app reads, validated once with zod. Nothing is required for the local
// default: `npm run dev` provides DATABASE_URL and a generated auth secret.
import { z } from 'zod';
import { parseTrustedProxies } from './auth/trusted-proxies';
import { parseWorkerPools } from './workers/pools';

const DEV_AUTH_SECRET = 'adapter-studio-development-secret-not-for-production';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** `https://host[:port]` and nothing more: what a browser sends as `Origin`. */
function isBareOrigin(v: string): boolean {
  try {
    const u = new URL(v);
    return (
      /^https?:$/.test(u.protocol) &&
      u.pathname === '/' &&
      !u.search &&
      !u.hash &&
      !u.username &&
      !u.password
    );
  } catch {
    return false;
  }
}

const intFromString = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: z
      .string({ error: 'is required (npm run dev sets it for the embedded PostgreSQL)' })
      .url('must be a postgresql:// URL')
      .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgresql://'),
    APP_URL: z
      .string()
      .url('must be an absolute URL such as http://localhost:3000')
      .default('http://localhost:3000'),
    /**
     * Other origins whose pages may send state-changing requests with the session cookie (and
     * better-auth's trustedOrigins): comma-separated, e.g. `https://www.example.com`. APP_URL's
     * origin is always trusted (server/auth/forgery.ts).
     */
    TRUSTED_ORIGINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .string()
            .refine(
              isBareOrigin,
              'must list origins such as https://app.example.com (http(s), host, optional port; no path)',
            )
            .transform((o) => new URL(o).origin),
        ),
      ),
    BETTER_AUTH_SECRET: optionalString.pipe(
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    STARTER_CREDITS: intFromString(50, 0, 1_000_000),
    SIGN_IN_RATE_LIMIT_MAX: intFromString(5, 1, 10_000),
    SIGN_IN_RATE_LIMIT_WINDOW_S: intFromString(60, 1, 86_400),
    /** Sign-ups per client address per window (where the address is known). */
    SIGN_UP_RATE_LIMIT_MAX: intFromString(5, 1, 1_000_000),
    SIGN_UP_RATE_LIMIT_WINDOW_S: intFromString(3600, 1, 86_400 * 7),
    /** Sign-ups from everyone together per window: holds when no address can be trusted. */
    SIGN_UP_GLOBAL_MAX: intFromString(100, 1, 10_000_000),
    SIGN_UP_GLOBAL_WINDOW_S: intFromString(600, 1, 86_400 * 7),
    /** Wrong passwords for one account before each further try waits (30 s, doubling, ≤ 1 h). */
    SIGN_IN_ACCOUNT_FREE_TRIES: intFromString(5, 1, 100),
    /** Proxies in front whose X-Forwarded-For is believed: a hop count or CIDRs (README). */
    TRUSTED_PROXIES: z
      .string()
      .optional()
      .transform((v, ctx) => {
        try {
          return parseTrustedProxies(v);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
          return z.NEVER;
        }
      }),
    /** A header the platform in front sets to the client's address (x-real-ip, cf-connecting-ip). */
    CLIENT_IP_HEADER: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as x-real-ip')
        .transform((v) => v.toLowerCase())
        .optional(),
    ),
    /** SMTP server for mail (verification, password reset, lock notices): smtp(s)://user:pass@host:port. */
    SMTP_URL: optionalString.pipe(
      z
        .string()
        .url('must be a URL such as smtp://user:pass@smtp.example.com:587')
        .refine((v) => /^smtps?:\/\//.test(v), 'must start with smtp:// or smtps://')
        .optional(),
    ),
    MAIL_FROM: optionalString,
    STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
    STORAGE_DIR: z.string().default('.data/storage'),
    /** Signs storage URLs; derived from BETTER_AUTH_SECRET when unset. */
    STORAGE_SIGNING_SECRET: optionalString.pipe(
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    S3_BUCKET: optionalString,
    S3_REGION: z.string().default('us-east-1'),
    S3_ENDPOINT: optionalString.pipe(z.string().url('must be a URL').optional()),
    S3_ACCESS_KEY_ID: optionalString,
    S3_SECRET_ACCESS_KEY: optionalString,
    S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /**
     * Base models offered to users, first is the default; must match the workers' registries.
     * Each is `name` or `name:family` (family `sd15` | `sdxl`; a bare name is `sd15`), e.g.
     * `tiny-sd15,tiny-sdxl:sdxl`. Parsed into `{ name, family }` (server/models/base-models.ts).
     */
    BASE_MODELS: z
      .string()
      .default('sd15')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^[\w.-]+(:[\w.-]+)?$/,
                'lists names (letters, digits, . _ -), each optionally followed by :sd15 or :sdxl',
              )
              .transform((entry, ctx) => {
                const [name = entry, family = 'sd15'] = entry.split(':');
                if (family !== 'sd15' && family !== 'sdxl') {
                  ctx.addIssue({
                    code: 'custom',
                    message: `${name}: unknown family "${family}" (sd15 or sdxl)`,
                  });
                  return z.NEVER;
                }
                return { name, family: family === 'sdxl' ? ('sdxl' as const) : ('sd15' as const) };
              }),
          )
          .min(1, 'must name at least one base model')
          .refine((list) => new Set(list.map((m) => m.name)).size === list.length, {
            message: 'names a base model twice',
          }),
      ),
    /**
     * The worker registry's X-Adapter entry to route SD 1.5 plugins on SDXL jobs through
     * (`default`); unset: routing off, such a job is refused before payment.
     */
    X_ADAPTER: optionalString.pipe(
      z
        .string()
        .regex(/^[\w.-]+$/, 'must be a registry name (letters, digits, . _ -)')
        .optional(),
    ),
    /** The SD 1.5 base (one of BASE_MODELS, family sd15) that X-Adapter's SD 1.5 branch runs. */
    X_ADAPTER_SD15_BASE: optionalString,
    /** The IP-Adapter image encoder exported by `python -m adapter_worker.export_onnx`. */
    IP_ADAPTER_ENCODER_ONNX: optionalString,
    /** The worker registry's name for that encoder (IP-Adapter entries name their encoder). */
    IP_ADAPTER_ENCODER_NAME: z.string().default('vit-h'),
    /** Folder of ONNX control-map models: <type>.onnx + <type>.json (depth, lineart, pose, …). */
    CONTROL_MAP_MODELS_DIR: optionalString,
    ONNX_EXECUTION_PROVIDER: z.enum(['cpu', 'cuda', 'dml', 'coreml']).default('cpu'),
    /** New control maps a user may have made per minute (cached repeats are free; 429 past it). */
    CONTROL_MAP_RATE_PER_MINUTE: intFromString(30, 1, 10_000),
    WORKER_LEASE_TTL_S: intFromString(60, 10, 3600),
    /** Which worker pools may lease which jobs (server/workers/pools.ts; README): unset = any. */
    WORKER_POOLS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        try {
          return parseWorkerPools(v);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
          return z.NEVER;
        }
      }),
    /** How often workers report progress: what the job page's live view can show. */
    WORKER_HEARTBEAT_S: intFromString(1, 1, 60),
    JOB_MAX_ATTEMPTS: intFromString(3, 1, 10),
    /**
     * TEST/DEV ONLY: lets webhooks reach 127.0.0.0/8 and ::1 over plain http (a local receiver).
     * Ignored when NODE_ENV=production unless APP_URL itself is a loopback address (local test
     * servers); private, link-local and metadata ranges stay refused.
     */
    WEBHOOK_ALLOW_LOOPBACK: z
      .enum(['0', '1', 'true', 'false'])
      .default('0')
      .transform((v) => v === '1' || v === 'true'),
    /** One delivery attempt (connect, send, response) must finish within this. */
    WEBHOOK_TIMEOUT_MS: intFromString(10_000, 100, 60_000),
    /** First retry delay; later ones are 6×, 60×, 360× this (10 s, 1 min, 10 min, 1 h). */
    WEBHOOK_RETRY_BASE_MS: intFromString(10_000, 1, 3_600_000),
    /** How often due deliveries the queue never got (a crash after commit) are re-sent. */
    WEBHOOK_SWEEP_S: intFromString(30, 1, 3600),
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    /** Another Stripe API (stripe-mock in tests), e.g. http://127.0.0.1:12111. */
    STRIPE_API_BASE: optionalString.pipe(z.string().url('must be a URL').optional()),
    STRIPE_PRICE_PACK_100: optionalString,
    STRIPE_PRICE_PACK_500: optionalString,
    STRIPE_PRICE_PACK_2000: optionalString,
    STRIPE_PRICE_PLAN_PRO: optionalString,
    STRIPE_PRICE_PLAN_STUDIO: optionalString,
    GITHUB_CLIENT_ID: optionalString,
    GITHUB_CLIENT_SECRET: optionalString,
    GOOGLE_CLIENT_ID: optionalString,
    GOOGLE_CLIENT_SECRET: optionalString,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.BETTER_AUTH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['BETTER_AUTH_SECRET'],
        message: 'is required in production (32+ random characters, e.g. `openssl rand -hex 32`)',
      });
    }
    if (env.NODE_ENV === 'production') {
      for (const v of ['SMTP_URL', 'MAIL_FROM'] as const) {
        if (!env[v]) {
          ctx.addIssue({
            code: 'custom',
            path: [v],
            message:
              v === 'SMTP_URL'
                ? 'is required in production: verification and password-reset mail go out over SMTP (smtp://user:pass@host:587)'
                : 'is required in production: the sender of every mail, e.g. "Adapter Studio <no-reply@example.com>"',
          });
        }
      }
    }
    if (env.CLIENT_IP_HEADER && env.TRUSTED_PROXIES) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLIENT_IP_HEADER'],
        message: 'set either CLIENT_IP_HEADER or TRUSTED_PROXIES, not both',
      });
    }
    if (env.X_ADAPTER) {
      const sd15 = env.BASE_MODELS.filter((m) => m.family === 'sd15').map((m) => m.name);
      if (!env.X_ADAPTER_SD15_BASE) {
        ctx.addIssue({
          code: 'custom',
          path: ['X_ADAPTER_SD15_BASE'],
          message: `is required with X_ADAPTER: the SD 1.5 base its SD 1.5 branch runs (one of: ${sd15.join(', ') || 'none in BASE_MODELS'})`,
        });
      } else if (!sd15.includes(env.X_ADAPTER_SD15_BASE)) {
        ctx.addIssue({
          code: 'custom',
          path: ['X_ADAPTER_SD15_BASE'],
          message: `must be a base model of family sd15 in BASE_MODELS (${sd15.join(', ') || 'none'}), not "${env.X_ADAPTER_SD15_BASE}"`,
        });
      }
      if (!env.BASE_MODELS.some((m) => m.family === 'sdxl')) {
        ctx.addIssue({
          code: 'custom',
          path: ['X_ADAPTER'],
          message: 'needs an SDXL base model in BASE_MODELS (name:sdxl) to route to',
        });
      }
    } else if (env.X_ADAPTER_SD15_BASE) {
      ctx.addIssue({
        code: 'custom',
        path: ['X_ADAPTER'],
        message: 'is required with X_ADAPTER_SD15_BASE (the registry name of the X-Adapter)',
      });
    }
    if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_BUCKET'],
        message: 'is required when STORAGE_DRIVER=s3',
      });
    }
    for (const provider of ['GITHUB', 'GOOGLE'] as const) {
      const id = env[`${provider}_CLIENT_ID`];
      const secret = env[`${provider}_CLIENT_SECRET`];
      if (Boolean(id) !== Boolean(secret)) {
        ctx.addIssue({
          code: 'custom',
          path: [id ? `${provider}_CLIENT_SECRET` : `${provider}_CLIENT_ID`],
          message: `must be set together with ${id ? `${provider}_CLIENT_ID` : `${provider}_CLIENT_SECRET`}`,
        });
      }
    }
  });

export type Env = Omit<z.infer<typeof schema>, 'BETTER_AUTH_SECRET'> & {
  BETTER_AUTH_SECRET: string;
};

export class EnvError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid environment:\n' + problems.map((p) => `  ${p.variable} ${p.message}`).join('\n'),
    );
    this.name = 'EnvError';
  }
}

/** Validates a raw environment; throws EnvError naming each bad or missing variable. */
export function parseEnv(raw: Record<string, string | undefined>): Env {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((i) => ({
        variable: String(i.path[0] ?? '(environment)'),
        message: i.message,
      })),
    );
  }
  return { ...result.data, BETTER_AUTH_SECRET: result.data.BETTER_AUTH_SECRET ?? DEV_AUTH_SECRET };
}

let cached: Env | undefined;

/** The validated environment of this process (parsed on first use, then cached). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Forgets the parsed environment (for tools that change settings within one process). */
export function resetEnv(): void {
  cached = undefined;
}
