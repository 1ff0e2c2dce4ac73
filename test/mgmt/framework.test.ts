// The MgmtDriver framework end to end over real HTTP, SQLite and PostgreSQL, and the testbed cluster
// (a Kubernetes-manifest CNF, so hooks run with no pool hosts), with a test double
// of a driver plugin registered beside the built-in ones: selection by configuration,
// hooks in order with their changes, the step journal across retry, compensation on
// rollback, HookResult's vimConnectionInfo, owned VIMs, and secrets in additionalParams.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { getInstance } from '../../src/db/queries/instances.ts';
import { infraContext } from '../../src/lcm/infra-context.ts';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  startOp,
} from '../helpers/lcm.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { TestDriver } from './test-driver.ts';

const DF = 'Definitions/sample_cnf_df_helmchart.yaml';
const VNF_TEMPLATE = '    VNF:\n      type: company.provider.SampleCNF\n';
const PASSWORD = 'Pw-never-shown-4711';

/** The flavour's VNF node template names `artifactOf(hook)` for every hook it scripts. */
const scripted =
  (hooks: string[], artifactOf: (hook: string) => string = () => 'mgmt-test') =>
  (f: Map<string, string | Buffer>) => {
    const df = f.get(DF) as string;
    assert.ok(df.includes(VNF_TEMPLATE));
    const lines = ['      interfaces:', '        Vnflcm:'];
    for (const h of hooks) lines.push(`          ${h}:`, `            implementation: ${artifactOf(h)}`);
    lines.push('      artifacts:');
    for (const a of new Set(hooks.map(artifactOf)))
      lines.push(
        `        ${a}:`,
        '          type: tosca.artifacts.Implementation.Python',
        '          file: Files/mgmt/driver.py',
      );
    f.set(DF, df.replace(VNF_TEMPLATE, VNF_TEMPLATE + lines.join('\n') + '\n'));
    f.set('Files/mgmt/driver.py', '# the test driver: never run\n');
    f.set('Scripts/unlisted.sh', 'echo not hashed\n');
  };

const ALL_HOOKS = [
  'instantiate_start',
  'instantiate_end',
  'scale_start',
  'scale_end',
  'heal_start',
  'heal_end',
  'terminate_start',
  'terminate_end',
  'modify_information_start',
  'modify_information_end',
];

for (const store of STORES)
  describe(`MgmtDriver framework on ${store}`, () => {
    const double = new TestDriver();
    const other = new TestDriver('other-driver');
    let vnfm: TestVnfm;
    let database = '';
    let vimId = '';
    let vnfdId = '';
    let pkgId = '';
    const ns = `mgmt-${randomBytes(3).toString('hex')}`;
    const body = (extra: object = {}) => ({
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
      additionalParams: {
        namespace: ns,
        'lcm-kubernetes-def-files': [MANIFEST_PATH],
        k8s_cluster_installation_param: { master_node: { username: 'ubuntu', password: PASSWORD } },
        ...extra,
      },
    });
    const opOccsOf = async (id: string) =>
      (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs?filter=(eq,vnfInstanceId,${id})`)).body as any[];
    const hooksOf = (id: string, from = 0) =>
      double
        .callsOf(id)
        .slice(from)
        .map((c) => c.hook);

    before(async () => {
      database = await freshStore(store);
      vnfm = await startVnfm(database, {
        lcmTimeoutSeconds: 60,
        refreshSeconds: 0,
        mgmtDrivers: { 'mgmt-test': 'test-driver', 'mgmt-other': 'other-driver' },
        extraMgmtDrivers: [double.driver, other.driver],
      });
      vimId = await registerTestbedVim(vnfm, 'k8s-mgmt');
      ({ vnfdId, pkgId } = await onboardPackage(vnfm, { edit: scripted(ALL_HOOKS) }));
    });
    after(() => vnfm.close());

    test('an artifact no driver is enabled for: 400 naming hook and artifact, no op occ', async () => {
      const pkg = await onboardPackage(vnfm, {
        edit: scripted(['instantiate_end'], () => 'mgmt-drivers-kubernetes'),
      });
      const id = await createInstance(vnfm, pkg.vnfdId);
      const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, body());
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.detail, /instantiate_end \(Files\/mgmt\/driver\.py\)/);
      assert.match(res.body.detail, /mgmt-drivers-kubernetes/);
      assert.match(res.body.detail, /VNFM_MGMT_DRIVERS/);
      assert.deepEqual(await opOccsOf(id), []);
      assert.deepEqual(double.callsOf(id), []);
    });

    test('hooks naming two different drivers: 400 naming each hook and artifact', async () => {
      const pkg = await onboardPackage(vnfm, {
        edit: scripted(['instantiate_start', 'instantiate_end'], (h) =>
          h.endsWith('start') ? 'mgmt-test' : 'mgmt-other',
        ),
      });
      const id = await createInstance(vnfm, pkg.vnfdId);
      const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, body());
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.detail, /instantiate_start → artifact mgmt-test \(driver test-driver\)/);
      assert.match(res.body.detail, /instantiate_end → artifact mgmt-other \(driver other-driver\)/);
      assert.deepEqual(await opOccsOf(id), []);
    });

    test("the driver's validate refuses at accept: 400, no op occ", async () => {
      const id = await createInstance(vnfm, vnfdId);
      const res = await vnfm.request(
        'POST',
        `/vnflcm/v1/vnf_instances/${id}/instantiate`,
        body({ k8s_cluster_installation_param: { refuse_me: 1 } }),
      );
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.detail, /refuse_me: the test driver refuses it/);
      assert.deepEqual(await opOccsOf(id), []);
    });

    test('lifecycle: hooks in order, journal across retry, appended vimConnectionInfo, one owned VIM', async () => {
      const id = await createInstance(vnfm, vnfdId);
      double.failures.set('instantiate_end', 1);
      const opId = await startOp(vnfm, id, 'instantiate', body());
      const failed = await opOccSettled(vnfm, opId);
      assert.equal(failed.operationState, 'FAILED_TEMP');
      assert.equal(failed.error.detail, 'instantiate_end.init on host host-a exited 7: kubeadm: boom');
      // The op occ's progress names the hook it failed in (docs/api.md, _progress).
      assert.equal(failed._progress?.step, 'mgmt driver instantiate_end');
      assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/retry`)).status, 202);
      const done = await opOccSettled(vnfm, opId);
      assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
      assert.deepEqual(hooksOf(id), [
        'accept',
        'instantiate_start',
        'instantiate_end',
        'instantiate_start',
        'instantiate_end',
      ]);
      assert.equal(double.stepRuns.get(opId), 1, 'the journaled step ran once over both attempts');
      const end = double.callsOf(id)[4]!;
      assert.deepEqual(end.changes, { added: [], removed: [], replaced: [] });
      assert.equal(end.vnfcs, 0, 'a manifest-mode CNF has no pool hosts');
      assert.equal(end.verified?.listed, true);
      assert.match(end.verified?.unlisted ?? '', /Scripts\/unlisted\.sh has no digest/);
      // The driver sees the password as sent; the API never shows it.
      assert.equal(
        (end.instantiateParams as any).k8s_cluster_installation_param.master_node.password,
        PASSWORD,
      );
      assert.equal(
        (done.operationParams as any).additionalParams.k8s_cluster_installation_param.master_node.password,
        '***',
      );

      // Stored masked, kept sealed; the infra drivers (Helm, manifests) are given the values as sent.
      const stored = (await getInstance(vnfm.ctx.db, id))!;
      const storedParams = stored.infraState.additionalParams as any;
      assert.equal(storedParams.k8s_cluster_installation_param.master_node.password, '***');
      assert.ok(stored.infraState.additionalParamsSealed);
      const ictx = await infraContext(vnfm.ctx.lcm, stored.instance, stored.infraState);
      assert.equal(
        (ictx.additionalParams as any).k8s_cluster_installation_param.master_node.password,
        PASSWORD,
      );
      assert.equal(ictx.additionalParams.namespace, ns);

      const inst = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      assert.equal(inst.instantiationState, 'INSTANTIATED');
      assert.deepEqual(
        inst.vimConnectionInfo.map((v: any) => v.id),
        ['vim1', 'cluster'],
        'the driver entry is appended, never prepended',
      );
      const clusterVimId = inst.vimConnectionInfo[1].vimId;
      const named = (await vnfm.request('GET', '/v1.0/vims')).body.vims.filter(
        (v: any) => v.name === `cluster-of-${id}`,
      );
      assert.deepEqual(
        named.map((v: any) => v.id),
        [clusterVimId],
        'upsert twice (and on retry): one VIM',
      );
      // The owner's VIM is not the operator's to change or delete while the owner exists.
      for (const [method, b] of [
        ['DELETE', undefined],
        ['PATCH', { vim: { description: 'x' } }],
      ] as const) {
        const res = await vnfm.request(method, `/v1.0/vims/${clusterVimId}`, b);
        assert.equal(res.status, 409, `${method}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.detail, new RegExp(`VNF instance ${id}`));
      }

      // Scale out and in: scale_start before, scale_end after, the driver's accept first.
      let from = double.callsOf(id).length;
      await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
      assert.deepEqual(hooksOf(id, from), ['accept', 'scale_start', 'scale_end']);
      from = double.callsOf(id).length;
      await runOp(vnfm, id, 'scale', { type: 'SCALE_IN', aspectId: 'vdu1_aspect' });
      assert.deepEqual(hooksOf(id, from), ['accept', 'scale_start', 'scale_end']);
      // The driver's accept refuses what it cannot do: 400, no op occ.
      const occs = (await opOccsOf(id)).length;
      const refused = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/scale`, {
        type: 'SCALE_OUT',
        aspectId: 'vdu2_aspect',
      });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(refused.body.detail, /does not scale vdu2_aspect/);
      assert.equal((await opOccsOf(id)).length, occs);

      from = double.callsOf(id).length;
      await runOp(vnfm, id, 'heal', {});
      assert.deepEqual(hooksOf(id, from), ['accept', 'heal_start', 'heal_end']);
      from = double.callsOf(id).length;
      const modify = await vnfm.request('PATCH', `/vnflcm/v1/vnf_instances/${id}`, {
        vnfInstanceDescription: 'modified',
      });
      assert.equal(modify.status, 202, JSON.stringify(modify.body));
      const modifyOp = await opOccSettled(
        vnfm,
        (modify.headers.get('location') ?? '').split('/').pop() as string,
      );
      assert.equal(modifyOp.operationState, 'COMPLETED', JSON.stringify(modifyOp.error));
      assert.deepEqual(hooksOf(id, from), ['accept', 'modify_information_start', 'modify_information_end']);

      from = double.callsOf(id).length;
      await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
      assert.deepEqual(hooksOf(id, from), ['accept', 'terminate_start', 'terminate_end']);
      const terminated = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      assert.equal(terminated.instantiationState, 'NOT_INSTANTIATED');
      assert.deepEqual(
        terminated.vimConnectionInfo.map((v: any) => v.id),
        ['vim1'],
      );
      assert.equal((await vnfm.request('GET', `/v1.0/vims/${clusterVimId}`)).status, 404);
    });

    test('rollback of a failed instantiate: compensate with the journal, then NOT_INSTANTIATED', async () => {
      const id = await createInstance(vnfm, vnfdId);
      double.failures.set('instantiate_end', 1);
      const opId = await startOp(vnfm, id, 'instantiate', body());
      assert.equal((await opOccSettled(vnfm, opId)).operationState, 'FAILED_TEMP');
      assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/rollback`)).status, 202);
      const rolled = await opOccSettled(vnfm, opId);
      assert.equal(rolled.operationState, 'ROLLED_BACK', JSON.stringify(rolled.error));
      const comp = double.callsOf(id).find((c) => c.hook === 'compensate');
      assert.ok(comp, 'compensate ran');
      assert.equal(comp.opOccId, opId);
      assert.deepEqual(comp.journalBeforeFailure, { joinToken: 'journal-join-token-0123456789' });
      const inst = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      assert.equal(inst.instantiationState, 'NOT_INSTANTIATED');
      // Instantiate again: the journal of the rolled-back op occ does not leak into a new one.
      const again = await runOp(vnfm, id, 'instantiate', body());
      assert.equal(double.stepRuns.get(again.id), 1);
      await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    });

    test('no secret of additionalParams or of the journal is stored in the clear, or answered', async () => {
      const secrets = [PASSWORD, 'journal-join-token-0123456789'];
      // Every row of every table, as the store holds it.
      for (const table of [
        'vims',
        'vnf_packages',
        'vnf_instances',
        'vnf_lcm_op_occs',
        'mgmt_journal',
        'pool_hosts',
      ]) {
        const rows = JSON.stringify((await sql`SELECT * FROM ${sql.table(table)}`.execute(vnfm.ctx.db)).rows);
        for (const secret of secrets) assert.ok(!rows.includes(secret), `${secret} is not in ${table}`);
      }
      // And the SQLite files themselves (free pages, the WAL).
      const files = store === 'sqlite' ? [database.slice('sqlite:'.length)] : [];
      for (const f of [...files]) if (existsSync(`${f}-wal`)) files.push(`${f}-wal`);
      for (const f of files) {
        const text = readFileSync(f).toString('latin1');
        for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} is not in ${f}`);
      }
      const answers = JSON.stringify([
        (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body,
        (await vnfm.request('GET', '/vnflcm/v1/vnf_instances')).body,
      ]);
      assert.ok(!answers.includes(PASSWORD));
      assert.ok(!vnfm.logs().includes(PASSWORD), 'nor logged');
    });

    test('a package file changed after onboarding is refused by verifiedFile', async () => {
      const root = vnfm.ctx.lcm.storage.content(pkgId);
      writeFileSync(join(root, 'Files/mgmt/driver.py'), '# tampered\n');
      const id = await createInstance(vnfm, vnfdId);
      const opId = await startOp(vnfm, id, 'instantiate', body());
      const failed = await opOccSettled(vnfm, opId);
      assert.equal(failed.operationState, 'FAILED_TEMP');
      assert.match(failed.error.detail, /Files\/mgmt\/driver\.py changed since onboarding/);
      writeFileSync(join(root, 'Files/mgmt/driver.py'), '# the test driver: never run\n');
      assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/rollback`)).status, 202);
      assert.equal((await opOccSettled(vnfm, opId)).operationState, 'ROLLED_BACK');
    });
  });
