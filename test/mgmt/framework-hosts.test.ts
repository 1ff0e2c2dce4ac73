// The MgmtDriver framework on a hostpool VIM with the testbed's pool hosts (real sshd):
// HookContext.vnfcs and changes follow the hosts bound (instantiate, scale out/in,
// heal of one VNFC onto a spare, terminate), HostShell logs in with the pinned key and
// the pool's credential (exec gives any exit code, writeFile sets the mode), and every
// host given back is wiped by the driver's cleanHost once, as the step clean:<hostId>:<vnfcId>.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { journalSteps } from '../../src/db/queries/mgmt-journal.ts';
import type { BoundHost, PoolHostSpec } from '../../src/infra/hosts/model.ts';
import { openShell } from '../../src/mgmt/shell.ts';
import { createInstance, onboardPackage, runOp } from '../helpers/lcm.ts';
import { poolHost, sshToPoolHost } from '../helpers/pool-hosts.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { hostKey, registerPool } from '../hosts/pool-helpers.ts';
import { TestDriver } from './test-driver.ts';

const DF = 'Definitions/sample_cnf_df_helmchart.yaml';
const VNF_TEMPLATE = '    VNF:\n      type: company.provider.SampleCNF\n';
const HOOKS = ['instantiate_end', 'scale_start', 'scale_end', 'heal_start', 'heal_end', 'terminate_start'];
const MARK_DIR = '.vnfm-framework-test';
const HOSTS = ['w22', 'w23', 'm14', 'w21'];

const scripted = (f: Map<string, string | Buffer>) => {
  const df = f.get(DF) as string;
  const lines = ['      interfaces:', '        Vnflcm:'];
  for (const h of HOOKS) lines.push(`          ${h}:`, '            implementation: mgmt-test');
  lines.push(
    '      artifacts:',
    '        mgmt-test:',
    '          type: tosca.artifacts.Implementation.Python',
  );
  lines.push('          file: Files/mgmt/driver.py');
  f.set(DF, df.replace(VNF_TEMPLATE, VNF_TEMPLATE + lines.join('\n') + '\n'));
  f.set('Files/mgmt/driver.py', '# the test driver: never run\n');
  f.set('Scripts/unlisted.sh', 'echo not hashed\n');
};

/** A testbed pool host as a pool VIM's host entry: by password for odd positions, else by key. */
async function spec(id: string, i: number): Promise<PoolHostSpec> {
  const h = await poolHost(id);
  return {
    id,
    address: h.address,
    port: h.port,
    username: h.user,
    host_key: h.hostKey,
    ...(i % 2 === 0 ? { password: h.password } : { private_key: readFileSync(h.keyFile, 'utf8') }),
    cps: { CP1: h.address },
  };
}

const ids = (hosts: readonly BoundHost[] | undefined) => (hosts ?? []).map((h) => h.host.id).sort();

async function marker(id: string): Promise<string | undefined> {
  const s = await sshToPoolHost(await poolHost(id));
  try {
    const res = await s.exec(['cat', `${(await poolHost(id)).home}/${MARK_DIR}/marker`]);
    return res.code === 0 ? res.stdout : undefined;
  } finally {
    s.close();
  }
}

describe('MgmtDriver framework on pool hosts', () => {
  const double = new TestDriver('test-driver', MARK_DIR);
  let vnfm: TestVnfm;
  let vimId = '';
  let vnfdId = '';
  let specs: PoolHostSpec[] = [];
  let id = '';
  const last = (hook: string) =>
    double
      .callsOf(id)
      .filter((c) => c.hook === hook)
      .at(-1)!;

  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), {
      lcmTimeoutSeconds: 60,
      refreshSeconds: 0,
      mgmtDrivers: { 'mgmt-test': 'test-driver' },
      extraMgmtDrivers: [double.driver],
    });
    specs = await Promise.all(HOSTS.map(spec));
    vimId = await registerPool(vnfm, 'pool-fw', specs);
    ({ vnfdId } = await onboardPackage(vnfm, { edit: scripted }));
    id = await createInstance(vnfm, vnfdId);
  });
  after(() => vnfm.close());

  const body = () => ({
    flavourId: 'helmchart',
    vimConnectionInfo: [{ id: 'pool', vimId, vimType: 'hostpool' }],
  });

  test('instantiate: instantiate_end sees the bound hosts as added; the driver logged in to each', async () => {
    const done = await runOp(vnfm, id, 'instantiate', body());
    const end = last('instantiate_end');
    assert.equal(end.vnfcs, 2);
    assert.equal(end.changes!.added.length, 2);
    assert.deepEqual(end.changes!.removed, []);
    for (const h of end.changes!.added) {
      assert.match((await marker(h.host.id)) ?? '', new RegExp(`vnfc ${h.vnfcId} secret-on-host`));
      const s = await sshToPoolHost(await poolHost(h.host.id));
      const st = await s.exec(['stat', '-c', '%a', `${(await poolHost(h.host.id)).home}/${MARK_DIR}/marker`]);
      s.close();
      assert.equal(st.stdout.trim(), '600', 'writeFile set the mode');
    }
    const steps = await journalSteps(vnfm.ctx.db, done.id);
    for (const h of end.changes!.added) assert.ok(steps.includes(`mark:${h.host.id}`));
  });

  test('scale out then in: the new host added, then the same host announced removed and wiped once', async () => {
    const out = await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect' });
    assert.deepEqual(last('scale_start').changes!.removed, []);
    const added = last('scale_end').changes!.added;
    assert.equal(added.length, 1);
    assert.equal(added[0]!.vduId, 'VDU1');
    assert.ok(await marker(added[0]!.host.id));
    assert.equal(out.resourceChanges.affectedVnfcs.length, 1);

    const scaleIn = await runOp(vnfm, id, 'scale', { type: 'SCALE_IN', aspectId: 'vdu1_aspect' });
    assert.deepEqual(
      ids(last('scale_start').changes!.removed),
      [added[0]!.host.id],
      'the highest-index VDU1 host',
    );
    assert.deepEqual(ids(last('scale_end').changes!.removed), [added[0]!.host.id]);
    assert.equal(last('scale_end').vnfcs, 2);
    assert.deepEqual(double.cleaned, [added[0]!.host.id]);
    assert.equal(await marker(added[0]!.host.id), undefined, 'cleanHost wiped it');
    assert.ok(
      (await journalSteps(vnfm.ctx.db, scaleIn.id)).includes(
        `clean:${added[0]!.host.id}:${added[0]!.vnfcId}`,
      ),
    );
  });

  test('heal of one VNFC: heal_start names its host, heal_end the replacement; the old host is wiped', async () => {
    const info = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiatedVnfInfo;
    const vnfc = info.vnfcResourceInfo.find((v: any) => v.vduId === 'VDU2');
    const oldHost = vnfc.computeResource.resourceId;
    await runOp(vnfm, id, 'heal', { vnfcInstanceId: [vnfc.id] });
    assert.deepEqual(ids(last('heal_start').changes!.removed), [oldHost]);
    const replaced = last('heal_end').changes!.replaced;
    assert.equal(replaced.length, 1);
    assert.equal(replaced[0]!.before.host.id, oldHost);
    assert.equal(replaced[0]!.after.vnfcId, vnfc.id, 'the VNFC keeps its id on its new host');
    assert.notEqual(replaced[0]!.after.host.id, oldHost);
    assert.ok(await marker(replaced[0]!.after.host.id), 'the driver set up the replacement');
    assert.equal(double.cleaned.at(-1), oldHost);
    assert.equal(await marker(oldHost), undefined);
  });

  test('terminate: terminate_start sees every host as removed; each is wiped', async () => {
    const bound = last('heal_end');
    assert.equal(bound.vnfcs, 2);
    const before = double.cleaned.length;
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    const removed = ids(last('terminate_start').changes!.removed);
    assert.equal(removed.length, 2);
    assert.deepEqual(double.cleaned.slice(before).sort(), removed);
    for (const h of HOSTS) assert.equal(await marker(h), undefined, `${h} is clean`);
  });

  test('HostShell fails closed: a host whose pinned key differs is refused', async () => {
    const good = specs[0]!;
    const bound = (host: PoolHostSpec): BoundHost => ({
      vnfcId: 'x',
      vduId: 'VDU1',
      index: 0,
      host,
      state: 'ALLOCATED',
    });
    await assert.rejects(
      openShell(bound({ ...good, host_key: hostKey() }), 10_000),
      /host key of .* changed/,
    );
    await assert.rejects(openShell(bound({ ...good, host_key: '' }), 10_000), /no pinned host_key/);
    const shell = await openShell(bound(good), 10_000);
    assert.equal(shell.home, (await poolHost(good.id)).home);
    await shell.close();
  });
});
