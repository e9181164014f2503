import type { Metadata } from 'next';
import Link from 'next/link';
import { SwaggerUi } from './swagger-ui';
import './swagger-overrides.css';

export const metadata: Metadata = {
  title: 'API reference · Adapter Studio',
  description:
    'The Adapter Studio REST API: generations, edits, trainings, references, adapters, webhooks.',
};

export default function ApiDocsPage() {
  return (
    <div className="mx-auto w-full max-w-6xl px-4 py-8">
      <link rel="stylesheet" href="/docs/api/swagger/swagger-ui.css" />
      <h1 className="text-3xl font-semibold tracking-tight">API reference</h1>
      <p className="mt-2 max-w-prose text-muted-foreground">
        Everything the app does, over HTTPS with an API key from{' '}
        <Link className="underline underline-offset-4" href="/developers">
          the developers page
        </Link>
        . The machine-readable document is at{' '}
        <a className="underline underline-offset-4" href="/api/v1/openapi.json">
          /api/v1/openapi.json
        </a>{' '}
        (OpenAPI 3.1).
      </p>
      <SwaggerUi />
    </div>
  );
}
