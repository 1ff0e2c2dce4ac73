// Issue 16's flow end to end through /vnflcm/v2, as the reference VNFM's v2 users send it
// (its functional tests' helm_instantiate, helm_scale_out, helm_heal, helm_change_vnfpkg,
// helm_error_handling_change_vnfpkg, helm_terminate): a VIM given inline (ETSINFV.HELM.V_3
// with the testbed cluster's endpoint, CA and token), the v2 Helm parameters, scale out,
// heal by a vnfcInfo id, change_vnfpkg 0.1.0 → 0.1.1 with the replicas kept, a change to a
// chart whose pods never run → FAILED_TEMP → rollback to the revision before and the old
// package, terminate. After each step v1 and v2 show the same instance.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { helm, removeHelperFiles } from '../helpers/helm-driver.ts';
import { onboardPackage } from '../helpers/lcm.ts';
import { softwareVersion } from '../helpers/package-change.ts';
import { runningPods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { toV2Package, V2_CHART_PATH, v2ChartTgz } from '../helpers/v2-helm-chart.ts';
import { createInstanceV2, opOccSettledV2, runOpV2, startOpV2, v2 } from '../helpers/v2.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const NEW_CHART = 'Files/kubernetes/test-chart-0.1.1.tgz';
const BROKEN_CHART = 'Files/kubernetes/test-chart-error-handling.tgz';

let vnfm: TestVnfm;
const vnfd: Record<'old' | 'new' | 'broken', string> = { old: '', new: '', broken: '' };

/** A v2-shaped package with `chart` at `path`, of software version `version`. */
async function onboard(chart: Buffer, path: string, version: string): Promise<string> {
  const pkg = await onboardPackage(vnfm, {
    edit: (files) => {
      toV2Package(files, chart);
      if (path !== V2_CHART_PATH) {
        files.delete(V2_CHART_PATH);
        files.set(path, chart);
      }
      softwareVersion(files, version);
    },
  });
  return pkg.vnfdId;
}

before(async () => {
  const env = await testbed();
  // The failed change must time out: 60 s bounds every operation here, none of which waits on purpose otherwise.
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 60, helmBinary: env.helm3 });
  vnfd.old = await onboard(await v2ChartTgz('0.1.0'), V2_CHART_PATH, '0.1.0');
  vnfd.new = await onboard(await v2ChartTgz('0.1.1'), NEW_CHART, '0.1.1');
  vnfd.broken = await onboard(await v2ChartTgz('0.1.2', true), BROKEN_CHART, '0.1.2');
});
after(async () => {
  await vnfm.close();
  removeHelperFiles();
});

const changeBody = (vnfdId: string, chart: string) => ({
  vnfdId,
  additionalParams: {
    upgrade_type: 'RollingUpdate',
    helm_chart_path: chart,
    vdu_params: [{ vdu_id: 'VDU2' }],
  },
});

test('inline HELM.V_3 VIM → scale → heal → change_vnfpkg → failed change rolled back → terminate, all through v2', async () => {
  const env = await testbed();
  const core = await kubeClient();
  const ns = `v2-flow-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  try {
    const id = await createInstanceV2(vnfm, vnfd.old, 'v2-flow');
    const release = `vnf${id.replaceAll('-', '')}`;
    const history = async () => {
      const out = await helm(env, 'history', release, '--namespace', ns, '-o', 'json');
      assert.equal(out.code, 0, out.stderr);
      return JSON.parse(out.stdout) as { revision: number; chart: string; description: string }[];
    };
    /** v1 and v2 agree, and the VNFCs are the running pods of each VDU. */
    const consistent = async (state: string, vnfdId: string, counts: Record<string, number>) => {
      const one = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      const two = (await v2(vnfm, 'GET', `/vnf_instances/${id}`)).body;
      for (const view of [one, two]) {
        assert.equal(view.id, id);
        assert.equal(view.instantiationState, state);
        assert.equal(view.vnfdId, vnfdId);
      }
      assert.ok(!JSON.stringify(two).includes(env.bearerToken), 'the token is not shown');
      for (const [vdu, n] of Object.entries(counts)) {
        const pods = await runningPods(
          core,
          ns,
          `app.kubernetes.io/instance=${release},vdu=${vdu.toLowerCase()}`,
          n,
        );
        const names = pods.map((p) => p.name).sort();
        for (const view of [one, two]) {
          const recorded = view.instantiatedVnfInfo.vnfcResourceInfo
            .filter((v: any) => v.vduId === vdu)
            .map((v: any) => v.computeResource.resourceId)
            .sort();
          assert.deepEqual(recorded, names, `${vdu}: vnfcResourceInfo = its running pods`);
        }
      }
      return two;
    };

    await runOpV2(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: {
        vim1: {
          vimId: randomUUID(),
          vimType: 'ETSINFV.HELM.V_3',
          interfaceInfo: { endpoint: env.apiServer, ssl_ca_cert: readFileSync(env.caFile, 'utf8') },
          accessInfo: { bearer_token: env.bearerToken },
        },
      },
      additionalParams: {
        helm_chart_path: V2_CHART_PATH,
        helm_parameters: { 'service.port': 8081 },
        helm_value_names: { VDU1: { replica: 'replicaCountVdu1' }, VDU2: { replica: 'replicaCountVdu2' } },
        namespace: ns,
      },
    });
    await consistent('INSTANTIATED', vnfd.old, { VDU1: 1, VDU2: 1 });

    await runOpV2(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu2_aspect', numberOfSteps: 1 });
    const scaled = await consistent('INSTANTIATED', vnfd.old, { VDU1: 1, VDU2: 2 });

    const victim = scaled.instantiatedVnfInfo.vnfcInfo.find((v: any) => v.vduId === 'VDU2');
    await runOpV2(vnfm, id, 'heal', { vnfcInstanceId: [victim.id] });
    const healed = await consistent('INSTANTIATED', vnfd.old, { VDU1: 1, VDU2: 2 });
    assert.ok(
      !healed.instantiatedVnfInfo.vnfcInfo.some((v: any) => v.id === victim.id),
      'the healed VNFC is new',
    );

    const atChange = (await history()).at(-1)!.revision;
    await runOpV2(vnfm, id, 'change_vnfpkg', changeBody(vnfd.new, NEW_CHART));
    await consistent('INSTANTIATED', vnfd.new, { VDU1: 1, VDU2: 2 });
    const upgraded = (await history()).at(-1)!;
    assert.equal(upgraded.chart, 'test-chart-0.1.1');
    assert.ok(upgraded.revision > atChange);

    const failed = await opOccSettledV2(
      vnfm,
      await startOpV2(vnfm, id, 'change_vnfpkg', changeBody(vnfd.broken, BROKEN_CHART)),
      300_000,
    );
    assert.equal(failed.operationState, 'FAILED_TEMP', JSON.stringify(failed.error));
    const rollback = await v2(vnfm, 'POST', `/vnf_lcm_op_occs/${failed.id}/rollback`);
    assert.equal(rollback.status, 202, JSON.stringify(rollback.body));
    const back = await opOccSettledV2(vnfm, failed.id, 300_000);
    assert.equal(back.operationState, 'ROLLED_BACK', JSON.stringify(back.error));
    const last = (await history()).at(-1)!;
    assert.equal(last.description, `Rollback to ${upgraded.revision}`);
    assert.equal(last.chart, 'test-chart-0.1.1');
    await consistent('INSTANTIATED', vnfd.new, { VDU1: 1, VDU2: 2 });

    await runOpV2(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    const one = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
    const two = (await v2(vnfm, 'GET', `/vnf_instances/${id}`)).body;
    assert.equal(one.instantiationState, 'NOT_INSTANTIATED');
    assert.equal(two.instantiationState, 'NOT_INSTANTIATED');
    assert.equal((await helm(env, 'list', '--namespace', ns, '-q')).stdout.trim(), '', 'no release left');
  } finally {
    await core.deleteNamespace({ name: ns }).catch(() => {});
  }
});
