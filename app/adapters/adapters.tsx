'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Boxes, Images, Pencil, RefreshCw, Sparkles } from 'lucide-react';
import Link from 'next/link';
import { useId, useState, type FormEvent } from 'react';
import { toast } from 'sonner';
import { isLive, JobProgress, JobStatusBadge } from '@/components/job-status';
import { PageHeader } from '@/components/page-header';
import { useFocusAfterRemoval } from '@/components/use-focus-after-removal';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupTile } from '@/components/ui/radio-group';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError, toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import type { inferRouterOutputs } from '@trpc/server';
import { FAMILIES, FAMILY_LABELS, type Family } from '@/server/models/families';
import type { AppRouter } from '@/server/trpc/router';
import { ImportForm } from './import-form';
import { TrainForm } from './train-form';

type Outputs = inferRouterOutputs<AppRouter>;
type Adapter = Outputs['adapters']['list'][number];
type Job = Outputs['jobs']['list']['items'][number];

const SOURCE: Record<Adapter['source'], string> = {
  UPLOADED: 'Imported',
  TRAINED: 'Trained',
  EDIT: 'From an edit',
};
const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

function megabytes(bytes: number) {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/** Which base model family the list shows: the adapters made for SD 1.5, for SDXL, or all. */
function FamilyFilter({
  value,
  onChange,
  counts,
}: {
  value: Family | 'all';
  onChange: (v: Family | 'all') => void;
  counts: Record<Family | 'all', number>;
}) {
  const id = useId();
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <Label id={id}>Base model</Label>
      <RadioGroup
        aria-labelledby={id}
        value={value}
        onValueChange={(v) => onChange(v as Family | 'all')}
        className="flex flex-wrap gap-2"
      >
        {(['all', ...FAMILIES] as const).map((f) => (
          <RadioGroupTile key={f} value={f} className="h-9 flex-row px-3">
            {f === 'all' ? 'All' : FAMILY_LABELS[f]}
            <span className="text-xs font-normal text-muted-foreground tabular-nums">
              {counts[f]}
            </span>
          </RadioGroupTile>
        ))}
      </RadioGroup>
    </div>
  );
}

export function Adapters() {
  const trpc = useTRPC();
  const adapters = useQuery(trpc.adapters.list.queryOptions());
  const [family, setFamily] = useState<Family | 'all'>('all');
  const all = adapters.data ?? [];
  const counts = {
    all: all.length,
    sd15: all.filter((a) => a.family === 'sd15').length,
    sdxl: all.filter((a) => a.family === 'sdxl').length,
  };
  const shown = family === 'all' ? all : all.filter((a) => a.family === family);
  // Trainings and their samples come from the recent jobs (the 50 newest), polled while one runs.
  const jobs = useQuery({
    ...trpc.jobs.list.queryOptions({ limit: 50 }),
    refetchInterval: (q) =>
      q.state.data?.items.some((j) => j.kind === 'TRAIN' && isLive(j.status)) ? 2000 : false,
  });
  const trainings = (jobs.data?.items ?? []).filter((j) => j.kind === 'TRAIN');
  const samples = new Map(
    (jobs.data?.items ?? []).flatMap((j) => (j.adapter ? [[j.adapter.id, j.adapter.samples]] : [])),
  );
  // Running ones, and failures of the last day (a success shows up as an adapter instead).
  const dayAgo = Date.now() - 86_400_000;
  const live = trainings.filter(
    (j) => isLive(j.status) || (j.status === 'FAILED' && (j.finishedAt?.getTime() ?? 0) > dayAgo),
  );

  let list;
  if (adapters.isPending) {
    list = (
      <ul
        className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3"
        aria-busy="true"
        aria-label="Loading adapters"
      >
        {Array.from({ length: 3 }, (_, i) => (
          <li key={i}>
            <Skeleton className="h-56 w-full rounded-xl" />
          </li>
        ))}
      </ul>
    );
  } else if (adapters.isError) {
    const err = describeError(adapters.error);
    list = (
      <Alert variant="destructive" role="alert">
        <AlertTitle>{err.title}</AlertTitle>
        <AlertDescription>
          <p>{err.message}</p>
          <Button type="button" variant="outline" size="sm" onClick={() => void adapters.refetch()}>
            <RefreshCw aria-hidden="true" />
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  } else if (adapters.data.length === 0) {
    list = (
      <EmptyState
        icon={<Boxes />}
        title="No adapters yet"
        description="Train one from a few photos of your subject, or bring a LoRA file you already have. Both forms are below."
      />
    );
  } else {
    list = (
      <>
        <FamilyFilter value={family} onChange={setFamily} counts={counts} />
        {shown.length === 0 ? (
          <p className="text-sm text-muted-foreground">
            None of your adapters is made for {family === 'all' ? '' : FAMILY_LABELS[family]}.
          </p>
        ) : (
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Your adapters">
            {shown.map((a) => (
              <AdapterCard key={a.id} adapter={a} samples={samples.get(a.id) ?? []} />
            ))}
          </ul>
        )}
      </>
    );
  }

  return (
    <div className="grid gap-10">
      <PageHeader
        className="mb-0"
        title="Adapters"
        description="Your own subjects and styles: trained from your photos, or a LoRA you bring. Mix them into any generation by weight."
      />
      <section aria-labelledby="your-adapters" className="grid gap-4">
        <h2 id="your-adapters" className="text-lg font-semibold">
          Your adapters
        </h2>
        {list}
      </section>
      {live.length > 0 && (
        <section aria-labelledby="trainings" className="grid gap-4">
          {/* Below the list: it appears once the jobs load, and must not push the list down. */}
          <h2 id="trainings" className="text-lg font-semibold">
            Trainings
          </h2>
          <ul className="grid gap-3">
            {live.map((j) => (
              <TrainingRow key={j.id} job={j} />
            ))}
          </ul>
        </section>
      )}
      <section
        aria-label="Add an adapter"
        className="grid items-start gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]"
      >
        <TrainForm />
        <ImportForm />
      </section>
    </div>
  );
}

function TrainingRow({ job }: { job: Job }) {
  const name = (job.request as { name?: string } | null)?.name ?? 'Adapter';
  return (
    <li className="grid gap-3 rounded-xl border bg-card p-4">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className="font-medium">{name}</span>
        <JobStatusBadge status={job.status} cancelRequested={job.cancelRequested} />
        <Link href={`/jobs/${job.id}`} className="ml-auto text-sm text-primary underline">
          Open<span className="sr-only"> the training of {name}</span>
        </Link>
      </div>
      {isLive(job.status) ? (
        <JobProgress
          status={job.status}
          progress={job.progress}
          startedAt={job.startedAt}
          cancelRequested={job.cancelRequested}
          label={`Training ${name}`}
        />
      ) : (
        <p className="text-sm text-destructive">
          {job.error?.message || 'The training failed.'} Your {job.price} credits were returned.
        </p>
      )}
    </li>
  );
}

function AdapterCard({ adapter: a, samples }: { adapter: Adapter; samples: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.adapters.list.queryKey();
  const id = useId();
  const focus = useFocusAfterRemoval<HTMLLIElement>();
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState(a.name);

  const rollback = (ctx: { before?: Adapter[] } | undefined) =>
    queryClient.setQueryData(listKey, ctx?.before);
  const optimistic = async (change: (list: Adapter[]) => Adapter[]) => {
    await queryClient.cancelQueries({ queryKey: listKey });
    const before = queryClient.getQueryData(listKey);
    queryClient.setQueryData(listKey, (list) => (list ? change(list) : list));
    return { before };
  };
  const rename = useMutation(
    trpc.adapters.rename.mutationOptions({
      onMutate: ({ name }) => optimistic((l) => l.map((x) => (x.id === a.id ? { ...x, name } : x))),
      onError: (err, _v, ctx) => {
        rollback(ctx);
        toastError(err, { title: 'Could not rename the adapter' });
      },
      onSettled: () => queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );
  const remove = useMutation(
    trpc.adapters.remove.mutationOptions({
      onMutate: () => optimistic((l) => l.filter((x) => x.id !== a.id)),
      onError: (err, _v, ctx) => {
        rollback(ctx);
        toastError(err, { title: 'Could not delete the adapter' });
      },
      onSuccess: () => toast.success(`Deleted “${a.name}”`),
      onSettled: () => queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );

  function submitRename(e: FormEvent) {
    e.preventDefault();
    const name = draft.trim();
    if (!name || name.length > 80) return;
    setRenaming(false);
    if (name !== a.name) rename.mutate({ id: a.id, name });
  }

  const rank = typeof a.settings.rank === 'number' ? a.settings.rank : null;
  return (
    <li
      ref={focus.itemRef}
      className="flex flex-col overflow-hidden rounded-xl border bg-card shadow-xs"
    >
      {samples.length > 0 ? (
        <ul className="grid grid-cols-4 gap-px bg-border" aria-label={`Samples from ${a.name}`}>
          {samples.slice(0, 4).map((url, i) => (
            <li key={url} className="aspect-square overflow-hidden bg-muted">
              <img
                src={url}
                alt={`Sample ${i + 1}`}
                width={256}
                height={256}
                loading="lazy"
                className="size-full object-cover"
              />
            </li>
          ))}
        </ul>
      ) : (
        <div
          aria-hidden="true"
          className="flex aspect-[4/1] items-center justify-center bg-gradient-to-br from-accent to-secondary text-accent-foreground"
        >
          <Boxes className="size-8" />
        </div>
      )}
      <div className="flex flex-1 flex-col gap-3 p-4">
        <div className="grid gap-1.5">
          <h3 className="font-semibold break-words">{a.name}</h3>
          <div className="flex flex-wrap gap-1.5">
            <Badge variant="accent">{a.kind === 'LORA' ? 'LoRA' : 'Spectral shift'}</Badge>
            <Badge variant="secondary">{SOURCE[a.source]}</Badge>
            <Badge variant="outline">{FAMILY_LABELS[a.family]}</Badge>
          </div>
          <p className="text-xs text-muted-foreground">
            {a.baseModel}
            {rank ? ` · rank ${rank}` : ''} · {megabytes(a.sizeBytes)} · {day.format(a.createdAt)}
          </p>
        </div>
        <div className="mt-auto flex flex-wrap items-center gap-1.5">
          <Button asChild size="sm">
            <Link href={`/generate?adapter=${a.id}`}>
              <Sparkles aria-hidden="true" />
              <span>
                Use<span className="sr-only"> {a.name}</span> in Generate
              </span>
            </Link>
          </Button>
          <Button asChild size="icon-sm" variant="ghost" title="Images made with it">
            <Link href={`/gallery?adapter=${a.id}`}>
              <Images aria-hidden="true" />
              <span className="sr-only">Images made with {a.name}</span>
            </Link>
          </Button>
          <Dialog
            open={renaming}
            onOpenChange={(open) => {
              setRenaming(open);
              if (open) setDraft(a.name);
            }}
          >
            <DialogTrigger asChild>
              <Button type="button" size="icon-sm" variant="ghost" title="Rename">
                <Pencil aria-hidden="true" />
                <span className="sr-only">Rename {a.name}</span>
              </Button>
            </DialogTrigger>
            <DialogContent>
              <form onSubmit={submitRename} className="grid gap-4">
                <DialogHeader>
                  <DialogTitle>Rename adapter</DialogTitle>
                  <DialogDescription>
                    The name is only for you; prompts are unchanged.
                  </DialogDescription>
                </DialogHeader>
                <div className="grid gap-2">
                  <Label htmlFor={`${id}-name`}>Name</Label>
                  <Input
                    id={`${id}-name`}
                    value={draft}
                    onChange={(e) => setDraft(e.target.value)}
                    maxLength={80}
                    required
                    autoFocus
                  />
                </div>
                <DialogFooter>
                  <Button type="button" variant="outline" onClick={() => setRenaming(false)}>
                    Cancel
                  </Button>
                  <Button type="submit" disabled={!draft.trim()}>
                    Save
                  </Button>
                </DialogFooter>
              </form>
            </DialogContent>
          </Dialog>
          <ConfirmDeleteButton
            label={`Delete ${a.name}`}
            title={<>Delete “{a.name}”?</>}
            description="Its file and samples are deleted for good. Images already made with it stay in your gallery."
            focus={focus}
            onConfirm={() => remove.mutate({ id: a.id })}
          />
        </div>
      </div>
    </li>
  );
}
