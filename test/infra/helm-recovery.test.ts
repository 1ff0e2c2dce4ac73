// The Helm driver when things go wrong, against the real testbed: requests it must
// refuse before touching anything, releases a crashed helm left pending-install or
// pending-upgrade (made here by killing a real helm mid-operation) recovered on
// retry, another owner's release left alone, and master-node access failures
// reported precisely — never with a password in an error or a log line.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tar from 'tar';
import { ProblemError } from '../../src/errors.ts';
import type { InfraState } from '../../src/infra/driver.ts';
import { createHelmDriver, HelmError, type HelmState } from '../../src/infra/helm/index.ts';
import { fingerprint } from '../../src/ssh/session.ts';
import type { HelmInfo } from '../../src/vim/model.ts';
import type { TestbedEnv } from '../../testbed/index.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import {
  helm,
  infraContext,
  logged,
  releaseHistory,
  removeHelperFiles,
  serveChartRepo,
  testVim,
} from '../helpers/helm-driver.ts';
import { type HelmPackage, helmPackage } from '../helpers/helm-package.ts';
import { runningPods } from '../helpers/pods.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { eventually } from '../helpers/wait.ts';

let env: TestbedEnv;
let pkg: HelmPackage;
const scratch = mkdtempSync(join(tmpdir(), 'helm-recovery-'));
const NS = 'hd-recovery';

before(async () => {
  env = await testbed();
  pkg = await helmPackage();
});

after(async () => {
  const core = await kubeClient();
  for (const r of [
    'rc-install',
    'rc-upgrade',
    'rc-foreign',
    'rc-badmap',
    'rc-checkpoint',
    'rc-repo-a',
    'rc-repo-b',
  ])
    for (const name of [r, `${r}-b`]) await helm(env, 'uninstall', name, '--namespace', NS);
  await core.deleteNamespace({ name: NS }).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
  removeHelperFiles();
  rmSync(pkg.root, { recursive: true, force: true });
  const text = logged.join('');
  for (const n of env.sshNodes) assert.ok(!text.includes(n.password), 'an SSH password was logged');
  assert.ok(!text.includes('Wr0ng-Pa55word'), 'the wrong password was logged');
  assert.ok(!text.includes(env.bearerToken), 'the bearer token was logged');
});

/** `release` carries VDU1 and `<release>-b` VDU2 (every VDU of the flavour must be carried). */
function params(release: string, extra: Record<string, unknown> = {}) {
  const b = `${release}-b`;
  return {
    namespace: NS,
    use_helm: true,
    using_helm_install_param: [release, b].map((r) => ({
      exthelmchart: false,
      helmchartfile_path: CHART_PATH,
      helmreleasename: r,
      helmparameter: [],
    })),
    helm_replica_values: { vdu1_aspect: 'replicaCount' },
    vdu_mapping: {
      VDU1: { name: `${release}-app`, kind: 'Deployment', helmreleasename: release },
      VDU2: { name: `${b}-app`, kind: 'Deployment', helmreleasename: b },
    },
    ...extra,
  };
}

const localDriver = (major: 'helm3' | 'helm4') =>
  createHelmDriver({ transport: 'local', helmBinary: env[major], homeDir: join(scratch, major) });

async function ensureNamespace() {
  const core = await kubeClient();
  try {
    await core.createNamespace({ body: { metadata: { name: NS } } });
  } catch {
    // exists already
  }
}

/** Starts helm (testbed kubeconfig) and SIGKILLs it once the release is in `status`: a crash mid-operation. */
async function killMidway(major: 'helm3' | 'helm4', release: string, status: string, args: string[]) {
  const home = join(scratch, `kill-${release}`);
  const child: ChildProcess = spawn(env[major], args, {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      KUBECONFIG: env.kubeconfig,
      HELM_CACHE_HOME: join(home, 'c'),
      HELM_CONFIG_HOME: join(home, 'cf'),
      HELM_DATA_HOME: join(home, 'd'),
    },
    stdio: 'ignore',
  });
  try {
    await eventually(
      `release ${release} ${status}`,
      async () => (await releaseHistory(env, release, NS))?.at(-1)?.status,
      (s) => s === status,
      30_000,
    );
  } finally {
    child.kill('SIGKILL');
  }
}

async function withQuota<T>(pods: number, f: () => Promise<T>): Promise<T> {
  const core = await kubeClient();
  await core.createNamespacedResourceQuota({
    namespace: NS,
    body: { metadata: { name: 'no-more-pods' }, spec: { hard: { pods: String(pods) } } },
  });
  try {
    return await f();
  } finally {
    await core.deleteNamespacedResourceQuota({ name: 'no-more-pods', namespace: NS });
  }
}

describe('refused before anything is touched', () => {
  const rejects400 = async (p: Record<string, unknown>, detail: RegExp) => {
    const driver = localDriver('helm3');
    await assert.rejects(driver.validate(infraContext(testVim(env), pkg, p)), (e: unknown) => {
      assert.ok(e instanceof ProblemError, String(e));
      assert.equal(e.status, 400);
      assert.match(e.message, detail);
      return true;
    });
  };

  test('a chart path with ".." / absolute / missing', async () => {
    const p = params('rc-x');
    const item = p.using_helm_install_param[0]!;
    await rejects400(
      { ...p, using_helm_install_param: [{ ...item, helmchartfile_path: '../x.tgz' }] },
      /'\.\.'/,
    );
    await rejects400(
      { ...p, using_helm_install_param: [{ ...item, helmchartfile_path: '/etc/passwd' }] },
      /helmchartfile_path: .*absolute/,
    );
    await rejects400(
      { ...p, using_helm_install_param: [{ ...item, helmchartfile_path: 'Files/none.tgz' }] },
      /helmchartfile_path: "Files\/none\.tgz" does not exist/,
    );
  });

  test('a file that is no chart archive, and one with a symlink', async () => {
    writeFileSync(join(pkg.root, 'Files', 'garbage.tgz'), 'not gzip');
    const linkDir = join(scratch, 'linkchart');
    const chart = join(linkDir, 'evil');
    mkdirSync(chart, { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: evil\nversion: 0.1.0\n');
    symlinkSync('/etc/passwd', join(chart, 'values.yaml'));
    await tar.c({ gzip: true, cwd: linkDir, file: join(pkg.root, 'Files', 'evil.tgz') }, ['evil']);
    const p = params('rc-x');
    const [item, other] = p.using_helm_install_param;
    await rejects400(
      { ...p, using_helm_install_param: [{ ...item!, helmchartfile_path: 'Files/garbage.tgz' }, other] },
      /^using_helm_install_param\[0\]\.helmchartfile_path: "Files\/garbage\.tgz" is not a usable Helm chart archive: it is not a gzip tar/,
    );
    await rejects400(
      { ...p, using_helm_install_param: [{ ...item!, helmchartfile_path: 'Files/evil.tgz' }, other] },
      /evil\/values\.yaml" is a SymbolicLink/,
    );
  });

  test('SSH forced on a VIM without master nodes', async () => {
    const driver = createHelmDriver({ transport: 'ssh' });
    await assert.rejects(
      driver.validate(infraContext(testVim(env), pkg, params('rc-x'))),
      /extra\.helm_info\.masternode_ip lists no master node/,
    );
  });
});

describe('recovery after a crash', () => {
  test('pending-install (helm 3 killed during install --wait): uninstalled and installed again', async () => {
    await ensureNamespace();
    const ctx = infraContext(testVim(env), pkg, params('rc-install'));
    await withQuota(0, () =>
      killMidway('helm3', 'rc-install', 'pending-install', [
        'install',
        'rc-install',
        join(pkg.root, CHART_PATH),
        '--namespace',
        NS,
        '--wait',
        '--timeout',
        '60s',
        // What the driver passes: helm keeps the labels on the pending record, not the description.
        '--description',
        `vnfInstanceId=${ctx.vnfInstanceId}`,
        '--labels',
        `vnfInstanceId=${ctx.vnfInstanceId}`,
      ]),
    );
    const mark = logged.length;
    const state = (await localDriver('helm3').instantiate(
      ctx,
      { VDU1: 1, VDU2: 1 },
      {},
    )) as unknown as HelmState;
    const history = await releaseHistory(env, 'rc-install', NS);
    assert.deepEqual(
      history?.map((h) => h.status),
      ['deployed'],
    );
    assert.equal(state.releases[0]?.revision, 1);
    const log = logged.slice(mark).join('');
    assert.match(
      log,
      /"state":"Locked","reason":"release rc-install: revision 1 is pending-install \(a helm install was interrupted\)"/,
    );
    assert.match(log, /uninstalling to install again/);
    await runningPods(await kubeClient(), NS, 'app.kubernetes.io/instance=rc-install', 1);
    await localDriver('helm3').terminate(ctx, state as unknown as InfraState);
  });

  test('pending-upgrade (helm 4 killed during upgrade --wait): rolled back, then scaled', async () => {
    await ensureNamespace();
    const driver = localDriver('helm4');
    const ctx = infraContext(testVim(env), pkg, params('rc-upgrade'));
    let state = await driver.instantiate(ctx, { VDU1: 1, VDU2: 1 }, {});
    await withQuota(1, () =>
      killMidway('helm4', 'rc-upgrade', 'pending-upgrade', [
        'upgrade',
        'rc-upgrade',
        join(pkg.root, CHART_PATH),
        '--namespace',
        NS,
        '--reuse-values',
        '--set',
        'replicaCount=3',
        '--wait=watcher',
        '--timeout',
        '60s',
      ]),
    );
    const mark = logged.length;
    state = await driver.scale(ctx, { VDU1: 2 }, state);
    assert.match(logged.slice(mark).join(''), /"state":"Locked".*revision 2 is pending-upgrade/);
    const history = await releaseHistory(env, 'rc-upgrade', NS);
    assert.deepEqual(
      history?.map((h) => [h.revision, h.status]),
      [
        [1, 'superseded'],
        [2, 'pending-upgrade'],
        [3, 'superseded'],
        [4, 'deployed'],
      ],
    );
    await runningPods(await kubeClient(), NS, 'app.kubernetes.io/instance=rc-upgrade', 2);
    // rollbackScale goes back to revision 3 (the rollback that unlocked it): one replica.
    state = await driver.rollbackScale(ctx, state);
    await runningPods(await kubeClient(), NS, 'app.kubernetes.io/instance=rc-upgrade', 1);
    await driver.terminate(ctx, state);
  });
});

describe('checkpoints', () => {
  test('each release is handed to the engine before helm installs it, and again once deployed', async () => {
    await ensureNamespace();
    const driver = localDriver('helm3');
    const ctx = infraContext(testVim(env), pkg, params('rc-checkpoint'));
    const saved: HelmState[] = [];
    ctx.checkpoint = async (s) => void saved.push(structuredClone(s) as unknown as HelmState);
    const state = await driver.instantiate(ctx, { VDU1: 1, VDU2: 1 }, {});
    assert.deepEqual(
      saved.map((s) => s.releases.map((r) => `${r.name}@${r.revision}`).join(',')),
      [
        '',
        'rc-checkpoint@0',
        'rc-checkpoint@1',
        'rc-checkpoint@1,rc-checkpoint-b@0',
        'rc-checkpoint@1,rc-checkpoint-b@1',
      ],
    );
    assert.equal(saved[0]?.namespace, NS);
    saved.length = 0;
    await driver.scale(ctx, { VDU1: 2 }, state);
    assert.deepEqual(
      saved.map((s) => [s.lastScale?.pending, s.releases[0]?.revision]),
      [
        [true, 1],
        [true, 2],
      ],
    );
    await driver.terminate(ctx, state);
  });
});

describe('what is not the instance’s is left alone', () => {
  test('a release of the same name installed by someone else: 409, and terminate does not remove it', async () => {
    await ensureNamespace();
    const r = await helm(env, 'install', 'rc-foreign', join(pkg.root, CHART_PATH), '--namespace', NS);
    assert.equal(r.code, 0, r.stderr);
    const driver = localDriver('helm3');
    const ctx = infraContext(testVim(env), pkg, params('rc-foreign'));
    await assert.rejects(driver.instantiate(ctx, { VDU1: 1, VDU2: 1 }, {}), (e: unknown) => {
      assert.ok(e instanceof ProblemError);
      assert.equal(e.status, 409);
      assert.match(
        e.message,
        /release rc-foreign exists \(revision 1, deployed\) and was not installed by VNF instance/,
      );
      // The failed attempt's state does not claim the release.
      assert.deepEqual((e as { state?: HelmState }).state?.releases, []);
      return true;
    });
    await driver.terminate(ctx, {});
    assert.equal((await releaseHistory(env, 'rc-foreign', NS))?.at(-1)?.status, 'deployed');
    // A crash right after recording the release, before helm refused the name, leaves it recorded
    // unproven: a retry proves ownership again (and refuses), terminate leaves it alone.
    const crashed = {
      mode: 'helm',
      transport: 'local',
      namespace: NS,
      chartDir: '',
      releases: [{ name: 'rc-foreign', namespace: NS, chart: 'x', revision: 0, unproven: true }],
      resources: [],
      hostKeys: {},
      replicaOverrides: {},
    };
    await assert.rejects(driver.instantiate(ctx, { VDU1: 1, VDU2: 1 }, crashed), (e: unknown) => {
      assert.ok(e instanceof ProblemError && e.status === 409, String(e));
      return true;
    });
    await driver.terminate(ctx, crashed);
    assert.equal((await releaseHistory(env, 'rc-foreign', NS))?.at(-1)?.status, 'deployed');
    await helm(env, 'uninstall', 'rc-foreign', '--namespace', NS);
  });

  test('healing a pod that is no VNFC of the instance: 400', async () => {
    await ensureNamespace();
    const driver = localDriver('helm3');
    const ctx = infraContext(testVim(env), pkg, params('rc-badmap'));
    const state = await driver.instantiate(ctx, { VDU1: 1, VDU2: 1 }, {});
    const core = await kubeClient();
    await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'stranger' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    });
    try {
      await assert.rejects(
        driver.healVnfcs(ctx, ['stranger'], state),
        /pod hd-recovery\/stranger is not a VNFC of VNF instance/,
      );
    } finally {
      await core.deleteNamespacedPod({ name: 'stranger', namespace: NS, gracePeriodSeconds: 0 });
    }
    await driver.terminate(ctx, state);
  });

  test('a vdu_mapping naming no workload of its release: precise error after install', async () => {
    const driver = localDriver('helm3');
    const ctx = infraContext(
      testVim(env),
      pkg,
      params('rc-badmap', {
        vdu_mapping: {
          ...params('rc-badmap').vdu_mapping,
          VDU1: { name: 'nope', kind: 'StatefulSet', helmreleasename: 'rc-badmap' },
        },
      }),
    );
    let state: InfraState = {};
    await assert.rejects(driver.instantiate(ctx, { VDU1: 1, VDU2: 1 }, {}), (e: unknown) => {
      assert.ok(e instanceof HelmError);
      assert.equal(
        e.message,
        'VDUs without a workload: vdu_mapping.VDU1: release rc-badmap has no StatefulSet "nope" (it has Deployment "rc-badmap-app" of release rc-badmap)',
      );
      state = (e as unknown as { state: InfraState }).state;
      return true;
    });
    // The partial state lets terminate clean up.
    await driver.terminate(ctx, state);
    assert.equal(await releaseHistory(env, 'rc-badmap', NS), undefined);
  });
});

describe('external charts', () => {
  test('a repository registered before picks up a chart version published since (helm repo update)', async () => {
    await ensureNamespace();
    const repo = await serveChartRepo(env);
    try {
      const driver = localDriver('helm4');
      const vim = testVim(env); // one VIM: one helm home, where the repository stays registered
      const ext = (release: string) => ({
        ...params(release),
        using_helm_install_param: [release, `${release}-b`].map((r) => ({
          exthelmchart: true,
          helmreleasename: r,
          helmrepositoryname: 'rc-shared',
          helmchartname: repo.chart,
          exthelmrepo_url: repo.url,
        })),
      });
      const a = infraContext(vim, pkg, ext('rc-repo-a'));
      const sa = (await driver.instantiate(a, { VDU1: 1 }, {})) as unknown as HelmState;
      assert.equal(sa.releases[0]?.chartVersion, '0.2.0');
      await repo.publish('0.3.0');
      const b = infraContext(vim, pkg, ext('rc-repo-b'));
      const sb = (await driver.instantiate(b, { VDU1: 1 }, {})) as unknown as HelmState;
      assert.equal(sb.releases[0]?.chartVersion, '0.3.0', 'the newest version, not the one indexed first');
      await driver.terminate(b, sb as unknown as InfraState);
      await driver.terminate(a, sa as unknown as InfraState);
    } finally {
      await repo.close();
    }
  });
});

describe('master node access', () => {
  const info = (extra: Partial<HelmInfo> = {}): HelmInfo => {
    const n = env.sshNodes[0]!;
    return {
      masternode_ip: [`${n.host}:${n.port}`],
      masternode_username: n.user,
      masternode_password: n.password,
      ...extra,
    };
  };

  test('wrong password: "master node …: authentication failed", no password anywhere', async () => {
    const n = env.sshNodes[0]!;
    const ctx = infraContext(
      testVim(env, info({ masternode_password: 'Wr0ng-Pa55word' })),
      pkg,
      params('rc-ssh'),
    );
    await assert.rejects(createHelmDriver().instantiate(ctx, { VDU1: 1, VDU2: 1 }, {}), (e: unknown) => {
      assert.ok(e instanceof HelmError);
      assert.equal(e.message, `master node 127.0.0.2:${n.port}: authentication failed for user "${n.user}"`);
      assert.ok(!JSON.stringify((e as { state?: unknown }).state).includes('Wr0ng'));
      return true;
    });
  });

  test('host key changed since it was recorded: refused before any command, on every operation', async () => {
    const [n0, n1] = env.sshNodes;
    const vim = testVim(env, info());
    const ctx = infraContext(vim, pkg, params('rc-ssh'));
    // A state recorded when node 0 presented another key (node 1's).
    const fp = (k: string) => fingerprint(Buffer.from(k.split(' ')[1]!, 'base64'));
    const state: InfraState = {
      mode: 'helm',
      transport: 'ssh',
      namespace: NS,
      chartDir: '',
      releases: [],
      resources: [],
      hostKeys: { [`${n0!.host}:${n0!.port}`]: fp(n1!.hostKey) },
      replicaOverrides: {},
    };
    const expected = `master node 127.0.0.2:${n0!.port}: host key of 127.0.0.2:${n0!.port} changed: pinned ${fp(n1!.hostKey)}, presented ${fp(n0!.hostKey)}`;
    await assert.rejects(createHelmDriver().instantiate(ctx, { VDU1: 1, VDU2: 1 }, state), {
      message: expected,
    });
    // Terminate of a state that records nothing made has nothing to undo and contacts no host;
    // one that records a release is refused the same way.
    await createHelmDriver().terminate(ctx, state);
    const withRelease = { ...state, releases: [{ name: 'rc-ssh', namespace: NS, chart: 'x', revision: 1 }] };
    await assert.rejects(createHelmDriver().terminate(ctx, withRelease), { message: expected });
    // A reinstall (whole-VNF heal) starts from the kept keys, not from trust on first use.
    const kept = createHelmDriver().keptForReinstall!({
      ...state,
      releases: [{ name: 'rc-ssh', namespace: NS, chart: 'x', revision: 3 }],
      masterNode: `${n0!.host}:${n0!.port}`,
    });
    assert.deepEqual((kept as unknown as HelmState).releases, []);
    assert.equal((kept as unknown as HelmState).masterNode, `${n0!.host}:${n0!.port}`);
    await assert.rejects(createHelmDriver().instantiate(ctx, { VDU1: 1, VDU2: 1 }, kept), {
      message: expected,
    });
    // A pin in helm_info is checked the same way.
    const pinned = infraContext(
      testVim(env, info({ masternode_host_keys: { [`${n0!.host}:${n0!.port}`]: n1!.hostKey } })),
      pkg,
      params('rc-ssh'),
      randomUUID(),
    );
    await assert.rejects(createHelmDriver().instantiate(pinned, { VDU1: 1, VDU2: 1 }, {}), {
      message: expected,
    });
  });
});
