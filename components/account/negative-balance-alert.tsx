import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';

/** Said on the dashboard and billing page while refunds or disputes leave the balance below 0. */
export function NegativeBalanceAlert({ available }: { available: number | undefined }) {
  if (available === undefined || available >= 0) return null;
  return (
    <Alert variant="destructive">
      <AlertTitle>Your balance is negative</AlertTitle>
      <AlertDescription>
        A payment was refunded or disputed after its credits were used. Add credits to start new
        jobs.
      </AlertDescription>
    </Alert>
  );
}
