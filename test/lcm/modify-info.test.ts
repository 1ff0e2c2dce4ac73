// ModifyVnfInfo (PATCH /vnf_instances/{id}) through the API on the testbed: JSON Merge
// Patch of the free-form objects (as merge-patch+json and as Tacker's plain JSON), a
// vnfdId switch to a compatible package (and refusals of incompatible ones), and a
// vimConnectionInfo change that corrects a per-instance master-node password, which
// the next Helm operation then uses over SSH.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { mergePatch } from '../../src/merge-patch.ts';
import { CHART_PATH, MANIFEST_PATH } from '../helpers/cnf-package.ts';
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
let vimId = '';
before(async () => {
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 60 });
  vimId = await registerTestbedVim(vnfm, 'k8s-modify');
});
after(() => vnfm.close());

const MERGE = { 'content-type': 'application/merge-patch+json' };
const path = (id: string) => `/vnflcm/v1/vnf_instances/${id}`;
const show = async (id: string) => (await vnfm.request('GET', path(id))).body;
const pkgShow = async (pkgId: string) =>
  (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body;

/** PATCHes the instance, expects 202 + Location and a COMPLETED MODIFY_INFO op occ. */
async function modify(id: string, body: object, headers: Record<string, string> = MERGE) {
  const res = await vnfm.request('PATCH', path(id), body, headers);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const location = res.headers.get('location') ?? '';
  assert.match(location, /^\/vnflcm\/v1\/vnf_lcm_op_occs\/[0-9a-f-]+$/);
  const done = await opOccSettled(vnfm, location.split('/').pop()!);
  assert.equal(done.operation, 'MODIFY_INFO');
  assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
  return done;
}

/** PATCHes the instance and expects it refused with `status` and a detail matching `detail`; no op occ started. */
async function refused(id: string, body: object, status: number, detail: RegExp) {
  const before = (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body.length;
  const res = await vnfm.request('PATCH', path(id), body, MERGE);
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.body.detail, detail);
  assert.equal((await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body.length, before);
}

test('mergePatch gives the results of RFC 7396 Appendix A', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, result] of cases) {
    const before = JSON.stringify(target);
    assert.deepEqual(mergePatch(target, patch), result, `${before} + ${JSON.stringify(patch)}`);
    assert.equal(JSON.stringify(target), before, 'the target is not changed');
  }
});

test('metadata, extensions and vnfConfigurableProperties merge per RFC 7396; null removes', async () => {
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  await modify(id, {
    vnfInstanceName: 'renamed',
    metadata: { keep: 'k', drop: 'd', nested: { a: 1, b: 2 } },
    extensions: { e: 1 },
    vnfConfigurableProperties: { p: { q: 1 } },
  });
  await modify(id, {
    metadata: { drop: null, nested: { a: null, c: [1, 2] } },
    extensions: null,
    vnfConfigurableProperties: { p: { r: 2 } },
  });
  let inst = await show(id);
  assert.equal(inst.vnfInstanceName, 'renamed');
  assert.deepEqual(inst.metadata, { keep: 'k', nested: { b: 2, c: [1, 2] } });
  assert.equal(inst.extensions, undefined, 'null removed the whole attribute');
  assert.deepEqual(inst.vnfConfigurableProperties, { p: { q: 1, r: 2 } });
  // Tacker's client sends application/json: the same semantics.
  await modify(id, { metadata: { keep: null, nested: { c: 'x' } } }, {});
  inst = await show(id);
  assert.deepEqual(inst.metadata, { nested: { b: 2, c: 'x' } });
  assert.equal(inst.vnfInstanceName, 'renamed');
  assert.equal((await vnfm.request('DELETE', path(id))).status, 204);
});

test('vnfdId: a compatible package of the same product is switched to; others are refused', async () => {
  const a = await onboardPackage(vnfm);
  const b = await onboardPackage(vnfm);
  const otherVdus = await onboardPackage(vnfm, {
    edit: (f) => {
      const df = 'Definitions/sample_cnf_df_helmchart.yaml';
      f.set(df, String(f.get(df)).replaceAll('VDU2', 'VDU3'));
    },
  });
  const otherProduct = await onboardPackage(vnfm, {
    edit: (f) => {
      for (const file of ['Definitions/sample_cnf_top.vnfd.yaml', 'Definitions/sample_cnf_types.yaml'])
        f.set(file, String(f.get(file)).replaceAll('Sample CNF', 'Other CNF'));
    },
  });
  // A NOT_INSTANTIATED instance: the VDUs of all flavours are compared.
  const idle = await createInstance(vnfm, a.vnfdId, 'idle');
  await refused(idle, { vnfdId: otherVdus.vnfdId }, 422, /not compatible.*VDUs/);
  // Tacker v1 names the package by vnfPkgId.
  await refused(
    idle,
    { vnfPkgId: b.pkgId, vnfdId: a.vnfdId },
    400,
    /vnfPkgId: .* has vnfdId .*, not the vnfdId/,
  );
  await modify(idle, { vnfPkgId: b.pkgId }, {});
  assert.equal((await show(idle)).vnfdId, b.vnfdId);
  assert.equal((await vnfm.request('DELETE', path(idle))).status, 204);

  const id = await createInstance(vnfm, a.vnfdId);
  const ns = `mi-${randomBytes(3).toString('hex')}`;
  await runOp(vnfm, id, 'instantiate', {
    flavourId: 'helmchart',
    vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
    additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
  });

  await refused(
    id,
    { vnfdId: otherVdus.vnfdId },
    422,
    /not compatible.*VDUs \[VDU1, VDU3\], not \[VDU1, VDU2\]/,
  );
  await refused(
    id,
    { vnfdId: otherProduct.vnfdId },
    422,
    /'Other CNF'.*not of the instance's .*'Sample CNF'/,
  );
  await refused(id, { vnfdId: randomUUID() }, 422, /no onboarded VNF package has vnfdId/);
  assert.equal((await show(id)).vnfdId, a.vnfdId, 'nothing changed');

  const pkgB = await pkgShow(b.pkgId);
  await modify(id, { vnfdId: b.vnfdId });
  const inst = await show(id);
  assert.equal(inst.vnfdId, b.vnfdId);
  assert.equal(inst.vnfdVersion, pkgB.vnfdVersion);
  assert.equal(inst.vnfProvider, pkgB.vnfProvider);
  assert.equal(inst.vnfProductName, pkgB.vnfProductName);
  const row = await vnfm.ctx.db
    .selectFrom('vnf_instances')
    .select(['vnfd_id', 'vnf_pkg_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  assert.deepEqual({ ...row }, { vnfd_id: b.vnfdId, vnf_pkg_id: b.pkgId });
  assert.equal((await pkgShow(a.pkgId)).usageState, 'NOT_IN_USE');
  assert.equal((await pkgShow(b.pkgId)).usageState, 'IN_USE');
  // The package in use now serves the next operation's manifests.
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  assert.equal((await vnfm.request('DELETE', path(id))).status, 204);
  assert.equal((await pkgShow(b.pkgId)).usageState, 'NOT_IN_USE');
});

test('vimConnectionInfo: a wrong per-instance password is corrected by PATCH and the next Helm operation uses it', async () => {
  const env = await testbed();
  const node = env.sshNodes[0];
  assert.ok(node);
  const wrong = `wrong-${randomBytes(4).toString('hex')}`;
  const helmVim = await registerTestbedVim(vnfm, 'helm-modify', {
    helm_info: {
      masternode_ip: [`${node.host}:${node.port}`],
      masternode_username: node.user,
      masternode_password: 'stale',
    },
  });
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  const entry = (password: string) => ({
    id: 'c1',
    extra: { helm_info: { masternode_password: password } },
  });
  await runOp(vnfm, id, 'instantiate', {
    flavourId: 'helmchart',
    vimConnectionInfo: [{ ...entry(node.password), vimId: helmVim, vimType: 'kubernetes' }],
    additionalParams: {
      namespace: `mh-${randomBytes(3).toString('hex')}`,
      use_helm: true,
      using_helm_install_param: ['vdu1', 'vdu2'].map((r) => ({
        exthelmchart: 'false',
        helmchartfile_path: CHART_PATH,
        helmreleasename: r,
      })),
      vdu_mapping: {
        VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
        VDU2: { name: 'vdu2-app', kind: 'Deployment', helmreleasename: 'vdu2' },
      },
      helm_replica_values: { vdu1_aspect: 'replicaCount' },
    },
  });

  // Bad modifications are refused before any op occ.
  await refused(id, { vimConnectionInfo: [{ id: 'c1', vimId: vimId }] }, 409, /runs on VIM .*another VIM/);
  await refused(
    id,
    { vimConnectionInfo: [{ id: 'c9' }] },
    400,
    /vimConnectionInfo\[0\]\.vimType is required/,
  );
  await refused(
    id,
    {
      vimConnectionInfo: [
        { id: 'c1', extra: { helm_info: { masternode_ip: ['127.0.0.9'], masternode_password: '***' } } },
      ],
    },
    400,
    /'\*\*\*' stands for the VIM's stored secret/,
  );

  // A wrong password set by PATCH: the next scale fails on it (so the entry is used)...
  const scale = { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 };
  await modify(id, {
    vimConnectionInfo: [
      entry(wrong),
      { id: 'c2', vimId: helmVim, vimType: 'kubernetes', accessInfo: { token: wrong } },
    ],
  });
  const failedId = await startOp(vnfm, id, 'scale', scale);
  const failed = await opOccSettled(vnfm, failedId);
  assert.equal(failed.operationState, 'FAILED_TEMP');
  assert.match(failed.error.detail, /authentication failed/);
  assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failedId}/fail`)).status, 200);

  // ...and the corrected one, by PATCH, lets it complete.
  await modify(id, { vimConnectionInfo: [entry(node.password)] });
  const inst = await show(id);
  assert.deepEqual(
    inst.vimConnectionInfo.map((v: any) => v.id),
    ['c1', 'c2'],
  );
  const c1 = inst.vimConnectionInfo[0];
  assert.equal(c1.vimId, helmVim, 'the entry kept what the patch did not name');
  assert.equal(c1.extra.helm_info.masternode_password, '***');
  assert.equal(inst.vimConnectionInfo[1].accessInfo.token, '***');
  await runOp(vnfm, id, 'scale', scale);
  assert.equal(
    (await show(id)).instantiatedVnfInfo.scaleStatus.find((s: any) => s.aspectId === 'vdu1_aspect')
      .scaleLevel,
    1,
  );

  const shown =
    JSON.stringify(await show(id)) +
    JSON.stringify((await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body);
  const rows =
    JSON.stringify(await vnfm.ctx.db.selectFrom('vnf_instances').selectAll().execute()) +
    JSON.stringify(await vnfm.ctx.db.selectFrom('vnf_lcm_op_occs').selectAll().execute());
  for (const secret of [wrong, node.password]) {
    assert.ok(!shown.includes(secret), 'masked in instance and op occs');
    assert.ok(!rows.includes(secret), 'not stored in clear');
    assert.ok(!vnfm.logs().includes(secret), 'not logged');
  }
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
});
