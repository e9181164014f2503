'use client';
// Share one output publicly: make a link, copy it, stop sharing. Stopping retires the link for
// good (sharing again makes a new one), and the page, picture and card answer 404 at once.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, useSyncExternalStore } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { useTRPC } from '@/lib/trpc';
import { cn } from '@/lib/utils';

export interface ShareControlProps {
  /** The JobOutput to share (`outputs[i].id` of jobs.get, `items[i].id` of jobs.gallery). */
  outputId: string;
  /** Its current slug (`shareSlug` in those views), null when private. */
  initialSlug: string | null;
  /** Called after a share or a revoke with the new slug (null when revoked). */
  onChange?: (slug: string | null) => void;
  className?: string;
}

const noSubscribe = () => () => {};

export function ShareControl({ outputId, initialSlug, onChange, className }: ShareControlProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [slug, setSlug] = useState(initialSlug);
  const [notice, setNotice] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  // The page's origin, known only in the browser; the server renders the path alone.
  const origin = useSyncExternalStore(
    noSubscribe,
    () => window.location.origin,
    () => '',
  );
  const settle = async (next: string | null, message: string) => {
    setSlug(next);
    setNotice(message);
    onChange?.(next);
    await queryClient.invalidateQueries(trpc.jobs.pathFilter());
  };
  const share = useMutation(
    trpc.jobs.share.mutationOptions({
      onSuccess: (s) => settle(s.slug, 'Shared: anyone with the link can see this image.'),
    }),
  );
  const unshare = useMutation(
    trpc.jobs.unshare.mutationOptions({
      onSuccess: () => settle(null, 'No longer shared: the link now leads nowhere.'),
    }),
  );
  const busy = share.isPending || unshare.isPending;
  const error = share.error ?? unshare.error;
  const path = slug ? `/s/${slug}` : null;
  const link = path ? `${origin}${path}` : '';

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setNotice('Link copied.');
    } catch {
      // No clipboard permission: select the link so the user can copy it themselves.
      inputRef.current?.select();
      setNotice('Press Ctrl+C (⌘C) to copy the selected link.');
    }
  }

  return (
    <div className={cn('flex flex-col gap-2', className)} data-testid="share-control">
      {path ? (
        <>
          <label htmlFor={inputId} className="text-sm font-medium">
            Public link
          </label>
          <div className="flex flex-wrap items-center gap-2">
            <Input
              id={inputId}
              ref={inputRef}
              readOnly
              value={link}
              onFocus={(e) => e.currentTarget.select()}
              className="min-w-0 flex-1 basis-48 font-mono text-sm"
            />
            <Button type="button" variant="outline" size="sm" onClick={() => void copy()}>
              Copy link
            </Button>
            <Button
              type="button"
              variant="outline"
              size="sm"
              disabled={busy}
              onClick={() => unshare.mutate({ outputId })}
            >
              Stop sharing
            </Button>
          </div>
          <a
            href={path}
            target="_blank"
            rel="noopener"
            className="text-sm text-primary underline underline-offset-4"
          >
            Open the public page
          </a>
        </>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <Button
            type="button"
            variant="outline"
            size="sm"
            disabled={busy}
            onClick={() => share.mutate({ outputId })}
          >
            Share
          </Button>
          <span className="text-sm text-muted-foreground">
            Private. Sharing makes a public page anyone with its link can open.
          </span>
        </div>
      )}
      <p role="status" className="text-sm text-muted-foreground empty:hidden">
        {notice}
      </p>
      {error && (
        <p role="alert" className="text-sm text-destructive">
          {error.message}
        </p>
      )}
    </div>
  );
}
