import Image from 'next/image';
import type { ReactNode } from 'react';
import hero from '@/public/landing/hero.webp';

/** Sign-in and sign-up: the form on a card, with a picture of what waits beyond it on wide screens. */
export function AuthShell({ children }: { children: ReactNode }) {
  return (
    <div className="mx-auto grid max-w-5xl items-center gap-10 md:grid-cols-2">
      <div className="w-full max-w-md justify-self-center rounded-2xl border bg-card p-6 shadow-xs sm:p-8">
        {children}
      </div>
      <Image
        src={hero}
        alt=""
        sizes="(min-width: 768px) 480px, 0px"
        className="hidden h-auto w-full rounded-3xl md:block"
      />
    </div>
  );
}
