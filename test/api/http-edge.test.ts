// The HTTP edge over a real socket: every malformed, oversized or misdirected
// request gets a ProblemDetails (application/problem+json, the status's standard
// title, a detail) and the server stays up. Raw `node:net` requests where fetch
// cannot send the bytes (NUL in a header, unknown methods, huge headers, CONNECT).
// The server logs at trace, where a NUL byte in a header used to crash the logger.
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MAX_HEADER_BYTES, MAX_URL_LENGTH, MAX_BODY_BYTES } from '../../src/api/http-edge.ts';
import { MAX_JSON_DEPTH } from '../../src/api/json-body.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses one HTTP/1.1 response with a Content-Length (or none, for 204/HEAD). */
function parseResponse(text: string, head: boolean): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const length = head || status === 204 ? 0 : Number(headers['content-length'] ?? NaN);
  const body = text.slice(end + 4);
  if (Number.isNaN(length) || Buffer.byteLength(body) < length) return undefined;
  return { status, headers, body: body.slice(0, length) };
}

/** Sends `request` as bytes on a fresh connection; the first response on it. */
function raw(port: number, request: string | Buffer): Promise<RawResponse> {
  const head = request.toString('latin1').startsWith('HEAD ');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (r: RawResponse | undefined, why: string) => {
      if (done) return;
      done = true;
      socket.destroy();
      if (r) resolve(r);
      else reject(new Error(`${why}; got ${JSON.stringify(text.slice(0, 300))}`));
    };
    socket.on('data', (d) => {
      text += d.toString('latin1');
      const r = parseResponse(text, head);
      if (r) finish(r, '');
    });
    socket.on('error', (e) => finish(parseResponse(text, head), `socket error ${e.message}`));
    socket.on('close', () => finish(parseResponse(text, head), 'connection closed without a whole response'));
    socket.write(request);
  });
}

const get = (path: string, headers = '') => `GET ${path} HTTP/1.1\r\nHost: vnfm\r\n${headers}\r\n`;
const withBody = (method: string, path: string, type: string, body: string) =>
  `${method} ${path} HTTP/1.1\r\nHost: vnfm\r\nContent-Type: ${type}\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('HTTP edge', () => {
  let vnfm: TestVnfm;
  let port: number;
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), { worker: false, logLevel: 'trace' });
    port = Number(new URL(vnfm.url).port);
  });
  after(() => vnfm.close());

  /** A ProblemDetails answer with `status`, then the server still answers /healthz. */
  const assertProblem = async (res: RawResponse, status: number, detail?: RegExp) => {
    assert.equal(res.status, status, res.body);
    assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
    const problem = JSON.parse(res.body) as { status: number; title: string; detail: string };
    assert.equal(problem.status, status);
    assert.equal(problem.title, STATUS_CODES[status]);
    assert.equal(typeof problem.detail, 'string');
    assert.ok(problem.detail.length > 0);
    if (detail) assert.match(problem.detail, detail);
    const health = await fetch(`${vnfm.url}/healthz`);
    assert.equal(health.status, 200, 'the server is still up');
    await health.body?.cancel();
  };

  test('a known path with another method is 405 with Allow; OPTIONS says what is allowed; HEAD works', async () => {
    const res = await raw(port, `DELETE /vnflcm/v1/vnf_instances HTTP/1.1\r\nHost: vnfm\r\n\r\n`);
    await assertProblem(res, 405, /DELETE/);
    assert.deepEqual(res.headers.allow?.split(', ').sort(), ['GET', 'HEAD', 'OPTIONS', 'POST']);

    const put = await raw(port, withBody('PUT', '/vnflcm/v1/vnf_instances/abc', 'application/json', '{}'));
    await assertProblem(put, 405);
    assert.match(put.headers.allow ?? '', /DELETE/);

    const options = await raw(port, `OPTIONS /vnflcm/v1/vnf_instances/abc HTTP/1.1\r\nHost: vnfm\r\n\r\n`);
    assert.equal(options.status, 204);
    assert.deepEqual(options.headers.allow?.split(', ').sort(), [
      'DELETE',
      'GET',
      'HEAD',
      'OPTIONS',
      'PATCH',
    ]);

    const head = await raw(port, `HEAD /healthz HTTP/1.1\r\nHost: vnfm\r\n\r\n`);
    assert.equal(head.status, 200);
    assert.equal(head.body, '');

    await assertProblem(await raw(port, get('/no/such/route')), 404);
  });

  test('methods nobody implements: 405 on a known path, 501 elsewhere or when the parser does not know them', async () => {
    const propfind = await raw(port, `PROPFIND /healthz HTTP/1.1\r\nHost: vnfm\r\n\r\n`);
    await assertProblem(propfind, 405);
    assert.equal(propfind.headers.allow, 'GET, HEAD, OPTIONS');
    await assertProblem(await raw(port, `PROPFIND /elsewhere HTTP/1.1\r\nHost: vnfm\r\n\r\n`), 501);
    await assertProblem(await raw(port, `BREW /healthz HTTP/1.1\r\nHost: vnfm\r\n\r\n`), 501);
    await assertProblem(await raw(port, `TRACE /healthz HTTP/1.1\r\nHost: vnfm\r\n\r\n`), 405);
    await assertProblem(await raw(port, `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`), 405);
  });

  test('a request no route takes is refused by its method and path, whatever body it carries', async () => {
    // Found by schemathesis: Fastify answered QUERY without a Content-Type with its own 400.
    const query = await raw(port, `QUERY /healthz HTTP/1.1\r\nHost: vnfm\r\n\r\n`);
    await assertProblem(query, 405, /QUERY/);
    assert.equal(query.headers.allow, 'GET, HEAD, OPTIONS');
    await assertProblem(await raw(port, withBody('QUERY', '/healthz', 'application/json', '{}')), 405);
    await assertProblem(await raw(port, `QUERY /elsewhere HTTP/1.1\r\nHost: vnfm\r\n\r\n`), 404);
    // A body of a type no parser takes, on a path without that method: 405, not 415.
    const post = await raw(port, withBody('POST', '/healthz', 'text/plain', 'hello'));
    await assertProblem(post, 405, /POST/);
    await assertProblem(await raw(port, withBody('PUT', '/no/such/route', 'text/plain', 'x')), 404);
  });

  test('413 for a JSON body over the limit', async () => {
    const big = JSON.stringify({ vnfdId: 'x', metadata: { blob: 'x'.repeat(MAX_BODY_BYTES) } });
    const res = await raw(port, withBody('POST', '/vnflcm/v1/vnf_instances', 'application/json', big));
    await assertProblem(res, 413, new RegExp(String(MAX_BODY_BYTES)));
  });

  test('414 for a URL over the limit; 431 for header fields over theirs', async () => {
    const longUrl = `/vnflcm/v1/vnf_instances?filter=${'a'.repeat(MAX_URL_LENGTH)}`;
    await assertProblem(await raw(port, get(longUrl)), 414, new RegExp(String(MAX_URL_LENGTH)));
    const longPath = `/vnflcm/v1/vnf_instances/${'a'.repeat(MAX_URL_LENGTH)}`;
    await assertProblem(await raw(port, get(longPath)), 414);
    const huge = `X-Padding: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n`;
    await assertProblem(await raw(port, get('/healthz', huge)), 431);
  });

  test('415 for a body type the route does not take', async () => {
    const path = '/vnflcm/v1/vnf_instances';
    await assertProblem(await raw(port, withBody('POST', path, 'text/plain', 'hi')), 415, /text\/plain/);
    await assertProblem(await raw(port, withBody('POST', path, 'application/xml', '<a/>')), 415);
    await assertProblem(await raw(port, withBody('POST', path, 'application/zip', 'PK')), 415, /zip/);
    await assertProblem(await raw(port, withBody('POST', path, 'application/merge-patch+json', '{}')), 415);
    // A VIM update is JSON too.
    await assertProblem(
      await raw(port, withBody('PUT', '/v1.0/vims/x', 'application/octet-stream', 'x')),
      415,
    );
  });

  test('bad percent-encoding in the path or the query is 400', async () => {
    await assertProblem(await raw(port, get('/vnflcm/v1/vnf_instances/%zz')), 400, /percent-encoded/);
    await assertProblem(await raw(port, get('/vnflcm/v1/vnf_instances?filter=%zz')), 400, /query string/);
    await assertProblem(await raw(port, get('/vnflcm/v1/vnf_instances?filter=%C0%AF')), 400, /query string/);
    await assertProblem(await raw(port, get('/vnfpkgm/v1/vnf_packages?%=1')), 400);
  });

  test("requests Node's parser rejects are ProblemDetails too, and logging them at trace does not crash", async () => {
    const nul = get('/healthz', 'X-Trace: a\0b\r\nAuthorization: Bearer NUL-SECRET\r\n');
    await assertProblem(await raw(port, nul), 400, /header/);
    await assertProblem(await raw(port, get('/heal\x01thz')), 400);
    const chunked =
      'POST /vnflcm/v1/vnf_instances HTTP/1.1\r\nHost: vnfm\r\nContent-Type: application/json\r\n' +
      'Transfer-Encoding: chunked\r\n\r\nzz\r\n';
    await assertProblem(await raw(port, chunked), 400, /chunk/);
    const twoLengths =
      'GET /healthz HTTP/1.1\r\nHost: vnfm\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n';
    await assertProblem(await raw(port, twoLengths), 400, /Content-Length/);
    await assertProblem(await raw(port, 'GET /healthz HTTP/9.9\r\nHost: vnfm\r\n\r\n'), 505);
    await assertProblem(await raw(port, 'GET /healthz HTTP/1.1\r\n\r\n'), 400, /Host/);
    const expect = withBody('POST', '/vnflcm/v1/vnf_instances', 'application/json', '{}').replace(
      'Host: vnfm\r\n',
      'Host: vnfm\r\nExpect: teapot\r\n',
    );
    await assertProblem(await raw(port, expect), 417);
    // What the parser's error carried into the log when the process died: its raw packet.
    const parseError = Object.assign(new Error('Parse Error: Invalid header value char'), {
      code: 'HPE_INVALID_HEADER_TOKEN',
      rawPacket: Buffer.from('X-Trace: a\0b'),
    });
    assert.equal(vnfm.ctx.log.level, 'trace');
    vnfm.ctx.log.trace(
      { err: parseError, nested: { deeper: { packet: parseError.rawPacket } } },
      'client error',
    );
    assert.match(vnfm.logs(), /"code":"HPE_INVALID_HEADER_TOKEN"/);
  });

  test('secret headers of a request logged at trace stay out of the log', async () => {
    const res = await fetch(`${vnfm.url}/healthz`, {
      headers: { authorization: 'Bearer EDGE-SECRET', cookie: 'session=EDGE-COOKIE' },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    // Fastify's request serializer leaves headers out; a handler logging them itself must not leak them.
    vnfm.ctx.log.trace(
      { headers: { Authorization: 'Bearer EDGE-SECRET', cookie: 'EDGE-COOKIE' } },
      'headers',
    );
    assert.match(vnfm.logs(), /"Authorization":"\*\*\*","cookie":"\*\*\*"/);
    assert.doesNotMatch(vnfm.logs(), /EDGE-SECRET|EDGE-COOKIE|NUL-SECRET/);
  });

  test(`JSON nested deeper than ${MAX_JSON_DEPTH} is 400 wherever it is, without recursion`, async () => {
    const deep = nested(5000);
    const cases: [string, string, string][] = [
      ['POST', '/vnflcm/v1/vnf_instances', `{"vnfdId":"x","metadata":{"a":${deep}}}`],
      ['POST', '/vnfpkgm/v1/vnf_packages', `{"userDefinedData":{"a":${deep}}}`],
      ['POST', '/vnflcm/v1/vnf_instances/abc/heal', `{"additionalParams":${deep}}`],
      ['POST', '/vnflcm/v1/vnf_instances/abc/instantiate', `{"flavourId":"x","extensions":${deep}}`],
      ['PATCH', '/v1.0/vims/abc', `{"vim":{"extra":${deep}}}`],
      ['POST', '/vnflcm/v1/vnf_instances', `{"a":"${'['.repeat(100)}","b":${nested(MAX_JSON_DEPTH + 1)}}`],
    ];
    for (const [method, path, body] of cases) {
      await assertProblem(await raw(port, withBody(method, path, 'application/json', body)), 400, /nested/);
    }
    // Brackets inside strings (also after an escaped quote) do not count.
    for (const inString of [`{"vnfdId":"${'['.repeat(1000)}"}`, `{"vnfdId":"\\"${'{'.repeat(1000)}"}`]) {
      const res = await raw(port, withBody('POST', '/vnflcm/v1/vnf_instances', 'application/json', inString));
      assert.notEqual(res.status, 500);
      assert.doesNotMatch(res.body, /nested/);
    }
  });

  test('__proto__ and constructor.prototype keys, and JSON that is not JSON, are 400', async () => {
    const path = '/vnflcm/v1/vnf_instances';
    const bodies = [
      '{"vnfdId":"x","metadata":{"__proto__":{"polluted":true}}}',
      '{"vnfdId":"x","metadata":{"\\u005f_proto__":{"polluted":true}}}',
      '{"vnfdId":"x","metadata":{"constructor":{"prototype":{"polluted":true}}}}',
    ];
    for (const body of bodies) {
      await assertProblem(
        await raw(port, withBody('POST', path, 'application/json', body)),
        400,
        /not allowed/,
      );
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    await assertProblem(
      await raw(port, withBody('POST', path, 'application/json', '{"vnfdId":')),
      400,
      /JSON/,
    );
  });

  test('a JSON content type with no body is a request without one', async () => {
    const res = await raw(
      port,
      withBody('POST', '/vnflcm/v1/vnf_lcm_op_occs/no-such-op/retry', 'application/json', ''),
    );
    await assertProblem(res, 404, /no-such-op/);
  });
});
