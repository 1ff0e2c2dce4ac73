// The scope a request needs: one API (vnflcm, vnfpkgm, vims, metrics) and read or
// write. GET and HEAD read; every other method writes. Write does not imply read:
// a client that does both is given both. A route outside every API below, and not
// open, needs `vnfm:admin`, so that a route added later is closed until it is mapped.

export const SCOPES = [
  'vnflcm:read',
  'vnflcm:write',
  'vnfpkgm:read',
  'vnfpkgm:write',
  'vims:read',
  'vims:write',
  'metrics:read',
  'vnfm:admin',
] as const;

export type Scope = (typeof SCOPES)[number];

export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

/** Route URL prefix → API. */
const APIS: [prefix: string, api: string][] = [
  ['/vnflcm/', 'vnflcm'],
  ['/vnfpkgm/', 'vnfpkgm'],
  ['/v1.0/vims', 'vims'],
  ['/metrics', 'metrics'],
];

/** Routes anyone may call (SOL013 §8: the version information; probes; the token endpoint; the API description). */
export function isOpenRoute(url: string): boolean {
  return (
    ['/healthz', '/readyz', '/oauth2/token', '/openapi.json', '/docs'].includes(url) ||
    url.startsWith('/docs/') ||
    url.endsWith('/api_versions')
  );
}

/** The scope `method` on the route registered as `url` needs. */
export function requiredScope(method: string, url: string): Scope {
  const api = APIS.find(([prefix]) => url === prefix || url.startsWith(prefix))?.[1];
  const access = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
  if (api === undefined || (api === 'metrics' && access === 'write')) return 'vnfm:admin';
  return `${api}:${access}` as Scope;
}
