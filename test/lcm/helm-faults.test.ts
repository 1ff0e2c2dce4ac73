// Master-node faults in Helm mode through the API: a wrong password ends the
// instantiate in FAILED_TEMP with a precise error that holds no secret; once the
// VIM is corrected, retry completes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  startOp,
} from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

let vnfm: TestVnfm;
before(async () => {
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 60 });
});
after(() => vnfm.close());

test('wrong master-node password: FAILED_TEMP naming it; after the VIM is fixed, retry completes', async () => {
  const env = await testbed();
  const node = env.sshNodes[0];
  assert.ok(node);
  const wrong = `wrong-${randomBytes(4).toString('hex')}`;
  const vimId = await registerTestbedVim(vnfm, 'helm-fault', {
    helm_info: {
      masternode_ip: [`${node.host}:${node.port}`],
      masternode_username: node.user,
      masternode_password: wrong,
    },
  });
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  const opId = await startOp(vnfm, id, 'instantiate', {
    flavourId: 'helmchart',
    vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
    additionalParams: {
      namespace: `hf-${randomBytes(3).toString('hex')}`,
      use_helm: true,
      using_helm_install_param: [
        { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'vdu1' },
      ],
      helm_replica_values: { vdu1_aspect: 'replicaCount' },
      vdu_mapping: { VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' } },
    },
  });
  const failed = await opOccSettled(vnfm, opId);
  assert.equal(failed.operationState, 'FAILED_TEMP');
  assert.match(failed.error.detail, /authentication failed/);
  assert.ok(!JSON.stringify(failed).includes(wrong), 'the password is not in the error');

  const fix = await vnfm.request('PATCH', `/v1.0/vims/${vimId}`, {
    vim: { extra: { helm_info: { masternode_password: node.password } } },
  });
  assert.equal(fix.status, 200, JSON.stringify(fix.body));
  assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/retry`)).status, 202);
  const done = await opOccSettled(vnfm, opId);
  assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  const logs = vnfm.logs();
  assert.ok(!logs.includes(wrong) && !logs.includes(node.password), 'no password in the log');
});

test('a master-node password given in the request overrides the VIM, and is stored sealed and shown masked', async () => {
  const env = await testbed();
  const node = env.sshNodes[0];
  assert.ok(node);
  const vimId = await registerTestbedVim(vnfm, 'helm-override', {
    helm_info: {
      masternode_ip: `${node.host}:${node.port}`,
      masternode_username: node.user,
      masternode_password: 'stale',
    },
  });
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  const inst = await runOp(vnfm, id, 'instantiate', {
    flavourId: 'helmchart',
    vimConnectionInfo: [
      {
        id: 'c1',
        vimId,
        vimType: 'kubernetes',
        extra: { helm_info: { masternode_password: node.password } },
      },
    ],
    additionalParams: {
      namespace: `ho-${randomBytes(3).toString('hex')}`,
      use_helm: 'True',
      using_helm_install_param: [
        { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'vdu1' },
      ],
      vdu_mapping: { VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' } },
    },
  });
  const shown =
    JSON.stringify(inst) + JSON.stringify((await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body);
  assert.ok(!shown.includes(node.password), 'masked in op occ and instance');
  assert.match(shown, /"masternode_password":"\*\*\*"/);
  const rows =
    JSON.stringify(await vnfm.ctx.db.selectFrom('vnf_instances').selectAll().execute()) +
    JSON.stringify(await vnfm.ctx.db.selectFrom('vnf_lcm_op_occs').selectAll().execute());
  assert.ok(!rows.includes(node.password), 'not stored in clear');
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
});
