'use client';
// Renders /api/v1/openapi.json with Swagger UI (the maintained renderer, from swagger-ui-dist).
import Script from 'next/script';

declare global {
  interface Window {
    SwaggerUIBundle?: (opts: Record<string, unknown>) => unknown;
  }
}

export function SwaggerUi() {
  return (
    <>
      <Script
        src="/docs/api/swagger/swagger-ui-bundle.js"
        strategy="afterInteractive"
        onReady={() => {
          window.SwaggerUIBundle?.({
            url: '/api/v1/openapi.json',
            dom_id: '#swagger-ui',
            // Deep links render an <a> inside each operation's toggle button (nested controls).
            deepLinking: false,
            tryItOutEnabled: false,
            persistAuthorization: false,
            // Swagger UI's servers <select> has no label of its own.
            onComplete: () =>
              document.getElementById('servers')?.setAttribute('aria-label', 'Server'),
          });
        }}
      />
      <div id="swagger-ui" className="min-h-[60vh]" />
    </>
  );
}
