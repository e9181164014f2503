// Field errors for the hand-validated forms (train, edit): the message under a field and the
// aria-describedby that ties it (and an optional hint) to the control.
import type { ReactNode } from 'react';

export function fieldErrors<F extends string>(
  id: string,
  errors: Partial<Record<F, string>>,
): {
  error: (f: F) => ReactNode;
  describedBy: (f: F, hint?: string) => string | undefined;
} {
  return {
    error: (f) =>
      errors[f] ? (
        <p id={`${id}-${f}-error`} className="text-sm text-destructive">
          {errors[f]}
        </p>
      ) : null,
    describedBy: (f, hint) =>
      [hint, errors[f] ? `${id}-${f}-error` : null].filter(Boolean).join(' ') || undefined,
  };
}
