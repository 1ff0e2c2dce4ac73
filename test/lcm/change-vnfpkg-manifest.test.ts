// change_vnfpkg in manifest mode through /vnflcm/v2 on the testbed: the new package's
// manifests change one Deployment and no longer have another, which is deleted; a
// change to manifests whose pods never run fails (FAILED_TEMP) and its rollback
// re-applies the old package's objects.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { deploymentManifest, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, opOccSettled, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { assertProblem, requestChange, softwareVersion, startChange } from '../helpers/package-change.ts';
import { runningPods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const EXTRA_PATH = 'Files/kubernetes/extra.yaml';
const NEW_MANIFEST = 'Files/new_kubernetes/deployment.yaml';

/** vdu2-app as the new package has it: another image. */
const changedVdu2 = () => deploymentManifest('vdu2-app').replace('nginx:1.27', 'nginx:1.28');

describe('change_vnfpkg in manifest mode', () => {
  let vnfm: TestVnfm;
  let vimId = '';
  let oldPkg = { pkgId: '', vnfdId: '' };
  let newPkg = { pkgId: '', vnfdId: '' };
  let broken = { pkgId: '', vnfdId: '' };
  before(async () => {
    // Short: the broken package's pods never run, so its change fails at this deadline.
    vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 40 });
    vimId = await registerTestbedVim(vnfm, 'manifest-change');
    // The old package: both VDUs, and a Deployment of no VDU beside them.
    oldPkg = await onboardPackage(vnfm, {
      edit: (files) => files.set(EXTRA_PATH, deploymentManifest('extra-app')),
    });
    // The new one: vdu2-app changed, extra-app gone, at another path (as the reference's samples do).
    newPkg = await onboardPackage(vnfm, {
      edit: (files) => {
        files.set(NEW_MANIFEST, `${deploymentManifest('vdu1-app')}---\n${changedVdu2()}`);
        softwareVersion(files, '2.0');
      },
    });
    // A broken one: vdu2-app's pods select a node no cluster has.
    broken = await onboardPackage(vnfm, {
      edit: (files) =>
        files.set(
          NEW_MANIFEST,
          `${deploymentManifest('vdu1-app')}---\n${deploymentManifest('vdu2-app', 1, { 'vnfm-test/no-such-node': 'true' })}`,
        ),
    });
  });
  after(() => vnfm.close());

  test('the changed object is updated, the removed one deleted; a failed change rolls back', async () => {
    const ns = `chgm-${randomBytes(3).toString('hex')}`;
    const core = await kubeClient();
    const kc = new KubeConfig();
    kc.loadFromFile((await testbed()).kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    const deployments = async () =>
      (await apps.listNamespacedDeployment({ namespace: ns })).items.map((d) => d.metadata?.name).sort();
    // The test's own namespace: the VNFM only uses it, so terminate has no namespace to wait out.
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const id = await createInstance(vnfm, oldPkg.vnfdId);
    const instance = async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
    await runOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH, EXTRA_PATH] },
    });
    await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu2_aspect', numberOfSteps: 1 });
    await runningPods(core, ns, 'app=extra-app', 1);
    await runningPods(core, ns, 'app=vdu2-app', 2);
    const image = async (app: string) => {
      const list = await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` });
      return [...new Set(list.items.map((p) => p.spec?.containers[0]?.image))];
    };
    const body = (vnfdId: string) => ({
      vnfdId,
      additionalParams: {
        upgrade_type: 'RollingUpdate',
        'lcm-kubernetes-def-files': [NEW_MANIFEST],
        vdu_params: [{ vdu_id: 'VDU2' }],
      },
    });

    // Manifests the new package lacks are refused before anything runs: named ones, and by
    // default the instantiate request's own paths (the new package has no extra.yaml).
    assertProblem(
      await requestChange(vnfm, id, {
        vnfdId: newPkg.vnfdId,
        additionalParams: { upgrade_type: 'RollingUpdate', 'lcm-kubernetes-def-files': ['Files/none.yaml'] },
      }),
      400,
      /none\.yaml/,
    );
    assertProblem(
      await requestChange(vnfm, id, {
        vnfdId: newPkg.vnfdId,
        additionalParams: { upgrade_type: 'RollingUpdate' },
      }),
      400,
      /extra\.yaml/,
    );
    // A Helm-mode key means nothing here: refused, not a silent re-apply of the same manifests.
    assertProblem(
      await requestChange(vnfm, id, {
        vnfdId: newPkg.vnfdId,
        additionalParams: { upgrade_type: 'RollingUpdate', helm_chart_path: 'Files/kubernetes/x.tgz' },
      }),
      400,
      /helm_chart_path: the instance runs in manifest mode/,
    );

    // A change whose pods never run: FAILED_TEMP, then rolled back to the old package's objects.
    const failedId = await startChange(vnfm, id, body(broken.vnfdId));
    const failed = await opOccSettled(vnfm, failedId);
    assert.equal(failed.operationState, 'FAILED_TEMP', JSON.stringify(failed));
    assert.equal((await instance()).vnfdId, oldPkg.vnfdId);
    assert.deepEqual(await deployments(), ['vdu1-app', 'vdu2-app'], 'the broken package has no extra-app');
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failedId}/rollback`)).status, 202);
    const rolled = await opOccSettled(vnfm, failedId);
    assert.equal(rolled.operationState, 'ROLLED_BACK', JSON.stringify(rolled.error));
    assert.deepEqual(await deployments(), ['extra-app', 'vdu1-app', 'vdu2-app']);
    await runningPods(core, ns, 'app=extra-app', 1);
    await runningPods(core, ns, 'app=vdu2-app', 2);
    assert.deepEqual(await image('vdu2-app'), ['nginx:1.27']);

    // The real change.
    const opId = await startChange(vnfm, id, body(newPkg.vnfdId));
    const done = await opOccSettled(vnfm, opId);
    assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
    assert.deepEqual(await deployments(), ['vdu1-app', 'vdu2-app'], 'extra-app is gone');
    await runningPods(core, ns, 'app=extra-app', 0);
    const live = await runningPods(core, ns, 'app=vdu2-app', 2);
    assert.deepEqual(await image('vdu2-app'), ['nginx:1.28'], 'the changed Deployment rolled its pods');
    const info = (await instance()).instantiatedVnfInfo;
    assert.deepEqual(
      info.vnfcResourceInfo
        .filter((v: any) => v.vduId === 'VDU2')
        .map((v: any) => v.id)
        .sort(),
      live.map((p) => p.name).sort(),
    );
    const after = await instance();
    assert.equal(after.vnfdId, newPkg.vnfdId);
    assert.equal(after.vnfSoftwareVersion, '2.0');

    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    await runningPods(core, ns, 'app=vdu1-app', 0);
    assert.deepEqual(await deployments(), [], 'nothing of the instance is left');
    await core.deleteNamespace({ name: ns });
  });
});
