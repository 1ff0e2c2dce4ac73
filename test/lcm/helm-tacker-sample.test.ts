// The acceptance scenario, written the way an operator coming from Tacker would:
// charts made by `helm create` and `helm package` (a local one under
// Files/kubernetes, an external one from a repository on loopback), VDU names
// `<release>-<chart>` as helm create's templates render them, the VIM's helm_info
// registered as Tacker stores it (a Python-dict string), helm 3 on master node 0
// over SSH. Instantiate, scale out and in, SOL002 heal of one pod, SOL003 heal of
// the whole VNF, scale_to_level, terminate — at each step the pod counts and
// vnfcResourceInfo must match the cluster, and terminate must leave the master clean.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { TestbedEnv } from '../../testbed/index.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import {
  type ChartRepo,
  helm,
  helmCreateChart,
  removeHelperFiles,
  serveChartRepo,
} from '../helpers/helm-driver.ts';
import {
  createInstance,
  onboardPackage,
  registerTestbedVim,
  runOp,
  vnfcsMatchCluster,
} from '../helpers/lcm.ts';
import { pods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, sshToNode, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const LOCAL_CHART = 'Files/kubernetes/localhelm-0.1.0.tgz';

let env: TestbedEnv;
let vnfm: TestVnfm;
let repo: ChartRepo;
let vimId = '';
let vnfdId = '';

before(async () => {
  env = await testbed();
  repo = await serveChartRepo(env, {
    name: 'apache',
    version: '0.1.0',
    archive: await helmCreateChart(env, 'apache'),
  });
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 120 });
  const node = env.sshNodes[0]!;
  // Tacker's form: helm_info as a string holding a Python dict.
  const helmInfo = `{'masternode_ip': ['${node.host}:${node.port}'], 'masternode_username': '${node.user}', 'masternode_password': '${node.password}'}`;
  vimId = await registerTestbedVim(vnfm, 'tacker-style', { helm_info: helmInfo });
  const chart = await helmCreateChart(env, 'localhelm');
  vnfdId = (
    await onboardPackage(vnfm, {
      edit: (files) => {
        files.delete(CHART_PATH);
        files.set(LOCAL_CHART, chart);
        const df = 'Definitions/sample_cnf_df_helmchart.yaml';
        files.set(
          df,
          String(files.get(df))
            .replace('name: vdu1-app', 'name: vdu1-localhelm')
            .replace('name: vdu2-app', 'name: vdu2-apache'),
        );
      },
    })
  ).vnfdId;
});

after(async () => {
  await vnfm.close();
  await repo.close();
  removeHelperFiles();
});

/** Runs argv on master node 0 as its helm user. */
async function onMaster(argv: string[]) {
  const ssh = await sshToNode(env.sshNodes[0]!);
  try {
    return await ssh.exec(argv);
  } finally {
    ssh.close();
  }
}

test('Tacker-style Helm CNF: instantiate, scale, heal (SOL002, SOL003), scale_to_level, terminate', async () => {
  const ns = `tacker-${randomBytes(3).toString('hex')}`;
  const id = await createInstance(vnfm, vnfdId, 'tacker-sample');
  const core = await kubeClient();
  const instance = async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
  const release = { VDU1: 'vdu1', VDU2: 'vdu2' } as const;
  /** Pods Running as counted, and vnfcResourceInfo naming exactly them with their workloads. */
  const matches = async (counts: Record<keyof typeof release, number>) => {
    const info = await vnfcsMatchCluster(vnfm, id, ns, counts, (vdu) => release[vdu as keyof typeof release]);
    for (const v of info.vnfcResourceInfo) {
      assert.equal(v.computeResource.resourceId, v.id);
      assert.equal(v.computeResource.vimLevelResourceType, 'Deployment');
      assert.equal(v.metadata.workloadName, v.vduId === 'VDU1' ? 'vdu1-localhelm' : 'vdu2-apache');
    }
    return info;
  };

  // The spec's instantiate body with Tacker's sample names.
  await runOp(vnfm, id, 'instantiate', {
    flavourId: 'helmchart',
    instantiationLevelId: 'instantiation_level_1',
    vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
    additionalParams: {
      namespace: ns,
      use_helm: 'true',
      using_helm_install_param: [
        {
          exthelmchart: 'false',
          helmchartfile_path: LOCAL_CHART,
          helmreleasename: 'vdu1',
          helmparameter: ['service.port=8081'],
        },
        {
          exthelmchart: 'true',
          helmreleasename: 'vdu2',
          helmrepositoryname: 'bitnami',
          helmchartname: 'apache',
          exthelmrepo_url: repo.url,
        },
      ],
      helm_replica_values: { vdu1_aspect: 'replicaCount', vdu2_aspect: 'replicaCount' },
      vdu_mapping: {
        VDU1: { kind: 'Deployment', name: 'vdu1-localhelm', helmreleasename: 'vdu1' },
        VDU2: { kind: 'Deployment', name: 'vdu2-apache', helmreleasename: 'vdu2' },
      },
    },
  });
  let info = await matches({ VDU1: 1, VDU2: 1 });
  assert.deepEqual(info.scaleStatus.map((s: any) => [s.aspectId, s.scaleLevel]).sort(), [
    ['vdu1_aspect', 0],
    ['vdu2_aspect', 0],
  ]);
  const svc = await core.readNamespacedService({ name: 'vdu1-localhelm', namespace: ns });
  assert.equal(svc.spec?.ports?.[0]?.port, 8081, 'helmparameter reached the chart');
  assert.equal((await helm(env, 'status', 'vdu2', '--namespace', ns, '-o', 'json')).code, 0);

  await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
  await matches({ VDU1: 2, VDU2: 1 });
  await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu2_aspect', numberOfSteps: 2 });
  await matches({ VDU1: 2, VDU2: 3 });
  await runOp(vnfm, id, 'scale', { type: 'SCALE_IN', aspectId: 'vdu2_aspect', numberOfSteps: 1 });
  info = await matches({ VDU1: 2, VDU2: 2 });

  // SOL002: one VNFC healed, a new pod in its place.
  const victim = info.vnfcResourceInfo.find((v: any) => v.vduId === 'VDU1').id;
  const healed = await runOp(vnfm, id, 'heal', { vnfcInstanceId: [victim] });
  info = await matches({ VDU1: 2, VDU2: 2 });
  assert.ok(!info.vnfcResourceInfo.some((v: any) => v.id === victim), 'the healed pod is gone');
  assert.ok(
    healed.resourceChanges.affectedVnfcs.some((c: any) => c.id === victim && c.changeType === 'REMOVED'),
  );

  // SOL003: the whole VNF reinstalled, its scale levels kept.
  const before = info.vnfcResourceInfo.map((v: any) => v.id);
  await runOp(vnfm, id, 'heal', {});
  info = await matches({ VDU1: 2, VDU2: 2 });
  assert.ok(!info.vnfcResourceInfo.some((v: any) => before.includes(v.id)), 'every pod is new');
  assert.deepEqual(info.scaleStatus.map((s: any) => [s.aspectId, s.scaleLevel]).sort(), [
    ['vdu1_aspect', 1],
    ['vdu2_aspect', 1],
  ]);

  await runOp(vnfm, id, 'scale_to_level', { instantiationLevelId: 'instantiation_level_2' });
  await matches({ VDU1: 3, VDU2: 3 });

  await runOp(vnfm, id, 'terminate', { terminationType: 'GRACEFUL', gracefulTerminationTimeout: 5 });
  await eventually(
    'pods gone',
    () => pods(core, ns, 'app.kubernetes.io/instance'),
    (ps) => ps.length === 0,
  );
  assert.equal((await helm(env, 'list', '--namespace', ns, '-q', '--all')).stdout.trim(), '');
  assert.equal((await instance()).instantiationState, 'NOT_INSTANTIATED');
  // The master is left as it was: no chart directory, no repository.
  assert.notEqual((await onMaster(['test', '-e', `vnfm/${id}`])).code, 0, 'chart directory removed');
  const repos = await onMaster(['helm', 'repo', 'list', '-o', 'json']);
  assert.ok(!repos.stdout.includes('"bitnami"'), `repository removed: ${repos.stdout}${repos.stderr}`);
});
