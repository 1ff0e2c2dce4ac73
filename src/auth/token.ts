// POST /oauth2/token (RFC 6749 §4.4, client credentials; SOL013 §8): the client
// authenticates with HTTP Basic (client_secret_basic) or in the form body
// (client_secret_post) and gets a signed access token with the scopes it asked for,
// narrowed to those it is configured with. Errors are RFC 6749 §5.2 JSON, not
// ProblemDetails: OAuth clients read `error`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientRegistry } from './clients.ts';
import type { Tokens } from './verify.ts';

const FORM = 'application/x-www-form-urlencoded';
/** A token request is a few short fields. */
const MAX_FORM_BYTES = 8 * 1024;

type OAuthError =
  'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

class TokenError extends Error {
  readonly status: number;
  readonly error: OAuthError;
  constructor(status: number, error: OAuthError, description: string) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

const noStore = (reply: FastifyReply) =>
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');

/** `id:secret` of a Basic header, each form-urlencoded first (RFC 6749 §2.3.1). */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
}

function formFields(body: unknown): Map<string, string> {
  if (typeof body !== 'string') throw new TokenError(400, 'invalid_request', `send the request as ${FORM}`);
  const fields = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) {
    if (fields.has(k))
      throw new TokenError(400, 'invalid_request', `parameter '${k}' is given more than once`);
    fields.set(k, v);
  }
  return fields;
}

export function tokenRoutes(app: FastifyInstance, clients: ClientRegistry, tokens: Tokens): void {
  // Its own context: the form parser serves this route alone. Every body is read as
  // text here, so that any other type gets an RFC 6749 invalid_request, not a 415.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_FORM_BYTES }, (_req, text, done) =>
      done(null, text),
    );
    scope.post(
      '/oauth2/token',
      { schema: { summary: 'OAuth 2.0 token endpoint (client credentials grant)', tags: ['operations'] } },
      async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          return await grant(req, reply, clients, tokens);
        } catch (err) {
          if (!(err instanceof TokenError)) throw err;
          if (err.error === 'invalid_client') reply.header('www-authenticate', 'Basic realm="vnfm"');
          return noStore(reply)
            .code(err.status)
            .type('application/json')
            .send({ error: err.error, error_description: err.message });
        }
      },
    );
  });
}

async function grant(req: FastifyRequest, reply: FastifyReply, clients: ClientRegistry, tokens: Tokens) {
  if (
    !String(req.headers['content-type'] ?? '')
      .toLowerCase()
      .startsWith(FORM)
  )
    throw new TokenError(400, 'invalid_request', `send the request as ${FORM}`);
  const fields = formFields(req.body);
  const basic = basicCredentials(req.headers.authorization);
  if (req.headers.authorization !== undefined && basic === undefined)
    throw new TokenError(
      401,
      'invalid_client',
      'the Authorization header is not HTTP Basic client credentials',
    );
  if (
    basic &&
    (fields.has('client_secret') || fields.has('client_id')) &&
    fields.get('client_id') !== basic.id
  )
    throw new TokenError(400, 'invalid_request', 'use one client authentication method, not two');
  if (basic && fields.has('client_secret'))
    throw new TokenError(400, 'invalid_request', 'use one client authentication method, not two');
  const id = basic?.id ?? fields.get('client_id');
  const secret = basic?.secret ?? fields.get('client_secret');
  if (id === undefined || secret === undefined)
    throw new TokenError(
      401,
      'invalid_client',
      'client authentication is required (HTTP Basic or client_id and client_secret)',
    );

  const grantType = fields.get('grant_type');
  if (grantType === undefined) throw new TokenError(400, 'invalid_request', 'grant_type is required');
  const client = await clients.authenticate(id, secret);
  if (!client) throw new TokenError(401, 'invalid_client', 'unknown client or wrong secret');
  if (grantType !== 'client_credentials')
    throw new TokenError(
      400,
      'unsupported_grant_type',
      `only grant_type=client_credentials is supported, not '${grantType.slice(0, 40)}'`,
    );

  const asked = fields.get('scope')?.split(' ').filter(Boolean);
  let scopes = client.scopes;
  if (asked !== undefined && asked.length > 0) {
    const denied = asked.filter((s) => !client.scopes.includes(s));
    if (denied.length > 0)
      throw new TokenError(
        400,
        'invalid_scope',
        `scope '${denied[0]!.slice(0, 40)}' is not granted to this client`,
      );
    scopes = [...new Set(asked)];
  }
  const accessToken = await tokens.issue(client.clientId, scopes);
  req.log.info({ clientId: client.clientId, scope: scopes.join(' ') }, 'access token issued');
  return noStore(reply)
    .type('application/json')
    .send({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: tokens.ttlSeconds,
      scope: scopes.join(' '),
    });
}
