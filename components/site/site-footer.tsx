import Link from 'next/link';
import { BrandMark } from './brand-mark';

const COLUMNS = [
  {
    title: 'Create',
    links: [
      { href: '/generate', label: 'Generate' },
      { href: '/edit', label: 'Edit a photo' },
      { href: '/adapters', label: 'Personal adapters' },
    ],
  },
  {
    title: 'Product',
    links: [
      { href: '/pricing', label: 'Pricing' },
      { href: '/gallery', label: 'Your gallery' },
      { href: '/billing', label: 'Buy credits' },
    ],
  },
  {
    title: 'Developers',
    links: [
      { href: '/developers', label: 'API keys' },
      { href: '/docs/api', label: 'API reference' },
      { href: '/api/v1/openapi.json', label: 'OpenAPI document' },
    ],
  },
];

const LINK = 'text-muted-foreground hover:text-foreground hover:underline';

export function SiteFooter() {
  return (
    <footer className="mt-16 border-t bg-card">
      <div className="mx-auto grid w-full max-w-6xl grid-cols-2 gap-8 px-4 py-10 sm:grid-cols-3 sm:px-6 md:grid-cols-[1.5fr_repeat(3,1fr)]">
        <div className="col-span-2 grid content-start gap-2 sm:col-span-3 md:col-span-1">
          <p className="flex items-center gap-2 font-semibold">
            <BrandMark width={24} height={24} /> Adapter Studio
          </p>
          <p className="max-w-xs text-sm text-muted-foreground">
            Steer image generation with pictures, structure and adapters of your own.
          </p>
        </div>
        {COLUMNS.map((col) => (
          <nav key={col.title} aria-label={col.title} className="grid content-start gap-2 text-sm">
            <h2 className="font-semibold">{col.title}</h2>
            <ul className="grid gap-2">
              {col.links.map((l) => (
                <li key={l.href}>
                  {l.href.startsWith('/api/') ? (
                    // A document, not a page: a plain link, no client-side routing.
                    <a href={l.href} className={LINK}>
                      {l.label}
                    </a>
                  ) : (
                    <Link href={l.href} prefetch={false} className={LINK}>
                      {l.label}
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          </nav>
        ))}
      </div>
    </footer>
  );
}
