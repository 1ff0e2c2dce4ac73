// SOL013 §4.2 / §9.3: the API version of one interface (vnflcm, vnfpkgm). Every answer
// under /{apiName}/ carries `Version`; a request naming another major version is 406.
// The api_versions resources answer whatever Version is sent: they are how a client
// finds out which versions there are (python-tackerclient asks them with 2.0.0).
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../errors.ts';

export interface ApiVersion {
  /** `vnflcm`, `vnfpkgm`. */
  apiName: string;
  /** The version implemented, e.g. `1.3.0`. */
  version: string;
  /**
   * The `{apiMajorVersion}` of its URIs. Not always `v` + the version's major: SOL005
   * v2.6.1's package management is version 2.1.0 under `/vnfpkgm/v1`.
   */
  uriMajor: string;
}

/**
 * The version of each interface served; also the `Version` header of the notifications and
 * receiver checks sent for its subscriptions (SOL013 §4.2, as the reference VNFM sends it).
 */
export const API_VERSIONS = { vnflcm: '1.3.0', vnfpkgm: '2.1.0' } as const;

const major = (v: string) => v.split('.')[0];

/** `/{apiName}/api_versions` and `/{apiName}/v{major}/api_versions`, and the Version check and header. */
export function apiVersionRoutes(app: FastifyInstance, api: ApiVersion): void {
  const root = `/${api.apiName}`;
  const prefix = `${root}/${api.uriMajor}`;
  const versionPaths = new Set([`${root}/api_versions`, `${prefix}/api_versions`]);
  const apiVersions = [{ version: api.version, isDeprecated: false }];
  // The version's major, and the URI's: where they differ (package management) a client may
  // have been written against either, and both name this same API.
  const accepted = new Set([major(api.version), api.uriMajor.replace(/^v/, '')]);

  app.addHook('onRequest', async (req, reply) => {
    const path = (req.raw.url ?? '').split('?')[0] as string;
    if (!path.startsWith(`${root}/`)) return;
    reply.header('version', api.version);
    const asked = req.headers.version;
    if (versionPaths.has(path) || typeof asked !== 'string') return;
    if (!accepted.has(major(asked.trim()) ?? '')) {
      throw new ProblemError(
        406,
        'Not Acceptable',
        `API version ${asked} is not supported by ${prefix} (this is ${api.version})`,
      );
    }
  });

  // §9.3.2: the major-version-independent resource lists every major version under
  // the API's root, the major-version-specific one the versions of that major.
  app.get(`${root}/api_versions`, async () => ({ uriPrefix: root, apiVersions }));
  app.get(`${prefix}/api_versions`, async () => ({ uriPrefix: prefix, apiVersions }));
}
