// The SOL003 lifecycle of a manifest-mode CNF on the real testbed cluster, on
// SQLite and PostgreSQL: instantiate, scale out/in, heal one VNFC, terminate —
// with vnfcResourceInfo checked against the pods the cluster really runs — and
// the SOL003 answers to bad requests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  startOp,
} from '../helpers/lcm.ts';
import { pods, runningPods } from '../helpers/pods.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { kubeClient } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const validInstance = etsiValidator('sol003-vnflcm-v2.6.1/vnfInstance.schema.json');
const validOpOcc = etsiValidator('sol003-vnflcm-v2.6.1/VnfLcmOpOcc.schema.json');

for (const store of STORES) {
  describe(`manifest-mode lifecycle on ${store}`, () => {
    let vnfm: TestVnfm;
    let vimId = '';
    let vnfdId = '';
    const ns = `lcm-${randomBytes(3).toString('hex')}`;
    const instantiateBody = () => ({
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    const instance = async (id: string) => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
    /** vnfcResourceInfo must name exactly the pods the cluster runs for each VDU. */
    const assertMatchesCluster = async (id: string, expect: Record<string, number>) => {
      const core = await kubeClient();
      for (const [vdu, n] of Object.entries(expect)) {
        const app = vdu === 'VDU1' ? 'vdu1-app' : 'vdu2-app';
        const live = await runningPods(core, ns, `app=${app}`, n);
        const info = (await instance(id)).instantiatedVnfInfo;
        const recorded = info.vnfcResourceInfo.filter((v: any) => v.vduId === vdu).map((v: any) => v.id);
        assert.deepEqual(
          recorded.sort(),
          live.map((p) => p.name).sort(),
          `${vdu} vnfcResourceInfo = live pods`,
        );
      }
    };

    before(async () => {
      vnfm = await startVnfm(await freshStore(store), { lcmTimeoutSeconds: 60, refreshSeconds: 1 });
      vimId = await registerTestbedVim(vnfm, `k8s-${store}`);
      vnfdId = (await onboardPackage(vnfm)).vnfdId;
    });
    after(() => vnfm.close());

    test('instantiate → scale out → scale in → heal → terminate, always matching the cluster', async () => {
      const id = await createInstance(vnfm, vnfdId);
      const created = await instance(id);
      assert.equal(created.instantiationState, 'NOT_INSTANTIATED');
      assert.deepEqual(validInstance(created), []);

      const inst = await runOp(vnfm, id, 'instantiate', instantiateBody());
      assert.deepEqual(validOpOcc(inst), []);
      assert.equal(inst.operation, 'INSTANTIATE');
      assert.equal(inst.resourceChanges.affectedVnfcs.filter((c: any) => c.changeType === 'ADDED').length, 2);
      let info = await instance(id);
      assert.equal(info.instantiationState, 'INSTANTIATED');
      assert.deepEqual(validInstance(info), []);
      assert.deepEqual(
        info.instantiatedVnfInfo.scaleStatus.sort((a: any, b: any) => a.aspectId.localeCompare(b.aspectId)),
        [
          { aspectId: 'vdu1_aspect', scaleLevel: 0 },
          { aspectId: 'vdu2_aspect', scaleLevel: 0 },
        ],
      );
      await assertMatchesCluster(id, { VDU1: 1, VDU2: 1 });

      await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 2 });
      await assertMatchesCluster(id, { VDU1: 3, VDU2: 1 });
      info = await instance(id);
      assert.equal(
        info.instantiatedVnfInfo.scaleStatus.find((s: any) => s.aspectId === 'vdu1_aspect').scaleLevel,
        2,
      );

      let bad = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/scale`, {
        type: 'SCALE_OUT',
        aspectId: 'vdu1_aspect',
      });
      assert.equal(bad.status, 400, 'beyond max_scale_level');
      assert.match(bad.body.detail, /above max_scale_level 2/);

      await runOp(vnfm, id, 'scale', { type: 'SCALE_IN', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
      await assertMatchesCluster(id, { VDU1: 2, VDU2: 1 });
      bad = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/scale`, {
        type: 'SCALE_IN',
        aspectId: 'vdu2_aspect',
      });
      assert.equal(bad.status, 400, 'below 0');

      const victim = (await instance(id)).instantiatedVnfInfo.vnfcResourceInfo.find(
        (v: any) => v.vduId === 'VDU1',
      ).id;
      const healed = await runOp(vnfm, id, 'heal', { vnfcInstanceId: [victim] });
      assert.ok(
        healed.resourceChanges.affectedVnfcs.some((c: any) => c.id === victim && c.changeType === 'REMOVED'),
      );
      await assertMatchesCluster(id, { VDU1: 2, VDU2: 1 });
      assert.ok(!(await instance(id)).instantiatedVnfInfo.vnfcResourceInfo.some((v: any) => v.id === victim));
      bad = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/heal`, {
        vnfcInstanceId: ['no-such-pod'],
      });
      assert.equal(bad.status, 400);

      assert.equal(
        (await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status,
        409,
        'instantiated',
      );
      assert.equal((await vnfm.request('DELETE', `/v1.0/vims/${vimId}`)).status, 409, 'VIM in use');

      // A second operation while one runs: 409 naming the running one.
      const opId = await startOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu2_aspect' });
      const busy = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/terminate`, {
        terminationType: 'FORCEFUL',
      });
      assert.equal(busy.status, 409);
      assert.match(busy.body.detail, new RegExp(opId));
      assert.equal((await opOccSettled(vnfm, opId)).operationState, 'COMPLETED');
      assert.equal(
        (await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/retry`)).status,
        409,
        'retry of COMPLETED',
      );

      const term = await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
      assert.equal(
        term.resourceChanges.affectedVnfcs.every((c: any) => c.changeType === 'REMOVED'),
        true,
      );
      const core = await kubeClient();
      await eventually(
        'no pods left',
        () => pods(core, ns, 'app'),
        (ps) => ps.length === 0,
      );
      info = await instance(id);
      assert.equal(info.instantiationState, 'NOT_INSTANTIATED');
      assert.equal(info.instantiatedVnfInfo, undefined);
      assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
    });

    test('bad instantiate requests: unknown flavour, level, VIM, files; SOL003 answers', async () => {
      const id = await createInstance(vnfm, vnfdId, 'bad-requests');
      const cases: [object, number, RegExp][] = [
        [{ ...instantiateBody(), flavourId: 'nope' }, 400, /flavourId 'nope'/],
        [{ ...instantiateBody(), instantiationLevelId: 'nope' }, 400, /instantiationLevelId 'nope'/],
        [
          { ...instantiateBody(), vimConnectionInfo: [{ id: 'x', vimId: 'nope', vimType: 'kubernetes' }] },
          400,
          /VIM nope/,
        ],
        [
          { ...instantiateBody(), additionalParams: { 'lcm-kubernetes-def-files': ['../../etc/passwd'] } },
          400,
          /passwd/,
        ],
      ];
      for (const [body, status, detail] of cases) {
        const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, body);
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.match(res.body.detail, detail);
      }
      assert.equal(
        (
          await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/terminate`, {
            terminationType: 'FORCEFUL',
          })
        ).status,
        409,
      );
      assert.equal((await vnfm.request('GET', '/vnflcm/v1/vnf_instances/nope')).status, 404);
      assert.equal(
        (await vnfm.request('POST', '/vnflcm/v1/vnf_instances', { vnfdId: 'unknown' })).status,
        422,
      );
      const versions = await vnfm.request('GET', '/vnflcm/v1/api_versions');
      assert.equal(versions.body.apiVersions[0].version, '1.3.0');
      assert.equal(versions.headers.get('version'), '1.3.0');
      const list = await vnfm.request(
        'GET',
        `/vnflcm/v1/vnf_instances?filter=(eq,vnfInstanceName,bad-requests)`,
      );
      assert.equal(list.body.length, 1);
      assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
    });
  });
}
