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
            deepLinking: true,
            tryItOutEnabled: false,
            persistAuthorization: false,
          });
        }}
      />
      <div id="swagger-ui" className="min-h-[60vh]" />
    </>
  );
}
