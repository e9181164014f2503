'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '@/lib/trpc';
import { TrainForm } from './train-form';

export function Adapters() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const adapters = useQuery(trpc.adapters.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.adapters.list.queryKey() });
  const rename = useMutation(trpc.adapters.rename.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.adapters.remove.mutationOptions({ onSuccess: refresh }));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function upload(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const res = await fetch('/api/adapters', { method: 'POST', body: form });
    setBusy(false);
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { detail?: string };
      setError(body.detail ?? `Upload failed (${res.status})`);
      return;
    }
    (e.target as HTMLFormElement).reset();
    await refresh();
  }

  return (
    <section>
      <h1>Adapters</h1>
      <p className="muted">
        Your own styles and subjects: bring a LoRA (.safetensors, kohya or PEFT layout) and mix it
        into any generation by weight.
      </p>
      <TrainForm />
      <form className="card inline-form" onSubmit={(e) => void upload(e)}>
        <h2>Bring a LoRA</h2>
        <label>
          Name
          <input name="name" required maxLength={80} />
        </label>
        <label>
          LoRA file (.safetensors)
          <input name="file" type="file" accept=".safetensors" required />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking and uploading…' : 'Add adapter'}
        </button>
      </form>
      {adapters.data?.length === 0 && <p className="muted">No adapters yet.</p>}
      <ul className="adapter-list">
        {adapters.data?.map((a) => (
          <li key={a.id} className="card-tile">
            <strong>{a.name}</strong>
            <span className="muted small">
              {a.kind === 'LORA' ? 'LoRA' : 'Spectral shift'} · {a.baseModel} · rank{' '}
              {typeof a.settings.rank === 'number' ? a.settings.rank : '?'} ·{' '}
              {(a.sizeBytes / 2 ** 20).toFixed(1)} MB
            </span>
            <div className="actions">
              <Link href={`/generate?adapter=${a.id}`}>Use in Generate</Link>
              <button
                type="button"
                className="link"
                onClick={() => {
                  const name = window.prompt('New name', a.name);
                  if (name) rename.mutate({ id: a.id, name });
                }}
              >
                Rename
              </button>
              <button type="button" className="link" onClick={() => remove.mutate({ id: a.id })}>
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
