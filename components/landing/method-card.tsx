import { ArrowRight } from 'lucide-react';
import Image from 'next/image';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { cn } from '@/lib/utils';
import type { Method } from './methods';

/** One method: its picture first, then what it does in a sentence, what goes in, what it costs. */
export function MethodCard({ method, wide = false }: { method: Method; wide?: boolean }) {
  return (
    <article
      id={method.id}
      aria-labelledby={`${method.id}-title`}
      className={cn(
        'group flex scroll-mt-24 flex-col overflow-hidden rounded-2xl border bg-card shadow-xs transition-shadow hover:shadow-md',
        wide && 'md:col-span-2 md:flex-row',
      )}
    >
      <Image
        src={method.image}
        alt={method.alt}
        sizes={
          wide
            ? '(min-width: 768px) 560px, 100vw'
            : '(min-width: 1152px) 540px, (min-width: 768px) 50vw, 100vw'
        }
        className={cn('h-auto w-full bg-muted', wide && 'md:w-3/5')}
      />
      <div className={cn('flex flex-1 flex-col gap-3 p-5 sm:p-6', wide && 'md:justify-center')}>
        <div className="flex flex-wrap items-center gap-2">
          <Badge variant="accent">{method.kind}</Badge>
          <span className="text-xs text-muted-foreground">{method.cost}</span>
        </div>
        <h3 id={`${method.id}-title`} className="text-xl font-semibold tracking-tight">
          {method.name}
          <span className="block text-base font-normal text-muted-foreground">
            {method.headline}
          </span>
        </h3>
        <p className="text-sm leading-relaxed">{method.body}</p>
        <ol
          aria-label="What goes in and what comes out"
          className="flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground"
        >
          {method.flow.map((step, i) => (
            <li key={step} className="flex items-center gap-1.5">
              {i > 0 && <ArrowRight className="size-3" aria-hidden="true" />}
              <span className="rounded-full border bg-background px-2 py-0.5">{step}</span>
            </li>
          ))}
        </ol>
        <Link
          href={method.href}
          className={cn(
            'inline-flex items-center gap-1 pt-1 text-sm font-medium text-primary hover:underline',
            !wide && 'mt-auto',
          )}
        >
          Try {method.name}
          <ArrowRight className="size-4" aria-hidden="true" />
        </Link>
      </div>
    </article>
  );
}
