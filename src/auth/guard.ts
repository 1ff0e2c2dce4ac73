// The API's authentication (SOL013 §8): every request passes this onRequest hook.
// Open routes pass as they are; every other route needs a bearer token (the VNFM's
// own or an external issuer's) or, when enabled for lab use, a client's HTTP Basic
// credentials, carrying the route's scope. 401 with a Bearer challenge when the
// credentials are missing or invalid, 403 when the scope is missing. Without any
// client or external issuer configured the API is open (loopback only, config.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authConfigured, type Config } from '../config.ts';
import type { ProblemDetails } from '../errors.ts';
import { ClientRegistry, loadClients } from './clients.ts';
import { loadSigningKey } from './keys.ts';
import { documentSecurity } from './openapi-security.ts';
import { isOpenRoute, requiredScope } from './scopes.ts';
import { basicCredentials, tokenRoutes } from './token.ts';
import { InvalidToken, type Principal, Tokens } from './verify.ts';

const REALM = 'realm="vnfm"';

function challenge(basic: boolean, params = ''): string[] {
  const bearer = `Bearer ${REALM}${params ? `, ${params}` : ''}`;
  return basic ? [bearer, `Basic ${REALM}`] : [bearer];
}

const quoted = (s: string) => s.replace(/["\\]/g, '');

function refuse(reply: FastifyReply, status: 401 | 403, detail: string, wwwAuthenticate: string[]) {
  const body: ProblemDetails = { status, title: status === 401 ? 'Unauthorized' : 'Forbidden', detail };
  return reply
    .code(status)
    .header('www-authenticate', wwwAuthenticate)
    .type('application/problem+json')
    .send(body);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request, once authenticated (undefined on open routes or with auth off). */
    principal?: Principal;
  }
}

/** Installs the token endpoint and the hook; a no-op hook-wise when auth is off. Call before any route. */
export function installAuth(app: FastifyInstance, config: Config): void {
  if (!authConfigured(config)) return;
  documentSecurity(app, config);
  const clients = new ClientRegistry(loadClients(config.authClientsFile, config.authClients));
  const tokens = new Tokens(loadSigningKey(config.dataDir), {
    issuer: config.authIssuer,
    audience: config.authAudience,
    ttlSeconds: config.authTokenTtlSeconds,
    externalIssuer: config.authExternalIssuer,
    externalJwksUrl: config.authExternalJwksUrl,
  });
  const basic = config.authBasic;

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const url = req.routeOptions.url;
    // No route: the edge answers (404, 405, OPTIONS) without revealing anything a route holds.
    if (url === undefined || isOpenRoute(url)) return;
    const principal = await authenticate(req, clients, tokens, basic);
    if (typeof principal === 'string') {
      const params = req.headers.authorization
        ? `error="invalid_token", error_description="${quoted(principal)}"`
        : '';
      return refuse(reply, 401, principal, challenge(basic, params));
    }
    const scope = requiredScope(req.method, url);
    if (!principal.scopes.has(scope)) {
      return refuse(
        reply,
        403,
        `${req.method} ${url} needs the scope '${scope}'`,
        challenge(basic, `error="insufficient_scope", scope="${scope}"`),
      );
    }
    req.principal = principal;
    // Who did it, on the request's log line and on everything its handler logs.
    req.log = req.log.child({ clientId: principal.subject });
  });
  app.after(() => tokenRoutes(app, clients, tokens));
}

/** The principal, or why there is none. */
async function authenticate(
  req: FastifyRequest,
  clients: ClientRegistry,
  tokens: Tokens,
  basic: boolean,
): Promise<Principal | string> {
  const header = req.headers.authorization;
  if (header === undefined) return 'this request needs an access token (Authorization: Bearer …)';
  const bearer = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header);
  if (bearer) {
    try {
      return await tokens.verify(bearer[1]!);
    } catch (err) {
      if (err instanceof InvalidToken) return err.message;
      throw err;
    }
  }
  if (/^Basic\s/i.test(header)) {
    if (!basic) return 'HTTP Basic is not enabled (VNFM_AUTH_BASIC); use a bearer token';
    const cred = basicCredentials(header);
    const client = cred && (await clients.authenticate(cred.id, cred.secret));
    if (!client) return 'unknown client or wrong secret';
    return { subject: client.clientId, scopes: new Set(client.scopes) };
  }
  return 'the Authorization header is neither a bearer token nor HTTP Basic';
}
