'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '@/lib/trpc';

export function ApiKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const scopes = useQuery(trpc.apiKeys.scopes.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'live' | 'test'>('live');
  const [picked, setPicked] = useState<string[]>(['jobs:read', 'jobs:write']);
  const [shown, setShown] = useState<string | null>(null);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async (k) => {
        setShown(k.secret);
        setName('');
        await refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: refresh }));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ name, mode, scopes: picked as never });
  }

  return (
    <section>
      <h1>API keys</h1>
      <p className="muted">
        Keys let your code use Adapter Studio. A key is shown once; store it like a password.
      </p>
      {shown && (
        <div role="status" className="notice">
          <p>Your new key — copy it now, it will not be shown again:</p>
          <code data-testid="new-key">{shown}</code>{' '}
          <button
            type="button"
            className="secondary"
            onClick={() => void navigator.clipboard?.writeText(shown)}
          >
            Copy
          </button>{' '}
          <button type="button" className="link" onClick={() => setShown(null)}>
            I have stored it
          </button>
        </div>
      )}
      <form className="card inline-form" onSubmit={submit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />
        </label>
        <label>
          Mode
          <select value={mode} onChange={(e) => setMode(e.target.value as 'live' | 'test')}>
            <option value="live">live</option>
            <option value="test">test</option>
          </select>
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {scopes.data?.map((s) => (
            <label key={s} className="inline">
              <input
                type="checkbox"
                checked={picked.includes(s)}
                onChange={(e) =>
                  setPicked((p) => (e.target.checked ? [...p, s] : p.filter((x) => x !== s)))
                }
              />{' '}
              {s}
            </label>
          ))}
        </fieldset>
        {create.error && (
          <p role="alert" className="error">
            {create.error.message}
          </p>
        )}
        <button type="submit" disabled={!name.trim() || !picked.length || create.isPending}>
          Create key
        </button>
      </form>
      <table className="ledger">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            <th scope="col">Last used</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {keys.data?.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.start}</code>
              </td>
              <td>{k.scopes.join(', ')}</td>
              <td>{k.lastUsedAt ? k.lastUsedAt.toLocaleString() : 'never'}</td>
              <td>
                {k.revokedAt ? (
                  <span className="muted">revoked</span>
                ) : (
                  <button
                    type="button"
                    className="link"
                    onClick={() => revoke.mutate({ id: k.id })}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
