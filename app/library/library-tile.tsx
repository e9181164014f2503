'use client';
import { Frame, ImagePlus, Wand2 } from 'lucide-react';
import Link from 'next/link';
import { useFocusAfterRemoval } from '@/components/use-focus-after-removal';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button';
import { Button } from '@/components/ui/button';

export interface LibraryImage {
  id: string;
  url: string;
  thumbnailUrl: string;
  width: number;
  height: number;
  hasEmbedding: boolean;
}

/** One library picture: its thumbnail (opens the original), use it, edit it, delete it. */
export function LibraryTile({
  img,
  index: i,
  onDelete,
}: {
  img: LibraryImage;
  index: number;
  onDelete: () => void;
}) {
  const focus = useFocusAfterRemoval<HTMLLIElement>();
  return (
    <li
      ref={focus.itemRef}
      className="flex flex-col overflow-hidden rounded-xl border bg-card shadow-xs"
    >
      <a
        href={img.url}
        target="_blank"
        rel="noopener"
        className="block aspect-square overflow-hidden bg-muted focus-visible:outline-offset-[-4px]"
      >
        <img
          src={img.thumbnailUrl}
          alt={`Library image ${i + 1}, ${img.width} × ${img.height}`}
          width={img.width}
          height={img.height}
          loading={i < 10 ? 'eager' : 'lazy'}
          decoding="async"
          className="size-full object-cover"
        />
      </a>
      <div className="grid gap-2 p-2">
        <p className="px-1 text-xs text-muted-foreground">
          {img.width} × {img.height}
          {img.hasEmbedding ? ' · ready for IP-Adapter' : ''}
        </p>
        <Button asChild size="sm" variant="secondary" className="w-full">
          <Link href={`/generate?reference=${img.id}`}>
            <ImagePlus aria-hidden="true" />
            Use as reference
          </Link>
        </Button>
        <div
          role="group"
          aria-label={`More for library image ${i + 1}`}
          className="flex items-center justify-between gap-1"
        >
          <Button asChild size="icon-sm" variant="ghost" title="Use as control">
            <Link href={`/generate?control=${img.id}`}>
              <Frame aria-hidden="true" />
              <span className="sr-only">Use as control</span>
            </Link>
          </Button>
          <Button asChild size="icon-sm" variant="ghost" title="Edit with words">
            <Link href={`/edit?image=${img.id}`}>
              <Wand2 aria-hidden="true" />
              <span className="sr-only">Edit with words</span>
            </Link>
          </Button>
          <ConfirmDeleteButton
            label="Delete"
            title="Delete this image?"
            description="It leaves your library, with its control maps and embedding. Results already made with it stay in your gallery."
            focus={focus}
            onConfirm={onDelete}
          />
        </div>
      </div>
    </li>
  );
}
