// change_vnfpkg in Helm mode through /vnflcm/v2 on the testbed (helm 4 on the VNFM host):
// a CNF on chart 0.1.0, scaled out, upgraded to a package with chart 0.1.1 with its
// replicas kept (one VDU's count a chart value, the other's held through the API);
// an upgrade to a chart whose pods never run → FAILED_TEMP → retry (failing again) →
// rollback to revision 1 and
// the old package; and the requests refused before anything runs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import { helm, releaseHistory, removeHelperFiles } from '../helpers/helm-driver.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  vnfcsMatchCluster,
} from '../helpers/lcm.ts';
import {
  assertProblem,
  onboardChartPackage,
  requestChange,
  startChange,
  unschedulableChart,
} from '../helpers/package-change.ts';
import { chartTgz } from '../helpers/cnf-package.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const NEW_CHART = 'Files/kubernetes/app-0.1.1.tgz';
const BROKEN_CHART = 'Files/kubernetes/app-0.1.2.tgz';

const instantiateBody = (vimId: string, ns: string) => ({
  flavourId: 'helmchart',
  instantiationLevelId: 'instantiation_level_1',
  vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
  additionalParams: {
    namespace: ns,
    use_helm: 'true',
    using_helm_install_param: [
      {
        exthelmchart: 'false',
        helmchartfile_path: CHART_PATH,
        helmreleasename: 'vdu1',
        helmparameter: ['service.port=8081'],
      },
      { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'vdu2' },
    ],
    // VDU1's replicas are a chart value; VDU2's are set through the Kubernetes API.
    helm_replica_values: { vdu1_aspect: 'replicaCount' },
    vdu_mapping: {
      VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
      VDU2: { name: 'vdu2-app', kind: 'Deployment', helmreleasename: 'vdu2' },
    },
  },
});

/** The reference VNFM's v2 request body (its functional tests' helm_change_vnfpkg). */
const changeBody = (vnfdId: string, chart: string) => ({
  vnfdId,
  additionalParams: {
    upgrade_type: 'RollingUpdate',
    helm_chart_path: chart,
    vdu_params: [{ vdu_id: 'VDU2' }],
  },
});

async function history(release: string, ns: string) {
  const out = await helm(await testbed(), 'history', release, '--namespace', ns, '-o', 'json');
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout) as { revision: number; status: string; chart: string; description: string }[];
}

async function values(release: string, ns: string) {
  const out = await helm(await testbed(), 'get', 'values', release, '--namespace', ns, '-o', 'json');
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout);
}

async function usage(vnfm: TestVnfm, pkgId: string) {
  return (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body.usageState;
}

const releaseOf = (vdu: string) => (vdu === 'VDU1' ? 'vdu1' : 'vdu2');

// helm 4 and helm 3 on the VNFM host, and helm over SSH on a master node (whatever helm it has).
for (const [major, transport] of [
  ['helm4', 'local'],
  ['helm3', 'local'],
  ['helm4', 'ssh'],
] as const) {
  describe(`change_vnfpkg in Helm mode (${transport === 'ssh' ? 'over SSH' : major})`, () => {
    let vnfm: TestVnfm;
    let vimId = '';
    let oldPkg = { pkgId: '', vnfdId: '' };
    let newPkg = { pkgId: '', vnfdId: '' };
    before(async () => {
      const env = await testbed();
      vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 120, helmBinary: env[major] });
      const node = env.sshNodes[0]!;
      const helmInfo =
        transport === 'ssh'
          ? {
              masternode_ip: [`${node.host}:${node.port}`],
              masternode_username: node.user,
              masternode_password: node.password,
            }
          : { masternode_ip: [] };
      vimId = await registerTestbedVim(vnfm, `helm-change-${major}-${transport}`, { helm_info: helmInfo });
      oldPkg = await onboardPackage(vnfm);
      newPkg = await onboardChartPackage(vnfm, NEW_CHART, await chartTgz('app', '0.1.1'), '1.1');
    });
    after(async () => {
      await vnfm.close();
      removeHelperFiles();
    });

    test('0.1.0 → 0.1.1 keeps the replicas, records the new revisions and package', async () => {
      const ns = `chg-${randomBytes(3).toString('hex')}`;
      const id = await createInstance(vnfm, oldPkg.vnfdId);
      const instance = async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      await runOp(vnfm, id, 'instantiate', instantiateBody(vimId, ns));
      await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
      await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu2_aspect', numberOfSteps: 1 });
      await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 2, VDU2: 2 }, releaseOf);
      assert.equal(await usage(vnfm, oldPkg.pkgId), 'IN_USE');
      assert.equal(await usage(vnfm, newPkg.pkgId), 'NOT_IN_USE');
      const before = (await history('vdu1', ns)).at(-1)!;
      assert.deepEqual([before.revision, before.chart], [2, 'app-0.1.0'], 'the scale out was a helm upgrade');

      // As the reference's users send it for VM-based VNFs too: a VNFC password, which must never show.
      const password = `pw-${randomBytes(6).toString('hex')}`;
      const body = changeBody(newPkg.vnfdId, NEW_CHART);
      const opId = await startChange(vnfm, id, {
        ...body,
        additionalParams: {
          ...body.additionalParams,
          vdu_params: [{ vdu_id: 'VDU1', old_vnfc_param: { cp_name: 'CP1', username: 'u', password } }],
        },
      });
      const done = await opOccSettled(vnfm, opId);
      assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
      assert.equal(done.operation, 'CHANGE_VNFPKG');
      assert.equal(done.operationParams.vnfdId, newPkg.vnfdId);
      assert.equal(done.operationParams.additionalParams.vdu_params[0].old_vnfc_param.password, '***');
      assert.ok(!vnfm.logs().includes(password), 'no VNFC password in the log');

      for (const [release, revision] of [
        ['vdu1', 3],
        ['vdu2', 2],
      ] as const) {
        const last = (await history(release, ns)).at(-1)!;
        assert.deepEqual(
          [last.revision, last.status, last.chart],
          [revision, 'deployed', 'app-0.1.1'],
          release,
        );
      }
      // The values given whole: instantiate's helmparameter and the current replica count.
      const v1 = await values('vdu1', ns);
      assert.equal(v1.replicaCount, 2);
      assert.equal(v1.service.port, 8081);
      const info = await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 2, VDU2: 2 }, releaseOf);
      assert.equal(info.vnfcResourceInfo.length, 4);

      const after = await instance();
      assert.equal(after.vnfdId, newPkg.vnfdId);
      assert.equal(after.vnfSoftwareVersion, '1.1');
      assert.deepEqual(
        after.instantiatedVnfInfo.scaleStatus.sort((a: any, b: any) => a.aspectId.localeCompare(b.aspectId)),
        [
          { aspectId: 'vdu1_aspect', scaleLevel: 1 },
          { aspectId: 'vdu2_aspect', scaleLevel: 1 },
        ],
      );
      assert.equal(await usage(vnfm, oldPkg.pkgId), 'NOT_IN_USE');
      assert.equal(await usage(vnfm, newPkg.pkgId), 'IN_USE');

      // Later operations run on the new package: its chart, its paths.
      await runOp(vnfm, id, 'scale', { type: 'SCALE_IN', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
      await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 1, VDU2: 2 }, releaseOf);
      assert.equal((await history('vdu1', ns)).at(-1)!.chart, 'app-0.1.1');

      await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
      const left = await helm(await testbed(), 'list', '--namespace', ns, '-q');
      assert.equal(left.stdout.trim(), '', 'no release left');
      assert.equal(
        await usage(vnfm, newPkg.pkgId),
        'IN_USE',
        'the NOT_INSTANTIATED instance still refers to it',
      );
    });

    // The requests are the API's and the engine's, whichever helm runs: once.
    test(
      'bad requests are refused with ProblemDetails before anything runs',
      { skip: major !== 'helm4' || transport !== 'local' },
      async () => {
        const ns = `chg-bad-${randomBytes(3).toString('hex')}`;
        const id = await createInstance(vnfm, oldPkg.vnfdId, 'bad-change');
        assertProblem(
          await requestChange(vnfm, id, changeBody(newPkg.vnfdId, NEW_CHART)),
          409,
          /NOT_INSTANTIATED/,
        );
        await runOp(vnfm, id, 'instantiate', instantiateBody(vimId, ns));
        const cases: [object, number, RegExp][] = [
          [changeBody('no-such-vnfd', NEW_CHART), 422, /no onboarded VNF package has vnfdId no-such-vnfd/],
          [changeBody(oldPkg.vnfdId, CHART_PATH), 409, /already runs VNFD/],
          [{ ...changeBody(newPkg.vnfdId, NEW_CHART), surprise: 1 }, 400, /surprise/],
          [
            {
              vnfdId: newPkg.vnfdId,
              additionalParams: { upgrade_type: 'RollingUpdate', helm_chart_paht: NEW_CHART },
            },
            400,
            /helm_chart_paht/,
          ],
          [{ vnfdId: newPkg.vnfdId, additionalParams: { upgrade_type: 'BlueGreen' } }, 400, /upgrade_type/],
          [
            {
              vnfdId: newPkg.vnfdId,
              additionalParams: {
                upgrade_type: 'RollingUpdate',
                'lcm-kubernetes-def-files': ['Files/x.yaml'],
              },
            },
            400,
            /lcm-kubernetes-def-files: the instance runs in Helm mode/,
          ],
          [{ vnfdId: newPkg.vnfdId }, 400, /additionalParams/],
          [changeBody(newPkg.vnfdId, 'Files/kubernetes/none.tgz'), 400, /none\.tgz/],
          [changeBody(newPkg.vnfdId, '../../etc/passwd'), 400, /helmchartfile_path/],
          [
            {
              vnfdId: newPkg.vnfdId,
              additionalParams: {
                upgrade_type: 'RollingUpdate',
                helm_chart_path: NEW_CHART,
                vdu_params: [{ vdu_id: 'VDU9' }],
              },
            },
            400,
            /vdu_params\[0\]\.vdu_id.*VDU9/,
          ],
          [
            {
              vnfdId: newPkg.vnfdId,
              additionalParams: {
                upgrade_type: 'RollingUpdate',
                helm_chart_path: NEW_CHART,
                'lcm-operation-coordinate-new-vnf': 'Scripts/coordinate_new_vnf.py',
              },
            },
            400,
            /coordination scripts/,
          ],
        ];
        for (const [body, status, detail] of cases)
          assertProblem(await requestChange(vnfm, id, body), status, detail);
        assertProblem(
          await requestChange(vnfm, 'no-such-instance', changeBody(newPkg.vnfdId, NEW_CHART)),
          404,
          /does not exist/,
        );

        // A disabled package is refused until it is enabled again.
        const patch = (state: string) =>
          vnfm.request('PATCH', `/vnfpkgm/v1/vnf_packages/${newPkg.pkgId}`, { operationalState: state });
        assert.equal((await patch('DISABLED')).status, 200);
        try {
          assertProblem(await requestChange(vnfm, id, changeBody(newPkg.vnfdId, NEW_CHART)), 409, /DISABLED/);
        } finally {
          assert.equal((await patch('ENABLED')).status, 200);
        }
        const ops = (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs?filter=(eq,vnfInstanceId,${id})`))
          .body;
        assert.deepEqual(
          ops.map((o: any) => o.operation),
          ['INSTANTIATE'],
          'no refused request left an op occ',
        );
        await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
      },
    );
  });
}

describe('change_vnfpkg in Helm mode: a failed upgrade rolled back', () => {
  let vnfm: TestVnfm;
  let vimId = '';
  let oldPkg = { pkgId: '', vnfdId: '' };
  let broken = { pkgId: '', vnfdId: '' };
  before(async () => {
    const env = await testbed();
    // Short: the broken chart's pods never run, so the upgrade fails at this deadline.
    vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 40, helmBinary: env.helm4 });
    vimId = await registerTestbedVim(vnfm, 'helm-change-fail', { helm_info: { masternode_ip: [] } });
    oldPkg = await onboardPackage(vnfm);
    broken = await onboardChartPackage(vnfm, BROKEN_CHART, await unschedulableChart('0.1.2'), '1.2');
  });
  after(async () => {
    await vnfm.close();
    removeHelperFiles();
  });

  test('FAILED_TEMP → rollback: helm rollback to revision 1, the old package back', async () => {
    const ns = `chg-fail-${randomBytes(3).toString('hex')}`;
    const id = await createInstance(vnfm, oldPkg.vnfdId);
    const instance = async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
    await runOp(vnfm, id, 'instantiate', instantiateBody(vimId, ns));
    const podsBefore = (await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 1, VDU2: 1 }, releaseOf))
      .vnfcResourceInfo;

    const opId = await startChange(vnfm, id, changeBody(broken.vnfdId, BROKEN_CHART));
    const failed = await opOccSettled(vnfm, opId);
    assert.equal(failed.operationState, 'FAILED_TEMP', JSON.stringify(failed));
    assert.match(failed.error.detail, /vdu1/);
    assert.equal((await history('vdu1', ns)).at(-1)!.chart, 'app-0.1.2', 'the upgrade was tried');
    assert.equal((await instance()).vnfdId, oldPkg.vnfdId, 'still on the old package');

    // A retry observes the failed release, returns it to revision 1 and upgrades again: failing again.
    const retry = await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/retry`);
    assert.equal(retry.status, 202, JSON.stringify(retry.body));
    const again = await opOccSettled(vnfm, opId);
    assert.equal(again.operationState, 'FAILED_TEMP', JSON.stringify(again));

    const rb = await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/rollback`);
    assert.equal(rb.status, 202, JSON.stringify(rb.body));
    const rolled = await opOccSettled(vnfm, opId);
    assert.equal(rolled.operationState, 'ROLLED_BACK', JSON.stringify(rolled.error));

    const h1 = await history('vdu1', ns);
    assert.deepEqual(
      h1.map((h) => [h.revision, h.chart]),
      [
        [1, 'app-0.1.0'],
        [2, 'app-0.1.2'],
        [3, 'app-0.1.0'],
        [4, 'app-0.1.2'],
        [5, 'app-0.1.0'],
      ],
    );
    assert.deepEqual([h1[1]!.status, h1[3]!.status, h1[4]!.status], ['failed', 'failed', 'deployed']);
    assert.match(h1[2]!.description, /Rollback to 1/, 'the retry went back to revision 1 first');
    assert.match(h1[4]!.description, /Rollback to 1/, "the rollback returned to revision 1's chart");
    const h2 = (await releaseHistory(await testbed(), 'vdu2', ns))!;
    assert.deepEqual(
      h2.map((h) => [h.revision, h.status]),
      [[1, 'deployed']],
      'vdu2 was never upgraded, so nothing to roll back',
    );
    const after = await instance();
    assert.equal(after.vnfdId, oldPkg.vnfdId);
    assert.equal(after.vnfSoftwareVersion, '1.0');
    const podsAfter = (await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 1, VDU2: 1 }, releaseOf))
      .vnfcResourceInfo;
    assert.equal(podsAfter.length, podsBefore.length);
    assert.equal(await usage(vnfm, oldPkg.pkgId), 'IN_USE');
    assert.equal(await usage(vnfm, broken.pkgId), 'NOT_IN_USE');

    // The old chart is staged again: a scale upgrades with 0.1.0, not the broken chart.
    await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
    const last = (await history('vdu1', ns)).at(-1)!;
    assert.deepEqual([last.revision, last.status, last.chart], [6, 'deployed', 'app-0.1.0']);
    await vnfcsMatchCluster(vnfm, id, ns, { VDU1: 2, VDU2: 1 }, releaseOf);
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  });
});
