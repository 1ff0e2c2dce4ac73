// schemathesis (the OpenAPI fuzzer, from the venv testbed/scripts/python-venv.sh
// makes) against /openapi.json of a real `vnfm serve` process with OAuth 2.0 on, with
// a bearer token from its own token endpoint: no answer may be a server error.
//
// The server holds a VIM, a package and an instance (written into its store first,
// by a VNFM in this process). It and schemathesis run in a network namespace of
// their own, where only loopback exists: fuzzed VIM registrations and package
// uploads from a URI name arbitrary hosts, and must reach none.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { hashSecret } from '../../src/auth/clients.ts';
import { SCOPES } from '../../src/auth/scopes.ts';
import { createInstance, onboardPackage, registerTestbedVim, startOp } from '../helpers/lcm.ts';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { parseMetrics, sample } from '../helpers/metrics.ts';
import { venvBin } from '../helpers/python-venv.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const run = promisify(execFile);
const vnfmBin = new URL('../../bin/vnfm', import.meta.url).pathname;
/** Test cases per API operation, and the bound on the whole run. */
const MAX_EXAMPLES = 25;
const MAX_RUN_MS = 480_000;
/**
 * Besides no 5xx: an undocumented method is 405, a request the schema forbids is a
 * 4xx, a missing required header is refused, a secured operation called without
 * credentials is a 401. Not the response checks: the document declares no response
 * schemas or status codes yet.
 */
const CHECKS = [
  'not_a_server_error',
  'unsupported_method',
  'negative_data_rejection',
  'missing_required_header',
  'ignored_auth',
];
const PORT = 9890; // the namespace's own loopback: nothing else listens there
const BASE = `http://127.0.0.1:${PORT}`;

const netns = `vnfm-st-${randomBytes(4).toString('hex')}`;
const inNetns = (argv: string[]) => ['netns', 'exec', netns, ...argv];
let work = '';
let server: ChildProcess | undefined;
let serverLog = '';
let token = '';
const ids = { vimId: '', vnfPkgId: '', instanceId: '', opOccId: '' };

/** Runs a program inside the namespace, `input` on its stdin; resolves with its exit code and output. */
function nsRun(argv: string[], input = '', timeoutMs = 30_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ip',
      inNetns(argv),
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, out, errOut) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, out: `${out}${errOut}` });
      },
    );
    child.stdin?.end(input);
  });
}

/** GET `url` in the namespace with the token (given to curl on its stdin, not in argv). */
const authorized = (url: string) =>
  nsRun(['curl', '-sS', '-K', '-'], `url = "${url}"\nheader = "Authorization: Bearer ${token}"`);

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'vnfm-schemathesis-'));
  const dataDir = join(work, 'data');
  const database = await freshStore('sqlite');

  // The data the fuzzer finds: written through the API by a VNFM in this process,
  // which reaches the testbed cluster (the VIM registration checks it answers).
  // No worker: the instantiate stays queued, and the server runs it in the namespace,
  // where the cluster is out of reach: an op occ in FAILED_TEMP to retry, roll back, fail.
  const seed = await startVnfm(database, { dataDir, worker: false });
  try {
    ids.vimId = await registerTestbedVim(seed, 'fuzz-vim');
    const pkg = await onboardPackage(seed);
    ids.vnfPkgId = pkg.pkgId;
    ids.instanceId = await createInstance(seed, pkg.vnfdId, 'fuzz-instance');
    ids.opOccId = await startOp(seed, ids.instanceId, 'instantiate', {
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: [{ id: 'c1', vimId: ids.vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: 'fuzz', 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    await createInstance(seed, pkg.vnfdId, 'fuzz-instance-2');
  } finally {
    await seed.close();
  }

  const secret = randomUUID();
  const clients = join(work, 'clients.yaml');
  writeFileSync(
    clients,
    `clients:\n  - client_id: fuzzer\n    secret_hash: "${await hashSecret(secret)}"\n    scopes: [${SCOPES.join(', ')}]\n`,
    { mode: 0o600 },
  );

  await run('ip', ['netns', 'add', netns]);
  await run('ip', inNetns(['ip', 'link', 'set', 'lo', 'up']));
  server = spawn(
    'ip',
    inNetns([
      vnfmBin,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(PORT),
      '--database',
      database,
      '--data-dir',
      dataDir,
      '--auth-clients',
      clients,
      '--log-level',
      'warn',
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
  await eventually(
    'the VNFM in the namespace to be ready',
    () => nsRun(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `${BASE}/readyz`]),
    (r) => r.out === '200' || server?.exitCode !== null,
    60_000,
  );
  assert.equal(server.exitCode, null, `the server stopped: ${serverLog}`);
  // The client's secret goes to curl on its stdin (a config file), never on a command line.
  const answer = await nsRun(
    ['curl', '-sS', '--fail-with-body', '-K', '-'],
    [
      `url = "${BASE}/oauth2/token"`,
      `user = "fuzzer:${secret}"`,
      'data = "grant_type=client_credentials"',
    ].join('\n'),
  );
  assert.equal(answer.code, 0, answer.out);
  const accessToken = (JSON.parse(answer.out) as { access_token: string }).access_token;
  assert.ok(accessToken);
  token = accessToken;
  await eventually(
    'the queued instantiate to fail in the namespace (no cluster there)',
    () => authorized(`${BASE}/vnflcm/v1/vnf_lcm_op_occs/${ids.opOccId}`),
    (r) => /"operationState":"FAILED_TEMP"/.test(r.out),
    300_000,
  );
  // schemathesis reads the header from its config file, the token from its environment;
  // the path parameters of each interface name the stored VIM, package, instance, op occ.
  const operations = (pathRegex: string, params: Record<string, string>) =>
    `[[operations]]\ninclude-path-regex = '${pathRegex}'\nparameters = { ${Object.entries(params)
      .map(([k, v]) => `"path.${k}" = "${v}"`)
      .join(', ')} }\n`;
  writeFileSync(
    join(work, 'schemathesis.toml'),
    [
      'headers = { Authorization = "Bearer ${VNFM_TOKEN}" }\n',
      // Any 4xx is a rejection (the default list lacks 413 and 414, which the edge answers).
      '[checks.negative_data_rejection]\nexpected-statuses = ["4xx"]\n',
      operations('^/v1\\.0/vims/', { vimId: ids.vimId }),
      operations('^/vnfpkgm/v1/vnf_packages/', { vnfPkgId: ids.vnfPkgId }),
      operations('^/vnflcm/v1/vnf_instances/', { id: ids.instanceId }),
      operations('^/vnflcm/v1/vnf_lcm_op_occs/', { id: ids.opOccId }),
      // The event streams (text/event-stream) stay open while their op occs may change (the one
      // here is FAILED_TEMP): a request that never ends is no test case. test/lcm/progress.test.ts
      // drives them; their refusals (404, 400, 401, 503) are ordinary ProblemDetails.
      "[[operations]]\ninclude-path-regex = '/events$'\nenabled = false\n",
    ].join('\n'),
  );
});

after(async () => {
  server?.kill('SIGTERM');
  if (server && server.exitCode === null) await new Promise((r) => server!.once('exit', r));
  await run('ip', ['netns', 'delete', netns]).catch(() => {});
});

test('schemathesis finds no server error in any operation of /openapi.json', async () => {
  const bin = await venvBin();
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
    let text = '';
    const child = spawn(
      'ip',
      inNetns([
        join(bin, 'schemathesis'),
        '--config-file',
        join(work, 'schemathesis.toml'),
        'run',
        `${BASE}/openapi.json`,
        '--checks',
        CHECKS.join(','),
        '--max-examples',
        String(MAX_EXAMPLES),
        '--workers',
        '1',
        '--request-timeout',
        '30',
        '--generation-database',
        'none',
        '--no-color',
        '--output-truncate',
        'false',
      ]),
      {
        cwd: work,
        // Nothing of the test's environment; the token by the variable the config file names.
        env: { PATH: `${bin}:/usr/sbin:/usr/bin:/bin`, HOME: work, LANG: 'C.UTF-8', VNFM_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), MAX_RUN_MS);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve({ code: c ?? -1, out: text });
    });
  });
  assert.equal(
    code,
    0,
    `schemathesis reported failures (exit ${code}):\n${out}\n--- server log:\n${serverLog}`,
  );
  assert.match(out, /passed/i, out);
  // The server's own count: the token was taken (protected routes answered 200) and no
  // request of the whole run, fuzzed or not, ended in a 5xx.
  const metrics = await authorized(`${BASE}/metrics`);
  const samples = parseMetrics(metrics.out);
  assert.ok(
    sample(samples, 'vnfm_http_requests_total', {
      route: '/vnflcm/v1/vnf_instances',
      method: 'GET',
      status: '200',
    }) > 0,
  );
  assert.ok(sample(samples, 'vnfm_http_requests_total', { route: '/v1.0/vims/:vimId', status: '200' }) > 0);
  // ignored_auth sent requests without the token, and they were refused.
  assert.ok(sample(samples, 'vnfm_http_requests_total', { status: '401' }) > 0);
  const serverErrors = samples.filter(
    (x) => x.name === 'vnfm_http_requests_total' && x.labels.status?.startsWith('5'),
  );
  assert.deepEqual(serverErrors, [], 'no 5xx in the whole run');
  assert.doesNotMatch(serverLog, /"level":50/, 'no error in the server log');
});
