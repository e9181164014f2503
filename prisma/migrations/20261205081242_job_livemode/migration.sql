-- Test-mode jobs (as_test_ keys): server/jobs/test-mode.ts.
ALTER TABLE "Job" ADD COLUMN "livemode" BOOLEAN NOT NULL DEFAULT true;
