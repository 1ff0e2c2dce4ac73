// What the OpenAPI document says about authentication, when it is on: the schemes
// (OAuth 2.0 client credentials at the served token endpoint, a bearer JWT, and
// HTTP Basic when enabled) and, on each route, the scope it needs or that it is open.
// Fuzzers and generated clients read these to authenticate and to probe without.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { authConfigured, type Config } from '../config.ts';
import { isOpenRoute, requiredScope, SCOPES } from './scopes.ts';

const SCOPE_TEXT: Record<string, string> = {
  read: 'read (GET, HEAD)',
  write: 'create, change, delete and run operations',
};

export type SecurityScheme =
  | { type: 'oauth2'; flows: { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } } }
  | { type: 'http'; scheme: 'bearer' | 'basic'; bearerFormat?: string };

/** `components.securitySchemes` of the document, or undefined when authentication is off. */
export function securitySchemes(config: Config): Record<string, SecurityScheme> | undefined {
  if (!authConfigured(config)) return undefined;
  const scopes = Object.fromEntries(
    SCOPES.map((s) => {
      const [api, access] = s.split(':') as [string, string];
      return [s, s === 'vnfm:admin' ? 'routes outside the APIs below' : `${api}: ${SCOPE_TEXT[access]}`];
    }),
  );
  return {
    oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth2/token', scopes } } },
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    ...(config.authBasic ? { basic: { type: 'http', scheme: 'basic' } } : {}),
  };
}

/** Adds each route's security requirement; before the generator's own onRoute hook sees the route. */
export function documentSecurity(app: FastifyInstance, config: Config): void {
  if (!authConfigured(config)) return;
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url;
    const method = ([route.method].flat()[0] ?? 'GET').toUpperCase();
    const scope = requiredScope(method, url);
    const security: Record<string, string[]>[] = isOpenRoute(url)
      ? []
      : [{ oauth2: [scope] }, { bearer: [scope] }, ...(config.authBasic ? [{ basic: [] }] : [])];
    route.schema = { ...route.schema, security };
  });
}
