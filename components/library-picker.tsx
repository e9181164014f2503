'use client';
import dynamic from 'next/dynamic';
import { Slot } from 'radix-ui';
import { useRef, useState, type ReactNode } from 'react';

export interface PickedImage {
  id: string;
  width: number;
  height: number;
}

export interface LibraryPickerProps {
  title: string;
  description: string;
  /** How many more may be chosen; with 1 a click chooses and closes. */
  max: number;
  exclude?: string[];
  onPick: (images: PickedImage[]) => void;
}

// The dialog (Radix Dialog, the library grid, upload) arrives on the first open, prefetched when
// the pointer or focus reaches the button.
const loadDialog = () => import('./library-picker-dialog').then((m) => m.LibraryPickerDialog);
const LibraryPickerDialog = dynamic(loadDialog, { ssr: false });

/** Choose images from the library (or upload one) in a dialog opened by `trigger`. */
export function LibraryPicker({ trigger, ...props }: LibraryPickerProps & { trigger: ReactNode }) {
  const [open, setOpen] = useState(false);
  const [used, setUsed] = useState(false);
  const triggerRef = useRef<HTMLElement>(null);
  return (
    <>
      <Slot.Root
        ref={triggerRef}
        aria-haspopup="dialog"
        aria-expanded={open}
        onPointerEnter={() => void loadDialog()}
        onFocus={() => void loadDialog()}
        onClick={() => {
          setUsed(true);
          setOpen(true);
        }}
      >
        {trigger}
      </Slot.Root>
      {used && (
        <LibraryPickerDialog
          {...props}
          open={open}
          setOpen={setOpen}
          returnFocus={() => triggerRef.current?.focus()}
        />
      )}
    </>
  );
}
