-- Every Stripe id a payment is known by, pointing at its StripePayment (server/billing/webhook.ts).
CREATE TABLE "StripePaymentRef" (
    "ref" TEXT NOT NULL,
    "paymentId" TEXT NOT NULL,

    CONSTRAINT "StripePaymentRef_pkey" PRIMARY KEY ("ref")
);

CREATE INDEX "StripePaymentRef_paymentId_idx" ON "StripePaymentRef"("paymentId");

-- Existing records are known by their own id.
INSERT INTO "StripePaymentRef" ("ref", "paymentId") SELECT "id", "id" FROM "StripePayment";
