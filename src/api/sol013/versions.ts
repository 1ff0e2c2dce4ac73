// SOL013 §4.2 / §9.3: the API versions of one interface (vnflcm, vnfpkgm). Every answer
// under /{apiName}/{uriMajor}/ carries that major's `Version`; a request naming another
// major version is 406. The api_versions resources answer whatever Version is sent: they
// are how a client finds out which versions there are (python-tackerclient asks them with
// 2.0.0). One interface may serve several majors side by side (vnflcm v1 and v2).
import type { FastifyInstance } from 'fastify';
import { badRequest, ProblemError } from '../../errors.ts';

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
  /**
   * SOL013 v3's rule, as the reference VNFM applies it to its v2 APIs: a request without
   * `Version`, or with one that is not `major.minor.patch`, is a 400. Older majors take a
   * request without it as one for the version served.
   */
  versionRequired?: boolean;
}

/**
 * The version of each interface served; also the `Version` header of the notifications and
 * receiver checks sent for its subscriptions (SOL013 §4.2, as the reference VNFM sends it).
 */
export const API_VERSIONS = { vnflcm: '1.3.0', vnfpkgm: '2.1.0' } as const;

/** SOL003 v3.3.1's VNF lifecycle management, under /vnflcm/v2. */
export const VNFLCM_V2_VERSION = '2.0.0';

const major = (v: string) => v.split('.')[0];
/** SOL013 Table 4.2.2-1: `2.0.0`, or `2.0.0-impl:example.com:product:4`. */
const VERSION_SYNTAX = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-impl:[\x21-\x7e]{1,200})?$/;

/** The majors served per interface, per server: the root api_versions resource lists them all. */
const served = new WeakMap<FastifyInstance, Map<string, ApiVersion[]>>();

const pathOf = (url: string | undefined) => (url ?? '').split('?')[0] as string;

/**
 * `/{apiName}/{uriMajor}/api_versions`, the Version check and header for `/{apiName}/{uriMajor}/`,
 * and (for the first major registered) `/{apiName}/api_versions` and every other path under
 * `/{apiName}/`.
 */
export function apiVersionRoutes(app: FastifyInstance, api: ApiVersion): void {
  const root = `/${api.apiName}`;
  const prefix = `${root}/${api.uriMajor}`;
  const perApp = served.get(app) ?? new Map<string, ApiVersion[]>();
  served.set(app, perApp);
  const majors = perApp.get(api.apiName) ?? [];
  perApp.set(api.apiName, [...majors, api]);
  const first = majors.length === 0;
  const apiVersions = [{ version: api.version, isDeprecated: false }];
  // The version's major, and the URI's: where they differ (package management) a client may
  // have been written against either, and both name this same API.
  const accepted = new Set([major(api.version), api.uriMajor.replace(/^v/, '')]);
  const others = () => (perApp.get(api.apiName) ?? []).filter((a) => a !== api);
  const ownsPath = (path: string) =>
    path.startsWith(`${prefix}/`) ||
    (first &&
      path.startsWith(`${root}/`) &&
      !others().some((a) => path.startsWith(`${root}/${a.uriMajor}/`)));

  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req.raw.url);
    if (!ownsPath(path)) return;
    reply.header('version', api.version);
    if (path === `${root}/api_versions` || path === `${prefix}/api_versions`) return;
    const asked = req.headers.version;
    if (typeof asked !== 'string') {
      if (api.versionRequired)
        throw badRequest(`the 'Version' header is missing (${prefix} is ${api.version})`);
      return;
    }
    const v = asked.trim();
    if (api.versionRequired && !VERSION_SYNTAX.test(v)) {
      throw badRequest(`the 'Version' header must be major.minor.patch (${prefix} is ${api.version})`);
    }
    if (!accepted.has(major(v) ?? '')) {
      throw new ProblemError(
        406,
        'Not Acceptable',
        `API version ${asked} is not supported by ${prefix} (this is ${api.version})`,
      );
    }
  });

  // §9.3.2: the major-version-independent resource lists every major version under
  // the API's root, the major-version-specific one the versions of that major.
  if (first) {
    app.get(`${root}/api_versions`, async () => ({
      uriPrefix: root,
      apiVersions: (perApp.get(api.apiName) ?? []).map((a) => ({ version: a.version, isDeprecated: false })),
    }));
  }
  app.get(`${prefix}/api_versions`, async () => ({ uriPrefix: prefix, apiVersions }));
}
