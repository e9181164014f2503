'use client';
import { requestErrorFrom } from '@/lib/error-messages';
import type { GenerateInput } from '@/server/jobs/schemas';

function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Starts a generation exactly once per intent. The REST endpoint (same session cookie, same
 * domain function as tRPC's jobs.create) honours `Idempotency-Key`: a double click, a retry after
 * a dropped connection, or a second tab replaying the same body all get the first job back. A new
 * key is made whenever the request changes, and after a success (the next click is a new image).
 */
export function createGenerationOnce() {
  let last: { body: string; key: string } | null = null;
  return async (input: GenerateInput): Promise<{ id: string }> => {
    const body = JSON.stringify(input);
    if (last?.body !== body) last = { body, key: newKey() };
    const res = await fetch('/api/v1/generations', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'idempotency-key': last.key },
      body,
    });
    if (!res.ok) throw await requestErrorFrom(res);
    last = null;
    return (await res.json()) as { id: string };
  };
}
