// Scale-out on PostgreSQL: an API-only server and two separate `vnfm worker`
// processes share one store. Every operation runs exactly once, and both
// workers take a share (claims use FOR UPDATE SKIP LOCKED).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { opOccSettled } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { eventually } from '../helpers/wait.ts';
import { httpClient } from '../helpers/vnfm.ts';
import { cnfPackage } from '../helpers/cnf-package.ts';

const vnfm = new URL('../../bin/vnfm', import.meta.url).pathname;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGTERM');
});

function start(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string } {
  let out = '';
  const child = spawn(vnfm, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout?.on('data', (d: Buffer) => {
    out += d;
  });
  children.push(child);
  return { child, out: () => out };
}

test('two worker processes share the work of one PostgreSQL store, each op occ run once', async () => {
  const database = await freshStore('postgres');
  const dataDir = mkdtempSync(join(tmpdir(), 'vnfm-scaleout-'));
  const env = {
    VNFM_DATABASE: database,
    VNFM_DATA_DIR: dataDir,
    VNFM_LOG_LEVEL: 'info',
    VNFM_WORKER_CONCURRENCY: '2',
  };
  const port = await freePort();
  start(['serve', '--port', String(port)], { ...env, VNFM_EMBEDDED_WORKER: 'false' });
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    'api',
    () =>
      fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false),
    Boolean,
    120_000,
  );
  const workers = [start(['worker'], env), start(['worker'], env)];

  const call = httpClient(url);
  const tb = await testbed();
  const vim = await call('POST', '/v1.0/vims', {
    vim: {
      name: 'scaleout',
      type: 'kubernetes',
      auth_url: tb.apiServer,
      auth_cred: { bearer_token: tb.bearerToken, ssl_ca_cert: readFileSync(tb.caFile, 'utf8') },
    },
  });
  assert.equal(vim.status, 201);
  const { zip, vnfdId } = await cnfPackage();
  const pkg = (await call('POST', '/vnfpkgm/v1/vnf_packages', {})).body;
  assert.equal((await call('PUT', `/vnfpkgm/v1/vnf_packages/${pkg.id}/package_content`, zip)).status, 202);
  await eventually(
    'onboarded',
    async () => (await call('GET', `/vnfpkgm/v1/vnf_packages/${pkg.id}`)).body.onboardingState,
    (s) => s === 'ONBOARDED',
  );

  const ops: string[] = [];
  const instances: string[] = [];
  for (let i = 0; i < 6; i++) {
    const id = (await call('POST', '/vnflcm/v1/vnf_instances', { vnfdId })).body.id;
    instances.push(id);
    const res = await call('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'v', vimId: vim.body.vim.id, vimType: 'kubernetes' }],
      additionalParams: {
        namespace: `so-${randomBytes(3).toString('hex')}`,
        'lcm-kubernetes-def-files': [MANIFEST_PATH],
      },
    });
    assert.equal(res.status, 202);
    ops.push(String(res.headers.get('location')).split('/').pop() as string);
  }
  const client = { request: call } as never;
  for (const op of ops) assert.equal((await opOccSettled(client, op)).operationState, 'COMPLETED');

  const ranBy = workers.map((w) =>
    w
      .out()
      .split('\n')
      .filter((l) => l.includes('"operation COMPLETED"'))
      .map((l) => JSON.parse(l).vnfLcmOpOccId as string),
  );
  const all = ranBy.flat();
  assert.deepEqual(
    [...all].sort(),
    [...ops].sort(),
    'every op occ completed exactly once across the workers',
  );
  assert.ok(
    ranBy.every((r) => r.length > 0),
    `both workers took work: ${ranBy.map((r) => r.length).join(' + ')}`,
  );

  for (const id of instances) {
    const res = await call('POST', `/vnflcm/v1/vnf_instances/${id}/terminate`, {
      terminationType: 'FORCEFUL',
    });
    assert.equal(res.status, 202);
    const op = String(res.headers.get('location')).split('/').pop() as string;
    assert.equal((await opOccSettled(client, op)).operationState, 'COMPLETED');
  }
});
