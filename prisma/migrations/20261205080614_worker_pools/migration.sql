-- Worker pools per job (WORKER_POOLS) and the token that holds each lease.
ALTER TABLE "Job" ADD COLUMN "leaseTokenId" UUID,
ADD COLUMN "pools" TEXT[] DEFAULT ARRAY[]::TEXT[];
