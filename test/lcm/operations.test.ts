// The rest of the SOL003 operation set on the real cluster: scale_to_level, heal
// of the whole VNF, scale rollback after a failed scale-out, GRACEFUL terminate,
// cancel of a STARTING op occ, and fail.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { deploymentManifest, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  startOp,
} from '../helpers/lcm.ts';
import { pods, runningPods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

let vnfm: TestVnfm;
let vimId = '';
let vnfdId = '';
const HEAVY = 'Files/kubernetes/heavy.yaml';

before(async () => {
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 45 });
  vimId = await registerTestbedVim(vnfm, 'ops');
  // VDU1 asks for 600 of the 1000 CPUs a kwok node has: at most one pod per node, two in all.
  const heavy = `${deploymentManifest('vdu1-app', 1, undefined, '600')}---\n${deploymentManifest('vdu2-app')}`;
  vnfdId = (await onboardPackage(vnfm, { edit: (f) => f.set(HEAVY, heavy) })).vnfdId;
});
after(() => vnfm.close());

const body = (ns: string, file = MANIFEST_PATH) => ({
  flavourId: 'helmchart',
  vimConnectionInfo: [{ id: 'v', vimId, vimType: 'kubernetes' }],
  additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [file] },
});
const info = async (id: string) => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
const ns = (p: string) => `${p}-${randomBytes(3).toString('hex')}`;

test('scale_to_level by instantiation level and by scaleInfo; heal of the whole VNF keeps the scale', async () => {
  const space = ns('stl');
  const id = await createInstance(vnfm, vnfdId);
  await runOp(vnfm, id, 'instantiate', body(space));
  const core = await kubeClient();
  await runOp(vnfm, id, 'scale_to_level', { instantiationLevelId: 'instantiation_level_2' });
  await runningPods(core, space, 'app=vdu1-app', 3);
  await runningPods(core, space, 'app=vdu2-app', 3);
  await runOp(vnfm, id, 'scale_to_level', { scaleInfo: [{ aspectId: 'vdu1_aspect', scaleLevel: 1 }] });
  await runningPods(core, space, 'app=vdu1-app', 2);
  const bad = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/scale_to_level`, {
    scaleInfo: [{ aspectId: 'vdu1_aspect', scaleLevel: 7 }],
  });
  assert.equal(bad.status, 400);

  const before = (await info(id)).instantiatedVnfInfo.vnfcResourceInfo.map((v: any) => v.id);
  const healed = await runOp(vnfm, id, 'heal', {});
  const after = (await info(id)).instantiatedVnfInfo.vnfcResourceInfo.map((v: any) => v.id);
  assert.equal(after.length, before.length, 'same number of VNFCs after a whole-VNF heal');
  assert.ok(
    after.every((p: string) => !before.includes(p)),
    'every VNFC re-created',
  );
  assert.equal(healed.resourceChanges.affectedVnfcs.length, before.length * 2);
  await runningPods(core, space, 'app=vdu1-app', 2);
  await runOp(vnfm, id, 'terminate', { terminationType: 'GRACEFUL', gracefulTerminationTimeout: 5 });
  await eventually(
    'pods gone',
    () => pods(core, space, 'app'),
    (ps) => ps.length === 0,
  );
});

test('a scale-out that cannot become ready ends FAILED_TEMP; rollback restores the replicas', async () => {
  const space = ns('srb');
  const id = await createInstance(vnfm, vnfdId);
  await runOp(vnfm, id, 'instantiate', body(space, HEAVY));
  const opId = await startOp(vnfm, id, 'scale', {
    type: 'SCALE_OUT',
    aspectId: 'vdu1_aspect',
    numberOfSteps: 2,
  });
  const failed = await opOccSettled(vnfm, opId);
  assert.equal(failed.operationState, 'FAILED_TEMP');
  assert.match(failed.error.detail, /vdu1-app/);
  const blocked = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/terminate`, {
    terminationType: 'FORCEFUL',
  });
  assert.equal(blocked.status, 409, 'FAILED_TEMP holds the instance');
  assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/rollback`)).status, 202);
  assert.equal((await opOccSettled(vnfm, opId)).operationState, 'ROLLED_BACK');
  const core = await kubeClient();
  await runningPods(core, space, 'app=vdu1-app', 1);
  const levels = (await info(id)).instantiatedVnfInfo.scaleStatus;
  assert.equal(levels.find((s: any) => s.aspectId === 'vdu1_aspect').scaleLevel, 0);
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
});

test('cancel of a STARTING op occ, and fail of a FAILED_TEMP one', async () => {
  const idle = await startVnfm(await freshStore('sqlite'), { worker: false });
  try {
    const v = await registerTestbedVim(idle, 'idle');
    const { vnfdId: d } = await onboardPackage(idle);
    const id = await createInstance(idle, d);
    const opId = await startOp(idle, id, 'instantiate', {
      ...body(ns('cancel')),
      vimConnectionInfo: [{ id: 'v', vimId: v, vimType: 'kubernetes' }],
    });
    assert.equal(
      (await idle.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body.operationState,
      'STARTING',
    );
    assert.equal((await idle.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/cancel`, {})).status, 202);
    const cancelled = (await idle.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body;
    assert.equal(cancelled.operationState, 'ROLLED_BACK');
    assert.equal((await idle.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/fail`)).status, 409);
  } finally {
    await idle.close();
  }

  const space = ns('fail');
  const id = await createInstance(vnfm, vnfdId);
  await runOp(vnfm, id, 'instantiate', body(space, HEAVY));
  const opId = await startOp(vnfm, id, 'scale', {
    type: 'SCALE_OUT',
    aspectId: 'vdu1_aspect',
    numberOfSteps: 2,
  });
  assert.equal((await opOccSettled(vnfm, opId)).operationState, 'FAILED_TEMP');
  const failed = await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/fail`);
  assert.equal(failed.status, 200);
  assert.equal(failed.body.operationState, 'FAILED');
  // FAILED releases the instance: the operator can act again.
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
});
