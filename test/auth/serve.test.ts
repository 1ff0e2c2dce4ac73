// `vnfm serve` as an operator starts it: safe by default (a non-loopback bind
// without authentication refuses to start, in one line), with authentication on
// 0.0.0.0, and HTTPS from PEM files that SIGHUP swaps, with client certificates (mTLS).
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { eventually } from '../helpers/wait.ts';

const vnfm = new URL('../../bin/vnfm', import.meta.url).pathname;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function serve(dir: string, port: number, args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    vnfm,
    [
      'serve',
      '--port',
      String(port),
      '--database',
      `sqlite:${join(dir, 'vnfm.sqlite')}`,
      '--data-dir',
      join(dir, 'data'),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  return { child, log: () => out };
}

const stopped = (child: ChildProcess) => new Promise((r) => child.once('exit', r));

test('a non-loopback bind without authentication refuses to start, in one line saying how', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-safe-'));
  const r = spawnSync(
    vnfm,
    [
      'serve',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--data-dir',
      join(dir, 'data'),
      '--database',
      `sqlite:${join(dir, 'db')}`,
    ],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        VNFM_AUTH_CLIENTS_FILE: '',
        VNFM_AUTH_CLIENTS: '',
        VNFM_AUTH_EXTERNAL_ISSUER: '',
      },
    },
  );
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^vnfm: configuration: refusing to serve on 0\.0\.0\.0 without authentication: set VNFM_AUTH_CLIENTS_FILE \(--auth-clients\)/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('the bind check is for serve alone: a worker sharing VNFM_HOST=0.0.0.0 is not refused for it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-worker-env-'));
  const r = spawnSync(
    vnfm,
    ['worker', '--data-dir', join(dir, 'data'), '--database', `sqlite:${join(dir, 'db')}`],
    {
      encoding: 'utf8',
      env: { ...process.env, VNFM_HOST: '0.0.0.0' },
    },
  );
  // It gets past the configuration to its own check of the store.
  assert.match(r.stderr, /^vnfm: configuration: a separate worker needs the PostgreSQL store/);
});

test('unreadable TLS files or a bad clients file end the start in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-bad-'));
  writeFileSync(join(dir, 'clients.yaml'), '- client_id: a\n  secret: plain\n  scopes: []\n');
  const store = ['--data-dir', join(dir, 'data'), '--database', `sqlite:${join(dir, 'db')}`, '--port', '0'];
  for (const [args, pattern] of [
    [
      ['--tls-cert', join(dir, 'none.crt'), '--tls-key', join(dir, 'none.key')],
      /^vnfm: configuration: TLS certificate '.*none\.crt' cannot be read \(ENOENT\)\n$/,
    ],
    [
      ['--tls-cert', join(dir, 'clients.yaml'), '--tls-key', join(dir, 'clients.yaml')],
      /^vnfm: configuration: TLS certificate '.*' is not PEM\n$/,
    ],
    [
      ['--auth-clients', join(dir, 'clients.yaml')],
      /^vnfm: configuration: auth clients file '.*clients\.yaml': client 'a' has a plain secret; configure secret_hash/,
    ],
  ] as const) {
    const r = spawnSync(vnfm, ['serve', ...store, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('on 0.0.0.0 with clients configured it starts; only open routes answer without a token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-auth-serve-'));
  const secret = `s-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  // The hash as an operator makes it: the secret on stdin, never on the command line.
  const hash = execFileSync(vnfm, ['auth', 'hash-secret'], { input: `${secret}\n`, encoding: 'utf8' }).trim();
  assert.match(hash, /^scrypt\$/);
  writeFileSync(
    join(dir, 'clients.json'),
    JSON.stringify([{ client_id: 'nfvo', secret_hash: hash, scopes: ['vnflcm:read'] }]),
  );
  const port = await freePort();
  const { child, log } = serve(dir, port, ['--host', '0.0.0.0', '--auth-clients', join(dir, 'clients.json')]);
  const base = `http://127.0.0.1:${port}`;
  const health = await eventually(
    'the server to listen',
    () => fetch(`${base}/healthz`).catch(() => undefined),
    (r) => r !== undefined,
    30_000,
  );
  assert.equal(health!.status, 200);
  assert.equal((await fetch(`${base}/vnflcm/v1/api_versions`)).status, 200);
  const closed = await fetch(`${base}/vnflcm/v1/vnf_instances`);
  assert.equal(closed.status, 401);
  assert.match(closed.headers.get('www-authenticate') ?? '', /^Bearer realm="vnfm"/);
  const token = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'nfvo', client_secret: secret }),
  });
  assert.equal(token.status, 200);
  const { access_token } = (await token.json()) as { access_token: string };
  const list = await fetch(`${base}/vnflcm/v1/vnf_instances`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  assert.equal(list.status, 200);
  const basic = await fetch(`${base}/vnflcm/v1/vnf_instances`, {
    headers: { authorization: `Basic ${Buffer.from(`nfvo:${secret}`).toString('base64')}` },
  });
  assert.equal(basic.status, 401, 'HTTP Basic is off unless enabled');

  // The child's stdout reaches this process on its own schedule: wait for the line.
  await eventually(
    'the start line',
    async () => log(),
    (l) => l.includes('"vnfm serving"'),
    30_000,
  );
  const start = log()
    .split('\n')
    .find((l) => l.includes('"vnfm serving"'));
  assert.ok(start, 'the start line');
  assert.match(
    start,
    /"store":"sqlite:[^"]+","dataDir":"[^"]+","address":"0\.0\.0\.0:\d+","auth":"on","tls":"off"/,
  );
  assert.ok(
    !log().includes(secret) && !log().includes(access_token),
    'neither the secret nor the token is logged',
  );
  child.kill('SIGTERM');
  assert.equal(await stopped(child), 0);
});

/** A CA, two server certificates for 127.0.0.1 and a client certificate, made by openssl. */
function pki(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test CA', '-days', '2');
  const issue = (name: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      '-extfile',
      `${name}.ext`,
    );
  };
  issue('server-a', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('server-b', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', 'extendedKeyUsage=clientAuth\n');
  return (name: string) => join(dir, name);
}

/** The fingerprint of the certificate the server presents (with a client certificate). */
function servedCertificate(port: number, file: (n: string) => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        ca: readFileSync(file('ca.crt')),
        cert: readFileSync(file('client.crt')),
        key: readFileSync(file('client.key')),
      },
      () => {
        const fp = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
        socket.end();
        resolve(fp);
      },
    );
    socket.once('error', reject);
  });
}

function httpsGet(port: number, path: string, tls: Record<string, Buffer>): Promise<number> {
  return new Promise((resolve, reject) => {
    // agent: false, a connection of its own: a pooled one could be the old certificate's.
    const req = request({ host: '127.0.0.1', port, path, agent: false, ...tls }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

test('HTTPS with the given certificate, swapped on SIGHUP; mTLS refuses a client without a certificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-tls-'));
  const file = pki(dir);
  copyFileSync(file('server-a.crt'), file('tls.crt'));
  copyFileSync(file('server-a.key'), file('tls.key'));
  const port = await freePort();
  const { child, log } = serve(dir, port, [], {
    VNFM_TLS_CERT: file('tls.crt'),
    VNFM_TLS_KEY: file('tls.key'),
    VNFM_TLS_CLIENT_CA: file('ca.crt'),
  });
  const fingerprint = (name: string) => new X509Certificate(readFileSync(file(name))).fingerprint256;
  const served = await eventually(
    'the HTTPS server to listen',
    () => servedCertificate(port, file).catch(() => ''),
    (fp) => fp !== '',
    30_000,
  );
  assert.equal(served, fingerprint('server-a.crt'));

  const client = {
    ca: readFileSync(file('ca.crt')),
    cert: readFileSync(file('client.crt')),
    key: readFileSync(file('client.key')),
  };
  assert.equal(await httpsGet(port, '/healthz', client), 200);
  // TLS 1.3: the server's alert "certificate required" ends the connection.
  await assert.rejects(httpsGet(port, '/healthz', { ca: client.ca }), (err: NodeJS.ErrnoException) => {
    assert.match(`${err.code} ${err.message}`, /CERTIFICATE_REQUIRED|certificate required|ECONNRESET|EPIPE/i);
    return true;
  });
  await eventually(
    'the start line',
    async () => log(),
    (l) => /"tls":"mtls"/.test(l),
    30_000,
  );

  copyFileSync(file('server-b.crt'), file('tls.crt'));
  copyFileSync(file('server-b.key'), file('tls.key'));
  child.kill('SIGHUP');
  await eventually(
    'the new certificate to be served',
    () => servedCertificate(port, file),
    (fp) => fp === fingerprint('server-b.crt'),
    30_000,
  );
  assert.equal(await httpsGet(port, '/healthz', client), 200);
  await eventually(
    'the reload logged',
    async () => log(),
    (l) => l.includes('TLS certificate reloaded'),
    30_000,
  );
  child.kill('SIGTERM');
  assert.equal(await stopped(child), 0);
});
