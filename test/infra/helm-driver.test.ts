// The Helm driver's whole lifecycle against the real testbed, four ways: over SSH
// on the helm 3 master (reached after an unreachable one) and on the helm 4 master
// (key login), and locally with helm 3 and helm 4. Two releases each — the
// package's chart and an external chart from a repository served on loopback —
// instantiated, observed, scaled out and in, the scale rolled back, a pod healed,
// and terminated, with the cluster, helm and the hosts' files checked directly.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InfraContext, InfraState } from '../../src/infra/driver.ts';
import { createHelmDriver, type HelmDriver, type HelmState } from '../../src/infra/helm/index.ts';
import { fingerprint } from '../../src/ssh/session.ts';
import type { HelmInfo } from '../../src/vim/model.ts';
import type { TestbedEnv } from '../../testbed/index.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import {
  type ChartRepo,
  helm,
  infraContext,
  logged,
  releaseHistory,
  removeHelperFiles,
  serveChartRepo,
  testVim,
} from '../helpers/helm-driver.ts';
import { type HelmPackage, helmPackage } from '../helpers/helm-package.ts';
import { pods, runningPods } from '../helpers/pods.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { eventually } from '../helpers/wait.ts';

let env: TestbedEnv;
let pkg: HelmPackage;
let repo: ChartRepo;
const scratch = mkdtempSync(join(tmpdir(), 'helm-driver-'));

before(async () => {
  env = await testbed();
  pkg = await helmPackage();
  repo = await serveChartRepo(env);
});

after(async () => {
  await repo?.close();
  rmSync(scratch, { recursive: true, force: true });
  removeHelperFiles();
  rmSync(pkg.root, { recursive: true, force: true });
  // No secret of the testbed ever reached a log line.
  const text = logged.join('');
  for (const n of env.sshNodes) assert.ok(!text.includes(n.password), 'an SSH password was logged');
  assert.ok(!text.includes(env.bearerToken), 'the bearer token was logged');
});

const canaryOf = (tag: string) => `/tmp/helm-driver-canary-${tag}`;

/** Values a shell would execute or helm would split, each of which must arrive as written. */
function hostile(canary: string): string[] {
  return [
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `x; touch ${canary}`,
    `x' ; touch ${canary} ; '`,
    `x" && touch ${canary} "`,
    `line1\ntouch ${canary}`,
    'a,b=c,d',
    'with  two spaces',
    '{x,y}',
    'back\\slash',
  ];
}

interface Config {
  tag: string;
  title: string;
  transport: 'ssh' | 'local';
  major: 'helm3' | 'helm4';
}

const configs: Config[] = [
  { tag: 'ssh3', title: 'SSH, helm 3 master (after an unreachable one)', transport: 'ssh', major: 'helm3' },
  { tag: 'ssh4', title: 'SSH, helm 4 master (key login)', transport: 'ssh', major: 'helm4' },
  { tag: 'loc3', title: 'local helm 3', transport: 'local', major: 'helm3' },
  { tag: 'loc4', title: 'local helm 4', transport: 'local', major: 'helm4' },
];

for (const cfg of configs) {
  describe(`helm driver: ${cfg.title}`, () => {
    const ns = `hd-${cfg.tag}`;
    const relA = `${cfg.tag}-a`;
    const relB = `${cfg.tag}-b`;
    const repoName = `repo-${cfg.tag}`;
    const canary = canaryOf(cfg.tag);
    const homeDir = join(scratch, cfg.tag);
    // Local: VDU2's replicas are no chart value here, so it scales through the Kubernetes API.
    const vdu2ByValues = cfg.transport === 'ssh';
    let driver: HelmDriver;
    let ctx: InfraContext;
    let state: InfraState = {};
    const st = () => state as unknown as HelmState;
    const core = () => kubeClient();
    const sel = (rel: string) => `app.kubernetes.io/instance=${rel}`;

    before(async () => {
      rmSync(canary, { force: true });
      let helmInfo: HelmInfo | undefined;
      const [n0, n1] = env.sshNodes;
      assert.ok(n0 && n1);
      if (cfg.tag === 'ssh3') {
        helmInfo = {
          // Nothing listens on 127.0.0.9: the driver must move on to node 0, and reach node 1 for "every master".
          masternode_ip: [`127.0.0.9:${n0.port}`, `${n0.host}:${n0.port}`, `${n1.host}:${n1.port}`],
          masternode_username: n0.user,
          masternode_password: n0.password,
        };
      } else if (cfg.tag === 'ssh4') {
        helmInfo = {
          masternode_ip: [`${n1.host}:${n1.port}`, `${n0.host}:${n0.port}`],
          masternode_username: n1.user,
          masternode_private_key: readFileSync(n1.keyFile, 'utf8'),
          masternode_host_keys: { [`${n1.host}:${n1.port}`]: n1.hostKey },
        };
      }
      driver = createHelmDriver(
        cfg.transport === 'local' ? { transport: 'local', helmBinary: env[cfg.major], homeDir } : {},
      );
      ctx = infraContext(testVim(env, helmInfo), pkg, {
        namespace: ns,
        use_helm: 'true',
        using_helm_install_param: [
          {
            exthelmchart: 'false',
            helmchartfile_path: CHART_PATH,
            helmreleasename: relA,
            helmparameter: ['service.port=8081', ...hostile(canary).map((v, i) => `hostile.k${i}=${v}`)],
          },
          {
            exthelmchart: 'true',
            helmreleasename: relB,
            helmrepositoryname: repoName,
            helmchartname: repo.chart,
            exthelmrepo_url: repo.url,
            helmparameter: ['service.type=ClusterIP'],
          },
        ],
        helm_replica_values: {
          vdu1_aspect: 'replicaCount',
          ...(vdu2ByValues ? { vdu2_aspect: 'replicaCount' } : {}),
        },
        vdu_mapping: {
          VDU1: { name: `${relA}-app`, kind: 'Deployment', helmreleasename: relA },
          VDU2: { name: `${relB}-app`, kind: 'Deployment', helmreleasename: relB },
        },
      });
    });

    after(async () => {
      // Whatever a failed test left behind.
      for (const r of [relA, relB]) await helm(env, 'uninstall', r, '--namespace', ns);
      await (await core()).deleteNamespace({ name: ns }).catch(() => undefined);
      rmSync(canary, { force: true });
    });

    test('validate accepts the request', async () => {
      await driver.validate(ctx);
    });

    test('instantiate: two releases deployed, manifest resources stored, level replicas applied', async () => {
      state = await driver.instantiate(ctx, { VDU1: 2, VDU2: 1 }, {});
      const s = st();
      assert.equal(s.mode, 'helm');
      assert.equal(s.transport, cfg.transport);
      assert.equal(s.namespace, ns);
      if (cfg.transport === 'ssh') {
        const node = cfg.tag === 'ssh3' ? env.sshNodes[0]! : env.sshNodes[1]!;
        assert.equal(s.masterNode, `${node.host}:${node.port}`);
        assert.equal(s.chartDir, `/home/${node.user}/vnfm/${ctx.vnfInstanceId}`);
        // Trust on first use: both reachable masters' keys recorded.
        for (const n of env.sshNodes)
          assert.equal(
            s.hostKeys[`${n.host}:${n.port}`],
            fingerprint(Buffer.from(n.hostKey.split(' ')[1]!, 'base64')),
          );
        assert.equal(s.hostKeys[`127.0.0.9:${env.sshNodes[0]!.port}`], undefined);
      } else {
        assert.equal(s.chartDir, join(homeDir, 'instances', ctx.vnfInstanceId));
      }
      assert.ok(
        existsSync(join(s.chartDir, relA, 'app', 'Chart.yaml')),
        'chart extracted in the chart directory',
      );
      assert.deepEqual(
        s.releases.map((r) => [r.name, r.revision, r.chartVersion, r.external?.repo]),
        [
          [relA, 1, undefined, undefined],
          [relB, 1, '0.2.0', repoName],
        ],
      );
      assert.deepEqual(s.resources.map((r) => `${r.release} ${r.kind} ${r.namespace}/${r.name}`).sort(), [
        `${relA} Deployment ${ns}/${relA}-app`,
        `${relA} Service ${ns}/${relA}-svc`,
        `${relB} Deployment ${ns}/${relB}-app`,
        `${relB} Service ${ns}/${relB}-svc`,
      ]);
      await runningPods(await core(), ns, sel(relA), 2);
      await runningPods(await core(), ns, sel(relB), 1);
    });

    test('observe matches the live pods, mapped to VDUs', async () => {
      const vnfcs = await driver.observe(ctx, state);
      const live = async (rel: string) => (await pods(await core(), ns, sel(rel))).map((p) => p.name).sort();
      assert.deepEqual(
        vnfcs.filter((v) => v.vduId === 'VDU1').map((v) => v.id),
        await live(relA),
      );
      assert.deepEqual(
        vnfcs.filter((v) => v.vduId === 'VDU2').map((v) => v.id),
        await live(relB),
      );
      assert.ok(
        vnfcs.every((v) => v.status === 'Running' && v.namespace === ns && v.workloadKind === 'Deployment'),
      );
      assert.equal(vnfcs.find((v) => v.vduId === 'VDU2')?.workloadName, `${relB}-app`);
    });

    test('hostile helmparameter values arrive exactly; nothing was executed', async () => {
      const r = await helm(env, 'get', 'values', relA, '--namespace', ns, '-o', 'json');
      assert.equal(r.code, 0, r.stderr);
      const values = JSON.parse(r.stdout);
      assert.equal(values.service.port, 8081);
      assert.equal(values.replicaCount, 2);
      for (const [i, v] of hostile(canary).entries()) assert.equal(values.hostile[`k${i}`], v, `k${i}`);
      assert.equal(existsSync(canary), false, 'the canary file was not created');
    });

    test('instantiate again (a retry) changes nothing', async () => {
      const again = (await driver.instantiate(ctx, { VDU1: 2, VDU2: 1 }, state)) as unknown as HelmState;
      assert.deepEqual(
        again.releases.map((r) => r.revision),
        [1, 1],
      );
      assert.equal((await releaseHistory(env, relA, ns))?.length, 1);
      state = again as unknown as InfraState;
    });

    test('scale out and in through helm_replica_values; rollbackScale returns to the previous replicas', async () => {
      state = await driver.scale(ctx, { VDU1: 3 }, state);
      assert.equal(st().releases.find((r) => r.name === relA)?.revision, 2);
      await runningPods(await core(), ns, sel(relA), 3);
      state = await driver.scale(ctx, { VDU1: 1 }, state);
      assert.equal(st().releases.find((r) => r.name === relA)?.revision, 3);
      assert.deepEqual(st().lastScale?.releases, [{ name: relA, namespace: ns, revision: 2 }]);
      await runningPods(await core(), ns, sel(relA), 1);
      assert.equal((await driver.observe(ctx, state)).filter((v) => v.vduId === 'VDU1').length, 1);

      state = await driver.rollbackScale(ctx, state);
      const history = await releaseHistory(env, relA, ns);
      assert.deepEqual(
        history?.map((h) => [h.revision, h.status]),
        [
          [1, 'superseded'],
          [2, 'superseded'],
          [3, 'superseded'],
          [4, 'deployed'],
        ],
      );
      assert.equal(st().lastScale, undefined);
      await runningPods(await core(), ns, sel(relA), 3);
      // The hostile values survive --reuse-values upgrades and the rollback.
      const values = JSON.parse(
        (await helm(env, 'get', 'values', relA, '--namespace', ns, '-o', 'json')).stdout,
      );
      assert.equal(values.hostile.k6, 'a,b=c,d');
    });

    test(`scale VDU2 ${vdu2ByValues ? 'with helm upgrade of the external chart (version pinned)' : 'through the Kubernetes API'}`, async () => {
      state = await driver.scale(ctx, { VDU2: 2 }, state);
      const b = st().releases.find((r) => r.name === relB);
      if (vdu2ByValues) {
        assert.equal(b?.revision, 2);
        assert.equal((await releaseHistory(env, relB, ns))?.at(-1)?.status, 'deployed');
      } else {
        assert.equal(b?.revision, 1);
        assert.deepEqual(st().replicaOverrides, { [`Deployment/${ns}/${relB}-app`]: 2 });
      }
      await runningPods(await core(), ns, sel(relB), 2);
    });

    test('heal one pod: replaced, count unchanged', async () => {
      const before = (await driver.observe(ctx, state)).filter((v) => v.vduId === 'VDU1');
      const victim = before[0]!.id;
      state = await driver.healVnfcs(ctx, [victim], state);
      const after = (await driver.observe(ctx, state)).filter((v) => v.vduId === 'VDU1');
      assert.equal(after.length, before.length);
      assert.ok(!after.some((v) => v.id === victim), 'the healed pod was replaced');
      assert.ok(after.every((v) => v.status === 'Running'));
    });

    test('terminate removes releases, repository and chart directory; repeating it is harmless', async () => {
      const chartDir = st().chartDir;
      await driver.terminate(ctx, state);
      assert.equal(await releaseHistory(env, relA, ns), undefined);
      assert.equal(await releaseHistory(env, relB, ns), undefined);
      await eventually(
        'pods of both releases gone',
        async () => [
          ...(await pods(await core(), ns, sel(relA))),
          ...(await pods(await core(), ns, sel(relB))),
        ],
        (ps) => ps.length === 0,
      );
      assert.equal(existsSync(chartDir), false, 'chart directory removed');
      const repositories =
        cfg.transport === 'ssh'
          ? `/home/${env.sshNodes[0]!.user}/.config/helm/repositories.yaml`
          : join(homeDir, 'vims', ctx.vim.id, 'config', 'repositories.yaml');
      assert.ok(!readFileSync(repositories, 'utf8').includes(repoName), 'repository removed');
      await driver.terminate(ctx, state);
    });
  });
}
