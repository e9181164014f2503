import { BookOpen, FileJson } from 'lucide-react';
import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { requireUser } from '@/lib/require-user';
import { ApiKeys } from './api-keys';
import { ApiUsage } from './usage';
import { Webhooks } from './webhooks';

export const metadata = { title: 'Developers · Adapter Studio' };

export default async function DevelopersPage() {
  await requireUser();
  return (
    <div className="grid gap-12 [&>*]:min-w-0">
      <header className="grid gap-3">
        <h1 className="text-3xl font-bold tracking-tight">Developers</h1>
        <p className="max-w-2xl text-muted-foreground">
          Everything the studio does, from your own code: start jobs, upload references, manage
          adapters, and hear back through signed webhooks. Same credits, same prices.
        </p>
        <div className="flex flex-wrap gap-2">
          <Button asChild variant="outline" size="sm">
            <Link href="/docs/api">
              <BookOpen aria-hidden="true" />
              API reference
            </Link>
          </Button>
          <Button asChild variant="outline" size="sm">
            <a href="/api/v1/openapi.json">
              <FileJson aria-hidden="true" />
              OpenAPI document
            </a>
          </Button>
        </div>
      </header>
      <ApiKeys />
      <ApiUsage />
      {/* Its tables may be wider than a phone: they scroll inside their own box, never the page. */}
      <Webhooks />
    </div>
  );
}
