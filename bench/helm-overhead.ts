// What the VNFM adds to Helm mode. On the testbed, with `bin/vnfm serve` as a child
// process (SQLite store), helm either on an SSH master node (`--transport ssh`: the
// VIM's helm_info lists the node running the chosen helm major, node 0 helm 3,
// node 1 helm 4) or on the VNFM host (`--transport local`: a VIM without master
// nodes, VNFM_HELM_BINARY the testbed's helm 3 or 4):
//
// (a) interleaved runs of: VNFM instantiate → COMPLETED of a 2-release Helm CNF (the
//     package chart Files/kubernetes/app-0.1.0.tgz installed twice, as releases vdu1
//     and vdu2) and terminate → COMPLETED; versus the same two `helm install --wait`
//     (sequential, the same chart already extracted, the same --set values) and two
//     `helm uninstall --wait`, run by hand where the VNFM runs them: over one SSH
//     connection per step, or as local processes against the testbed's kubeconfig.
//     The VNFM side ends when the op occ's event stream reports COMPLETED (no polling
//     gap). Target: VNFM / direct ≤ 1.05 (medians), instantiate and terminate. Each
//     VNFM run also reads /metrics before and after: the worker's run time
//     (vnfm_operation_duration_seconds) and each helm subcommand's
//     (vnfm_helm_command_duration_seconds), so the VNFM's own time is broken down.
// (b) N one-release VNF instances instantiated at once through the API (a second
//     package whose flavour has VDU1 only, as every VDU must be carried by a release),
//     versus N `helm install --wait` of the same chart run at once (over N SSH
//     connections, or N local processes): errors and total wall time of each; then
//     all terminated / uninstalled at once.
//
//   node_modules/.bin/node bench/helm-overhead.ts [--quick] [--transport ssh|local]
//     [--helm 3|4] [--runs N] [--concurrent N] [--worker-concurrency N] [--keep-log FILE]
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { CHART_PATH, chartTgz } from '../test/helpers/cnf-package.ts';
import { createInstance, onboardPackage } from '../test/helpers/lcm.ts';
import { testbed } from '../test/helpers/testbed.ts';
import {
  type Concurrent,
  type Direct,
  directConcurrent,
  installArgv,
  prepareDirect,
  type PreparedDirect,
  uninstallArgv,
} from './lib/helm-direct.ts';
import {
  helmBody,
  ONE_RELEASE_SETS,
  post,
  registerHelmVim,
  serverMs,
  untilSettled,
  vnfmConcurrent,
  vnfmSamples,
} from './lib/helm-vnfm.ts';
import { withoutVdu } from './lib/one-vdu.ts';
import { fixed, median, options, summary, table, verdict } from './lib/report.ts';
import { asHelperVnfm, startVnfmProcess, type VnfmProcess } from './lib/server.ts';

const TARGET_RATIO = 1.05;
/** The values every release gets on both sides: the request's helmparameter, then replicaCount of instantiation_level_1. */
const SETS: Record<string, string[]> = {
  vdu1: ['service.port=8081', 'replicaCount=1'],
  vdu2: ['service.type=NodePort', 'replicaCount=1'],
};

const opts = options({
  transport: { type: 'string' },
  helm: { type: 'string' },
  runs: { type: 'string' },
  concurrent: { type: 'string' },
  'worker-concurrency': { type: 'string' },
  'keep-log': { type: 'string' },
});
// helm install --wait on kwok takes ~170 or ~280 ms at random: 15 runs steady the medians.
const runs = Number(opts.runs ?? (opts.quick ? 2 : 15));
const concurrent = Number(opts.concurrent ?? (opts.quick ? 5 : 20));
const workerConcurrency = opts['worker-concurrency'];
const transport = opts.transport ?? 'ssh';
const helmWanted = Number(opts.helm ?? 4);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
if (!Number.isInteger(concurrent) || concurrent < 1)
  throw new Error('--concurrent must be a positive integer');
if (transport !== 'ssh' && transport !== 'local') throw new Error('--transport must be ssh or local');
if (helmWanted !== 3 && helmWanted !== 4) throw new Error('--helm must be 3 or 4');

/** Seconds by helm subcommand (`install`, `uninstall`, `version`, `repo add`…), from the VNFM's /metrics. */
type HelmTimes = Record<string, { seconds: number; count: number }>;

/** What the VNFM's own time went to in one operation (from /metrics before and after it). */
interface Breakdown {
  /** The worker running the operation (vnfm_operation_duration_seconds, phase run), ms. */
  runMs: number;
  /** helm commands within it, ms by subcommand, and how many. */
  helm: HelmTimes;
}

interface Timing {
  instantiateMs: number;
  terminateMs: number;
  /** VNFM: the op occs' own startTime → COMPLETED. Direct: the SSH connection's share. */
  innerInstantiateMs: number;
  innerTerminateMs: number;
  /** VNFM only. */
  instantiate?: Breakdown;
  terminate?: Breakdown;
}

/** One session per step (as one `ssh node '…'` would be), two helm commands in it. */
async function directRun(d: Direct): Promise<Timing> {
  let t = performance.now();
  let session = await d.open();
  const innerInstantiateMs = performance.now() - t;
  for (const release of ['vdu1', 'vdu2']) await session.exec(installArgv(d, release, SETS[release]!));
  session.close();
  const instantiateMs = performance.now() - t;
  t = performance.now();
  session = await d.open();
  const innerTerminateMs = performance.now() - t;
  for (const release of ['vdu1', 'vdu2']) await session.exec(uninstallArgv(d, release));
  session.close();
  return { instantiateMs, terminateMs: performance.now() - t, innerInstantiateMs, innerTerminateMs };
}

// ---------------------------------------------------------------------------------
// The VNFM side.

interface Metrics {
  /** vnfm_operation_duration_seconds_sum of phase run, by operation. */
  run: Record<string, number>;
  helm: HelmTimes;
}

/** The two histograms the breakdown reads, from the VNFM's /metrics. */
async function metrics(vnfm: VnfmProcess): Promise<Metrics> {
  const samples = await vnfmSamples(vnfm.url);
  const out: Metrics = { run: {}, helm: {} };
  for (const { name, labels, value } of samples) {
    if (name === 'vnfm_operation_duration_seconds_sum' && labels.phase === 'run') {
      const op = labels.operation!;
      out.run[op] = (out.run[op] ?? 0) + value;
    } else if (name.startsWith('vnfm_helm_command_duration_seconds_')) {
      const kind = name.slice('vnfm_helm_command_duration_seconds_'.length);
      if (kind !== 'sum' && kind !== 'count') continue;
      const h = (out.helm[labels.subcommand!] ??= { seconds: 0, count: 0 });
      if (kind === 'sum') h.seconds += value;
      else h.count += value;
    }
  }
  return out;
}

function breakdown(before: Metrics, after: Metrics, operation: string): Breakdown {
  const helm: HelmTimes = {};
  for (const [sub, h] of Object.entries(after.helm)) {
    const b = before.helm[sub] ?? { seconds: 0, count: 0 };
    if (h.count > b.count) helm[sub] = { seconds: h.seconds - b.seconds, count: h.count - b.count };
  }
  return { runMs: ((after.run[operation] ?? 0) - (before.run[operation] ?? 0)) * 1000, helm };
}

/** One op through the API, to COMPLETED; returns client-seen and server-recorded durations and the breakdown. */
async function vnfmOp(vnfm: VnfmProcess, id: string, op: string, body: object) {
  const before = await metrics(vnfm);
  const t = performance.now();
  const { opId, error } = await post(vnfm, `/vnflcm/v1/vnf_instances/${id}/${op}`, body);
  if (!opId) throw new Error(error);
  const { op: done, seenAt } = await untilSettled(vnfm, opId);
  if (done.operationState !== 'COMPLETED')
    throw new Error(`${op} op occ ${opId} ended ${done.operationState}: ${JSON.stringify(done.error)}`);
  const after = await metrics(vnfm);
  return { ms: seenAt - t, serverMs: serverMs(done), breakdown: breakdown(before, after, op.toUpperCase()) };
}

/** Created instance ids, so that the cleanup can remove their chart directories if a run fails. */
const createdInstances: string[] = [];

async function vnfmRun(vnfm: VnfmProcess, vnfdId: string, body: object): Promise<Timing> {
  const id = await createInstance(asHelperVnfm(vnfm), vnfdId, 'bench-helm');
  createdInstances.push(id);
  const inst = await vnfmOp(vnfm, id, 'instantiate', body);
  const term = await vnfmOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  const del = await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`);
  if (del.status !== 204) throw new Error(`deleting instance ${id}: ${del.status}`);
  return {
    instantiateMs: inst.ms,
    terminateMs: term.ms,
    innerInstantiateMs: inst.serverMs,
    innerTerminateMs: term.serverMs,
    instantiate: inst.breakdown,
    terminate: term.breakdown,
  };
}

// ---------------------------------------------------------------------------------

const env = await testbed();
// Node 0 runs helm 3, node 1 helm 4 (testbed/lib/ssh-nodes.ts).
const node = env.sshNodes.find((n) => n.helm === `helm${helmWanted}`);
if (!node) throw new Error(`the testbed has no SSH master node with helm ${helmWanted}`);
const localHelm = helmWanted === 3 ? env.helm3 : env.helm4;
const kc = new KubeConfig();
kc.loadFromFile(env.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const tag = randomBytes(3).toString('hex');
const nsVnfm = `bench-helm-v-${tag}`;
const nsDirect = `bench-helm-d-${tag}`;
const dir = mkdtempSync(join(tmpdir(), 'bench-helm-'));
const load = () => loadavg().map((x) => +fixed(x, 2));
const loadBefore = load();
let vnfm: VnfmProcess | undefined;
let prepared: PreparedDirect | undefined;
try {
  // One namespace per side, made beforehand: neither creates or deletes one per run.
  for (const name of [nsVnfm, nsDirect]) await core.createNamespace({ body: { metadata: { name } } });

  // The direct side's chart: the very archive the package ships, extracted once where helm runs.
  const chart = await chartTgz();
  prepared = await prepareDirect({
    env,
    transport,
    node,
    localHelm,
    helmWanted,
    chart,
    namespace: nsDirect,
    dir,
    tag,
  });
  const { direct, helmVersion, where } = prepared;

  vnfm = await startVnfmProcess({
    database: `sqlite:${join(dir, 'vnfm.sqlite')}`,
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'vnfm.log'),
    env: {
      ...(workerConcurrency ? { VNFM_WORKER_CONCURRENCY: workerConcurrency } : {}),
      ...(transport === 'local' ? { VNFM_HELM_BINARY: localHelm } : {}),
    },
  });
  // A VIM without master nodes runs helm locally (the driver's transport 'auto').
  const vimId = await registerHelmVim(vnfm, 'bench-helm', transport, node);
  const { vnfdId } = await onboardPackage(asHelperVnfm(vnfm), {
    edit: (files) => files.set(CHART_PATH, chart),
  });
  // (b)'s instances have one release, so their flavour has one VDU (VDU1, carried by it).
  const { vnfdId: oneVduId } = await onboardPackage(asHelperVnfm(vnfm), {
    edit: (files) => {
      files.set(CHART_PATH, chart);
      withoutVdu('VDU2')(files);
    },
  });
  const body = helmBody(vimId, nsVnfm, [
    { name: 'vdu1', sets: SETS.vdu1! },
    { name: 'vdu2', sets: SETS.vdu2! },
  ]);

  console.log(
    `${where} (${helmVersion}); namespaces ${nsVnfm} (VNFM), ${nsDirect} (direct); ` +
      `1 warm-up run each, then ${runs} interleaved runs; load averages ${loadBefore.join(' ')}`,
  );
  await vnfmRun(vnfm, vnfdId, body);
  await directRun(direct);
  const vnfmRuns: Timing[] = [];
  const directRuns: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternating which side goes first, so drift of the shared machine hits both alike.
    const order = i % 2 === 0 ? ['vnfm', 'direct'] : ['direct', 'vnfm'];
    for (const side of order) {
      if (side === 'vnfm') vnfmRuns.push(await vnfmRun(vnfm, vnfdId, body));
      else directRuns.push(await directRun(direct));
    }
    const [v, d] = [vnfmRuns.at(-1)!, directRuns.at(-1)!];
    console.log(
      `run ${i + 1}: instantiate VNFM ${fixed(v.instantiateMs, 0)} ms / direct ${fixed(d.instantiateMs, 0)} ms; ` +
        `terminate VNFM ${fixed(v.terminateMs, 0)} ms / direct ${fixed(d.terminateMs, 0)} ms`,
    );
  }

  // (b) N one-release instances at once, release names c0…c(N-1) on both sides.
  const names = Array.from({ length: concurrent }, (_, i) => `c${i}`);
  console.log(`\n${concurrent} at once: VNFM instantiate, then direct helm install`);
  const ids: string[] = [];
  for (const name of names) {
    ids.push(await createInstance(asHelperVnfm(vnfm), oneVduId, `bench-helm-${name}`));
    createdInstances.push(ids.at(-1)!);
  }
  const bodies = names.map((name) => helmBody(vimId, nsVnfm, [{ name, sets: ONE_RELEASE_SETS }]));
  const vnfmInst = await vnfmConcurrent(vnfm, ids, bodies, 'instantiate');
  const directInst = await directConcurrent(
    direct,
    names.map((n) => installArgv(direct, n, ONE_RELEASE_SETS)),
  );
  // Clean up the same way: everything at once.
  const vnfmTerm = await vnfmConcurrent(
    vnfm,
    ids,
    ids.map(() => ({ terminationType: 'FORCEFUL' })),
    'terminate',
  );
  const directUninst = await directConcurrent(
    direct,
    names.map((n) => uninstallArgv(direct, n)),
  );
  for (const id of ids) await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`);

  // ---------------------------------------------------------------------------------
  type Num = 'instantiateMs' | 'terminateMs' | 'innerInstantiateMs' | 'innerTerminateMs';
  const med = (xs: Timing[], k: Num) => median(xs.map((x) => x[k]));
  /** "median (min–max)": the spread says how far to trust the median on a shared machine. */
  const spread = (xs: Timing[], k: Num) => {
    const v = xs.map((x) => x[k]);
    return `${fixed(median(v), 0)} (${fixed(Math.min(...v), 0)}–${fixed(Math.max(...v), 0)})`;
  };
  const vi = med(vnfmRuns, 'instantiateMs');
  const di = med(directRuns, 'instantiateMs');
  const vt = med(vnfmRuns, 'terminateMs');
  const dt = med(directRuns, 'terminateMs');
  const instRatio = vi / di;
  const termRatio = vt / dt;
  const met = instRatio <= TARGET_RATIO && termRatio <= TARGET_RATIO;
  const how = transport === 'ssh' ? 'helm over SSH' : 'helm run locally';
  console.log(
    `\n(a) VNFM (bin/vnfm serve, child process, SQLite, ${how}) vs ${how} by hand, ` +
      `2 releases × 1 replica, medians of ${runs} interleaved runs\n`,
  );
  console.log(
    table([
      [
        'step',
        'VNFM ms (min–max)',
        'direct ms (min–max)',
        'VNFM − direct ms',
        'VNFM/direct',
        'op occ startTime→COMPLETED ms',
        transport === 'ssh' ? 'direct: SSH connect ms' : 'direct: setup ms',
      ],
      [
        'instantiate (2 × helm install --wait)',
        spread(vnfmRuns, 'instantiateMs'),
        spread(directRuns, 'instantiateMs'),
        fixed(vi - di, 0),
        `${fixed(instRatio, 2)} (target ≤ ${TARGET_RATIO}: ${verdict(instRatio <= TARGET_RATIO)})`,
        fixed(med(vnfmRuns, 'innerInstantiateMs'), 0),
        fixed(med(directRuns, 'innerInstantiateMs'), 0),
      ],
      [
        'terminate (2 × helm uninstall --wait)',
        spread(vnfmRuns, 'terminateMs'),
        spread(directRuns, 'terminateMs'),
        fixed(vt - dt, 0),
        `${fixed(termRatio, 2)} (target ≤ ${TARGET_RATIO}: ${verdict(termRatio <= TARGET_RATIO)})`,
        fixed(med(vnfmRuns, 'innerTerminateMs'), 0),
        fixed(med(directRuns, 'innerTerminateMs'), 0),
      ],
    ]),
  );

  // Where the VNFM's time goes, per operation: medians of each part over the runs.
  const steps: Record<string, Record<string, number>> = {};
  const breakdownRows: string[][] = [];
  for (const op of ['instantiate', 'terminate'] as const) {
    const total = op === 'instantiate' ? 'instantiateMs' : 'terminateMs';
    const parts = vnfmRuns.map((r) => {
      const b = r[op]!;
      const helmMs = Object.values(b.helm).reduce((n, h) => n + h.seconds * 1000, 0);
      const row: Record<string, number> = {
        total: r[total],
        'outside the worker run (API accept, queue, final write, event)': r[total] - b.runMs,
        'worker run': b.runMs,
        "worker run, VNFM's own (run − helm)": b.runMs - helmMs,
      };
      for (const [sub, h] of Object.entries(b.helm)) row[`helm ${sub} (${h.count}×)`] = h.seconds * 1000;
      return row;
    });
    const names = [...new Set(parts.flatMap((p) => Object.keys(p)))];
    steps[op] = {};
    for (const name of names) {
      const m = median(parts.map((p) => p[name] ?? 0));
      steps[op][name] = Math.round(m);
      breakdownRows.push([op, name, fixed(m, 0)]);
    }
    const d = median(directRuns.map((r) => r[total]));
    breakdownRows.push([op, 'direct: the same helm commands by hand', fixed(d, 0)]);
  }
  console.log(
    `\n(a) the VNFM's time by step (medians over the runs; helm from vnfm_helm_command_duration_seconds, ` +
      `the worker's run from vnfm_operation_duration_seconds)\n`,
  );
  console.log(table([['operation', 'step', 'ms'], ...breakdownRows]));

  const wc = workerConcurrency ? `${workerConcurrency} (VNFM_WORKER_CONCURRENCY)` : '8 (the default)';
  console.log(
    `\n(b) ${concurrent} × 1 release at once: through the API (worker concurrency ${wc}) vs ` +
      `${concurrent} ${transport === 'ssh' ? 'SSH connections' : 'local processes'} each running one helm command\n`,
  );
  const errs = (c: Concurrent) => `${c.errors.length} of ${concurrent}`;
  console.log(
    table([
      [
        'step',
        'VNFM wall ms',
        'VNFM errors',
        'direct wall ms',
        'direct errors',
        'VNFM/direct',
        'op occs first start→last done ms',
      ],
      [
        'instantiate',
        fixed(vnfmInst.wallMs, 0),
        errs(vnfmInst),
        fixed(directInst.wallMs, 0),
        errs(directInst),
        fixed(vnfmInst.wallMs / directInst.wallMs, 2),
        fixed(vnfmInst.serverMs ?? NaN, 0),
      ],
      [
        'terminate / uninstall',
        fixed(vnfmTerm.wallMs, 0),
        errs(vnfmTerm),
        fixed(directUninst.wallMs, 0),
        errs(directUninst),
        fixed(vnfmTerm.wallMs / directUninst.wallMs, 2),
        fixed(vnfmTerm.serverMs ?? NaN, 0),
      ],
    ]),
  );
  for (const [what, c] of [
    ['VNFM instantiate', vnfmInst],
    ['direct install', directInst],
    ['VNFM terminate', vnfmTerm],
    ['direct uninstall', directUninst],
  ] as const) {
    if (c.errors.length > 0) console.log(`${what}, first error: ${c.errors[0]}`);
  }
  const loadAfter = load();
  console.log(
    `\nload averages (1, 5, 15 min): before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')} (2 cores)`,
  );

  summary('helm-overhead', {
    transport,
    runs,
    helm: helmVersion,
    vnfmInstantiateMs: Math.round(vi),
    directInstantiateMs: Math.round(di),
    instantiateRatio: +fixed(instRatio, 2),
    vnfmTerminateMs: Math.round(vt),
    directTerminateMs: Math.round(dt),
    terminateRatio: +fixed(termRatio, 2),
    targetRatio: TARGET_RATIO,
    met,
    steps,
    concurrent,
    workerConcurrency: Number(workerConcurrency ?? 8),
    vnfmConcurrentMs: Math.round(vnfmInst.wallMs),
    vnfmConcurrentErrors: vnfmInst.errors.length,
    directConcurrentMs: Math.round(directInst.wallMs),
    directConcurrentErrors: directInst.errors.length,
    concurrentRatio: +fixed(vnfmInst.wallMs / directInst.wallMs, 2),
    vnfmConcurrentTerminateMs: Math.round(vnfmTerm.wallMs),
    directConcurrentUninstallMs: Math.round(directUninst.wallMs),
    loadBefore,
    loadAfter,
  });
} catch (e) {
  // A VNFM that died (or failed an op) says why in its log.
  if (vnfm) {
    const tail = readFileSync(vnfm.logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
    console.error(`last lines of the VNFM log:\n${tail}`);
  }
  throw e;
} finally {
  await vnfm?.stop();
  if (opts['keep-log'] && vnfm) copyFileSync(vnfm.logFile, opts['keep-log']);
  // What a failed run may have left on the node: the direct chart directory, the instances' chart directories.
  await prepared?.cleanup(createdInstances.map((id) => `vnfm/${id}`));
  // Releases live in their namespace (helm's Secrets): deleting it removes whatever a failed run left.
  for (const name of [nsVnfm, nsDirect]) await core.deleteNamespace({ name }).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
