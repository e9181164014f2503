'use client';
import { useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { Shuffle } from 'lucide-react';
import Link from 'next/link';
import { toast } from 'sonner';
import {
  DownloadButton,
  downloadName,
  ShareDialogButton,
  UseAsReferenceButton,
} from '@/components/output-actions';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { toastError } from '@/lib/error-messages';
import { useFocusAfterRemoval } from '@/components/use-focus-after-removal';
import { useTRPC } from '@/lib/trpc';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/trpc/router';

type GalleryPage = inferRouterOutputs<AppRouter>['jobs']['gallery'];
export type GalleryItem = GalleryPage['items'][number];

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** Deletes an output, removing it from every loaded gallery page at once (back on failure). */
function useDeleteOutput() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pages = trpc.jobs.gallery.infiniteQueryFilter();
  return useMutation(
    trpc.jobs.deleteOutput.mutationOptions({
      onMutate: async ({ outputId }) => {
        await queryClient.cancelQueries(pages);
        const snapshot = queryClient.getQueriesData(pages);
        queryClient.setQueriesData<InfiniteData<GalleryPage>>(pages, (data) =>
          data
            ? {
                ...data,
                pages: data.pages.map((p) => ({
                  ...p,
                  items: p.items.filter((i) => i.id !== outputId),
                })),
              }
            : data,
        );
        return { snapshot };
      },
      onError: (err, _vars, ctx) => {
        for (const [key, data] of ctx?.snapshot ?? []) queryClient.setQueryData(key, data);
        toastError(err, { title: 'Could not delete the image' });
      },
      onSuccess: () => toast.success('Image deleted'),
      // Page cursors may name the deleted image: refetch so "load more" continues correctly.
      onSettled: () =>
        Promise.all([
          queryClient.invalidateQueries(pages),
          queryClient.invalidateQueries(trpc.jobs.get.pathFilter()),
        ]),
    }),
  );
}

export function GalleryTile({ item, priority }: { item: GalleryItem; priority: boolean }) {
  const remove = useDeleteOutput();
  const focus = useFocusAfterRemoval<HTMLLIElement>();
  const prompt = item.prompt || 'Untitled image';
  const remix =
    item.kind === 'EDIT' ? `/edit?remix=${item.jobId}` : `/generate?remix=${item.jobId}`;
  return (
    <li
      ref={focus.itemRef}
      className="group @container flex flex-col overflow-hidden rounded-xl border bg-card shadow-xs"
    >
      <Link
        href={`/jobs/${item.jobId}`}
        className="relative block aspect-square overflow-hidden bg-muted focus-visible:outline-offset-[-4px]"
      >
        <img
          src={item.url}
          alt={prompt}
          width={item.width}
          height={item.height}
          loading={priority ? 'eager' : 'lazy'}
          decoding="async"
          className="size-full object-cover transition-transform duration-300 group-hover:scale-[1.03] motion-reduce:transition-none"
        />
        {item.shareSlug && (
          <Badge variant="default" className="absolute top-2 left-2 shadow-sm">
            Public
          </Badge>
        )}
      </Link>
      <div className="flex flex-1 flex-col gap-2 p-3">
        <p
          aria-hidden="true"
          className="line-clamp-2 text-sm leading-snug break-words"
          title={prompt}
        >
          {prompt}
        </p>
        <p className="mt-auto text-xs text-muted-foreground">
          {item.kind === 'EDIT' ? 'Photo edit' : 'Generation'} ·{' '}
          <time dateTime={item.createdAt.toISOString()}>{day.format(item.createdAt)}</time>
        </p>
        <div
          role="group"
          aria-label={`Actions for ${prompt}`}
          className="-mx-1 flex flex-wrap items-center gap-1"
        >
          <Button asChild variant="secondary" size="sm" className="mr-auto">
            <Link href={remix}>
              <Shuffle aria-hidden="true" />
              Remix
            </Link>
          </Button>
          <UseAsReferenceButton outputId={item.id} iconOnly variant="ghost" size="icon-sm" />
          <DownloadButton
            url={item.url}
            filename={downloadName(item.prompt, item.jobId)}
            iconOnly
            variant="ghost"
            size="icon-sm"
          />
          <ShareDialogButton
            outputId={item.id}
            shareSlug={item.shareSlug}
            prompt={item.prompt}
            iconOnly
            variant="ghost"
            size="icon-sm"
          />
          <ConfirmDeleteButton
            label="Delete"
            title="Delete this image?"
            description={
              <>
                It is removed from your gallery and storage for good
                {item.shareSlug ? ', and its public link stops working' : ''}. The job&apos;s
                settings stay, so you can remix it later.
              </>
            }
            focus={focus}
            disabled={remove.isPending}
            onConfirm={() => remove.mutate({ outputId: item.id })}
          />
        </div>
      </div>
    </li>
  );
}
