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

/**
 * The first message per form field from a failed parse with the server's own schema (the form's
 * field names differ from the request's: `fields` maps request keys to them).
 */
export function issuesByField<F extends string>(
  result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } },
  fields: Record<string, F>,
): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const issue of result.success ? [] : (result.error?.issues ?? [])) {
    const field = fields[String(issue.path[0])];
    if (field && !out[field]) out[field] = issue.message;
  }
  return out;
}
