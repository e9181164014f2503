// Every setting the app reads, validated once with zod. Nothing is required for the local
// default: `npm run dev` provides DATABASE_URL and a generated auth secret.
import { z } from 'zod';

const DEV_AUTH_SECRET = 'adapter-studio-development-secret-not-for-production';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const intFromString = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: z
      .string({ error: 'is required (npm run dev sets it for the embedded PostgreSQL)' })
      .url('must be a postgresql:// URL')
      .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgresql://'),
    APP_URL: z.string().url('must be an absolute URL such as http://localhost:3000').default('http://localhost:3000'),
    BETTER_AUTH_SECRET: optionalString.pipe(
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    STARTER_CREDITS: intFromString(50, 0, 1_000_000),
    SIGN_IN_RATE_LIMIT_MAX: intFromString(5, 1, 10_000),
    SIGN_IN_RATE_LIMIT_WINDOW_S: intFromString(60, 1, 86_400),
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

export type Env = Omit<z.infer<typeof schema>, 'BETTER_AUTH_SECRET'> & { BETTER_AUTH_SECRET: string };

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
