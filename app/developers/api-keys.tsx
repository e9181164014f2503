'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound, Plus } from 'lucide-react';
import { useState } from 'react';
import { useForm, type Resolver } from 'react-hook-form';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
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
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group';
import { Skeleton } from '@/components/ui/skeleton';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import { ConfirmButton, LoadFailed, SecretDialog, SubmitButton, toggled, WHEN } from './dev-ui';
import type { z } from 'zod';
import type { API_SCOPES as SCHEMA_SCOPES, createKeyInput } from '@/server/api-keys/key-input';

type KeyForm = z.input<typeof createKeyInput>;
type KeyInput = z.output<typeof createKeyInput>;
type ApiScope = (typeof SCHEMA_SCOPES)[number];

// The schema's scope list, repeated so zod loads with the resolver on first submit rather than
// with the page; `satisfies` fails the type check the moment the two differ.
const API_SCOPES = [
  'jobs:read',
  'jobs:write',
  'references:read',
  'references:write',
  'adapters:read',
  'adapters:write',
  'account:read',
  'webhooks:read',
  'webhooks:write',
] as const satisfies typeof SCHEMA_SCOPES;

/** zodResolver(createKeyInput), the server's schema, loaded when first needed. */
const keyResolver: Resolver<KeyForm, unknown, KeyInput> = async (values, ctx, opts) => {
  const [{ zodResolver }, { createKeyInput }] = await Promise.all([
    import('@hookform/resolvers/zod'),
    import('@/server/api-keys/key-input'),
  ]);
  return zodResolver(createKeyInput)(values, ctx, opts);
};

const SCOPE_WORDS: Record<ApiScope, string> = {
  'jobs:read': 'Read jobs',
  'jobs:write': 'Start and cancel jobs',
  'references:read': 'Read the library',
  'references:write': 'Upload to the library',
  'adapters:read': 'Read adapters',
  'adapters:write': 'Manage adapters',
  'account:read': 'Read balance and usage',
  'webhooks:read': 'Read webhooks',
  'webhooks:write': 'Manage webhooks',
};

/** Shown once, right after creation: the only time the secret exists outside its owner's hands. */
function NewKeyDialog({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  return (
    <SecretDialog
      once
      title="Copy your new key"
      description="It will not be shown again. Store it like a password: anyone with it can spend your credits."
      secret={secret}
      testId="new-key"
      what="key"
      doneLabel="I have stored it"
      onClose={onClose}
    />
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm<KeyForm, unknown, KeyInput>({
    resolver: keyResolver,
    defaultValues: { name: '', mode: 'live', scopes: ['jobs:read', 'jobs:write'] },
  });
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async (k) => {
        onCreated(k.secret);
        form.reset();
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
      onError: (e) => toastError(e, { title: 'Could not create the key' }),
    }),
  );

  return (
    <Form {...form}>
      <form
        noValidate
        onSubmit={(e) => void form.handleSubmit((v) => !create.isPending && create.mutate(v))(e)}
        className="grid gap-5 rounded-xl border bg-card p-4 shadow-xs sm:p-6"
        aria-labelledby="create-key-title"
      >
        <h3 id="create-key-title" className="font-semibold">
          Create a key
        </h3>
        <div className="grid gap-5 sm:grid-cols-2">
          <FormField
            control={form.control}
            name="name"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Name</FormLabel>
                <FormControl>
                  <Input
                    {...field}
                    maxLength={80}
                    autoComplete="off"
                    placeholder="My app, production"
                  />
                </FormControl>
                <FormDescription>So you know which app uses it.</FormDescription>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="mode"
            render={({ field }) => (
              <FormItem>
                <Label id="key-mode-label">Mode</Label>
                <RadioGroup
                  aria-labelledby="key-mode-label"
                  value={field.value}
                  onValueChange={field.onChange}
                  className="gap-2"
                >
                  <Label className="font-normal">
                    <RadioGroupItem value="live" /> Live: real jobs, real credits
                  </Label>
                  <Label className="font-normal">
                    <RadioGroupItem value="test" /> Test: for development
                  </Label>
                </RadioGroup>
                <FormMessage />
              </FormItem>
            )}
          />
        </div>
        <FormField
          control={form.control}
          name="scopes"
          render={({ field }) => (
            <FormItem>
              <fieldset className="grid gap-3">
                <legend className="mb-3 text-sm font-medium">What it may do</legend>
                <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
                  {API_SCOPES.map((s) => {
                    const id = `scope-${s.replace(':', '-')}`;
                    const on = field.value?.includes(s) ?? false;
                    return (
                      <div key={s} className="flex items-start gap-2">
                        <Checkbox
                          id={id}
                          checked={on}
                          className="mt-0.5"
                          onCheckedChange={(c) =>
                            field.onChange(toggled(field.value, s, Boolean(c)))
                          }
                        />
                        <Label htmlFor={id} className="grid gap-0.5 font-normal">
                          <span>{SCOPE_WORDS[s]}</span>
                          <code className="text-xs text-muted-foreground">{s}</code>
                        </Label>
                      </div>
                    );
                  })}
                </div>
              </fieldset>
              <FormMessage />
            </FormItem>
          )}
        />
        <SubmitButton pending={create.isPending} icon={<Plus aria-hidden="true" />}>
          Create key
        </SubmitButton>
      </form>
    </Form>
  );
}

interface KeyRow {
  id: string;
  name: string;
  start: string;
  mode: 'live' | 'test';
  scopes: string[];
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

function RevokeButton({ k }: { k: KeyRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.apiKeys.list.queryKey();
  // Optimistic: the key shows as revoked at once; a refusal puts it back and says why.
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onMutate: async ({ id }) => {
        await queryClient.cancelQueries({ queryKey: listKey });
        const before = queryClient.getQueryData(listKey);
        queryClient.setQueryData(listKey, (rows) =>
          rows?.map((r) => (r.id === id ? { ...r, revokedAt: new Date() } : r)),
        );
        return { before };
      },
      onError: (e, _v, ctx) => {
        if (ctx?.before) queryClient.setQueryData(listKey, ctx.before);
        toastError(e, { title: 'Could not revoke the key' });
      },
      onSuccess: () => toast.success(`Revoked “${k.name}”`),
      onSettled: () => queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );
  return (
    <ConfirmButton
      label="Revoke"
      srLabel={k.name}
      title={<>Revoke “{k.name}”?</>}
      description="Apps using this key stop working at once. This cannot be undone; you can create a new key."
      confirmLabel="Revoke key"
      onConfirm={() => revoke.mutate({ id: k.id })}
    />
  );
}

function KeyList({ keys }: { keys: KeyRow[] }) {
  return (
    <ul className="divide-y rounded-xl border bg-card">
      {keys.map((k) => (
        <li key={k.id} className="grid gap-3 p-4 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-center">
          <div className="grid min-w-0 gap-1.5">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{k.name}</span>
              <Badge variant={k.mode === 'live' ? 'accent' : 'secondary'}>{k.mode}</Badge>
              {k.revokedAt && <Badge variant="destructive">revoked</Badge>}
            </div>
            <code className="text-sm break-all text-muted-foreground">{k.start}</code>
            <div className="flex flex-wrap gap-1">
              {k.scopes.map((s) => (
                <Badge key={s} variant="outline" className="font-mono font-normal">
                  {s}
                </Badge>
              ))}
            </div>
            <p className="text-xs text-muted-foreground">
              Created {WHEN.format(k.createdAt)} · last used{' '}
              {k.lastUsedAt ? WHEN.format(k.lastUsedAt) : 'never'}
            </p>
          </div>
          {!k.revokedAt && <RevokeButton k={k} />}
        </li>
      ))}
    </ul>
  );
}

export function ApiKeys() {
  const trpc = useTRPC();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const [secret, setSecret] = useState<string | null>(null);

  return (
    <section aria-labelledby="api-keys-heading" className="grid gap-5">
      <div className="grid gap-1">
        <h2 id="api-keys-heading" className="flex items-center gap-2 text-xl font-semibold">
          <KeyRound className="size-5 text-primary" aria-hidden="true" />
          API keys
        </h2>
        <p className="text-sm text-muted-foreground">
          Keys let your code use Adapter Studio. Each key is shown once; give it only the scopes it
          needs.
        </p>
      </div>
      <NewKeyDialog secret={secret} onClose={() => setSecret(null)} />
      <CreateKeyForm onCreated={setSecret} />
      {keys.isPending ? (
        <div className="grid gap-2">
          <Skeleton className="h-24" />
          <Skeleton className="h-24" />
        </div>
      ) : keys.isError ? (
        <LoadFailed what="your keys" retry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <EmptyState
          icon={<KeyRound />}
          headingLevel={3}
          title="No API keys yet"
          description="Create one above, then send it as Authorization: Bearer <key>."
        />
      ) : (
        <KeyList keys={keys.data} />
      )}
    </section>
  );
}
