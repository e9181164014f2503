#!/usr/bin/env node
// npm run bench:<name>: installs what is missing, then runs bench/<name>.ts with tsx.
import path from 'node:path';
import process from 'node:process';
import { ensureNodeDependencies, ensurePrismaClient, ROOT, run } from './lib/bootstrap.mjs';

const [name, ...rest] = process.argv.slice(2);
ensureNodeDependencies();
ensurePrismaClient('postgresql://unused@127.0.0.1/unused');
run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join('bench', `${name}.ts`), ...rest], {
  env: { NODE_ENV: 'production', BETTER_AUTH_SECRET: 'bench-secret-bench-secret-bench-secret-00' },
});
