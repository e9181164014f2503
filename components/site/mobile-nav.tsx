'use client';
import { Menu } from 'lucide-react';
import dynamic from 'next/dynamic';
import { useRef, useState } from 'react';
import { Button } from '@/components/ui/button';

// The sheet (Radix Dialog, focus trap, scroll lock) is fetched on the first tap, not with every
// page: the landing page's first-load JavaScript stays small.
const loadSheet = () => import('./mobile-sheet').then((m) => m.MobileSheet);
const MobileSheet = dynamic(loadSheet, { ssr: false });

/** The phone menu's button; the sheet with every destination opens from it. */
export function MobileNav({ signedIn }: { signedIn: boolean }) {
  const [open, setOpen] = useState(false);
  const [used, setUsed] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button
        ref={button}
        variant="ghost"
        size="icon"
        className="md:hidden"
        aria-haspopup="dialog"
        aria-expanded={open}
        onPointerEnter={() => void loadSheet()}
        onFocus={() => void loadSheet()}
        onClick={() => {
          setUsed(true);
          setOpen(true);
        }}
      >
        <Menu className="size-5" aria-hidden="true" />
        <span className="sr-only">Open menu</span>
      </Button>
      {used && (
        <MobileSheet signedIn={signedIn} open={open} setOpen={setOpen} returnFocus={button} />
      )}
    </>
  );
}
