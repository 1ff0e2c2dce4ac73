// GET /docs: Swagger UI over the generated OpenAPI document. @fastify/swagger-ui ships
// every asset (scripts, styles, icons) and serves them under /docs/static, so the page
// works with no Internet access. Its routes are hidden from the document (the plugin
// marks them `hide`) and open (src/auth/scopes.ts isOpenRoute: /docs and /docs/*).
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const DOCS_PREFIX = '/docs';

/** A route of the UI (its page, assets and the plugin's own document routes), not an API operation. */
export const isDocsUiRoute = (url: string) => url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`);

/**
 * The UI asks for the document at ./json (it overrides any `url` given in its config);
 * that route is sent on to /openapi.json, so the page shows the one document there is.
 */
async function toTheDocument(req: FastifyRequest, reply: FastifyReply) {
  if (req.routeOptions.url === `${DOCS_PREFIX}/json`) return reply.redirect('/openapi.json');
}

/** Registers the UI. After @fastify/swagger (the plugin depends on it). */
export function docsUiRoutes(app: FastifyInstance): void {
  app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiHooks: { onRequest: toTheDocument },
    // validatorUrl left unset: the UI then makes no calls to validator.swagger.io.
  });
}
