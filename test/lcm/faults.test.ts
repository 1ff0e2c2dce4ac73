// Faults the engine must survive, against the real cluster: the VNFM killed with
// SIGKILL in the middle of an instantiate (op occ FAILED_TEMP after restart;
// rollback leaves nothing; retry completes), and the VIM's API server becoming
// unreachable during an operation (FAILED_TEMP with a clear error; retry works
// once it is back).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { deploymentManifest, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  startOp,
} from '../helpers/lcm.ts';
import { pods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { apiServerProxy } from '../helpers/tcp-proxy.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { httpClient, startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const vnfmBin = new URL('../../bin/vnfm', import.meta.url).pathname;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** A `vnfm serve` process on a store and data dir that survive it, driven over HTTP like a TestVnfm. */
async function serveProcess(
  database: string,
  dataDir: string,
  port: number,
): Promise<{ child: ChildProcess; vnfm: TestVnfm }> {
  const child = spawn(
    vnfmBin,
    ['serve', '--port', String(port), '--database', database, '--data-dir', dataDir, '--log-level', 'warn'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, VNFM_LCM_TIMEOUT_SECONDS: '600' },
    },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    'vnfm to listen',
    () =>
      fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false),
    Boolean,
    20_000,
  );
  const request = httpClient(url);
  return { child, vnfm: { url, request, logs: () => '', close: async () => {}, ctx: undefined as never } };
}

test('SIGKILL during instantiate: FAILED_TEMP after restart, rollback leaves nothing, retry completes', async () => {
  const database = await freshStore('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'vnfm-crash-'));
  const port = await freePort();
  const ns = `crash-${randomBytes(3).toString('hex')}`;
  const label = `vnfm-test-${randomBytes(3).toString('hex')}`;
  // Pods that no node accepts until the test labels one: instantiate stays PROCESSING.
  const stuck = 'Files/kubernetes/stuck.yaml';
  const manifests = `${deploymentManifest('vdu1-app', 1, { [label]: 'yes' })}---\n${deploymentManifest('vdu2-app', 1, { [label]: 'yes' })}`;

  let { child, vnfm } = await serveProcess(database, dataDir, port);
  const vimId = await registerTestbedVim(vnfm, 'crash-vim');
  const { vnfdId } = await onboardPackage(vnfm, { edit: (f) => f.set(stuck, manifests) });
  const id = await createInstance(vnfm, vnfdId);
  const body = {
    flavourId: 'helmchart',
    vimConnectionInfo: [{ id: 'v', vimId, vimType: 'kubernetes' }],
    additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [stuck] },
  };
  const core = await kubeClient();
  const killMidway = async () => {
    const opId = await startOp(vnfm, id, 'instantiate', body);
    await eventually(
      'the instantiate to be PROCESSING with pods created',
      async () => ({
        op: (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body.operationState,
        pods: (await pods(core, ns, 'app')).length,
      }),
      (s) => s.op === 'PROCESSING' && s.pods === 2,
      60_000,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    ({ child, vnfm } = await serveProcess(database, dataDir, port));
    const op = (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body;
    assert.equal(op.operationState, 'FAILED_TEMP');
    assert.match(op.error.detail, /stopped while it was PROCESSING/);
    return opId;
  };

  const first = await killMidway();
  assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${first}/rollback`)).status, 202);
  assert.equal((await opOccSettled(vnfm, first)).operationState, 'ROLLED_BACK');
  await eventually(
    'no pods after rollback',
    () => pods(core, ns, 'app'),
    (ps) => ps.length === 0,
  );
  assert.equal(
    (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiationState,
    'NOT_INSTANTIATED',
  );

  const second = await killMidway();
  const node = 'kwok-node-1';
  await core.patchNode({
    name: node,
    body: [{ op: 'add', path: `/metadata/labels/${label}`, value: 'yes' }],
  });
  try {
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${second}/retry`)).status, 202);
    const done = await opOccSettled(vnfm, second);
    assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
    const info = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
    assert.equal(info.instantiatedVnfInfo.vnfcResourceInfo.length, 2);
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  } finally {
    await core.patchNode({ name: node, body: [{ op: 'remove', path: `/metadata/labels/${label}` }] });
  }
});

test('API server unreachable during an operation: FAILED_TEMP with a clear error, retry succeeds once back', async () => {
  const env = await testbed();
  const proxy = await apiServerProxy();
  const vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 20 });
  try {
    const ns = `unreach-${randomBytes(3).toString('hex')}`;
    const vimId = await registerTestbedVim(vnfm, 'via-proxy', {}, `https://127.0.0.1:${proxy.port}`);
    const { vnfdId } = await onboardPackage(vnfm);
    const id = await createInstance(vnfm, vnfdId);
    await proxy.cut();
    const opId = await startOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'v', vimId: vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    const failed = await opOccSettled(vnfm, opId);
    assert.equal(failed.operationState, 'FAILED_TEMP');
    assert.match(failed.error.detail, /ECONNREFUSED|connect|unreachable/i);
    assert.ok(!JSON.stringify(failed).includes(env.bearerToken), 'no token in the error');
    await proxy.open();
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/retry`)).status, 202);
    const done = await opOccSettled(vnfm, opId);
    assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  } finally {
    await vnfm.close();
    await proxy.cut();
  }
});

test('API server unreachable from the start: rollback has nothing to undo and completes, DELETE works', async () => {
  const proxy = await apiServerProxy();
  const vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 20 });
  try {
    const vimId = await registerTestbedVim(vnfm, 'via-proxy', {}, `https://127.0.0.1:${proxy.port}`);
    const { vnfdId } = await onboardPackage(vnfm);
    const id = await createInstance(vnfm, vnfdId);
    await proxy.cut();
    const opId = await startOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'v', vimId: vimId, vimType: 'kubernetes' }],
      additionalParams: {
        namespace: `never-${randomBytes(3).toString('hex')}`,
        'lcm-kubernetes-def-files': [MANIFEST_PATH],
      },
    });
    assert.equal((await opOccSettled(vnfm, opId)).operationState, 'FAILED_TEMP');
    // Still unreachable: the rollback must not need the cluster, since nothing was created there.
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/rollback`)).status, 202);
    const rolled = await opOccSettled(vnfm, opId);
    assert.equal(rolled.operationState, 'ROLLED_BACK', JSON.stringify(rolled.error));
    assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
  } finally {
    await vnfm.close();
    await proxy.cut();
  }
});
