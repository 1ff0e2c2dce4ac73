// GET /openapi.json: a valid OpenAPI 3.1 document, open, generated from the routes as
// registered — every route with its method, and each request body the very schema
// object Ajv validates that route with (src/api/schemas), not a copy kept by hand.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { RouteOptions } from 'fastify';
import { isDocsUiRoute } from '../../src/api/docs-ui.ts';
import { HealVnfRequest, REQUEST_BODIES } from '../../src/api/schemas/index.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

let vnfm: TestVnfm;
const routes: RouteOptions[] = [];
let doc: any;

/** Fastify's `/a/:id/b` as an OpenAPI path template `/a/{id}/b` (the wildcard `*` too). */
const template = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{*}');
const operation = (method: string, url: string) => doc.paths[template(url)]?.[method.toLowerCase()];
/**
 * A route's schema as the document must show it: plain JSON (TypeBox marks its objects
 * with symbol keys), and TypeBox's Record (`patternProperties: {'^(.*)$': s}`, every key)
 * as the generator writes it, the equivalent `additionalProperties: s`. Any other
 * pattern would be lost by that rewrite, so it fails the test.
 */
function json(schema: unknown): any {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k !== 'patternProperties') out[k] = walk(x);
      else {
        assert.deepEqual(Object.keys(x as object), ['^(.*)$'], 'a patternProperties the document would lose');
        out.additionalProperties = walk((x as Record<string, unknown>)['^(.*)$']);
      }
    }
    return out;
  };
  return walk(JSON.parse(JSON.stringify(schema)));
}

before(async () => {
  vnfm = await startVnfm(await freshStore('sqlite'), { worker: false, onRoute: (r) => routes.push(r) });
  const res = await vnfm.request('GET', '/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  doc = res.body;
});
after(() => vnfm.close());

test('the document is valid OpenAPI 3.1 and names the VNFM and its version', async () => {
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.equal(validator.version, '3.1');
  assert.deepEqual(result.errors ?? [], []);
  assert.equal(result.valid, true);
  assert.equal(doc.info.title, 'Helm VNFM');
  assert.equal(doc.info.version, vnfm.ctx.version);
  assert.deepEqual(doc.servers, [{ url: '/' }]);
});

test('every route the server has is in the document with its method and tag', () => {
  // All of the interfaces, HEAD with each GET, the document itself.
  assert.ok(routes.length > 60, `only ${routes.length} routes collected`);
  const missing: string[] = [];
  // The docs UI's routes (its page and assets) are not API operations: hidden, and only they.
  const ui = routes.filter((r) => isDocsUiRoute(r.url));
  assert.ok(ui.length > 0 && ui.every((r) => r.schema?.hide === true), 'the docs UI routes are hidden');
  for (const r of routes.filter((x) => !isDocsUiRoute(x.url))) {
    for (const method of [r.method].flat()) {
      const op = operation(method, r.url);
      if (!op) missing.push(`${method} ${r.url}`);
      else if (r.url.startsWith('/vnflcm/')) assert.deepEqual(op.tags, ['vnflcm'], r.url);
      else if (r.url.startsWith('/vnfpkgm/')) assert.deepEqual(op.tags, ['vnfpkgm'], r.url);
      else if (r.url.startsWith('/v1.0/vims')) assert.deepEqual(op.tags, ['vims'], r.url);
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(operation('GET', '/openapi.json'));
  assert.ok(operation('HEAD', '/vnflcm/v1/vnf_instances'));
});

test('each request body in the document is the schema its route validates with', () => {
  const withBody = routes.filter((r) => r.schema?.body);
  assert.ok(withBody.length >= Object.keys(REQUEST_BODIES).length);
  for (const r of withBody) {
    const op = operation([r.method].flat()[0] as string, r.url);
    assert.deepEqual(op.requestBody.content['application/json'].schema, json(r.schema?.body), r.url);
  }
  // The heal route validates with HealVnfRequest itself, and the document shows exactly it.
  const heal = routes.find((r) => r.method === 'POST' && r.url === '/vnflcm/v1/vnf_instances/:id/heal');
  assert.equal(heal?.schema?.body, HealVnfRequest);
  const documented = operation('POST', '/vnflcm/v1/vnf_instances/:id/heal').requestBody.content[
    'application/json'
  ].schema;
  assert.deepEqual(documented, json(HealVnfRequest));
  assert.equal(documented.additionalProperties, false);
  assert.equal(operation('POST', '/vnflcm/v1/vnf_instances/:id/heal').summary, 'Heal a VNF instance');
  // REQUEST_BODIES (the list for generators) agrees with the routes, path parameter names aside.
  const anyParam = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
  for (const [key, schema] of Object.entries(REQUEST_BODIES)) {
    const [method, path] = key.split(' ') as [string, string];
    const entry = Object.entries(doc.paths).find(([p]) => anyParam(p) === anyParam(path));
    const op = (entry?.[1] as Record<string, any> | undefined)?.[method.toLowerCase()];
    assert.deepEqual(op?.requestBody?.content?.['application/json']?.schema, json(schema), key);
  }
});

test('a body is required in the document wherever the server refuses a request without one', () => {
  // Found by schemathesis: POST /vnf_packages without a body creates a package, as with {}.
  assert.equal(operation('POST', '/vnfpkgm/v1/vnf_packages').requestBody.required, false);
  for (const r of routes.filter((x) => x.schema?.body && x.url !== '/vnfpkgm/v1/vnf_packages'))
    assert.equal(operation([r.method].flat()[0] as string, r.url).requestBody.required, true, r.url);
});

test('query and path parameter schemas come from the routes too', () => {
  const list = operation('GET', '/v1.0/vims');
  assert.ok(list.parameters.some((p: any) => p.in === 'query' && p.name === 'name'));
  const show = operation('GET', '/vnflcm/v1/vnf_instances/:id');
  assert.deepEqual(
    show.parameters.map((p: any) => [p.in, p.name, p.required]),
    [['path', 'id', true]],
  );
});

test('OPTIONS and 405 still answer for the document path', async () => {
  const options = await vnfm.request('OPTIONS', '/openapi.json');
  assert.equal(options.status, 204);
  assert.equal(options.headers.get('allow'), 'GET, HEAD, OPTIONS');
  const post = await vnfm.request('POST', '/openapi.json', {});
  assert.equal(post.status, 405);
  assert.match(post.headers.get('content-type') ?? '', /^application\/problem\+json/);
});
