// A manifest-mode CNF's whole lifecycle through /vnflcm/v2 on the real testbed cluster:
// instantiate (vimConnectionInfo as a map) → scale out → scale to level → heal one VNFC by
// its vnfcInfo id → terminate, each op occ in SOL003 v3.3.1's form, the instance read
// through v1 and v2 after each step (same id, same state, the VNFCs the cluster runs).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { onboardPackage, registerTestbedVim } from '../helpers/lcm.ts';
import { pods, runningPods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient } from '../helpers/testbed.ts';
import { createInstanceV2, runOpV2, V2, v2 } from '../helpers/v2.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

describe('manifest-mode lifecycle through /vnflcm/v2', () => {
  let vnfm: TestVnfm;
  let vimId = '';
  let vnfdId = '';
  const ns = `v2-${randomBytes(3).toString('hex')}`;

  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 60, refreshSeconds: 1 });
    vimId = await registerTestbedVim(vnfm, 'k8s-v2');
    vnfdId = (await onboardPackage(vnfm)).vnfdId;
  });
  after(() => vnfm.close());

  const views = async (id: string) => {
    const viaV2 = await v2(vnfm, 'GET', `/vnf_instances/${id}`);
    const viaV1 = await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`);
    assert.equal(viaV2.status, 200);
    assert.equal(viaV1.status, 200);
    return { v2: viaV2.body, v1: viaV1.body };
  };

  /** Both views agree, vnfcInfo mirrors vnfcResourceInfo, and the VNFCs are the pods running. */
  const consistent = async (id: string, expect: Record<string, number>) => {
    const core = await kubeClient();
    const live = new Map<string, string[]>();
    for (const [vdu, n] of Object.entries(expect)) {
      const running = await runningPods(core, ns, `app=${vdu === 'VDU1' ? 'vdu1-app' : 'vdu2-app'}`, n);
      live.set(vdu, running.map((p) => p.name).sort());
    }
    const { v1, v2: viaV2 } = await views(id);
    assert.equal(viaV2.id, v1.id);
    for (const k of ['instantiationState', 'vnfdId', 'vnfInstanceName', 'vnfSoftwareVersion'])
      assert.equal(viaV2[k], v1[k], k);
    const i1 = v1.instantiatedVnfInfo;
    const i2 = viaV2.instantiatedVnfInfo;
    assert.deepEqual(i2.scaleStatus, i1.scaleStatus);
    assert.equal(i1.maxScaleLevels, undefined, 'v1 shows what it always did');
    assert.equal(i2.flavourId, i1.flavourId);
    assert.deepEqual(
      i2.vnfcResourceInfo.map((v: any) => ({ ...v, vnfdId: undefined })),
      i1.vnfcResourceInfo.map((v: any) => ({ ...v, vnfdId: undefined })),
    );
    assert.ok(i2.vnfcResourceInfo.every((v: any) => v.vnfdId === vnfdId));
    assert.deepEqual(
      i2.vnfcInfo,
      i1.vnfcResourceInfo.map((v: any) => ({
        id: `${v.vduId}-${v.id}`,
        vduId: v.vduId,
        vnfcResourceInfoId: v.id,
        vnfcState: 'STARTED',
      })),
    );
    for (const [vdu, names] of live) {
      const recorded = i2.vnfcResourceInfo.filter((v: any) => v.vduId === vdu).map((v: any) => v.id);
      assert.deepEqual(recorded.sort(), names, `${vdu}: vnfcResourceInfo = live pods`);
    }
    return viaV2;
  };

  test('instantiate → scale → scale_to_level → heal by vnfcInfo id → terminate, through v2', async () => {
    const id = await createInstanceV2(vnfm, vnfdId, 'v2-lifecycle');

    const inst = await runOpV2(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: { vim1: { vimId, vimType: 'kubernetes' } },
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    assert.equal(inst.operation, 'INSTANTIATE');
    assert.deepEqual(inst.operationParams.vimConnectionInfo, { vim1: { vimId, vimType: 'kubernetes' } });
    assert.deepEqual(Object.keys(inst._links).sort(), ['self', 'vnfInstance']);
    assert.equal(inst._links.vnfInstance.href, `${V2}/vnf_instances/${id}`);
    const added = inst.resourceChanges.affectedVnfcs;
    assert.equal(added.length, 2);
    assert.ok(added.every((c: any) => c.changeType === 'ADDED' && c.vnfdId === vnfdId));

    let view = await consistent(id, { VDU1: 1, VDU2: 1 });
    assert.equal(view.instantiationState, 'INSTANTIATED');
    assert.deepEqual(view.vimConnectionInfo, { vim1: { vimId, vimType: 'kubernetes' } });
    assert.deepEqual(
      [...view.instantiatedVnfInfo.maxScaleLevels].sort((x: any, y: any) =>
        x.aspectId.localeCompare(y.aspectId),
      ),
      [
        { aspectId: 'vdu1_aspect', scaleLevel: 2 },
        { aspectId: 'vdu2_aspect', scaleLevel: 2 },
      ],
      "the flavour's max_scale_level of each aspect",
    );
    const listed0 = await v2(
      vnfm,
      'GET',
      `/vnf_instances?filter=(eq,id,${id})&fields=instantiatedVnfInfo/maxScaleLevels`,
    );
    assert.equal(listed0.body[0].instantiatedVnfInfo.maxScaleLevels.length, 2, 'in a list too');
    const { v1 } = await views(id);
    assert.deepEqual(v1.vimConnectionInfo, [{ id: 'vim1', vimId, vimType: 'kubernetes' }]);
    assert.deepEqual(Object.keys(view._links).sort(), ['heal', 'scale', 'scaleToLevel', 'self', 'terminate']);
    assert.equal(view._links.scaleToLevel.href, `${V2}/vnf_instances/${id}/scale_to_level`);

    const scaled = await runOpV2(vnfm, id, 'scale', {
      type: 'SCALE_OUT',
      aspectId: 'vdu1_aspect',
      numberOfSteps: 1,
    });
    view = await consistent(id, { VDU1: 2, VDU2: 1 });
    await runOpV2(vnfm, id, 'scale_to_level', { scaleInfo: [{ aspectId: 'vdu1_aspect', scaleLevel: 2 }] });
    view = await consistent(id, { VDU1: 3, VDU2: 1 });
    // The op occ actions reach the engine's state machine: a COMPLETED op occ is none of theirs.
    for (const action of ['retry', 'rollback', 'fail', 'cancel']) {
      const res = await v2(vnfm, 'POST', `/vnf_lcm_op_occs/${scaled.id}/${action}`);
      assert.equal(res.status, 409, `${action}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.detail, /COMPLETED/);
    }

    // Heal names vnfcInfo ids; a vnfcResourceInfo id is not one.
    const victim = view.instantiatedVnfInfo.vnfcInfo.find((v: any) => v.vduId === 'VDU1');
    const bad = await v2(vnfm, 'POST', `/vnf_instances/${id}/heal`, {
      vnfcInstanceId: [victim.vnfcResourceInfoId],
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.match(bad.body.detail, /no vnfcInfo of this VNF instance/);
    const healed = await runOpV2(vnfm, id, 'heal', {
      vnfcInstanceId: [victim.id],
      additionalParams: { all: false },
    });
    assert.deepEqual(healed.operationParams.vnfcInstanceId, [victim.id], 'shown as the client named it');
    assert.ok(
      healed.resourceChanges.affectedVnfcs.some(
        (c: any) => c.id === victim.vnfcResourceInfoId && c.changeType === 'REMOVED' && c.vnfdId === vnfdId,
      ),
    );
    view = await consistent(id, { VDU1: 3, VDU2: 1 });
    assert.ok(!view.instantiatedVnfInfo.vnfcInfo.some((v: any) => v.id === victim.id));
    // The same op occ through v1: the engine's form, by vnfcResourceInfo id.
    const healedV1 = (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${healed.id}`)).body;
    assert.deepEqual(healedV1.operationParams.vnfcInstanceId, [victim.vnfcResourceInfoId]);

    const listed = await v2(vnfm, 'GET', `/vnf_lcm_op_occs?filter=(eq,vnfInstanceId,${id})&fields=operation`);
    assert.deepEqual(
      listed.body.map((o: any) => o.operation),
      ['INSTANTIATE', 'SCALE', 'SCALE_TO_LEVEL', 'HEAL'],
    );
    const byVim = await v2(
      vnfm,
      'GET',
      '/vnf_instances?filter=(eq,vimConnectionInfo/vim1/vimId,' + vimId + ')',
    );
    assert.deepEqual(
      byVim.body.map((i: any) => i.id),
      [id],
    );

    const term = await runOpV2(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    assert.ok(term.resourceChanges.affectedVnfcs.every((c: any) => c.changeType === 'REMOVED'));
    const core = await kubeClient();
    await eventually(
      'no pods left',
      () => pods(core, ns, 'app'),
      (ps) => ps.length === 0,
    );
    const ended = await views(id);
    assert.equal(ended.v2.instantiationState, 'NOT_INSTANTIATED');
    assert.equal(ended.v1.instantiationState, 'NOT_INSTANTIATED');
    assert.equal(ended.v2.instantiatedVnfInfo, undefined);
    assert.equal((await v2(vnfm, 'DELETE', `/vnf_instances/${id}`)).status, 204);
  });
});
