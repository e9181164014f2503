'use client';
// The request behind a job, in words: what a person asked for, with the exact JSON underneath.
import { useQuery } from '@tanstack/react-query';
import { ChevronDown } from 'lucide-react';
import type { ReactNode } from 'react';
import { Collapsible, CollapsibleContent, CollapsibleTrigger } from '@/components/ui/collapsible';
import { useTRPC } from '@/lib/trpc';
import { FAMILY_LABELS } from '@/server/models/families';

export type JobKind = 'GENERATE' | 'EDIT' | 'TRAIN';
type Req = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const list = (v: unknown) => (Array.isArray(v) ? (v as Req[]) : []);
const family = (v: unknown) => (v === 'sd15' || v === 'sdxl' ? FAMILY_LABELS[v] : null);

const SCHEDULERS: Record<string, string> = {
  euler_a: 'Euler ancestral',
  dpmpp_2m_karras: 'DPM++ 2M Karras',
  ddim: 'DDIM',
  unipc: 'UniPC',
};

export function asRequest(request: unknown): Req {
  return typeof request === 'object' && request !== null ? (request as Req) : {};
}

/** The headline of a job: its prompt, edited sentence or adapter name. */
export function jobTitle(kind: JobKind, request: unknown): string {
  const r = asRequest(request);
  if (kind === 'EDIT') return str(r.targetPrompt) ?? 'Photo edit';
  if (kind === 'TRAIN') return `Training “${str(r.name) ?? 'adapter'}”`;
  return str(r.prompt) ?? 'Generation';
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_minmax(0,1fr)] gap-3 py-2 text-sm">
      <dt className="text-muted-foreground">{term}</dt>
      <dd className="break-words">{children}</dd>
    </div>
  );
}

export function JobParameters({
  kind,
  request,
  seeds,
}: {
  kind: JobKind;
  request: unknown;
  seeds: string[];
}) {
  const trpc = useTRPC();
  const r = asRequest(request);
  const loras = list(r.loras);
  const adapters = useQuery({ ...trpc.adapters.list.queryOptions(), enabled: loras.length > 0 });
  const adapterName = (id: unknown) =>
    adapters.data?.find((a) => a.id === id)?.name ?? 'a deleted adapter';
  const rows: [string, ReactNode][] = [];
  const add = (term: string, value: ReactNode) => {
    if (value !== null && value !== undefined && value !== '') rows.push([term, value]);
  };
  const seed = seeds.length ? [...new Set(seeds)].join(', ') : num(r.seed);

  if (kind === 'GENERATE') {
    add('Prompt', str(r.prompt));
    add('Negative', str(r.negativePrompt));
    add('Size', num(r.width) && num(r.height) ? `${num(r.width)} × ${num(r.height)} px` : null);
    add('Images', num(r.numImages));
    add('Steps', num(r.steps));
    add('Guidance', num(r.guidanceScale));
    add('Sampler', SCHEDULERS[str(r.scheduler) ?? ''] ?? str(r.scheduler));
    add('Seed', seed);
    add('Model', str(r.baseModel));
    const refs = list(r.references);
    add(
      'References',
      refs.length
        ? `${refs.length} image${refs.length > 1 ? 's' : ''} (${str(r.ipAdapter) ?? 'base'} IP-Adapter, weight ${refs.map((x) => num(x.weight) ?? 1).join(', ')})`
        : null,
    );
    const controls = list(r.controls);
    add(
      'Structure',
      controls.length
        ? controls
            .map((c) => {
              const made = family(c.family);
              return `${str(c.type) ?? 'control'}${made ? ` (${made})` : ''} at ${num(c.scale) ?? 1}`;
            })
            .join(', ')
        : null,
    );
    const x = asRequest(r.xAdapter);
    const xParts = [
      num(x.t0) !== null ? `SD 1.5 alone for ${Math.round(num(x.t0)! * 100)}% of steps` : null,
      num(x.fusion) !== null ? `fusion ${num(x.fusion)}` : null,
      str(x.sd15Prompt) ? `SD 1.5 prompt “${str(x.sd15Prompt)}”` : null,
    ].filter(Boolean);
    add('X-Adapter', xParts.length ? xParts.join(', ') : null);
    add(
      'Adapters',
      loras.length
        ? loras.map((l) => `${adapterName(l.adapterId)} (${num(l.weight) ?? 1})`).join(', ')
        : null,
    );
  } else if (kind === 'EDIT') {
    add('The photo', str(r.sourcePrompt));
    add('Edited to', str(r.targetPrompt));
    add('Strength', num(r.strength));
    add('Tuning steps', num(r.steps));
    add('Images', num(r.numImages));
    add('Resolution', num(r.resolution) ? `${num(r.resolution)} px` : null);
    add('Seed', seed);
  } else {
    add('Name', str(r.name));
    add('Method', r.method === 'lora' ? 'LoRA' : 'SVDiff spectral shifts');
    add('Prompt', str(r.instancePrompt));
    add('Photos', list(r.imageIds).length || null);
    add('Steps', num(r.steps));
    add('Rank', r.method === 'lora' ? num(r.rank) : null);
    add('Resolution', num(r.resolution) ? `${num(r.resolution)} px` : null);
  }

  return (
    <div className="grid gap-3">
      <dl className="divide-y">
        {rows.map(([term, value]) => (
          <Row key={term} term={term}>
            {value}
          </Row>
        ))}
      </dl>
      <Collapsible>
        <CollapsibleTrigger className="group inline-flex cursor-pointer items-center gap-1 rounded-sm text-sm font-medium text-primary">
          <ChevronDown
            aria-hidden="true"
            className="size-4 transition-transform group-data-[state=open]:rotate-180"
          />
          All parameters (JSON)
        </CollapsibleTrigger>
        <CollapsibleContent>
          <pre
            tabIndex={0}
            aria-label="All parameters as JSON"
            className="mt-2 max-h-80 overflow-auto rounded-md bg-muted p-3 text-xs leading-relaxed"
          >
            {JSON.stringify(request, null, 2)}
          </pre>
        </CollapsibleContent>
      </Collapsible>
    </div>
  );
}
