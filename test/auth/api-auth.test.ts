// OAuth 2.0 on the API (SOL013 §8), in a real server over HTTP: every route the
// server registers × (no token, bad token, expired, wrong scope, good); the token
// endpoint with both client authentication methods and its RFC 6749 errors; tokens
// of an external issuer by its JWKS (served here on loopback); HTTP Basic.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { RouteOptions } from 'fastify';
import { exportJWK, SignJWT } from 'jose';
import { hashSecret } from '../../src/auth/clients.ts';
import { loadSigningKey } from '../../src/auth/keys.ts';
import { isDocsUiRoute } from '../../src/api/docs-ui.ts';
import { isOpenRoute, requiredScope, SCOPES } from '../../src/auth/scopes.ts';
import { hostileRequests } from '../corpus/hostile-requests.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const SECRET = `full-${randomUUID()}`;
const NARROW_SECRET = `narrow-${randomUUID()}`;
const EXTERNAL_ISSUER = 'https://idp.example.test/realms/nfv';

let vnfm: TestVnfm;
let jwks: Server;
let dataDir: string;
const routes: { method: string; url: string }[] = [];
const external = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function tokenRequest(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${vnfm.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

const tokens = new Map<string, string>();
/** A token of the full client narrowed to `scopes` (cached: a handful of scope sets). */
async function tokenWith(scopes: readonly string[]): Promise<string> {
  const key = scopes.join(' ');
  if (!tokens.has(key)) {
    const res = await tokenRequest(form({ grant_type: 'client_credentials', scope: key }), {
      authorization: basic('full', SECRET),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    tokens.set(key, res.body.access_token);
  }
  return tokens.get(key)!;
}

/** A path for a route URL: parameters and wildcards filled with a fresh id. */
const pathOf = (url: string) => url.replace(/:[A-Za-z]+/g, randomUUID()).replace(/\*$/, 'x');

function call(method: string, url: string, authorization?: string) {
  // An event stream that is let in stays open: its status and headers are all there is to read.
  if (method === 'GET' && url.endsWith('/events')) return streamHead(url, authorization);
  const withBody = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method);
  return vnfm.request(method, pathOf(url), withBody ? {} : undefined, {
    ...(authorization ? { authorization } : {}),
    version: '2.0.0',
  });
}

async function streamHead(url: string, authorization?: string) {
  const ac = new AbortController();
  const res = await fetch(`${vnfm.url}${pathOf(url)}`, {
    headers: { ...(authorization ? { authorization } : {}), version: '2.0.0' },
    signal: ac.signal,
  });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  ac.abort();
  return { status: res.status, headers: res.headers, body };
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vnfm-auth-'));
  const publicJwk = { ...(await exportJWK(external.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const clientsFile = join(dataDir, 'clients.yaml');
  writeFileSync(
    clientsFile,
    [
      'clients:',
      '  - client_id: full',
      `    secret_hash: "${await hashSecret(SECRET)}"`,
      `    scopes: [${SCOPES.join(', ')}]`,
      '  - client_id: narrow',
      `    secret_hash: "${await hashSecret(NARROW_SECRET)}"`,
      '    scopes: vnflcm:read',
    ].join('\n'),
  );
  vnfm = await startVnfm(await freshStore('sqlite'), {
    worker: false,
    dataDir: join(dataDir, 'data'),
    onRoute: (r: RouteOptions) => {
      for (const method of [r.method].flat()) routes.push({ method, url: r.url });
    },
    config: {
      authClientsFile: clientsFile,
      authBasic: true,
      authExternalIssuer: EXTERNAL_ISSUER,
      authExternalJwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
    },
  });
});

after(async () => {
  await vnfm?.close();
  jwks?.closeAllConnections();
  await new Promise((r) => jwks?.close(r));
});

describe('every route', () => {
  test('the server has the routes of all three interfaces and the open ones', () => {
    const urls = new Set(routes.map((r) => r.url));
    const expected = ['/v1.0/vims', '/vnfpkgm/v1/vnf_packages', '/vnflcm/v1/vnf_instances', '/oauth2/token'];
    for (const u of [...expected, '/healthz', '/readyz', '/metrics', '/openapi.json'])
      assert.ok(urls.has(u), `${u} is registered`);
    assert.ok(isOpenRoute('/readyz') && !isOpenRoute('/metrics'), 'probes are open, metrics are not');
  });

  test('open routes answer without credentials', async () => {
    const open = routes.filter((r) => isOpenRoute(r.url) && r.method !== 'POST');
    assert.ok(open.length >= 5, 'health, api_versions (×4), the OpenAPI document');
    for (const r of open) {
      const res = await call(r.method, r.url);
      assert.ok(![401, 403].includes(res.status), `${r.method} ${r.url} is open: ${res.status}`);
    }
  });

  test('each closed route: no token, bad token, expired, wrong scope → 401/401/401/403; good → neither', async () => {
    const { privateKey } = loadSigningKey(join(dataDir, 'data'));
    const expired = await new SignJWT({ scope: SCOPES.join(' ') })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('helm-vnfm')
      .setAudience('helm-vnfm')
      .setSubject('full')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(privateKey);
    const forged = await new SignJWT({ scope: SCOPES.join(' ') })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('helm-vnfm')
      .setAudience('helm-vnfm')
      .setExpirationTime('1h')
      .sign(generateKeyPairSync('ed25519').privateKey);
    const closed = routes.filter((r) => !isOpenRoute(r.url));
    assert.ok(closed.length >= 30, `${closed.length} closed routes`);
    for (const r of closed) {
      const what = `${r.method} ${r.url}`;
      const none = await call(r.method, r.url);
      assert.equal(none.status, 401, `${what} without a token`);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="vnfm"/, what);
      if (r.method !== 'HEAD') assert.equal(none.body.status, 401, `${what}: a ProblemDetails`);
      for (const [label, bad] of [
        ['not a JWT', 'Bearer not-a-token'],
        ['forged', `Bearer ${forged}`],
        ['expired', `Bearer ${expired}`],
      ] as const) {
        const res = await call(r.method, r.url, bad);
        assert.equal(res.status, 401, `${what} with a ${label} token`);
        assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/, `${what} ${label}`);
      }
      const scope = requiredScope(r.method, r.url);
      const wrong = await call(
        r.method,
        r.url,
        `Bearer ${await tokenWith(SCOPES.filter((s) => s !== scope))}`,
      );
      assert.equal(wrong.status, 403, `${what} without ${scope}`);
      assert.match(
        wrong.headers.get('www-authenticate') ?? '',
        new RegExp(`error="insufficient_scope", scope="${scope}"`),
      );
      const good = await call(r.method, r.url, `Bearer ${await tokenWith([scope])}`);
      assert.ok(
        ![401, 403].includes(good.status) && good.status < 500,
        `${what} with ${scope}: ${good.status}`,
      );
    }
  });

  test('the scopes are read for GET and HEAD, write otherwise, per API', () => {
    assert.equal(requiredScope('GET', '/vnflcm/v1/vnf_instances'), 'vnflcm:read');
    assert.equal(requiredScope('HEAD', '/vnfpkgm/v1/vnf_packages/:vnfPkgId'), 'vnfpkgm:read');
    assert.equal(requiredScope('POST', '/vnflcm/v1/vnf_instances/:id/instantiate'), 'vnflcm:write');
    assert.equal(requiredScope('DELETE', '/v1.0/vims.json/:id'), 'vims:write');
    assert.equal(requiredScope('GET', '/metrics'), 'metrics:read');
    assert.equal(requiredScope('GET', '/something/new'), 'vnfm:admin', 'an unmapped route is closed');
  });
});

describe('unauthenticated probes', () => {
  test('the hostile-request corpus without credentials: 401 on every API route, never a 5xx', async () => {
    const ids = {
      vimId: randomUUID(),
      pkgId: randomUUID(),
      freshId: randomUUID(),
      liveId: randomUUID(),
      opOccId: randomUUID(),
      vnfdId: randomUUID(),
    };
    const corpus = hostileRequests(ids);
    assert.ok(corpus.length > 50);
    for (const r of corpus) {
      const headers: Record<string, string> = { ...r.headers };
      delete headers.authorization;
      let body: string | Buffer | undefined = r.raw;
      if (body === undefined && r.body !== undefined) {
        body = JSON.stringify(r.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${vnfm.url}${r.path}`, { method: r.method, headers, body });
      await res.arrayBuffer();
      const path = r.path.split('?')[0]!;
      assert.ok(res.status < 500, `${r.name}: ${res.status}`);
      if (!isOpenRoute(path)) assert.ok(res.status >= 400, `${r.name}: ${res.status} without credentials`);
      if (/^\/(vnflcm|vnfpkgm)\/v1\/|^\/v1\.0\/vims/.test(path) && res.status !== 401)
        assert.ok([400, 404, 405, 414].includes(res.status), `${r.name}: ${res.status}`);
    }
  });
});

describe('the OpenAPI document with authentication on', () => {
  test('is valid, declares the schemes and gives every route its scope or none', async () => {
    const doc = (await vnfm.request('GET', '/openapi.json')).body;
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.deepEqual(result.errors ?? [], []);
    const schemes = doc.components.securitySchemes;
    assert.equal(schemes.oauth2.flows.clientCredentials.tokenUrl, '/oauth2/token');
    assert.deepEqual(Object.keys(schemes.oauth2.flows.clientCredentials.scopes), [...SCOPES]);
    assert.deepEqual([schemes.bearer.scheme, schemes.basic.scheme], ['bearer', 'basic']);
    // The docs UI's routes are hidden from the document (test/api/openapi.test.ts); they are open.
    for (const r of routes.filter((x) => !isDocsUiRoute(x.url))) {
      const path = r.url.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{*}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${r.url} in the document`);
      const scope = requiredScope(r.method, r.url);
      const expected = isOpenRoute(r.url) ? [] : [{ oauth2: [scope] }, { bearer: [scope] }, { basic: [] }];
      assert.deepEqual(op.security, expected, `${r.method} ${r.url}`);
    }
  });
});

describe('token endpoint', () => {
  test('client_secret_basic and client_secret_post both give a Bearer token with the client scopes', async () => {
    for (const res of [
      await tokenRequest(form({ grant_type: 'client_credentials' }), {
        authorization: basic('narrow', NARROW_SECRET),
      }),
      await tokenRequest(
        form({ grant_type: 'client_credentials', client_id: 'narrow', client_secret: NARROW_SECRET }),
      ),
    ]) {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(res.body.expires_in, 3600);
      assert.equal(res.body.scope, 'vnflcm:read');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const list = await vnfm.request('GET', '/vnflcm/v1/vnf_instances', undefined, {
        authorization: `Bearer ${res.body.access_token}`,
      });
      assert.equal(list.status, 200);
      const write = await vnfm.request(
        'POST',
        '/vnflcm/v1/vnf_instances',
        {},
        {
          authorization: `Bearer ${res.body.access_token}`,
        },
      );
      assert.equal(write.status, 403);
    }
  });

  test('a wrong secret or unknown client is 401 invalid_client with a Basic challenge', async () => {
    for (const res of [
      await tokenRequest(form({ grant_type: 'client_credentials' }), {
        authorization: basic('narrow', 'wrong'),
      }),
      await tokenRequest(form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' })),
      await tokenRequest(form({ grant_type: 'client_credentials' })),
    ]) {
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'invalid_client');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
    }
  });

  test('RFC 6749 §5.2 errors: unsupported grant, scope not granted, not a form, two methods', async () => {
    const auth = { authorization: basic('narrow', NARROW_SECRET) };
    const grant = await tokenRequest(form({ grant_type: 'password', username: 'u', password: 'p' }), auth);
    assert.deepEqual([grant.status, grant.body.error], [400, 'unsupported_grant_type']);
    const scope = await tokenRequest(form({ grant_type: 'client_credentials', scope: 'vnflcm:write' }), auth);
    assert.deepEqual([scope.status, scope.body.error], [400, 'invalid_scope']);
    const missing = await tokenRequest(form({ scope: 'vnflcm:read' }), auth);
    assert.deepEqual([missing.status, missing.body.error], [400, 'invalid_request']);
    const json = await vnfm.request('POST', '/oauth2/token', { grant_type: 'client_credentials' }, auth);
    assert.deepEqual([json.status, json.body.error], [400, 'invalid_request']);
    const text = await tokenRequest('grant_type=client_credentials', {
      ...auth,
      'content-type': 'text/plain',
    });
    assert.deepEqual([text.status, text.body.error], [400, 'invalid_request']);
    const bare = await tokenRequest('', auth);
    assert.deepEqual([bare.status, bare.body.error], [400, 'invalid_request'], 'no grant_type');
    const twice = await tokenRequest(
      form({ grant_type: 'client_credentials', client_id: 'narrow', client_secret: NARROW_SECRET }),
      auth,
    );
    assert.deepEqual([twice.status, twice.body.error], [400, 'invalid_request']);
  });

  test('neither secrets nor tokens reach the log', async () => {
    const token = await tokenWith(['vnflcm:read']);
    assert.ok(!vnfm.logs().includes(SECRET));
    assert.ok(!vnfm.logs().includes(NARROW_SECRET));
    assert.ok(!vnfm.logs().includes(token));
    assert.match(vnfm.logs(), /access token issued/);
    const line = vnfm
      .logs()
      .split('\n')
      .find((l) => l.includes('"route":"/vnflcm/v1/vnf_instances"') && l.includes('"statusCode":200'));
    assert.match(line ?? '', /"clientId":"(full|narrow|nfvo)"/, 'the request line names the client');
  });
});

describe('external issuer and HTTP Basic', () => {
  const externalToken = (claims: Record<string, unknown>, issuer = EXTERNAL_ISSUER, audience = 'helm-vnfm') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('nfvo')
      .setExpirationTime('5m')
      .sign(external.privateKey);

  test("the external issuer's tokens are checked against its JWKS, issuer and audience", async () => {
    const get = async (token: string) =>
      (await vnfm.request('GET', '/vnflcm/v1/vnf_instances', undefined, { authorization: `Bearer ${token}` }))
        .status;
    assert.equal(await get(await externalToken({ scope: 'vnflcm:read' })), 200);
    assert.equal(await get(await externalToken({ scp: ['vnflcm:read'] })), 200, 'scp as a list');
    assert.equal(await get(await externalToken({ scope: 'vims:read' })), 403);
    assert.equal(
      await get(await externalToken({ scope: 'vnflcm:read' }, EXTERNAL_ISSUER, 'other')),
      401,
      'audience',
    );
    assert.equal(
      await get(await externalToken({ scope: 'vnflcm:read' }, 'https://evil.test')),
      401,
      'issuer',
    );
  });

  test("HTTP Basic with a client's credentials carries its scopes", async () => {
    const get = async (authorization: string, path = '/vnflcm/v1/vnf_instances') =>
      (await vnfm.request('GET', path, undefined, { authorization })).status;
    assert.equal(await get(basic('narrow', NARROW_SECRET)), 200);
    assert.equal(await get(basic('narrow', NARROW_SECRET), '/v1.0/vims'), 403);
    assert.equal(await get(basic('narrow', 'wrong')), 401);
    assert.equal(await get('Digest username="narrow"'), 401);
  });
});
