// SOL013 API versions on both interfaces (the api_versions resources answer whatever
// Version is asked; everything else refuses another major version with 406 and says
// its own in `Version`), and response header names in canonical case as they reach
// the socket: read with node:net, since fetch lowercases what it shows.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { cnfPackage } from '../helpers/cnf-package.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

/** The status line and header lines of the response to `request`, on a fresh connection. */
function responseHead(
  port: number,
  request: string | Buffer,
): Promise<{ status: number; names: string[]; headers: Map<string, string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.destroy();
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = new Map<string, string>();
      const names = lines.map((l) => {
        const name = l.slice(0, l.indexOf(':'));
        headers.set(name, l.slice(l.indexOf(':') + 1).trim());
        return name;
      });
      resolve({ status: Number(statusLine?.split(' ')[1]), names, headers });
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(request));
  });
}

const CANONICAL = /^([A-Z][a-z0-9]*)(-[A-Z][a-z0-9]*)*$|^ETag$|^WWW-Authenticate$/;

describe('API versions and header case', () => {
  let vnfm: TestVnfm;
  let port = 0;
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), { worker: false, pageSize: 1 });
    port = Number(new URL(vnfm.url).port);
  });
  after(() => vnfm.close());

  const interfaces = [
    // The root resource lists every major served: vnflcm has v2 (SOL003 v3.3.1) beside v1.
    { api: 'vnflcm', version: '1.3.0', resource: '/vnflcm/v1/vnf_instances', all: ['1.3.0', '2.0.0'] },
    { api: 'vnfpkgm', version: '2.1.0', resource: '/vnfpkgm/v1/vnf_packages', all: ['2.1.0'] },
  ];

  for (const { api, version, resource, all } of interfaces) {
    test(`${api}: api_versions answer any Version; others refuse another major`, async () => {
      for (const asked of [undefined, version, '2.0.0', '1.0.0', 'garbage']) {
        const headers: Record<string, string> = asked ? { version: asked } : {};
        const root = await vnfm.request('GET', `/${api}/api_versions`, undefined, headers);
        assert.equal(root.status, 200, `${asked}: ${JSON.stringify(root.body)}`);
        assert.deepEqual(root.body, {
          uriPrefix: `/${api}`,
          apiVersions: all.map((v) => ({ version: v, isDeprecated: false })),
        });
        assert.equal(root.headers.get('version'), version);
        const v1 = await vnfm.request('GET', `/${api}/v1/api_versions`, undefined, headers);
        assert.equal(v1.status, 200);
        assert.deepEqual(v1.body, {
          uriPrefix: `/${api}/v1`,
          apiVersions: [{ version, isDeprecated: false }],
        });
      }
      const ok = await vnfm.request('GET', resource, undefined, { version });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('version'), version);
      // The URI's major (v1) names the same API, also where the version's major differs.
      const byUri = await vnfm.request('GET', resource, undefined, { version: '1.0.0' });
      assert.equal(byUri.status, 200, JSON.stringify(byUri.body));
      const other = await vnfm.request('GET', resource, undefined, { version: '9.0.0' });
      assert.equal(other.status, 406, JSON.stringify(other.body));
      assert.match(
        other.body.detail,
        new RegExp(`9\\.0\\.0 is not supported by /${api}/v1 \\(this is ${version.replace(/\./g, '\\.')}\\)`),
      );
      assert.equal(other.headers.get('version'), version, 'the 406 says which version there is');
      const missing = await vnfm.request('GET', `${resource}/nope`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('version'), version, 'an error answer carries Version too');
    });
  }

  test('header names reach the socket in canonical case', async () => {
    const host = `Host: 127.0.0.1:${port}\r\n`;
    const json = (method: string, path: string, body: object) => {
      const text = JSON.stringify(body);
      return `${method} ${path} HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
    };
    const created = await responseHead(port, json('POST', '/vnfpkgm/v1/vnf_packages', {}));
    assert.equal(created.status, 201);
    const pkgId = created.headers.get('Location')?.split('/').pop() ?? '';
    assert.ok(pkgId, created.names.join(', '));
    await vnfm.request('POST', '/vnfpkgm/v1/vnf_packages', {}); // a second one, for a next page

    const { zip } = await cnfPackage();
    const upload = Buffer.concat([
      Buffer.from(
        `PUT /vnfpkgm/v1/vnf_packages/${pkgId}/package_content HTTP/1.1\r\n${host}Content-Type: application/zip\r\nContent-Length: ${zip.length}\r\n\r\n`,
      ),
      zip,
    ]);
    const cases: [string, string | Buffer, number, string[]][] = [
      [
        'a 201',
        json('POST', '/vnfpkgm/v1/vnf_packages', {}),
        201,
        ['Location', 'Content-Type', 'Content-Length', 'Version'],
      ],
      ['a 202', upload, 202, ['Version']],
      [
        'a list with a next page',
        `GET /vnfpkgm/v1/vnf_packages HTTP/1.1\r\n${host}\r\n`,
        200,
        ['Link', 'Content-Type', 'Content-Length', 'Version'],
      ],
      [
        'a ProblemDetails',
        `GET /vnflcm/v1/vnf_instances/nope HTTP/1.1\r\n${host}\r\n`,
        404,
        ['Content-Type', 'Content-Length', 'Version'],
      ],
      [
        'a 406',
        `GET /vnflcm/v1/vnf_instances HTTP/1.1\r\n${host}Version: 9.0.0\r\n\r\n`,
        406,
        ['Content-Type', 'Version'],
      ],
      [
        'a 405',
        `PUT /vnflcm/v1/vnf_instances HTTP/1.1\r\n${host}Content-Length: 0\r\n\r\n`,
        405,
        ['Allow', 'Content-Type'],
      ],
      [
        'a 417',
        `GET /health HTTP/1.1\r\n${host}Expect: nothing\r\n\r\n`,
        417,
        ['Content-Type', 'Content-Length'],
      ],
    ];
    for (const [what, request, status, must] of cases) {
      const head = await responseHead(port, request);
      assert.equal(head.status, status, `${what}: ${head.names.join(', ')}`);
      for (const name of must)
        assert.ok(head.names.includes(name), `${what}: ${name} in ${head.names.join(', ')}`);
      for (const name of head.names) assert.match(name, CANONICAL, `${what}: ${name}`);
    }
    // A streamed answer (Fastify sets its headers one by one there): the package's content.
    await eventually(
      'onboarding',
      async () => (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body,
      (p) => p.onboardingState === 'ONBOARDED',
    );
    const content = await responseHead(
      port,
      `GET /vnfpkgm/v1/vnf_packages/${pkgId}/package_content HTTP/1.1\r\n${host}\r\n`,
    );
    assert.equal(content.status, 200);
    assert.ok(content.names.includes('Content-Type'), content.names.join(', '));
    for (const name of content.names) assert.match(name, CANONICAL, `package_content: ${name}`);
  });
});
