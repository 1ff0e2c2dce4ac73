// Releasing pool hosts through a MgmtDriver's cleanHost (a minimal driver registered by
// the test; nothing logs in anywhere): a wipe that fails leaves the host DIRTY and
// attached to the instance, the op occ FAILED_TEMP; the retry wipes it again and frees
// it. A heal retried after its wipe failed does not move the VNFC a second time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { poolHostStates } from '../../src/db/queries/pool-hosts.ts';
import type { MgmtDriver } from '../../src/mgmt/driver.ts';
import { createInstance, onboardPackage, opOccSettled, runOp, startOp } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { poolHosts, registerPool } from './pool-helpers.ts';

const DF = 'Definitions/sample_cnf_df_helmchart.yaml';
const VNF_TEMPLATE = '    VNF:\n      type: company.provider.SampleCNF\n';

/** The flavour names artifact `pool-wiper` for heal_end and terminate_end. */
function scripted(f: Map<string, string | Buffer>) {
  const df = f.get(DF) as string;
  assert.ok(df.includes(VNF_TEMPLATE));
  const lines = [
    '      interfaces:',
    '        Vnflcm:',
    '          heal_end:',
    '            implementation: pool-wiper',
    '          terminate_end:',
    '            implementation: pool-wiper',
    '      artifacts:',
    '        pool-wiper:',
    '          type: tosca.artifacts.Implementation.Python',
    '          file: Files/mgmt/wiper.py',
  ];
  f.set(DF, df.replace(VNF_TEMPLATE, VNF_TEMPLATE + lines.join('\n') + '\n'));
  f.set('Files/mgmt/wiper.py', '# stands for the built-in pool-wiper driver: never run\n');
}

describe('pool hosts released through cleanHost', () => {
  let vnfm: TestVnfm;
  let vimId = '';
  let vnfdId = '';
  const wiped: string[] = [];
  /** Host ids whose next wipe fails. */
  const failNext = new Set<string>();
  const wiper: MgmtDriver = {
    id: 'pool-wiper',
    hooks: {},
    async cleanHost(_ctx, host) {
      wiped.push(host.host.id);
      if (failNext.delete(host.host.id)) throw new Error(`wiping ${host.host.id} failed`);
    },
  };

  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), {
      mgmtDrivers: { 'pool-wiper': 'pool-wiper' },
      extraMgmtDrivers: [wiper],
    });
    ({ vnfdId } = await onboardPackage(vnfm, { edit: scripted }));
    vimId = await registerPool(vnfm, 'wiped-pool', poolHosts(3));
  });
  after(() => vnfm.close());

  const rows = async () =>
    Object.fromEntries((await poolHostStates(vnfm.ctx.db, vimId)).map((r) => [r.host_id, r]));
  let id = '';

  test('heal: the old host stays DIRTY and attached when its wipe fails; the retry wipes it, the VNFC moves once', async () => {
    id = await createInstance(vnfm, vnfdId, 'wiped');
    await runOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'pool', vimId, vimType: 'hostpool' }],
    });
    const info = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiatedVnfInfo;
    const victim = info.vnfcResourceInfo[0];
    const oldHost = victim.computeResource.resourceId;
    failNext.add(oldHost);
    const op = await startOp(vnfm, id, 'heal', { vnfcInstanceId: [victim.id] });
    const failed = await opOccSettled(vnfm, op);
    assert.equal(failed.operationState, 'FAILED_TEMP');
    assert.match(failed.error.detail, new RegExp(`wiping ${oldHost} failed`));
    const mid = await rows();
    assert.equal(mid[oldHost]?.state, 'DIRTY');
    assert.equal(mid[oldHost]?.vnf_instance_id, id, 'still attached to the instance');
    const newHost = Object.values(mid).find(
      (r) => r.vnfc_id === victim.id && r.state === 'ALLOCATED',
    )!.host_id;
    assert.notEqual(newHost, oldHost);

    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${op}/retry`)).status, 202);
    const done = await opOccSettled(vnfm, op);
    assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
    const after = await rows();
    assert.equal(after[oldHost]?.state, 'FREE');
    assert.equal(after[oldHost]?.vnf_instance_id, null);
    assert.equal(after[newHost]?.vnfc_id, victim.id, 'the retry did not move the VNFC again');
    assert.deepEqual(wiped, [oldHost, oldHost], 'wiped twice: failed, then again on retry');
    const healed = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiatedVnfInfo;
    assert.equal(
      healed.vnfcResourceInfo.find((v: any) => v.id === victim.id).computeResource.resourceId,
      newHost,
    );
  });

  test('terminate: a failed wipe leaves that host DIRTY, the retry frees it', async () => {
    wiped.length = 0;
    const bound = Object.values(await rows())
      .filter((r) => r.vnf_instance_id === id)
      .map((r) => r.host_id);
    assert.equal(bound.length, 2);
    failNext.add(bound[1]!);
    const op = await startOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    assert.equal((await opOccSettled(vnfm, op)).operationState, 'FAILED_TEMP');
    const mid = await rows();
    assert.equal(mid[bound[1]!]?.state, 'DIRTY');
    assert.equal(mid[bound[1]!]?.vnf_instance_id, id);
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${op}/retry`)).status, 202);
    assert.equal((await opOccSettled(vnfm, op)).operationState, 'COMPLETED');
    assert.ok(Object.values(await rows()).every((r) => r.state === 'FREE' && r.vnf_instance_id === null));
    assert.deepEqual(
      [...wiped].sort(),
      [...bound, bound[1]!].sort(),
      'each wiped once, the failed one again',
    );
  });
});
