'use client';
// What can be done with one result, wherever it is shown (job page, gallery, edit page).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Download, ImagePlus, Loader2, Share2 } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { toast } from 'sonner';
import { ShareControl } from '@/components/share-control';
import { Button, type ButtonProps } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';

type Look = Pick<ButtonProps, 'variant' | 'size' | 'className'> & {
  /** Show only the icon; the accessible name stays the same. */
  iconOnly?: boolean;
};

function Label({ text, iconOnly }: { text: string; iconOnly?: boolean }) {
  return iconOnly ? <span className="sr-only">{text}</span> : <>{text}</>;
}

/** A file name people can recognise later: the prompt's first words and the output number. */
export function downloadName(prompt: string, jobId: string, index = 0): string {
  const words = prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return `${words || 'adapter-studio'}-${jobId.slice(0, 8)}-${index + 1}.png`;
}

export function DownloadButton({
  url,
  filename,
  iconOnly,
  variant = 'outline',
  size = 'sm',
  className,
}: Look & { url: string; filename: string }) {
  return (
    <Button asChild variant={variant} size={size} className={className}>
      <a href={url} download={filename} title={iconOnly ? 'Download' : undefined}>
        <Download aria-hidden="true" />
        <Label text="Download" iconOnly={iconOnly} />
      </a>
    </Button>
  );
}

/**
 * Copies the output into the library (the upload path; twice finds the same image), then opens
 * Generate with it as the reference.
 */
export function UseAsReferenceButton({
  outputId,
  iconOnly,
  variant = 'outline',
  size = 'sm',
  className,
}: Look & { outputId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const add = useMutation(
    trpc.jobs.useAsReference.mutationOptions({
      onSuccess: (img) => {
        void queryClient.invalidateQueries(trpc.references.list.queryFilter());
        toast.success(img.deduplicated ? 'Already in your library' : 'Added to your library', {
          description: 'Opening Generate with it as the reference.',
        });
        router.push(`/generate?reference=${img.id}`);
      },
      onError: (err) => toastError(err, { title: 'Could not use it as a reference' }),
    }),
  );
  return (
    <Button
      type="button"
      variant={variant}
      size={size}
      className={className}
      disabled={add.isPending}
      aria-busy={add.isPending || undefined}
      title={iconOnly ? 'Use as reference' : undefined}
      onClick={() => add.mutate({ outputId })}
    >
      {add.isPending ? (
        <Loader2 className="animate-spin" aria-hidden="true" />
      ) : (
        <ImagePlus aria-hidden="true" />
      )}
      <Label text="Use as reference" iconOnly={iconOnly} />
    </Button>
  );
}

/** "Share" opening a dialog with the share control: public link, copy, stop sharing. */
export function ShareDialogButton({
  outputId,
  shareSlug,
  prompt,
  iconOnly,
  variant = 'outline',
  size = 'sm',
  className,
}: Look & { outputId: string; shareSlug: string | null; prompt: string }) {
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button
          type="button"
          variant={variant}
          size={size}
          className={className}
          title={iconOnly ? 'Share' : undefined}
        >
          <Share2 aria-hidden="true" />
          <Label text="Share" iconOnly={iconOnly} />
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Share this image</DialogTitle>
          <DialogDescription className="line-clamp-2 break-words">
            {prompt || 'Untitled image'}
          </DialogDescription>
        </DialogHeader>
        <ShareControl outputId={outputId} initialSlug={shareSlug} />
      </DialogContent>
    </Dialog>
  );
}
