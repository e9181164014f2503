'use client';
// Webhooks on the developers page: endpoints (add, reveal secret, delete), the secret of per-job
// webhook URLs, and the delivery log with Replay.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus, RotateCcw, Webhook } from 'lucide-react';
import { useState } from 'react';
import { useForm, type Resolver } from 'react-hook-form';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { EmptyState } from '@/components/ui/empty-state';
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from '@/components/ui/form';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Skeleton } from '@/components/ui/skeleton';
import { TableCell, TableRow } from '@/components/ui/table';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import {
  ConfirmButton,
  ListTable,
  LoadFailed,
  SecretDialog,
  SubmitButton,
  toggled,
  WHEN,
} from './dev-ui';
import type { z } from 'zod';
import type {
  createEndpointInput,
  WEBHOOK_EVENT_TYPES as SCHEMA_EVENT_TYPES,
} from '@/server/webhooks/schemas';

type EndpointForm = z.input<typeof createEndpointInput>;
type EndpointInput = z.output<typeof createEndpointInput>;

// The schema's event list, repeated so zod loads with the resolver on first submit rather than
// with the page; `satisfies` fails the type check the moment the two differ.
const WEBHOOK_EVENT_TYPES = [
  'job.succeeded',
  'job.failed',
  'job.canceled',
] as const satisfies typeof SCHEMA_EVENT_TYPES;

/** zodResolver(createEndpointInput), the server's schema, loaded when first needed. */
const endpointResolver: Resolver<EndpointForm, unknown, EndpointInput> = async (
  values,
  ctx,
  opts,
) => {
  const [{ zodResolver }, { createEndpointInput }] = await Promise.all([
    import('@hookform/resolvers/zod'),
    import('@/server/webhooks/schemas'),
  ]);
  return zodResolver(createEndpointInput)(values, ctx, opts);
};

const TIME = new Intl.DateTimeFormat('en-US', { timeStyle: 'short' });

export function Webhooks() {
  return (
    <section aria-labelledby="webhooks-heading" className="grid gap-5">
      <div className="grid gap-1">
        <h2 id="webhooks-heading" className="flex items-center gap-2 text-xl font-semibold">
          <Webhook className="size-5 text-primary" aria-hidden="true" />
          Webhooks
        </h2>
        <p className="max-w-3xl text-sm text-muted-foreground">
          We POST job events to your URL, signed per{' '}
          <a
            href="https://www.standardwebhooks.com/"
            className="font-medium text-foreground underline underline-offset-4"
          >
            Standard Webhooks
          </a>{' '}
          (headers webhook-id, webhook-timestamp, webhook-signature). Failed deliveries are retried
          4 times over about 70 minutes; a retry or replay keeps its webhook-id, so you can skip
          repeats.
        </p>
      </div>
      <Endpoints />
      <JobUrlSecret />
      <Deliveries />
    </section>
  );
}

/** A signing secret, shown in a dialog on request (or once, right after creating an endpoint). */
function WebhookSecretDialog({
  title,
  secret,
  onClose,
}: {
  title: string;
  secret: string | null;
  onClose: () => void;
}) {
  return (
    <SecretDialog
      title={title}
      description="Verify each delivery's webhook-signature with it. Keep it secret, like a password."
      secret={secret}
      testId="webhook-secret"
      what="secret"
      doneLabel="Done"
      onClose={onClose}
    />
  );
}

function CreateEndpointForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm<EndpointForm, unknown, EndpointInput>({
    resolver: endpointResolver,
    defaultValues: { url: '', eventTypes: [...WEBHOOK_EVENT_TYPES] },
  });
  const create = useMutation(
    trpc.webhooks.createEndpoint.mutationOptions({
      onSuccess: async (e) => {
        onCreated(e.secret);
        form.reset();
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.endpoints.queryKey() });
      },
      onError: (e) => toastError(e, { title: 'Could not add the endpoint' }),
    }),
  );

  return (
    <Form {...form}>
      <form
        noValidate
        onSubmit={(e) => void form.handleSubmit((v) => !create.isPending && create.mutate(v))(e)}
        className="grid gap-5 rounded-xl border bg-card p-4 shadow-xs sm:p-6"
        aria-labelledby="add-endpoint-title"
      >
        <h3 id="add-endpoint-title" className="font-semibold">
          Add an endpoint
        </h3>
        <div className="grid gap-5 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
          <FormField
            control={form.control}
            name="url"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Endpoint URL</FormLabel>
                <FormControl>
                  <Input
                    {...field}
                    type="url"
                    inputMode="url"
                    autoComplete="off"
                    maxLength={2048}
                    placeholder="https://example.com/webhooks/adapter-studio"
                  />
                </FormControl>
                <FormDescription>https, reachable from the internet.</FormDescription>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="eventTypes"
            render={({ field }) => (
              <FormItem>
                <fieldset className="grid gap-2">
                  <legend className="mb-2 text-sm font-medium">Events</legend>
                  {WEBHOOK_EVENT_TYPES.map((t) => {
                    const id = `webhook-event-${t.replace('.', '-')}`;
                    const on = field.value?.includes(t) ?? false;
                    return (
                      <div key={t} className="flex items-center gap-2">
                        <Checkbox
                          id={id}
                          checked={on}
                          onCheckedChange={(c) =>
                            field.onChange(toggled(field.value, t, Boolean(c)))
                          }
                        />
                        <Label htmlFor={id} className="font-mono text-sm font-normal">
                          {t}
                        </Label>
                      </div>
                    );
                  })}
                </fieldset>
                <FormMessage />
              </FormItem>
            )}
          />
        </div>
        <SubmitButton pending={create.isPending} icon={<Plus aria-hidden="true" />}>
          Add endpoint
        </SubmitButton>
      </form>
    </Form>
  );
}

function DeleteEndpointButton({ id, url }: { id: string; url: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.webhooks.deleteEndpoint.mutationOptions({
      onSuccess: async () => {
        toast.success('Endpoint deleted');
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.endpoints.queryKey() });
      },
      onError: (e) => toastError(e, { title: 'Could not delete the endpoint' }),
    }),
  );
  return (
    <ConfirmButton
      label="Delete"
      srLabel={url}
      disabled={remove.isPending}
      title="Delete this endpoint?"
      description={<>{url} stops receiving events, and its delivery log is deleted with it.</>}
      descriptionClassName="break-all"
      confirmLabel="Delete endpoint"
      onConfirm={() => remove.mutate({ id })}
    />
  );
}

function Endpoints() {
  const trpc = useTRPC();
  const list = useQuery(trpc.webhooks.endpoints.queryOptions());
  const [shown, setShown] = useState<{ title: string; secret: string } | null>(null);
  const reveal = useMutation(
    trpc.webhooks.revealSecret.mutationOptions({
      onSuccess: (s) => setShown({ title: 'Endpoint signing secret', secret: s.secret }),
      onError: (e) => toastError(e, { title: 'Could not show the secret' }),
    }),
  );

  return (
    <div className="grid gap-4">
      <h3 className="text-lg font-semibold">Endpoints</h3>
      <WebhookSecretDialog
        title={shown?.title ?? ''}
        secret={shown?.secret ?? null}
        onClose={() => setShown(null)}
      />
      <CreateEndpointForm
        onCreated={(secret) => setShown({ title: 'Copy the signing secret', secret })}
      />
      {list.isPending ? (
        <Skeleton className="h-24" />
      ) : list.isError ? (
        <LoadFailed what="your endpoints" retry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState
          icon={<Webhook />}
          headingLevel={4}
          title="No endpoints yet"
          description="Add one above to hear when your jobs finish."
        />
      ) : (
        <ListTable heads={[{ label: 'URL' }, { label: 'Events' }, { label: 'Added' }]}>
          {list.data.map((e) => (
            <TableRow key={e.id}>
              <TableCell>
                <code className="text-xs">{e.url}</code>
              </TableCell>
              <TableCell>
                <div className="flex flex-wrap gap-1">
                  {e.eventTypes.map((t) => (
                    <Badge key={t} variant="outline" className="font-mono font-normal">
                      {t}
                    </Badge>
                  ))}
                </div>
              </TableCell>
              <TableCell className="text-muted-foreground">{WHEN.format(e.createdAt)}</TableCell>
              <TableCell>
                <div className="flex justify-end gap-2">
                  <Button
                    type="button"
                    variant="ghost"
                    size="sm"
                    disabled={reveal.isPending}
                    onClick={() => reveal.mutate({ id: e.id })}
                  >
                    Show secret
                    <span className="sr-only"> of {e.url}</span>
                  </Button>
                  <DeleteEndpointButton id={e.id} url={e.url} />
                </div>
              </TableCell>
            </TableRow>
          ))}
        </ListTable>
      )}
    </div>
  );
}

function JobUrlSecret() {
  const trpc = useTRPC();
  const [shown, setShown] = useState<string | null>(null);
  const reveal = useMutation(
    trpc.webhooks.revealJobSecret.mutationOptions({
      onSuccess: (s) => setShown(s.secret),
      onError: (e) => toastError(e, { title: 'Could not show the secret' }),
    }),
  );
  return (
    <div className="grid gap-3 rounded-xl border bg-card p-4 shadow-xs sm:p-6">
      <h3 className="font-semibold">Per-job webhook URLs</h3>
      <p className="text-sm text-muted-foreground">
        A job created through the API with{' '}
        <code className="font-mono text-foreground">
          &quot;webhook&quot;: &quot;https://…&quot;
        </code>{' '}
        gets its event at that URL, signed with your account&apos;s job webhook secret.
      </p>
      <WebhookSecretDialog
        title="Job webhook secret"
        secret={shown}
        onClose={() => setShown(null)}
      />
      <div>
        <Button
          type="button"
          variant="outline"
          size="sm"
          disabled={reveal.isPending}
          onClick={() => reveal.mutate()}
        >
          Show job webhook secret
        </Button>
      </div>
    </div>
  );
}

const STATUS_BADGE = {
  PENDING: { variant: 'warning', label: 'pending' },
  SUCCEEDED: { variant: 'success', label: 'delivered' },
  FAILED: { variant: 'destructive', label: 'failed' },
} as const;

function Deliveries() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const log = useQuery(
    trpc.webhooks.deliveries.queryOptions({ limit: 50 }, { refetchInterval: 5000 }),
  );
  const replay = useMutation(
    trpc.webhooks.replay.mutationOptions({
      onSuccess: async () => {
        toast.success('Queued again');
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.queryKey() });
      },
      onError: (e) => toastError(e, { title: 'Could not replay the delivery' }),
    }),
  );
  return (
    <div className="grid gap-4">
      <h3 className="text-lg font-semibold">Recent deliveries</h3>
      {log.isPending ? (
        <Skeleton className="h-32" />
      ) : log.isError ? (
        <LoadFailed what="the delivery log" retry={() => void log.refetch()} />
      ) : log.data.items.length === 0 ? (
        <EmptyState
          icon={<RotateCcw />}
          headingLevel={4}
          title="No deliveries yet"
          description="Each event sent to your endpoints shows here, with its response."
        />
      ) : (
        <ListTable
          heads={[
            { label: 'Event' },
            { label: 'URL' },
            { label: 'Status' },
            { label: 'Attempts', className: 'text-right' },
            { label: 'Last response' },
            { label: 'Time' },
          ]}
        >
          {log.data.items.map((d) => {
            const badge = STATUS_BADGE[d.status];
            return (
              <TableRow key={d.id}>
                <TableCell className="font-mono text-xs">{d.eventType}</TableCell>
                <TableCell>
                  <code className="text-xs">{d.url}</code>
                </TableCell>
                <TableCell>
                  <div className="flex flex-wrap items-center gap-1">
                    <Badge variant={badge.variant}>{badge.label}</Badge>
                    {d.nextAttemptAt && (
                      <span className="text-xs text-muted-foreground">
                        next {TIME.format(d.nextAttemptAt)}
                      </span>
                    )}
                  </div>
                </TableCell>
                <TableCell className="text-right tabular-nums">{d.attempts}</TableCell>
                <TableCell className="text-muted-foreground">
                  {[d.lastStatusCode, d.lastError].filter((x) => x !== null).join(' · ') || '—'}
                </TableCell>
                <TableCell className="text-muted-foreground">
                  {WHEN.format(d.deliveredAt ?? d.createdAt)}
                </TableCell>
                <TableCell className="text-right">
                  <Button
                    type="button"
                    variant="ghost"
                    size="sm"
                    disabled={d.status === 'PENDING' || replay.isPending}
                    onClick={() => replay.mutate({ id: d.id })}
                  >
                    <RotateCcw aria-hidden="true" />
                    Replay
                    <span className="sr-only">
                      {' '}
                      {d.eventType} to {d.url}
                    </span>
                  </Button>
                </TableCell>
              </TableRow>
            );
          })}
        </ListTable>
      )}
    </div>
  );
}
