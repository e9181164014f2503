'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { BookImage, RefreshCw } from 'lucide-react';
import { useEffect } from 'react';
import { toast } from 'sonner';
import { PendingUploads, UploadDropzone, useLibraryUpload } from '@/components/library-upload';
import { PageHeader } from '@/components/page-header';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError, toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import { LibraryTile } from './library-tile';

const GRID = 'grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-5';

export function Library() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const images = useQuery(trpc.references.list.queryOptions());
  const listKey = trpc.references.list.queryKey();
  const { pending, upload, retry, dismiss } = useLibraryUpload();
  const remove = useMutation(
    trpc.references.remove.mutationOptions({
      onMutate: async ({ id }) => {
        await queryClient.cancelQueries({ queryKey: listKey });
        const before = queryClient.getQueryData(listKey);
        queryClient.setQueryData(listKey, (list) => list?.filter((img) => img.id !== id));
        return { before };
      },
      onError: (err, _v, ctx) => {
        queryClient.setQueryData(listKey, ctx?.before);
        toastError(err, { title: 'Could not delete the image' });
      },
      onSuccess: () => toast.success('Image deleted'),
      onSettled: () => queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );

  // Pasting an image anywhere on the page adds it too.
  useEffect(() => {
    function onPaste(e: ClipboardEvent) {
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, [contenteditable="true"]')) return;
      const files = Array.from(e.clipboardData?.files ?? []).filter((f) =>
        f.type.startsWith('image/'),
      );
      if (files.length) void upload(files);
    }
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [upload]);

  let body;
  if (images.isPending) {
    body = (
      <ul className={GRID} aria-busy="true" aria-label="Loading your library">
        {Array.from({ length: 10 }, (_, i) => (
          <li key={i} className="grid gap-2">
            <Skeleton className="aspect-square w-full rounded-lg" />
            <Skeleton className="h-8 w-full" />
          </li>
        ))}
      </ul>
    );
  } else if (images.isError) {
    const err = describeError(images.error);
    body = (
      <Alert variant="destructive" role="alert">
        <AlertTitle>{err.title}</AlertTitle>
        <AlertDescription>
          <p>{err.message}</p>
          <Button type="button" variant="outline" size="sm" onClick={() => void images.refetch()}>
            <RefreshCw aria-hidden="true" />
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  } else if (images.data.length === 0) {
    body = pending.length ? null : (
      <EmptyState
        icon={<BookImage />}
        title="Your library is empty"
        description="Add a few pictures above: a face, a style you like, a layout to keep. Every upload is checked, cleaned of metadata and ready to steer with."
      />
    );
  } else {
    body = (
      <ul className={GRID} aria-label="Your images">
        {images.data.map((img, i) => (
          <LibraryTile
            key={img.id}
            img={img}
            index={i}
            onDelete={() => remove.mutate({ id: img.id })}
          />
        ))}
      </ul>
    );
  }

  return (
    <div>
      <PageHeader
        title="Library"
        description="Pictures to steer with: use one as a reference for its look, as a control for its layout, or edit it with words."
      />
      <div className="grid gap-4">
        <UploadDropzone
          onFiles={(files) => void upload(files)}
          hint="PNG, JPEG or WebP, up to 20 MB each. You can also paste an image."
        />
        <PendingUploads pending={pending} onRetry={retry} onDismiss={dismiss} />
      </div>
      <section aria-labelledby="library-images" className="mt-8 grid gap-4">
        <h2 id="library-images" className="text-lg font-semibold">
          Your images
          {images.data?.length ? (
            <span className="ml-2 text-sm font-normal text-muted-foreground">
              {images.data.length}
            </span>
          ) : null}
        </h2>
        {body}
      </section>
    </div>
  );
}
