// The app's tRPC router: one sub-router per domain. Routers only wire; logic lives in server/<domain>.
import { createCallerFactory, router } from './init';
import { accountRouter } from './routers/account/router';
import { adaptersRouter } from './routers/adapters/router';
import { apiKeysRouter } from './routers/api-keys/router';
import { billingRouter } from './routers/billing/router';
import { jobsRouter } from './routers/jobs/router';
import { modelsRouter } from './routers/models/router';
import { referencesRouter } from './routers/references/router';
import { webhooksRouter } from './routers/webhooks/router';

export const appRouter = router({
  account: accountRouter,
  adapters: adaptersRouter,
  apiKeys: apiKeysRouter,
  billing: billingRouter,
  jobs: jobsRouter,
  models: modelsRouter,
  references: referencesRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
