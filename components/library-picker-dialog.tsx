'use client';
import { useQuery } from '@tanstack/react-query';
import { Check, ImagePlus } from 'lucide-react';
import { useState } from 'react';
import type { LibraryPickerProps, PickedImage } from './library-picker';
import { UploadButton } from '@/components/upload-button';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { useTRPC } from '@/lib/trpc';
import { cn } from '@/lib/utils';

/** The picker's dialog, loaded when first opened (see library-picker.tsx). */
export function LibraryPickerDialog({
  open,
  setOpen,
  returnFocus,
  title,
  description,
  max,
  exclude = [],
  onPick,
}: LibraryPickerProps & {
  open: boolean;
  setOpen: (open: boolean) => void;
  returnFocus: () => void;
}) {
  const trpc = useTRPC();
  const [chosen, setChosen] = useState<string[]>([]);
  const library = useQuery({ ...trpc.references.list.queryOptions(), enabled: open });
  const items = (library.data ?? []).filter((i) => !exclude.includes(i.id));

  const byId = new Map<string, PickedImage>((library.data ?? []).map((i) => [i.id, i]));
  const picked = (ids: string[]): PickedImage[] =>
    ids.flatMap((id) => {
      const img = byId.get(id);
      return img ? [img] : [];
    });

  function finish(images: PickedImage[]) {
    onPick(images.map(({ id, width, height }) => ({ id, width, height })));
    setChosen([]);
    setOpen(false);
  }

  function toggle(id: string) {
    if (max === 1) return finish(picked([id]));
    setChosen((c) =>
      c.includes(id) ? c.filter((x) => x !== id) : c.length < max ? [...c, id] : c,
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) setChosen([]);
      }}
    >
      <DialogContent
        className="sm:max-w-2xl"
        onCloseAutoFocus={(e) => {
          e.preventDefault();
          returnFocus();
        }}
      >
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {library.isError ? (
          <div role="alert" className="grid justify-items-start gap-2 text-sm">
            <p className="text-destructive">Could not load your library.</p>
            <Button
              type="button"
              variant="outline"
              size="sm"
              onClick={() => void library.refetch()}
            >
              Try again
            </Button>
          </div>
        ) : library.isPending ? (
          <div className="grid grid-cols-3 gap-2 sm:grid-cols-4">
            {Array.from({ length: 8 }, (_, i) => (
              <Skeleton key={i} className="aspect-square" />
            ))}
          </div>
        ) : items.length === 0 ? (
          <EmptyState
            icon={<ImagePlus />}
            title="Your library is empty"
            description="Upload a photo, painting or sketch. It stays in your library for next time."
            headingLevel={3}
            action={<UploadButton variant="default" onUploaded={(img) => finish([img])} />}
          />
        ) : (
          <>
            <ul
              className="grid max-h-[55dvh] grid-cols-3 gap-2 overflow-y-auto p-1 sm:grid-cols-4"
              aria-label="Library images"
            >
              {items.map((img, i) => {
                const on = chosen.includes(img.id);
                return (
                  <li key={img.id}>
                    <button
                      type="button"
                      data-slot="library-tile"
                      aria-pressed={max === 1 ? undefined : on}
                      aria-label={`Library image ${i + 1}, ${img.width} × ${img.height}`}
                      onClick={() => toggle(img.id)}
                      className={cn(
                        'relative block aspect-square w-full cursor-pointer overflow-hidden rounded-lg border-2 border-transparent bg-muted transition-colors hover:border-primary/50',
                        on && 'border-primary',
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
                        <span className="absolute top-1.5 right-1.5 flex size-6 items-center justify-center rounded-full bg-primary text-primary-foreground">
                          <Check className="size-4" aria-hidden="true" />
                        </span>
                      )}
                    </button>
                  </li>
                );
              })}
            </ul>
            <DialogFooter className="items-center sm:justify-between">
              <UploadButton onUploaded={(img) => finish([...picked(chosen), img].slice(0, max))} />
              {max > 1 && (
                <Button
                  type="button"
                  disabled={chosen.length === 0}
                  onClick={() => finish(picked(chosen))}
                >
                  {chosen.length ? `Use ${chosen.length} selected` : 'Select images'}
                </Button>
              )}
            </DialogFooter>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
