// Helm mode through /vnflcm/v2 (helm run on the VNFM host): the v1-style Helm parameters
// (using_helm_install_param, helm_replica_values, vdu_mapping) in a v2 request with a
// vimConnectionInfo map; instantiate, scale out, heal by vnfcInfo id, terminate, with the
// instance's VNFCs matching each release's running pods.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { onboardPackage, registerTestbedVim, vnfcsMatchCluster } from '../helpers/lcm.ts';
import { helmInstantiateBody } from '../helpers/notifications.ts';
import { pods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { createInstanceV2, runOpV2, v2 } from '../helpers/v2.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

let vnfm: TestVnfm;
let vimId = '';
let vnfdId = '';
before(async () => {
  const env = await testbed();
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm4 });
  vimId = await registerTestbedVim(vnfm, 'helm-v2', { helm_info: { masternode_ip: [] } });
  vnfdId = (await onboardPackage(vnfm)).vnfdId;
});
after(() => vnfm.close());

test('Helm mode through v2: instantiate, scale out, heal by vnfcInfo id, terminate', async () => {
  const ns = `v2-helm-${randomBytes(3).toString('hex')}`;
  const { vimConnectionInfo: _list, ...v1Body } = helmInstantiateBody(vimId, ns) as Record<string, unknown>;
  const id = await createInstanceV2(vnfm, vnfdId, 'v2-helm');
  const releaseOf = (vdu: string) => vdu.toLowerCase();

  await runOpV2(vnfm, id, 'instantiate', {
    ...v1Body,
    vimConnectionInfo: { c1: { vimId, vimType: 'kubernetes' } },
  });
  await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 1, VDU2: 1 }, releaseOf);
  await runOpV2(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
  await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 2, VDU2: 1 }, releaseOf);

  const info = (await v2(vnfm, 'GET', `/vnf_instances/${id}`)).body.instantiatedVnfInfo;
  const victim = info.vnfcInfo.find((v: any) => v.vduId === 'VDU2');
  assert.equal(victim.id, `VDU2-${victim.vnfcResourceInfoId}`);
  const healed = await runOpV2(vnfm, id, 'heal', { vnfcInstanceId: [victim.id] });
  assert.ok(
    healed.resourceChanges.affectedVnfcs.some(
      (c: any) => c.id === victim.vnfcResourceInfoId && c.changeType === 'REMOVED',
    ),
  );
  const after = await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 2, VDU2: 1 }, releaseOf);
  assert.ok(!after.vnfcResourceInfo.some((v: any) => v.id === victim.vnfcResourceInfoId));

  await runOpV2(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  const core = await kubeClient();
  await eventually(
    'no pods left',
    () => pods(core, ns, 'app.kubernetes.io/instance'),
    (ps) => ps.length === 0,
  );
  assert.equal((await v2(vnfm, 'GET', `/vnf_instances/${id}`)).body.instantiationState, 'NOT_INSTANTIATED');
  assert.equal((await v2(vnfm, 'DELETE', `/vnf_instances/${id}`)).status, 204);
});
