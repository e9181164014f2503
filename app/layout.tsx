import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Providers } from '@/lib/trpc';
import './globals.css';

export const metadata: Metadata = {
  title: 'Adapter Studio',
  description: 'Steer image generation with pictures, structure and your own adapters.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Adapter Studio
          </Link>
          <nav aria-label="Main">
            <Link href="/generate">Generate</Link>
            <Link href="/edit">Edit</Link>
            <Link href="/library">Library</Link>
            <Link href="/adapters">Adapters</Link>
            <Link href="/gallery">Gallery</Link>
            <Link href="/billing">Credits</Link>
            <Link href="/developers">API</Link>
            <Link href="/dashboard">Account</Link>
          </nav>
        </header>
        <main>
          <Providers>{children}</Providers>
        </main>
      </body>
    </html>
  );
}
