// Vdu.Compute VNFCs on a hostpool VIM, with no MgmtDriver (nothing logs in to a host):
// instantiate binds one host per VNFC (vnfcResourceInfo names the host and its CP
// addresses), parallel instances never share a host, an exhausted pool binds nothing,
// scale takes and gives back hosts, heal moves a VNFC to a spare host keeping its id,
// terminate frees everything. On PostgreSQL, allocations racing from two VNFM
// processes' stores never book a host twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/db/connect.ts';
import { allocateHosts, freeHost, PoolExhausted, poolHostStates } from '../../src/db/queries/pool-hosts.ts';
import { boundHosts } from '../../src/infra/hosts/index.ts';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import { createInstance, onboardPackage, opOccSettled, runOp, startOp } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { poolHosts, registerPool } from './pool-helpers.ts';

const validInstance = etsiValidator('sol003-vnflcm-v2.6.1/vnfInstance.schema.json');
const validOpOcc = etsiValidator('sol003-vnflcm-v2.6.1/VnfLcmOpOcc.schema.json');

const instantiateOn = (vimId: string) => ({
  flavourId: 'helmchart',
  // Tacker's clients name the VIM type of pre-provisioned servers 'openstack'; the VIM decides.
  vimConnectionInfo: [{ id: 'pool', vimId, vimType: 'openstack' }],
});

async function instanceInfo(vnfm: TestVnfm, id: string) {
  const res = await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`);
  assert.equal(res.status, 200);
  assert.deepEqual(validInstance(res.body), [], 'SOL003 VnfInstance schema');
  return res.body;
}

const states = async (vnfm: TestVnfm, vimId: string) =>
  Object.fromEntries((await poolHostStates(vnfm.ctx.db, vimId)).map((r) => [r.host_id, r]));

describe('hostpool allocation on sqlite', () => {
  let vnfm: TestVnfm;
  let vnfdId = '';
  let vimId = '';
  const hosts = poolHosts(5);
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'));
    ({ vnfdId } = await onboardPackage(vnfm));
    vimId = await registerPool(vnfm, 'pool', hosts);
  });
  after(() => vnfm.close());

  let a = '';
  let b = '';

  test('two instances instantiated in parallel: each VNFC on its own host, CP addresses recorded', async () => {
    a = await createInstance(vnfm, vnfdId, 'a');
    b = await createInstance(vnfm, vnfdId, 'b');
    const ops = await Promise.all([a, b].map((id) => startOp(vnfm, id, 'instantiate', instantiateOn(vimId))));
    for (const op of ops) {
      const done = await opOccSettled(vnfm, op);
      assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
      assert.deepEqual(validOpOcc(done), []);
      assert.deepEqual(
        done.resourceChanges.affectedVnfcs.map((v: any) => v.changeType),
        ['ADDED', 'ADDED'],
      );
    }
    const used: string[] = [];
    for (const id of [a, b]) {
      const info = (await instanceInfo(vnfm, id)).instantiatedVnfInfo;
      assert.deepEqual(
        info.vnfcResourceInfo.map((v: any) => v.vduId),
        ['VDU1', 'VDU2'],
      );
      for (const v of info.vnfcResourceInfo) {
        const host = hosts.find((h) => h.id === v.computeResource.resourceId);
        assert.ok(host, `resourceId ${v.computeResource.resourceId} is a pool host`);
        assert.equal(v.computeResource.vimLevelResourceType, 'hostpool.Host');
        assert.equal(v.computeResource.vimConnectionId, 'pool');
        assert.notEqual(v.id, host.id, 'the VNFC has its own id');
        assert.deepEqual(v.vnfcCpInfo, [
          {
            id: `${v.id}-CP1`,
            cpdId: 'CP1',
            cpProtocolInfo: [
              {
                layerProtocol: 'IP_OVER_ETHERNET',
                ipOverEthernet: { ipAddresses: [{ type: 'IPV4', addresses: [host.cps!.CP1] }] },
              },
            ],
          },
        ]);
        assert.equal(v.metadata.address, host.address);
        used.push(host.id);
      }
    }
    assert.equal(new Set(used).size, 4, 'no host is shared');
    const rows = await states(vnfm, vimId);
    assert.equal(Object.values(rows).filter((r) => r.state === 'ALLOCATED').length, 4);
    // What MgmtDrivers will see: binding order, secrets opened.
    const bound = await boundHosts(vnfm.ctx.db, vnfm.ctx.secrets, a);
    assert.deepEqual(
      bound.map((h) => h.index),
      [0, 1],
    );
    assert.ok(bound.every((h) => h.state === 'ALLOCATED' && (h.host.password || h.host.private_key)));
    assert.ok(!JSON.stringify(await instanceInfo(vnfm, a)).includes(hosts[0]!.password!), 'no secret shown');
  });

  test('an exhausted pool: FAILED_TEMP naming the shortage, nothing bound, rollback leaves nothing', async () => {
    const c = await createInstance(vnfm, vnfdId, 'c');
    const op = await startOp(vnfm, c, 'instantiate', instantiateOn(vimId));
    const failed = await opOccSettled(vnfm, op);
    assert.equal(failed.operationState, 'FAILED_TEMP');
    assert.match(
      failed.error.detail,
      /FREE host\(s\) eligible for VDU VDU\d needed, \d available; nothing was bound/,
    );
    const before = await states(vnfm, vimId);
    assert.ok(
      Object.values(before).every((r) => r.vnf_instance_id !== c),
      'no host bound to the failed instance',
    );
    assert.equal(
      Object.values(before).filter((r) => r.state === 'FREE').length,
      1,
      'the spare is still FREE',
    );
    const rb = await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${op}/rollback`);
    assert.equal(rb.status, 202);
    assert.equal((await opOccSettled(vnfm, op)).operationState, 'ROLLED_BACK');
    assert.equal((await instanceInfo(vnfm, c)).instantiationState, 'NOT_INSTANTIATED');
    assert.deepEqual(await states(vnfm, vimId), before);
  });

  test('scale out takes the spare host, scale in gives back the newest VNFC', async () => {
    const out = await runOp(vnfm, a, 'scale', {
      type: 'SCALE_OUT',
      aspectId: 'vdu1_aspect',
      numberOfSteps: 1,
    });
    assert.deepEqual(
      out.resourceChanges.affectedVnfcs.map((v: any) => [v.changeType, v.vduId]),
      [['ADDED', 'VDU1']],
    );
    const added = out.resourceChanges.affectedVnfcs[0];
    assert.equal((await states(vnfm, vimId))[added.computeResource.resourceId]?.vnf_instance_id, a);
    assert.ok(
      Object.values(await states(vnfm, vimId)).every((r) => r.state === 'ALLOCATED'),
      'pool full',
    );
    const bound = await boundHosts(vnfm.ctx.db, vnfm.ctx.secrets, a);
    assert.equal(bound.find((h) => h.vnfcId === added.id)?.index, 2, 'bound after the first two');
    // Full pool: a second step cannot be bound, and binds nothing.
    const op = await startOp(vnfm, a, 'scale', {
      type: 'SCALE_OUT',
      aspectId: 'vdu2_aspect',
      numberOfSteps: 1,
    });
    const failed = await opOccSettled(vnfm, op);
    assert.equal(failed.operationState, 'FAILED_TEMP');
    assert.match(failed.error.detail, /VDU VDU2 needed, 0 available/);
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${op}/rollback`)).status, 202);
    assert.equal((await opOccSettled(vnfm, op)).operationState, 'ROLLED_BACK');
    const back = await runOp(vnfm, a, 'scale', {
      type: 'SCALE_IN',
      aspectId: 'vdu1_aspect',
      numberOfSteps: 1,
    });
    assert.deepEqual(
      back.resourceChanges.affectedVnfcs.map((v: any) => [v.changeType, v.id]),
      [['REMOVED', added.id]],
    );
    assert.equal((await states(vnfm, vimId))[added.computeResource.resourceId]?.state, 'FREE');
    assert.equal((await instanceInfo(vnfm, a)).instantiatedVnfInfo.vnfcResourceInfo.length, 2);
  });

  test('heal of a VNFC (SOL002) moves it to a spare host and keeps its id', async () => {
    const before = (await instanceInfo(vnfm, a)).instantiatedVnfInfo.vnfcResourceInfo;
    const victim = before.find((v: any) => v.vduId === 'VDU1');
    const done = await runOp(vnfm, a, 'heal', { vnfcInstanceId: [victim.id] });
    assert.deepEqual(validOpOcc(done), []);
    const [change] = done.resourceChanges.affectedVnfcs;
    assert.equal(done.resourceChanges.affectedVnfcs.length, 1);
    assert.equal(change.changeType, 'MODIFIED');
    assert.equal(change.id, victim.id);
    const after = (await instanceInfo(vnfm, a)).instantiatedVnfInfo.vnfcResourceInfo;
    const healed = after.find((v: any) => v.id === victim.id);
    assert.ok(healed, 'same VNFC id after heal');
    assert.notEqual(healed.computeResource.resourceId, victim.computeResource.resourceId, 'another host');
    assert.equal(change.computeResource.resourceId, healed.computeResource.resourceId);
    assert.deepEqual(
      after.filter((v: any) => v.id !== victim.id),
      before.filter((v: any) => v.id !== victim.id),
      'the other VNFC is untouched',
    );
    const rows = await states(vnfm, vimId);
    assert.equal(rows[victim.computeResource.resourceId]?.state, 'FREE', 'the old host is back in the pool');
    assert.equal(rows[healed.computeResource.resourceId]?.vnfc_id, victim.id);
    const bound = await boundHosts(vnfm.ctx.db, vnfm.ctx.secrets, a);
    assert.equal(bound.find((h) => h.vnfcId === victim.id)?.index, 0, 'the binding index is kept');
  });

  test('terminate frees every host of the instance', async () => {
    for (const id of [a, b]) {
      const done = await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
      assert.deepEqual(
        done.resourceChanges.affectedVnfcs.map((v: any) => v.changeType),
        ['REMOVED', 'REMOVED'],
      );
    }
    assert.ok(
      Object.values(await states(vnfm, vimId)).every((r) => r.state === 'FREE' && !r.vnf_instance_id),
    );
    assert.equal((await vnfm.request('DELETE', `/v1.0/vims/${vimId}`)).status, 204, 'an idle pool can go');
  });

  test('labels.vdu restricts a host to that VDU; Vdu.Compute only', async () => {
    // Two hosts, both for VDU2: VDU1 finds none, so nothing is bound.
    const pool = await registerPool(
      vnfm,
      'labelled',
      poolHosts(2, () => ({ vdu: 'VDU2' })),
    );
    const c = await createInstance(vnfm, vnfdId, 'labels');
    const op = await startOp(vnfm, c, 'instantiate', instantiateOn(pool));
    const failed = await opOccSettled(vnfm, op);
    assert.equal(failed.operationState, 'FAILED_TEMP');
    assert.match(failed.error.detail, /eligible for VDU VDU1 needed, 0 available/);
    assert.ok(Object.values(await states(vnfm, pool)).every((r) => r.state === 'FREE'));
    await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${op}/rollback`);
    assert.equal((await opOccSettled(vnfm, op)).operationState, 'ROLLED_BACK');
    // One host per VDU: each VDU gets its own.
    const split = await registerPool(
      vnfm,
      'split',
      poolHosts(2, (i) => ({ vdu: `VDU${i}` })),
    );
    await runOp(vnfm, c, 'instantiate', instantiateOn(split));
    const info = (await instanceInfo(vnfm, c)).instantiatedVnfInfo.vnfcResourceInfo;
    assert.deepEqual(
      info.map((v: any) => [v.vduId, v.computeResource.resourceId]),
      [
        ['VDU1', 'h1'],
        ['VDU2', 'h2'],
      ],
    );
    await runOp(vnfm, c, 'terminate', { terminationType: 'FORCEFUL' });
    // A flavour with a container VDU cannot run on hosts: 400 at accept, no op occ.
    const { vnfdId: containers } = await onboardPackage(vnfm, {
      edit: (f) => {
        // SOL001 v2.6.1 has no Vdu.OsContainer (v3.3.1 does): the package's types file defines it.
        const types = f.get('Definitions/sample_cnf_types.yaml') as string;
        f.set(
          'Definitions/sample_cnf_types.yaml',
          types.replace(
            'node_types:\n',
            'node_types:\n  tosca.nodes.nfv.Vdu.OsContainer:\n    derived_from: tosca.nodes.Root\n',
          ),
        );
        const df = f.get('Definitions/sample_cnf_df_helmchart.yaml') as string;
        f.set(
          'Definitions/sample_cnf_df_helmchart.yaml',
          df.replace(
            'VDU2:\n      type: tosca.nodes.nfv.Vdu.Compute',
            'VDU2:\n      type: tosca.nodes.nfv.Vdu.OsContainer',
          ),
        );
      },
    });
    const ci = await createInstance(vnfm, containers, 'containers');
    const refused = await vnfm.request(
      'POST',
      `/vnflcm/v1/vnf_instances/${ci}/instantiate`,
      instantiateOn(split),
    );
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(
      refused.body.detail,
      /Vdu\.Compute VDUs only, not VDU2 \(tosca\.nodes\.nfv\.Vdu\.OsContainer\)/,
    );
    // use_helm is refused for a pool VIM.
    const helm = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${c}/instantiate`, {
      ...instantiateOn(split),
      additionalParams: { use_helm: true },
    });
    assert.equal(helm.status, 400);
    assert.match(helm.body.detail, /hostpool VIM, not a Kubernetes cluster/);
  });
});

describe('hostpool allocation on postgres: concurrent workers never double-book', () => {
  let url = '';
  const vnfms: TestVnfm[] = [];
  before(async () => {
    url = await freshStore('postgres');
    // Two VNFM processes' worth: each its own store connection pool and worker.
    for (let i = 0; i < 2; i++) vnfms.push(await startVnfm(url, { dataDir: undefined }));
  });
  after(async () => {
    for (const v of vnfms) await v.close();
  });

  test('racing allocations from two stores: each host booked once, the rest PoolExhausted', async () => {
    const [one] = vnfms;
    const vimId = await registerPool(one!, 'race', poolHosts(6));
    const dbs = [await openDatabase(url), await openDatabase(url)];
    try {
      const tries = Array.from({ length: 10 }, (_, i) =>
        allocateHosts(dbs[i % 2]!, vimId, `inst-${i}`, [
          { vduId: 'VDU1', vnfcId: `c${i}-0`, index: 0 },
          { vduId: 'VDU1', vnfcId: `c${i}-1`, index: 1 },
        ]),
      );
      const results = await Promise.allSettled(tries);
      const won = results.filter((r) => r.status === 'fulfilled').length;
      for (const r of results)
        if (r.status === 'rejected') assert.ok(r.reason instanceof PoolExhausted, String(r.reason));
      const rows = await poolHostStates(one!.ctx.db, vimId);
      const byInstance = Map.groupBy(rows, (r) => r.vnf_instance_id);
      assert.equal(won, 3, 'six hosts, two per allocation');
      assert.ok(rows.every((r) => r.state === 'ALLOCATED'));
      for (const [inst, hs] of byInstance) assert.equal(hs.length, 2, `${inst}: all or nothing`);
    } finally {
      for (const d of dbs) await d.destroy();
    }
  });

  test('a VIM update racing allocations: a host is either removed FREE or bound and kept (409), never both', async () => {
    const [one, two] = vnfms as [TestVnfm, TestVnfm];
    const hosts = poolHosts(4);
    const vimId = await registerPool(one, 'update-race', hosts);
    const shown = (await one.request('GET', `/v1.0/vims/${vimId}`)).body.vim;
    const db = await openDatabase(url);
    try {
      for (let round = 0; round < 4; round++) {
        // Round r: allocate one host while another VNFM removes h(r+1) from the pool.
        const keep = shown.extra.hosts.filter((h: any) => h.id !== `h${round + 1}`);
        const [alloc, put] = await Promise.allSettled([
          allocateHosts(db, vimId, `race-${round}`, [{ vduId: 'VDU1', vnfcId: `r${round}`, index: 0 }]),
          two.request('PUT', `/v1.0/vims/${vimId}`, { vim: { extra: { hosts: keep } } }),
        ]);
        assert.equal(alloc.status, 'fulfilled', String((alloc as PromiseRejectedResult).reason));
        const status = put.status === 'fulfilled' ? put.value.status : 0;
        assert.ok(status === 200 || status === 409, `PUT: ${status}`);
        const rows = await poolHostStates(one.ctx.db, vimId);
        const listed = new Set(
          (await one.request('GET', `/v1.0/vims/${vimId}`)).body.vim.extra.hosts.map((h: any) => h.id),
        );
        assert.deepEqual(rows.map((r) => r.host_id).sort(), [...listed].sort(), 'pool_hosts = extra.hosts');
        assert.equal(rows.filter((r) => r.state === 'ALLOCATED').length, 1, 'the allocation holds');
        // Back to all four hosts (secrets given: a removed host has none stored), nothing bound.
        await one.ctx.db
          .updateTable('pool_hosts')
          .set({ state: 'DIRTY' })
          .where('vim_id', '=', vimId)
          .where('state', '=', 'ALLOCATED')
          .execute();
        const [bound] = rows.filter((r) => r.state === 'ALLOCATED');
        await freeHost(one.ctx.db, vimId, bound!.host_id, `race-${round}`);
        const restore = await one.request('PUT', `/v1.0/vims/${vimId}`, {
          vim: { extra: { hosts } },
        });
        assert.equal(restore.status, 200, JSON.stringify(restore.body));
      }
    } finally {
      await db.destroy();
    }
  });

  test('instances instantiated at once through two VNFMs sharing the store get disjoint hosts', async () => {
    const [one, two] = vnfms as [TestVnfm, TestVnfm];
    const { vnfdId } = await onboardPackage(one);
    const vimId = await registerPool(one, 'shared', poolHosts(8));
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await createInstance(one, vnfdId, `p${i}`));
    const ops = await Promise.all(
      ids.map((id, i) => startOp(i % 2 ? two : one, id, 'instantiate', instantiateOn(vimId))),
    );
    for (const op of ops) assert.equal((await opOccSettled(one, op)).operationState, 'COMPLETED');
    const rows = await poolHostStates(one.ctx.db, vimId);
    assert.ok(rows.every((r) => r.state === 'ALLOCATED'));
    const recorded = [];
    for (const id of ids) {
      const info = (await one.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiatedVnfInfo;
      recorded.push(...info.vnfcResourceInfo.map((v: any) => v.computeResource.resourceId));
      assert.deepEqual(
        info.vnfcResourceInfo.map(
          (v: any) => rows.find((r) => r.host_id === v.computeResource.resourceId)?.vnf_instance_id,
        ),
        [id, id],
      );
    }
    assert.equal(new Set(recorded).size, 8, 'eight VNFCs on eight distinct hosts');
  });
});
