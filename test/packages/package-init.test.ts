// initPackage (`vnfm package init --chart`) on charts made by the real `helm create`
// (helm 3 and helm 4), as a directory and as the archive `helm package` makes: the
// VDUs and aspects it finds by rendering the chart with the real helm, and a package
// that builds, onboards and — with the instantiate.json it writes — instantiates and
// scales on the testbed cluster. Plus a chart with two scalable workloads and a
// DaemonSet, and the refusals.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { buildPackage } from '../../src/packages/build.ts';
import { initPackage, InitError } from '../../src/packages/init/index.ts';
import { createInstance, onboardZip, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { runningPods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const execFileP = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'package-init-test-'));
let vnfm: TestVnfm;
let vimId = '';

before(async () => {
  const env = await testbed();
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm3 });
  vimId = await registerTestbedVim(vnfm, 'init', { helm_info: { masternode_ip: [] } });
});
after(async () => {
  await vnfm?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function helmCreate(helm: string, name: string): Promise<string> {
  const dir = mkdtempSync(join(scratch, 'create-'));
  await execFileP(helm, ['create', name], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
  return join(dir, name);
}

for (const version of ['helm3', 'helm4'] as const) {
  describe(`package init on a chart made by ${version} create`, () => {
    test('one VDU for its Deployment, an aspect on replicaCount; builds, onboards, instantiates, scales', async () => {
      const env = await testbed();
      const chart = await helmCreate(env[version], 'mychart');
      const out = join(scratch, `${version}-dir`);
      const r = await initPackage({ chart, out, helmBinary: env[version] });
      assert.deepEqual(r.vdus, [
        { id: 'VDU1', kind: 'Deployment', name: 'mychart', replicas: 1, replicaValue: 'replicaCount' },
      ]);
      assert.deepEqual(r.aspects, [
        { id: 'vdu1_aspect', value: 'replicaCount', vdus: ['VDU1'], maxScaleLevel: 2 },
      ]);
      assert.equal(r.chartPath, 'Files/kubernetes/mychart-0.1.0.tgz');
      assert.deepEqual(JSON.parse(readFileSync(join(out, 'instantiate.json'), 'utf8')), r.instantiateRequest);
      const readme = readFileSync(join(out, 'README.md'), 'utf8');
      for (const field of ['helmchartfile_path', 'helmreleasename', 'helm_replica_values', 'vdu_mapping'])
        assert.ok(readme.includes(field), `README documents ${field}`);

      const pkgId = await onboardZip(vnfm, await buildPackage(out));
      const pkg = (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body;
      assert.equal(pkg.vnfdId, r.vnfdId);
      assert.equal(pkg.vnfProductName, 'mychart');

      const ns = `init-${version}-${randomBytes(3).toString('hex')}`;
      const id = await createInstance(vnfm, r.vnfdId);
      const body = structuredClone(r.instantiateRequest) as any;
      body.additionalParams.namespace = ns;
      await runOp(vnfm, id, 'instantiate', {
        ...body,
        vimConnectionInfo: [{ id: 'v', vimId, vimType: 'kubernetes' }],
      });
      const core = await kubeClient();
      const selector = 'app.kubernetes.io/instance=mychart,app.kubernetes.io/name=mychart';
      await runningPods(core, ns, selector, 1);
      await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 2 });
      await runningPods(core, ns, selector, 3);
      const info = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiatedVnfInfo;
      assert.equal(info.vnfcResourceInfo.filter((v: any) => v.vduId === 'VDU1').length, 3);
      await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
      await runningPods(core, ns, selector, 0);
    });

    test('the archive helm package makes gives the same VNFD; --release renames the workloads', async () => {
      const env = await testbed();
      const chart = await helmCreate(env[version], 'edge');
      await execFileP(env[version], ['package', chart, '--destination', scratch], {
        env: { PATH: process.env.PATH, HOME: scratch },
      });
      const r = await initPackage({
        chart: join(scratch, 'edge-0.1.0.tgz'),
        out: join(scratch, `${version}-tgz`),
        helmBinary: env[version],
        release: 'site1',
        vnfdId: '3c9e1a7b-2d4f-4b6a-8e0c-7f1d3b5a9c20',
        provider: 'ACME',
      });
      assert.deepEqual(
        r.vdus.map((v) => [v.id, v.name, v.replicaValue]),
        [['VDU1', 'site1-edge', 'replicaCount']],
      );
      const mapping = (r.instantiateRequest.additionalParams as any).vdu_mapping;
      assert.deepEqual(mapping, {
        VDU1: { name: 'site1-edge', kind: 'Deployment', helmreleasename: 'site1' },
      });
      const top = readFileSync(join(scratch, `${version}-tgz/Definitions/edge_top.vnfd.yaml`), 'utf8');
      assert.match(top, /descriptor_id: "3c9e1a7b-2d4f-4b6a-8e0c-7f1d3b5a9c20"/);
      assert.match(top, /provider: "ACME"/);
    });
  });
}

test('a chart with two scalable workloads on one value, one on its own, and a DaemonSet', async () => {
  const env = await testbed();
  const chart = join(scratch, 'multi');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: multi\nversion: 2.0.0\n');
  writeFileSync(
    join(chart, 'values.yaml'),
    'workers:\n  replicas: 2\ndb:\n  replicaCount: 1\nreplicaCountUnused: 4\n',
  );
  const workload = (kind: string, name: string, replicas?: string) => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: {{ .Release.Name }}-${name}}
spec:
${replicas ? `  replicas: {{ ${replicas} }}\n` : ''}  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: nginx}]}
`;
  writeFileSync(
    join(chart, 'templates/a.yaml'),
    workload('Deployment', 'worker-a', '.Values.workers.replicas'),
  );
  writeFileSync(
    join(chart, 'templates/b.yaml'),
    workload('Deployment', 'worker-b', '.Values.workers.replicas'),
  );
  writeFileSync(join(chart, 'templates/db.yaml'), workload('StatefulSet', 'db', '.Values.db.replicaCount'));
  writeFileSync(join(chart, 'templates/agent.yaml'), workload('DaemonSet', 'agent'));
  const r = await initPackage({
    chart,
    out: join(scratch, 'multi-pkg'),
    helmBinary: env.helm3,
    maxScaleLevel: 3,
  });
  assert.deepEqual(
    r.vdus.map((v) => [v.id, v.kind, v.name, v.replicas, v.replicaValue]),
    [
      ['VDU1', 'DaemonSet', 'multi-agent', undefined, undefined],
      ['VDU2', 'Deployment', 'multi-worker-a', 2, 'workers.replicas'],
      ['VDU3', 'Deployment', 'multi-worker-b', 2, 'workers.replicas'],
      ['VDU4', 'StatefulSet', 'multi-db', 1, 'db.replicaCount'],
    ],
  );
  assert.deepEqual(
    r.aspects.map((a) => [a.id, a.value, a.vdus, a.maxScaleLevel]),
    [
      ['workers_replicas_aspect', 'workers.replicas', ['VDU2', 'VDU3'], 3],
      ['vdu4_aspect', 'db.replicaCount', ['VDU4'], 3],
    ],
  );
  // The VNFD is one the VNFM loads: it onboards.
  await onboardZip(vnfm, await buildPackage(join(scratch, 'multi-pkg')));
});

test('the VNFD of samples/helm-cnf is what package init writes for its chart', async () => {
  const env = await testbed();
  const sample = new URL('../../samples/helm-cnf/', import.meta.url).pathname;
  const out = join(scratch, 'sample-again');
  const r = await initPackage({
    chart: join(sample, 'Files/kubernetes/web'),
    out,
    helmBinary: env.helm4,
    vnfdId: '5b1f3c2e-7d4a-4e8b-9c6f-2a0d8e4b7f31',
    provider: 'Helm VNFM samples',
    productName: 'Helm CNF sample',
  });
  for (const f of ['web_top.vnfd.yaml', 'web_types.yaml', 'web_df_helmchart.yaml'])
    assert.equal(
      readFileSync(join(out, 'Definitions', f), 'utf8'),
      readFileSync(join(sample, 'Definitions', f), 'utf8'),
      f,
    );
  const local = JSON.parse(readFileSync(join(sample, 'instantiate.json'), 'utf8'));
  const { namespace, ...params } = local.additionalParams;
  assert.equal(namespace, 'helm-cnf');
  params.using_helm_install_param[0].helmparameter = undefined;
  const generated = structuredClone(r.instantiateRequest.additionalParams) as any;
  generated.using_helm_install_param[0].helmparameter = undefined;
  assert.deepEqual(params, generated, 'the sample request carries the mapping init derived');
});

test('refusals, one line each', async () => {
  const env = await testbed();
  const refuses = async (opts: Parameters<typeof initPackage>[0], message: RegExp) =>
    assert.rejects(initPackage(opts), (err: Error) => {
      assert.ok(err instanceof InitError, String(err));
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  const chart = await helmCreate(env.helm3, 'refused');
  await refuses(
    { chart: join(scratch, 'nope.tgz'), out: join(scratch, 'r1'), helmBinary: env.helm3 },
    /nope\.tgz: no such file/,
  );
  await refuses(
    { chart, out: join(scratch, 'r2'), helmBinary: join(scratch, 'no-helm') },
    /cannot run helm: .*no-helm not found/,
  );
  mkdirSync(join(scratch, 'full'));
  writeFileSync(join(scratch, 'full/x'), '');
  await refuses({ chart, out: join(scratch, 'full'), helmBinary: env.helm3 }, /--out .*full is not empty/);
  await refuses(
    { chart, out: join(scratch, 'r3'), helmBinary: env.helm3, release: 'Bad_Name' },
    /release name "Bad_Name"/,
  );
  const noWorkloads = join(scratch, 'cm');
  mkdirSync(join(noWorkloads, 'templates'), { recursive: true });
  writeFileSync(join(noWorkloads, 'Chart.yaml'), 'apiVersion: v2\nname: cm\nversion: 0.1.0\n');
  writeFileSync(
    join(noWorkloads, 'templates/cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
  );
  await refuses(
    { chart: noWorkloads, out: join(scratch, 'r4'), helmBinary: env.helm3 },
    /renders no Deployment, StatefulSet/,
  );
  writeFileSync(join(noWorkloads, 'templates/bad.yaml'), '{{ .Values.missing.deeper }}\n');
  await refuses(
    { chart: noWorkloads, out: join(scratch, 'r5'), helmBinary: env.helm3 },
    /^helm template failed: .*nil pointer/,
  );
});
