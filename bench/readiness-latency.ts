// How late the VNFM notices that the cluster is ready. Two `bin/vnfm serve` processes
// side by side on the testbed (SQLite stores of their own): one waits with watches
// (the default), the other with VNFM_KUBE_WATCH=off, which makes every wait poll as
// all of them did before (manifest mode every 100 ms, Helm mode every 200 ms). Runs
// alternate between the two. Each run instantiates the sample CNF in manifest mode
// (two Deployments × 1 replica), then scales VDU1 out by one, then terminates it; the
// bench watches the namespace itself and records when the cluster was done — the
// last pod Ready and its Deployment's status saying so (instantiate, scale), the last
// pod gone (terminate) — and reports the gap to the op occ's stateEnteredTime of
// COMPLETED (same machine, same clock). p50/p99 of the gap per side and operation.
//
//   node_modules/.bin/node bench/readiness-latency.ts [--quick] [--runs N]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Deployment, type V1Pod, Watch } from '@kubernetes/client-node';
import { MANIFEST_PATH } from '../test/helpers/cnf-package.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  startOp,
} from '../test/helpers/lcm.ts';
import { testbed } from '../test/helpers/testbed.ts';
import { fixed, median, options, percentile, summary, table } from './lib/report.ts';
import { asHelperVnfm, startVnfmProcess, type VnfmProcess } from './lib/server.ts';

const opts = options({ runs: { type: 'string' } });
const runs = Number(opts.runs ?? (opts.quick ? 3 : 15));
const load = () => loadavg().map((x) => +fixed(x, 2));

/** When, by the bench's own watch of a namespace, the cluster last changed toward "done". */
class ClusterClock {
  readonly podReady = new Map<string, number>();
  readonly podGone = new Map<string, number>();
  readonly deploymentReady = new Map<string, number>();
  #ctl: AbortController | undefined;

  async start(kc: KubeConfig, ns: string): Promise<void> {
    const w = new Watch(kc);
    const onPod = (type: string, p: V1Pod) => {
      const uid = p.metadata?.uid ?? '';
      if (type === 'DELETED') this.podGone.set(uid, Date.now());
      else if (
        !this.podReady.has(uid) &&
        (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
      )
        this.podReady.set(uid, Date.now());
    };
    const onDeployment = (_type: string, d: V1Deployment) => {
      const want = d.spec?.replicas ?? 1;
      const s = d.status ?? {};
      const key = `${d.metadata?.uid}/${d.metadata?.generation}/${want}`;
      const ready =
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s.readyReplicas === want &&
        s.updatedReplicas === want &&
        s.replicas === want;
      if (ready && !this.deploymentReady.has(key)) this.deploymentReady.set(key, Date.now());
    };
    const pods = await w.watch(`/api/v1/namespaces/${ns}/pods`, {}, onPod, () => {});
    const deps = await w.watch(`/apis/apps/v1/namespaces/${ns}/deployments`, {}, onDeployment, () => {});
    this.#ctl = new AbortController();
    this.#ctl.signal.addEventListener('abort', () => {
      pods.abort();
      deps.abort();
    });
  }

  /** The latest of the times recorded at or after `since`. */
  static last(m: Map<string, number>, since: number): number {
    return Math.max(...[...m.values()].filter((t) => t >= since));
  }

  stop(): void {
    this.#ctl?.abort();
  }
}

interface Gaps {
  instantiate: number;
  scale: number;
  terminate: number;
}

/** Runs the op and returns the op occ's COMPLETED time (server clock = this clock). */
async function completedAt(vnfm: VnfmProcess, id: string, op: string, body: object): Promise<number> {
  const occ = await opOccSettled(asHelperVnfm(vnfm), await startOp(asHelperVnfm(vnfm), id, op, body));
  if (occ.operationState !== 'COMPLETED')
    throw new Error(`${op} ended ${occ.operationState}: ${JSON.stringify(occ.error)}`);
  return Date.parse(occ.stateEnteredTime);
}

async function run(vnfm: VnfmProcess, clock: ClusterClock, vnfdId: string, body: object): Promise<Gaps> {
  const helper = asHelperVnfm(vnfm);
  const id = await createInstance(helper, vnfdId, 'bench');
  let since = Date.now();
  const instantiated = await completedAt(vnfm, id, 'instantiate', body);
  const readyAt = Math.max(
    ClusterClock.last(clock.podReady, since),
    ClusterClock.last(clock.deploymentReady, since),
  );
  since = Date.now();
  const scaled = await completedAt(vnfm, id, 'scale', {
    type: 'SCALE_OUT',
    aspectId: 'vdu1_aspect',
    numberOfSteps: 1,
  });
  const scaledAt = Math.max(
    ClusterClock.last(clock.podReady, since),
    ClusterClock.last(clock.deploymentReady, since),
  );
  since = Date.now();
  const terminated = await completedAt(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  const goneAt = ClusterClock.last(clock.podGone, since);
  const del = await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`);
  if (del.status !== 204) throw new Error(`deleting instance ${id}: ${del.status}`);
  return { instantiate: instantiated - readyAt, scale: scaled - scaledAt, terminate: terminated - goneAt };
}

const env = await testbed();
const kc = new KubeConfig();
kc.loadFromFile(env.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const suffix = randomBytes(3).toString('hex');
const sides = [
  { name: 'watch', env: {} as Record<string, string> },
  { name: 'poll (before)', env: { VNFM_KUBE_WATCH: 'off' } },
].map((s, i) => ({
  ...s,
  ns: `bench-ready-${suffix}-${i}`,
  dir: mkdtempSync(join(tmpdir(), 'bench-ready-')),
}));
const started: { vnfm: VnfmProcess; clock: ClusterClock; vnfdId: string; body: object }[] = [];
try {
  console.log(`load averages at start: ${load().join(' ')}`);
  for (const s of sides) {
    await core.createNamespace({ body: { metadata: { name: s.ns } } });
    const vnfm = await startVnfmProcess({
      database: `sqlite:${join(s.dir, 'vnfm.sqlite')}`,
      dataDir: join(s.dir, 'data'),
      logFile: join(s.dir, 'vnfm.log'),
      env: s.env,
    });
    const vimId = await registerTestbedVim(asHelperVnfm(vnfm), 'bench-k8s');
    const { vnfdId } = await onboardPackage(asHelperVnfm(vnfm));
    const clock = new ClusterClock();
    await clock.start(kc, s.ns);
    const body = {
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: s.ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    };
    started.push({ vnfm, clock, vnfdId, body });
  }
  console.log(`1 warm-up run each, then ${runs} alternating runs`);
  for (const s of started) await run(s.vnfm, s.clock, s.vnfdId, s.body);
  const gaps: Gaps[][] = sides.map(() => []);
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const s = started[k]!;
      gaps[k]!.push(await run(s.vnfm, s.clock, s.vnfdId, s.body));
    }
    const [w, p] = [gaps[0]!.at(-1)!, gaps[1]!.at(-1)!];
    console.log(
      `run ${i + 1}: ready→COMPLETED watch/poll ms: instantiate ${fixed(w.instantiate, 0)}/${fixed(p.instantiate, 0)}, ` +
        `scale ${fixed(w.scale, 0)}/${fixed(p.scale, 0)}, terminate ${fixed(w.terminate, 0)}/${fixed(p.terminate, 0)}`,
    );
  }
  const ops = ['instantiate', 'scale', 'terminate'] as const;
  const stat = (k: number, op: (typeof ops)[number]) => {
    const v = gaps[k]!.map((g) => g[op]).sort((a, b) => a - b);
    return { p50: median(v), p99: percentile(v, 99) };
  };
  console.log(
    `\ncluster done (bench's own watch) → op occ COMPLETED (stateEnteredTime), ms, ${runs} alternating runs; ` +
      `manifest mode, 2 Deployments × 1 replica, scale VDU1 out by 1\n`,
  );
  const rows: string[][] = [
    ['operation', 'watch p50', 'watch p99', 'poll p50', 'poll p99', 'p50 poll − watch'],
  ];
  const out: Record<string, number> = {};
  for (const op of ops) {
    const [w, p] = [stat(0, op), stat(1, op)];
    rows.push([
      op,
      fixed(w.p50, 0),
      fixed(w.p99, 0),
      fixed(p.p50, 0),
      fixed(p.p99, 0),
      fixed(p.p50 - w.p50, 0),
    ]);
    Object.assign(out, {
      [`${op}WatchP50`]: Math.round(w.p50),
      [`${op}WatchP99`]: Math.round(w.p99),
      [`${op}PollP50`]: Math.round(p.p50),
      [`${op}PollP99`]: Math.round(p.p99),
    });
  }
  console.log(table(rows));
  console.log(`load averages at end: ${load().join(' ')}`);
  summary('readiness-latency', { runs, ...out, load: load() });
} finally {
  for (const s of started) {
    s.clock.stop();
    await s.vnfm.stop();
  }
  for (const s of sides) {
    await core.deleteNamespace({ name: s.ns }).catch(() => {});
    rmSync(s.dir, { recursive: true, force: true });
  }
}
