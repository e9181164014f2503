'use client';
// Webhooks on the developers page: endpoints (add, reveal secret, delete), the secret of per-job
// webhook URLs, and the delivery log with Replay.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '@/lib/trpc';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@/server/webhooks/schemas';

export function Webhooks() {
  return (
    <section aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p className="muted">
        We POST job events to your URL, signed per{' '}
        <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> (headers webhook-id,
        webhook-timestamp, webhook-signature). Failed deliveries are retried 4 times over about 70
        minutes; a retry or replay keeps its webhook-id, so you can skip repeats.
      </p>
      <Endpoints />
      <JobUrlSecret />
      <Deliveries />
    </section>
  );
}

function SecretNotice({ secret, onClose }: { secret: string; onClose: () => void }) {
  return (
    <div role="status" className="notice">
      <p>Signing secret:</p>
      <code data-testid="webhook-secret">{secret}</code>{' '}
      <button
        type="button"
        className="secondary"
        onClick={() => void navigator.clipboard?.writeText(secret)}
      >
        Copy
      </button>{' '}
      <button type="button" className="link" onClick={onClose}>
        Hide
      </button>
    </div>
  );
}

function Endpoints() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.webhooks.endpoints.queryOptions());
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.webhooks.endpoints.queryKey() });
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([...WEBHOOK_EVENT_TYPES]);
  const [shown, setShown] = useState<string | null>(null);
  const create = useMutation(
    trpc.webhooks.createEndpoint.mutationOptions({
      onSuccess: async (e) => {
        setShown(e.secret);
        setUrl('');
        await refresh();
      },
    }),
  );
  const reveal = useMutation(
    trpc.webhooks.revealSecret.mutationOptions({ onSuccess: (s) => setShown(s.secret) }),
  );
  const remove = useMutation(trpc.webhooks.deleteEndpoint.mutationOptions({ onSuccess: refresh }));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ url, eventTypes: events });
  }

  return (
    <>
      <h3>Endpoints</h3>
      {shown && <SecretNotice secret={shown} onClose={() => setShown(null)} />}
      <form className="card inline-form" onSubmit={submit}>
        <label>
          Endpoint URL
          <input
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://example.com/webhooks/adapter-studio"
            required
            maxLength={2048}
          />
        </label>
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENT_TYPES.map((t) => (
            <label key={t} className="inline">
              <input
                type="checkbox"
                checked={events.includes(t)}
                onChange={(e) =>
                  setEvents((p) => (e.target.checked ? [...p, t] : p.filter((x) => x !== t)))
                }
              />{' '}
              {t}
            </label>
          ))}
        </fieldset>
        {create.error && (
          <p role="alert" className="error">
            {create.error.message}
          </p>
        )}
        <button type="submit" disabled={!url.trim() || !events.length || create.isPending}>
          Add endpoint
        </button>
      </form>
      <table className="ledger">
        <caption className="muted">Your endpoints</caption>
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Events</th>
            <th scope="col">Added</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {list.data?.map((e) => (
            <tr key={e.id}>
              <td>
                <code>{e.url}</code>
              </td>
              <td>{e.eventTypes.join(', ')}</td>
              <td>{e.createdAt.toLocaleString()}</td>
              <td>
                <button type="button" className="link" onClick={() => reveal.mutate({ id: e.id })}>
                  Show secret
                </button>{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    if (confirm(`Delete ${e.url} and its delivery log?`))
                      remove.mutate({ id: e.id });
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {list.data?.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No endpoints yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}

function JobUrlSecret() {
  const trpc = useTRPC();
  const [shown, setShown] = useState<string | null>(null);
  const reveal = useMutation(
    trpc.webhooks.revealJobSecret.mutationOptions({ onSuccess: (s) => setShown(s.secret) }),
  );
  return (
    <>
      <h3>Per-job webhook URLs</h3>
      <p className="muted">
        A job created through the API with <code>&quot;webhook&quot;: &quot;https://…&quot;</code>{' '}
        gets its event at that URL, signed with your account&apos;s job webhook secret.
      </p>
      {shown ? (
        <SecretNotice secret={shown} onClose={() => setShown(null)} />
      ) : (
        <button type="button" className="secondary" onClick={() => reveal.mutate()}>
          Show job webhook secret
        </button>
      )}
    </>
  );
}

function Deliveries() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const log = useQuery(
    trpc.webhooks.deliveries.queryOptions({ limit: 50 }, { refetchInterval: 5000 }),
  );
  const replay = useMutation(
    trpc.webhooks.replay.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.queryKey() }),
    }),
  );
  return (
    <>
      <h3>Recent deliveries</h3>
      {replay.error && (
        <p role="alert" className="error">
          {replay.error.message}
        </p>
      )}
      <table className="ledger">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">URL</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last response</th>
            <th scope="col">Time</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {log.data?.items.map((d) => (
            <tr key={d.id}>
              <td>{d.eventType}</td>
              <td>
                <code>{d.url}</code>
              </td>
              <td>
                {d.status.toLowerCase()}
                {d.nextAttemptAt && (
                  <span className="muted"> (next {d.nextAttemptAt.toLocaleTimeString()})</span>
                )}
              </td>
              <td>{d.attempts}</td>
              <td>
                {[d.lastStatusCode, d.lastError].filter((x) => x !== null).join(' · ') || '—'}
              </td>
              <td>{(d.deliveredAt ?? d.createdAt).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  disabled={d.status === 'PENDING' || replay.isPending}
                  onClick={() => replay.mutate({ id: d.id })}
                >
                  Replay
                </button>
              </td>
            </tr>
          ))}
          {log.data?.items.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No deliveries yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
