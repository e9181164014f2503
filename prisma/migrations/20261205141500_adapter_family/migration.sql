-- Adapters record their model family (sd15 | sdxl). Existing rows: from the base model's name
-- (an SDXL base names "xl"), else sd15, the only family offered before.
ALTER TABLE "Adapter" ADD COLUMN "family" TEXT NOT NULL DEFAULT 'sd15';
UPDATE "Adapter" SET "family" = 'sdxl' WHERE "baseModel" ILIKE '%xl%';
ALTER TABLE "Adapter" ADD CONSTRAINT "Adapter_family_check" CHECK ("family" IN ('sd15', 'sdxl'));
