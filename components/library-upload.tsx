'use client';
// Uploading pictures into the library: a hook that runs the uploads (a few at a time, with
// progress, retry and errors as toasts) and the drop zone / file button that feeds it.
import { useQueryClient } from '@tanstack/react-query';
import { ImageUp, RotateCw, X } from 'lucide-react';
import { useCallback, useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { Button, buttonVariants } from '@/components/ui/button';
import { Progress } from '@/components/ui/progress';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import { uploadWithProgress, type UploadedImage } from '@/lib/upload';
import { cn } from '@/lib/utils';

/** The server's limits (server/references/image-safety.ts), checked here to fail fast. */
const ACCEPTED = ['image/png', 'image/jpeg', 'image/webp'];
const MAX_BYTES = 20 * 1024 * 1024;
const AT_ONCE = 3;

export interface PendingUpload {
  key: string;
  file: File;
  progress: number;
  error?: string;
}

let seq = 0;

function precheck(file: File): string | null {
  if (!ACCEPTED.includes(file.type)) return 'Use a PNG, JPEG or WebP image.';
  if (file.size > MAX_BYTES) return 'Images must be at most 20 MB.';
  return null;
}

export function useLibraryUpload(opts: { onUploaded?: (image: UploadedImage) => void } = {}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<PendingUpload[]>([]);
  const onUploaded = useRef(opts.onUploaded);
  useEffect(() => {
    onUploaded.current = opts.onUploaded;
  });

  const patch = useCallback((key: string, p: Partial<PendingUpload>) => {
    setPending((list) => list.map((x) => (x.key === key ? { ...x, ...p } : x)));
  }, []);

  const run = useCallback(
    async (item: PendingUpload) => {
      const bad = precheck(item.file);
      if (bad) {
        patch(item.key, { error: bad });
        toastError(new Error(bad), { title: `Cannot add ${item.file.name}` });
        return;
      }
      try {
        const image = await uploadWithProgress(item.file, (progress) =>
          patch(item.key, { progress }),
        );
        setPending((list) => list.filter((x) => x.key !== item.key));
        await queryClient.invalidateQueries({ queryKey: trpc.references.list.queryKey() });
        onUploaded.current?.(image);
      } catch (err) {
        const shown = toastError(err, { title: `Could not add ${item.file.name}` });
        patch(item.key, { error: shown.message, progress: 0 });
      }
    },
    [patch, queryClient, trpc],
  );

  const upload = useCallback(
    async (files: FileList | File[]) => {
      const items = Array.from(files).map((file) => ({
        key: `u${(seq += 1)}`,
        file,
        progress: 0,
      }));
      if (!items.length) return;
      setPending((list) => [...list, ...items]);
      // A few at a time: each upload is also checked, resized and encoded on the server.
      const queue = [...items];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await run(next);
      };
      await Promise.all(Array.from({ length: Math.min(AT_ONCE, items.length) }, worker));
    },
    [run],
  );

  const retry = useCallback(
    (key: string) => {
      const item = pending.find((x) => x.key === key);
      if (!item) return;
      patch(key, { error: undefined, progress: 0 });
      void run({ ...item, error: undefined, progress: 0 });
    },
    [pending, patch, run],
  );

  const dismiss = useCallback((key: string) => {
    setPending((list) => list.filter((x) => x.key !== key));
  }, []);

  return { pending, upload, retry, dismiss };
}

/**
 * A drop zone with a file button. The file input itself is the labelled control ("Upload
 * images"), visually hidden but focusable, so keyboards and screen readers reach it directly.
 */
export function UploadDropzone({
  onFiles,
  multiple = true,
  label = 'Upload images',
  hint = 'PNG, JPEG or WebP, up to 20 MB each',
  compact = false,
  className,
  children,
}: {
  onFiles: (files: File[]) => void;
  multiple?: boolean;
  label?: string;
  hint?: string;
  compact?: boolean;
  className?: string;
  children?: ReactNode;
}) {
  const [dragging, setDragging] = useState(false);

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const files = Array.from(e.dataTransfer.files);
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  }

  return (
    <div
      data-dragging={dragging || undefined}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
      className={cn(
        'flex flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed border-input bg-card text-center transition-colors data-[dragging]:border-primary data-[dragging]:bg-accent',
        compact ? 'px-4 py-5' : 'px-6 py-10',
        className,
      )}
    >
      {!compact && (
        <div
          aria-hidden="true"
          className="flex size-12 items-center justify-center rounded-full bg-accent text-accent-foreground"
        >
          <ImageUp className="size-6" />
        </div>
      )}
      <div className="grid gap-1">
        <p className="font-medium">
          {dragging ? 'Drop to upload' : multiple ? 'Drag photos here' : 'Drag a photo here'}
        </p>
        <p className="text-sm text-muted-foreground">{hint}</p>
      </div>
      <label
        className={cn(
          buttonVariants({ variant: compact ? 'outline' : 'default' }),
          'relative has-[input:focus-visible]:outline-2 has-[input:focus-visible]:outline-offset-2 has-[input:focus-visible]:outline-ring',
        )}
      >
        <input
          type="file"
          multiple={multiple}
          accept={ACCEPTED.join(',')}
          className="sr-only"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = ''; // the same file can be chosen again after an error
            if (files.length) onFiles(files);
          }}
        />
        <ImageUp aria-hidden="true" />
        {label}
      </label>
      {children}
    </div>
  );
}

/** The uploads in flight: a progress bar each, or the error with Retry and Dismiss. */
export function PendingUploads({
  pending,
  onRetry,
  onDismiss,
  className,
}: {
  pending: PendingUpload[];
  onRetry: (key: string) => void;
  onDismiss: (key: string) => void;
  className?: string;
}) {
  if (!pending.length) return null;
  return (
    <ul className={cn('grid gap-2', className)} aria-label="Uploads in progress">
      {pending.map((p) => (
        <li
          key={p.key}
          className="flex flex-wrap items-center gap-x-3 gap-y-2 rounded-lg border bg-card px-3 py-2 text-sm"
        >
          <span className="min-w-0 flex-1 basis-40 truncate font-medium" title={p.file.name}>
            {p.file.name}
          </span>
          {p.error ? (
            <>
              <span className="basis-full text-destructive sm:order-none sm:basis-auto">
                {p.error}
              </span>
              <Button type="button" size="sm" variant="outline" onClick={() => onRetry(p.key)}>
                <RotateCw aria-hidden="true" />
                Retry
              </Button>
              <Button
                type="button"
                size="icon-sm"
                variant="ghost"
                aria-label={`Dismiss ${p.file.name}`}
                onClick={() => onDismiss(p.key)}
              >
                <X aria-hidden="true" />
              </Button>
            </>
          ) : (
            <>
              <Progress
                value={Math.round(p.progress * 100)}
                aria-label={`Uploading ${p.file.name}`}
                className="w-32 flex-none sm:w-48"
              />
              <span className="w-20 text-right text-muted-foreground tabular-nums">
                {p.progress >= 1 ? 'Processing…' : `${Math.round(p.progress * 100)}%`}
              </span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
