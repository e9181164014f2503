import { ArrowRight, Code2, ImageUp, SlidersHorizontal, Sparkles } from 'lucide-react';
import { headers } from 'next/headers';
import Image from 'next/image';
import Link from 'next/link';
import { MethodCard } from '@/components/landing/method-card';
import { METHODS } from '@/components/landing/methods';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import hero from '@/public/landing/hero.webp';
import { getSessionUser } from '@/server/auth/session';
import { PACKS, PLANS } from '@/server/billing/plans';
import { PRICES } from '@/server/credits/pricing';
import { env } from '@/server/env';

const STEPS = [
  {
    icon: ImageUp,
    title: 'Add your pictures',
    body: 'Drop reference photos, sketches or a photo to edit into your library.',
  },
  {
    icon: SlidersHorizontal,
    title: 'Steer',
    body: 'Pick what each picture should do and how strongly. See the price before you start.',
  },
  {
    icon: Sparkles,
    title: 'Generate',
    body: 'Watch it form step by step. Keep it in your gallery, share it, or remix it.',
  },
];

export default async function LandingPage() {
  const signedIn = Boolean(await getSessionUser(await headers()).catch(() => null));
  const starter = env().STARTER_CREDITS;
  const start = signedIn
    ? { href: '/generate', label: 'Open the studio' }
    : { href: '/sign-up', label: starter > 0 ? `Start free with ${starter} credits` : 'Sign up' };
  const [wide, ...cards] = [METHODS.at(-1)!, ...METHODS.slice(0, -1)];

  return (
    <div className="grid gap-20 sm:gap-24">
      <section
        aria-labelledby="hero-title"
        className="grid items-center gap-10 pt-2 md:grid-cols-[1fr_1.1fr] md:gap-12"
      >
        <div className="grid gap-6">
          <Badge variant="accent" className="px-3 py-1 text-sm">
            Image generation, steered by pictures
          </Badge>
          <h1
            id="hero-title"
            className="text-4xl leading-[1.05] font-bold tracking-tight text-balance sm:text-5xl lg:text-6xl"
          >
            Show it what you mean.
          </h1>
          <p className="max-w-xl text-lg text-pretty text-muted-foreground">
            Words only go so far. Give Adapter Studio a reference picture, a sketch, the layout of a
            photo or a few shots of your dog, and get the image you had in mind.
          </p>
          <div className="flex flex-wrap gap-3">
            <Button asChild size="lg">
              <Link href={start.href}>
                {start.label}
                <ArrowRight aria-hidden="true" />
              </Link>
            </Button>
            <Button asChild size="lg" variant="outline">
              <Link href="#methods">See what it does</Link>
            </Button>
          </div>
          <p className="text-sm text-muted-foreground">
            No card needed. An image costs from {PRICES.imageBase} credits.
          </p>
        </div>
        <Image
          src={hero}
          alt="Four pictures fanned out: a lighthouse painted in swirls, a snowy house at night, a corgi astronaut on the moon and a mountain lake at sunset."
          priority
          unoptimized
          sizes="(min-width: 1152px) 560px, (min-width: 768px) 50vw, 100vw"
          className="h-auto w-full rounded-3xl"
        />
      </section>

      <section aria-labelledby="methods-title" id="methods" className="grid scroll-mt-24 gap-8">
        <div className="grid max-w-2xl gap-3">
          <h2 id="methods-title" className="text-3xl font-bold tracking-tight sm:text-4xl">
            Seven ways to steer a picture
          </h2>
          <p className="text-lg text-muted-foreground">
            Each one does a different job. Mix them: a reference for the style, an edge map for the
            layout, your adapter for the subject.
          </p>
        </div>
        <div className="grid gap-6 md:grid-cols-2">
          {cards.map((m) => (
            <MethodCard key={m.id} method={m} />
          ))}
          <MethodCard method={wide} wide />
        </div>
        <p className="text-sm text-muted-foreground">
          The pictures on this page are drawings that show what each method does; they are not model
          outputs.
        </p>
      </section>

      <section aria-labelledby="how-title" className="grid gap-8">
        <h2 id="how-title" className="text-3xl font-bold tracking-tight sm:text-4xl">
          Three steps, no jargon
        </h2>
        <ol className="grid gap-6 md:grid-cols-3">
          {STEPS.map((s, i) => (
            <li key={s.title} className="grid content-start gap-3 rounded-2xl border bg-card p-6">
              <span className="flex items-center gap-3">
                <span
                  aria-hidden="true"
                  className="flex size-10 items-center justify-center rounded-full bg-accent text-accent-foreground"
                >
                  <s.icon className="size-5" />
                </span>
                <span className="text-sm font-medium text-muted-foreground">Step {i + 1}</span>
              </span>
              <h3 className="text-lg font-semibold">{s.title}</h3>
              <p className="text-sm text-muted-foreground">{s.body}</p>
            </li>
          ))}
        </ol>
      </section>

      <section
        aria-labelledby="pricing-title"
        className="grid gap-8 rounded-3xl border bg-card p-6 sm:p-10 md:grid-cols-[1fr_1.2fr] md:items-center"
      >
        <div className="grid gap-4">
          <h2 id="pricing-title" className="text-3xl font-bold tracking-tight sm:text-4xl">
            Pay for pictures, not a seat
          </h2>
          <p className="text-muted-foreground">
            Credits are held when a job starts, taken only when it succeeds and returned if it
            fails. The price is shown before you press Generate.
          </p>
          <div className="flex flex-wrap gap-3">
            <Button asChild>
              <Link href="/pricing">
                See pricing <ArrowRight aria-hidden="true" />
              </Link>
            </Button>
          </div>
        </div>
        <ul className="grid gap-3 sm:grid-cols-3">
          <li className="grid gap-1 rounded-xl border bg-background p-4">
            <span className="text-sm text-muted-foreground">To start</span>
            <span className="text-2xl font-bold">{starter} credits</span>
            <span className="text-sm text-muted-foreground">free on sign-up</span>
          </li>
          {Object.values(PACKS)
            .slice(0, 1)
            .map((p) => (
              <li key={p.key} className="grid gap-1 rounded-xl border bg-background p-4">
                <span className="text-sm text-muted-foreground">Credit packs</span>
                <span className="text-2xl font-bold">{p.display}</span>
                <span className="text-sm text-muted-foreground">for {p.name}, once</span>
              </li>
            ))}
          {Object.values(PLANS)
            .filter((p) => p.monthlyCredits > 0)
            .slice(0, 1)
            .map((p) => (
              <li key={p.key} className="grid gap-1 rounded-xl border bg-background p-4">
                <span className="text-sm text-muted-foreground">{p.name} plan</span>
                <span className="text-2xl font-bold">{p.display.replace(' / month', '')}</span>
                <span className="text-sm text-muted-foreground">
                  a month, {p.monthlyCredits.toLocaleString('en-US')} credits
                </span>
              </li>
            ))}
        </ul>
      </section>

      <section aria-labelledby="dev-title" className="grid gap-6 md:grid-cols-2 md:items-center">
        <div className="grid gap-3">
          <h2 id="dev-title" className="flex items-center gap-2 text-2xl font-bold tracking-tight">
            <Code2 className="size-6 text-primary" aria-hidden="true" /> Building an app?
          </h2>
          <p className="text-muted-foreground">
            Everything here is also a REST API: API keys, signed webhooks and an OpenAPI document.
            Same credits, same prices.
          </p>
          <p>
            <Link
              href="/developers"
              className="inline-flex items-center gap-1 font-medium text-primary hover:underline"
            >
              Get an API key <ArrowRight className="size-4" aria-hidden="true" />
            </Link>
          </p>
        </div>
        <pre
          // Scrolls sideways on a phone: focusable so a keyboard can scroll it too.
          tabIndex={0}
          role="region"
          aria-label="Example request"
          className="overflow-x-auto rounded-xl bg-foreground p-4 text-sm leading-relaxed text-background"
        >
          <code>{`curl https://your-studio/api/v1/generations \\
  -H "Authorization: Bearer as_live_…" \\
  -H "Content-Type: application/json" \\
  -d '{"prompt": "a lighthouse at night",
       "references": [{"referenceId": "…",
                       "weight": 0.8}]}'`}</code>
        </pre>
      </section>

      <section
        aria-labelledby="cta-title"
        className="grid justify-items-center gap-5 rounded-3xl bg-primary px-6 py-12 text-center text-primary-foreground sm:py-16"
      >
        <h2 id="cta-title" className="text-3xl font-bold tracking-tight text-balance sm:text-4xl">
          Your next picture is one reference away.
        </h2>
        <Button asChild size="lg" variant="secondary">
          <Link href={start.href}>
            {start.label}
            <ArrowRight aria-hidden="true" />
          </Link>
        </Button>
      </section>
    </div>
  );
}
