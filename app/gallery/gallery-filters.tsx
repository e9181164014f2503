'use client';
import { useQuery } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { useId } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from '@/components/ui/select';
import { useTRPC } from '@/lib/trpc';
import { FAMILY_LABELS } from '@/server/models/families';
import { hasFilters, type GalleryFilters, type KindFilter } from './filters';

const ALL = 'all';

export function GalleryFilterBar({
  filters,
  onChange,
  rangeError,
}: {
  filters: GalleryFilters;
  onChange: (next: GalleryFilters) => void;
  rangeError: string | null;
}) {
  const trpc = useTRPC();
  const adapters = useQuery(trpc.adapters.list.queryOptions());
  const models = useQuery(trpc.models.list.queryOptions());
  const id = useId();
  const set = (patch: Partial<GalleryFilters>) => onChange({ ...filters, ...patch });
  const errorId = `${id}-range-error`;

  return (
    <form
      role="search"
      aria-label="Filter the gallery"
      onSubmit={(e) => e.preventDefault()}
      className="grid grid-cols-2 items-end gap-3 rounded-xl border bg-card p-4 sm:grid-cols-3 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto]"
    >
      <div className="grid gap-2">
        <Label htmlFor={`${id}-kind`}>Kind</Label>
        <Select
          value={filters.kind ?? ALL}
          onValueChange={(v) => set({ kind: v === ALL ? undefined : (v as KindFilter) })}
        >
          <SelectTrigger id={`${id}-kind`}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All images</SelectItem>
            <SelectItem value="GENERATE">Generations</SelectItem>
            <SelectItem value="EDIT">Photo edits</SelectItem>
          </SelectContent>
        </Select>
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-adapter`}>Adapter</Label>
        <Select
          value={filters.adapter ?? ALL}
          onValueChange={(v) => set({ adapter: v === ALL ? undefined : v })}
          disabled={!adapters.data?.length && !filters.adapter}
        >
          <SelectTrigger id={`${id}-adapter`}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>Any adapter</SelectItem>
            {filters.adapter && !adapters.data?.some((a) => a.id === filters.adapter) && (
              <SelectItem value={filters.adapter}>A deleted adapter</SelectItem>
            )}
            {adapters.data?.map((a) => (
              <SelectItem key={a.id} value={a.id}>
                {a.name}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-model`}>Base model</Label>
        <Select
          value={filters.model ?? ALL}
          onValueChange={(v) => set({ model: v === ALL ? undefined : v })}
        >
          <SelectTrigger id={`${id}-model`}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>Any model</SelectItem>
            {filters.model && !models.data?.baseModels.some((m) => m.name === filters.model) && (
              <SelectItem value={filters.model}>{filters.model}</SelectItem>
            )}
            {models.data?.baseModels.map((m) => (
              <SelectItem key={m.name} value={m.name}>
                {m.name} ({FAMILY_LABELS[m.family]})
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-from`}>From</Label>
        <Input
          id={`${id}-from`}
          type="date"
          value={filters.from ?? ''}
          max={filters.to}
          onChange={(e) => set({ from: e.target.value || undefined })}
        />
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-to`}>To</Label>
        <Input
          id={`${id}-to`}
          type="date"
          value={filters.to ?? ''}
          min={filters.from}
          aria-invalid={Boolean(rangeError)}
          aria-describedby={rangeError ? errorId : undefined}
          onChange={(e) => set({ to: e.target.value || undefined })}
        />
      </div>
      <Button
        type="button"
        variant="ghost"
        className="col-span-2 sm:col-span-1 lg:col-span-1"
        disabled={!hasFilters(filters)}
        onClick={() => onChange({})}
      >
        <X aria-hidden="true" />
        Clear filters
      </Button>
      {rangeError && (
        <p id={errorId} role="alert" className="col-span-full text-sm text-destructive">
          {rangeError}
        </p>
      )}
    </form>
  );
}
