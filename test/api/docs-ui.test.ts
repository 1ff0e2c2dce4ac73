// GET /docs: Swagger UI, served whole by the VNFM (no CDN), over the one generated
// document at /openapi.json, and open while the API itself needs a token.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hashSecret } from '../../src/auth/clients.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

let vnfm: TestVnfm;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-docs-'));
  const clientsFile = join(dir, 'clients.yaml');
  writeFileSync(
    clientsFile,
    [
      'clients:',
      '  - client_id: reader',
      `    secret_hash: "${await hashSecret(randomUUID())}"`,
      '    scopes: vnflcm:read',
    ].join('\n'),
  );
  vnfm = await startVnfm(await freshStore('sqlite'), {
    worker: false,
    dataDir: join(dir, 'data'),
    config: { authClientsFile: clientsFile },
  });
});

after(async () => {
  await vnfm?.close();
});

/** The src and href attributes of an HTML page. */
const references = (html: string) =>
  [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);

test('GET /docs is an HTML page whose every asset the VNFM serves itself, without a token', async () => {
  const page = await fetch(`${vnfm.url}/docs`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const html = await page.text();
  const refs = references(html);
  assert.ok(
    refs.some((r) => r.endsWith('/swagger-ui-bundle.js')),
    html,
  );
  assert.ok(
    refs.some((r) => r.endsWith('/swagger-initializer.js')),
    html,
  );
  const origin = new URL(vnfm.url).origin;
  for (const ref of refs) {
    const url = new URL(ref, page.url);
    assert.equal(url.origin, origin, `${ref} is served by the VNFM`);
    const asset = await fetch(url);
    assert.equal(asset.status, 200, `${url.pathname}: ${asset.status}`);
    assert.ok((await asset.arrayBuffer()).byteLength > 0, `${url.pathname} is not empty`);
  }
  // Trailing slash too (the page then refers to its assets relatively).
  assert.equal((await fetch(`${vnfm.url}/docs/`)).status, 200);
});

test('the page shows the document at /openapi.json', async () => {
  const init = await (await fetch(`${vnfm.url}/docs/static/swagger-initializer.js`)).text();
  // The UI loads ./json relative to /docs/, with no validator service.
  assert.match(init, /resolveUrl\('\.\/json'\)/);
  assert.match(init, /validatorUrl: null/);
  const json = await fetch(`${vnfm.url}/docs/json`, { redirect: 'manual' });
  assert.equal(json.status, 302);
  assert.equal(json.headers.get('location'), '/openapi.json');
  const followed = await vnfm.request('GET', '/docs/json');
  const doc = await vnfm.request('GET', '/openapi.json');
  assert.equal(followed.status, 200);
  assert.deepEqual(followed.body, doc.body);
  assert.equal(doc.body.openapi, '3.1.0');
});

test('the UI is not in the document, and the API still needs a token', async () => {
  const doc = await vnfm.request('GET', '/openapi.json');
  assert.deepEqual(
    Object.keys(doc.body.paths).filter((p) => p.startsWith('/docs')),
    [],
  );
  const api = await vnfm.request('GET', '/vnflcm/v1/vnf_instances', undefined, { version: '2.0.0' });
  assert.equal(api.status, 401);
  assert.equal((await fetch(`${vnfm.url}/docs/static/nothing-here.js`)).status, 404);
});
