'use client';
import { Check } from 'lucide-react';
import { Skeleton } from '@/components/ui/skeleton';
import { cn } from '@/lib/utils';

export interface GridPhoto {
  id: string;
  thumbnailUrl: string;
  width: number;
  height: number;
}

/**
 * Library thumbnails inline as toggle buttons (aria-pressed) in a named group: the photo to edit,
 * or the photos to train on. Square tiles of a fixed size, so nothing moves while they load.
 */
export function PhotoGrid({
  items,
  selected,
  onToggle,
  label,
  loading = false,
  className,
}: {
  items: GridPhoto[];
  selected: string[];
  onToggle: (id: string) => void;
  /** The group's accessible name, e.g. "Choose the photo to edit". */
  label: string;
  loading?: boolean;
  className?: string;
}) {
  const grid = 'grid grid-cols-[repeat(auto-fill,minmax(4.5rem,1fr))] gap-2';
  if (loading) {
    return (
      <div className={cn(grid, className)} aria-busy="true" aria-label={label}>
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="aspect-square w-full rounded-lg" />
        ))}
      </div>
    );
  }
  return (
    <div role="group" aria-label={label} className={cn(grid, className)}>
      {items.map((img, i) => {
        const on = selected.includes(img.id);
        return (
          <button
            key={img.id}
            type="button"
            aria-pressed={on}
            aria-label={`Library image ${i + 1}`}
            onClick={() => onToggle(img.id)}
            className={cn(
              'relative aspect-square w-full cursor-pointer overflow-hidden rounded-lg border-2 bg-muted transition-[border-color,box-shadow]',
              on
                ? 'border-primary shadow-[0_0_0_2px_var(--color-primary)]'
                : 'border-transparent hover:border-input',
            )}
          >
            <img
              src={img.thumbnailUrl}
              alt=""
              width={img.width}
              height={img.height}
              loading="lazy"
              className="size-full object-cover"
            />
            {on && (
              <span
                aria-hidden="true"
                className="absolute top-1 right-1 flex size-5 items-center justify-center rounded-full bg-primary text-primary-foreground"
              >
                <Check className="size-3.5" />
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
