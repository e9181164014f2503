-- CreateTable
CREATE TABLE "StripePayment" (
    "id" TEXT NOT NULL,
    "userId" TEXT,
    "credits" INTEGER NOT NULL DEFAULT 0,
    "grantKind" "LedgerKind",
    "amount" INTEGER NOT NULL DEFAULT 0,
    "amountRefunded" INTEGER NOT NULL DEFAULT 0,
    "disputed" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StripePayment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StripePayment_userId_idx" ON "StripePayment"("userId");
