-- One storage quota per plan (server/storage/quota.ts): control maps become rows, so they can be
-- cached by (image, kind, rounded thresholds) and counted, and "storageUsedBytes" now covers the
-- library, maps, adapters and outputs.
CREATE TABLE "ControlMap" (
    "id" UUID NOT NULL,
    "userId" TEXT NOT NULL,
    "imageId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "low" INTEGER NOT NULL,
    "high" INTEGER NOT NULL,
    "storageKey" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ControlMap_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "ControlMap_userId_idx" ON "ControlMap"("userId");

CREATE UNIQUE INDEX "ControlMap_imageId_kind_low_high_key" ON "ControlMap"("imageId", "kind", "low", "high");

ALTER TABLE "ControlMap" ADD CONSTRAINT "ControlMap_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "ControlMap" ADD CONSTRAINT "ControlMap_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "ReferenceImage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Until now only library images were counted: count what each user already stores.
UPDATE "user" u SET "storageUsedBytes" =
      COALESCE((SELECT SUM(r."bytes") FROM "ReferenceImage" r WHERE r."userId" = u."id"), 0)
    + COALESCE((SELECT SUM(a."sizeBytes") FROM "Adapter" a WHERE a."userId" = u."id"), 0)
    + COALESCE((SELECT SUM(o."bytes") FROM "JobOutput" o WHERE o."userId" = u."id"), 0);
