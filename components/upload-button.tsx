'use client';
import { useQueryClient } from '@tanstack/react-query';
import { Loader2, Upload } from 'lucide-react';
import { useId, useState } from 'react';
import { buttonVariants, type ButtonProps } from '@/components/ui/button';
import { toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import { uploadLibraryImage, type UploadedImage } from '@/lib/upload';
import { cn } from '@/lib/utils';

/**
 * A button that uploads one image into the library. The file input itself stays in the page
 * (visually hidden, still focusable) so keyboards, screen readers and tests reach it by its label.
 */
export function UploadButton({
  label = 'Upload an image',
  onUploaded,
  variant = 'outline',
  size = 'sm',
  className,
}: {
  label?: string;
  onUploaded: (img: UploadedImage) => void;
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
  className?: string;
}) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);

  async function upload(file: File | undefined, input: HTMLInputElement) {
    if (!file) return;
    setBusy(true);
    try {
      const img = await uploadLibraryImage(file);
      await queryClient.invalidateQueries({ queryKey: trpc.references.list.queryKey() });
      onUploaded(img);
    } catch (e) {
      toastError(e, { title: 'Upload failed' });
    } finally {
      setBusy(false);
      input.value = '';
    }
  }

  return (
    <label
      htmlFor={id}
      data-slot="upload-button"
      aria-busy={busy}
      className={cn(
        buttonVariants({ variant, size }),
        'has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-ring',
        busy && 'pointer-events-none opacity-60',
        className,
      )}
    >
      {busy ? (
        <Loader2 className="animate-spin" aria-hidden="true" />
      ) : (
        <Upload aria-hidden="true" />
      )}
      {busy ? 'Uploading…' : label}
      <input
        id={id}
        type="file"
        accept="image/png,image/jpeg,image/webp"
        className="sr-only"
        disabled={busy}
        onChange={(e) => void upload(e.target.files?.[0], e.currentTarget)}
      />
    </label>
  );
}
