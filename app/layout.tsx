import type { Metadata, Viewport } from 'next';
import localFont from 'next/font/local';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { SiteFooter } from '@/components/site/site-footer';
import { LazyToaster } from '@/components/site/lazy-toaster';
import { SiteHeader, type HeaderUser } from '@/components/site/site-header';
import { Providers } from '@/lib/trpc';
import { getSessionUser } from '@/server/auth/session';
import './globals.css';

// Inter from the installed @fontsource package, served by Next itself: no request leaves the site.
const inter = localFont({
  src: [
    { path: '../node_modules/@fontsource/inter/files/inter-latin-400-normal.woff2', weight: '400' },
    { path: '../node_modules/@fontsource/inter/files/inter-latin-500-normal.woff2', weight: '500' },
    { path: '../node_modules/@fontsource/inter/files/inter-latin-600-normal.woff2', weight: '600' },
    { path: '../node_modules/@fontsource/inter/files/inter-latin-700-normal.woff2', weight: '700' },
  ],
  variable: '--font-inter',
  display: 'swap',
  // Four preloaded weights compete with the hero picture on a slow phone; the metric-matched
  // fallback (adjustFontFallback) keeps the swap from moving anything.
  preload: false,
});

export const metadata: Metadata = {
  title: 'Adapter Studio',
  description: 'Steer image generation with pictures, structure and your own adapters.',
};

export const viewport: Viewport = {
  themeColor: '#fbfcfe',
  width: 'device-width',
  initialScale: 1,
};

/** The header needs to know who is signed in; a broken session store must not take pages down. */
async function headerUser(): Promise<HeaderUser | null> {
  // Outside the try: reading headers is what marks every page as rendered per request.
  const requestHeaders = await headers();
  try {
    const user = await getSessionUser(requestHeaders);
    return user ? { name: user.name, email: user.email } : null;
  } catch {
    return null;
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await headerUser();
  return (
    <html lang="en" className={inter.variable}>
      <body className="flex min-h-dvh flex-col">
        <a
          href="#main"
          className="sr-only z-50 rounded-md bg-primary px-4 py-2 font-medium text-primary-foreground focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
        >
          Skip to content
        </a>
        <Providers>
          <SiteHeader user={user} />
          <main
            id="main"
            tabIndex={-1}
            className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 outline-none sm:px-6 sm:py-10"
          >
            {children}
          </main>
          <SiteFooter />
          <LazyToaster />
        </Providers>
      </body>
    </html>
  );
}
