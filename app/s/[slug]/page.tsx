import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { AppError } from '@/server/errors';
import { findSharedOutput, shareUrls } from '@/server/share/share';
import { truncateText } from '@/server/share/text';

type Props = { params: Promise<{ slug: string }> };

/** One lookup per request for both the metadata and the page; unknown or revoked → 404. */
const loadShare = cache(async (slug: string) => {
  try {
    return await findSharedOutput(slug);
  } catch (e) {
    if (e instanceof AppError && e.code === 'NOT_FOUND') notFound();
    throw e;
  }
});

const FALLBACK_TITLE = 'An image made with Adapter Studio';

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug } = await params;
  const share = await loadShare(slug);
  const urls = shareUrls(slug);
  const title = share.prompt ? truncateText(share.prompt, 70) : FALLBACK_TITLE;
  const description = share.prompt
    ? `“${truncateText(share.prompt, 180)}” — made with Adapter Studio.`
    : 'Made with Adapter Studio: image generation steered with pictures.';
  const image = {
    url: urls.ogImage,
    width: 1200,
    height: 630,
    alt: share.prompt ? truncateText(share.prompt, 200) : FALLBACK_TITLE,
  };
  return {
    title: `${title} · Adapter Studio`,
    description,
    // Shared by link, not published: keep the page out of search indexes.
    robots: { index: false, follow: false },
    alternates: { canonical: urls.page },
    openGraph: {
      type: 'website',
      siteName: 'Adapter Studio',
      url: urls.page,
      title,
      description,
      images: [{ ...image, type: 'image/png' }],
    },
    twitter: { card: 'summary_large_image', title, description, images: [image] },
  };
}

export default async function SharePage({ params }: Props) {
  const { slug } = await params;
  const share = await loadShare(slug);
  return (
    <article className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <figure className="flex flex-col gap-4">
        {/* WebP of the picture at its own size (never wider than the page); the PNG is linked. */}
        <img
          src={`/s/${slug}/image.webp`}
          alt={share.prompt ? `Generated from the prompt: ${share.prompt}` : FALLBACK_TITLE}
          width={share.width}
          height={share.height}
          fetchPriority="high"
          className="mx-auto h-auto max-w-full rounded-xl border bg-muted"
        />
        <figcaption>
          <h1 className="text-xl font-semibold break-words sm:text-2xl">
            {share.prompt || FALLBACK_TITLE}
          </h1>
          <p className="text-sm text-muted-foreground">
            Shared on{' '}
            <time dateTime={share.sharedAt.toISOString()}>
              {share.sharedAt.toISOString().slice(0, 10)}
            </time>{' '}
            ·{' '}
            <a href={`/s/${slug}/image`} download className="underline underline-offset-4">
              Full-size PNG
            </a>
          </p>
        </figcaption>
      </figure>
      <p className="text-muted-foreground">
        Made with{' '}
        <Link href="/" className="underline underline-offset-4">
          Adapter Studio
        </Link>
        : steer image generation with pictures, structure and your own adapters.{' '}
        <Link href="/sign-up" className="font-medium text-primary underline underline-offset-4">
          Make your own
        </Link>
      </p>
    </article>
  );
}
