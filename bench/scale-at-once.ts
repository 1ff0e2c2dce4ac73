// Many Helm CNFs at once on the production layout: an API-only `bin/vnfm serve`
// (VNFM_EMBEDDED_WORKER=false) and two `bin/vnfm worker` processes sharing a fresh
// PostgreSQL database of the testbed, helm on the testbed's SSH master node
// (`--transport ssh`, the default: the VIM's helm_info lists the node running the
// chosen helm major) or on the VNFM host (`--transport local`). N one-release
// instances (default 100) are instantiated at once through the API — every request
// sent at once, each op occ followed on the all-op-occs event stream until settled —
// then terminated at once; versus the same N `helm install --wait` run by hand the
// same way, at once (N SSH connections, or N local processes; bench/lib/helm-direct.ts),
// then N `helm uninstall --wait`. Reported per phase: wall time of each side, the
// ratio, errors, FAILED_TEMP op occs, SSH handshakes that failed (the VNFM processes'
// vnfm_ssh_handshakes_total, and sshd's own "past MaxStartups" drops in its log, from
// any client), op occs run by each worker, where the workers' time went (run and helm
// seconds, from their /metrics), each process's CPU, and load averages.
// Target: VNFM / by hand ≤ 1.10 for instantiate-all and terminate-all, 0 errors, no
// handshake dropped.
//
//   node_modules/.bin/node bench/scale-at-once.ts [--quick] [--transport ssh|local]
//     [--helm 3|4] [--count N] [--rounds N] [--workers N] [--worker-concurrency N]
//     [--ssh-max-handshakes N] [--keep-logs DIR]
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_CONFIG } from '../src/config.ts';
import { CHART_PATH, chartTgz } from '../test/helpers/cnf-package.ts';
import { createInstance, onboardPackage } from '../test/helpers/lcm.ts';
import { freshStore } from '../test/helpers/stores.ts';
import { testbed } from '../test/helpers/testbed.ts';
import { sample as sumOf, type Sample } from '../test/helpers/metrics.ts';
import { stateDir } from '../testbed/lib/paths.ts';
import { daemonPids } from '../testbed/lib/proc.ts';
import {
  type Concurrent,
  DIRECT_HANDSHAKES,
  directConcurrent,
  installArgv,
  prepareDirect,
  type PreparedDirect,
  uninstallArgv,
} from './lib/helm-direct.ts';
import { helmBody, ONE_RELEASE_SETS, registerHelmVim, vnfmConcurrent, vnfmSamples } from './lib/helm-vnfm.ts';
import { withoutVdu } from './lib/one-vdu.ts';
import { fixed, median, options, summary, table, verdict } from './lib/report.ts';
import { asHelperVnfm, cpuSeconds, startVnfmProcess, type VnfmProcess } from './lib/server.ts';
import { dropStore } from './lib/stores.ts';

const TARGET_RATIO = 1.1;

const opts = options({
  transport: { type: 'string' },
  helm: { type: 'string' },
  count: { type: 'string' },
  rounds: { type: 'string' },
  workers: { type: 'string' },
  'worker-concurrency': { type: 'string' },
  'ssh-max-handshakes': { type: 'string' },
  'keep-logs': { type: 'string' },
});
const count = Number(opts.count ?? (opts.quick ? 10 : 100));
const rounds = Number(opts.rounds ?? 1);
const workerCount = Number(opts.workers ?? 2);
const workerConcurrency = opts['worker-concurrency'];
const sshMaxHandshakes = opts['ssh-max-handshakes'];
const transport = opts.transport ?? 'ssh';
const helmWanted = Number(opts.helm ?? 4);
for (const [name, n] of [
  ['--count', count],
  ['--rounds', rounds],
  ['--workers', workerCount],
] as const)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
if (transport !== 'ssh' && transport !== 'local') throw new Error('--transport must be ssh or local');
if (helmWanted !== 3 && helmWanted !== 4) throw new Error('--helm must be 3 or 4');

const load = () => loadavg().map((x) => +fixed(x, 2));

/** The 1-minute load average, sampled every second while a phase runs: its highest. */
function loadWatch(): () => number {
  let max = loadavg()[0]!;
  const timer = setInterval(() => (max = Math.max(max, loadavg()[0]!)), 1000);
  return () => {
    clearInterval(timer);
    return +fixed(Math.max(max, loadavg()[0]!), 2);
  };
}

/** sshd's log of the master node: its "past MaxStartups" drops are counted from an offset. */
function sshdLog(nodeIndex: number) {
  const file = join(stateDir, 'logs', `sshd-${nodeIndex}.log`);
  const size = () => (existsSync(file) ? statSync(file).size : 0);
  return {
    file,
    mark: size,
    /** Drops logged since `from` (a mark), by any client of this sshd. */
    dropsSince(from: number): number {
      if (!existsSync(file)) return 0;
      const text = readFileSync(file).subarray(from).toString('utf8');
      return (text.match(/past MaxStartups/g) ?? []).length;
    },
  };
}

/** The testbed's cluster daemons whose CPU a phase costs (the VNFM's API reads and watches, helm's). */
const CLUSTER = ['kube-apiserver', 'etcd', 'kwok'] as const;
function clusterCpu(): number[] {
  const pids = daemonPids(stateDir);
  return CLUSTER.map((name) => {
    const pid = pids.get(name);
    try {
      return pid ? cpuSeconds(pid) : NaN;
    } catch {
      return NaN; // not running as recorded
    }
  });
}

/** What one phase (instantiate-all, terminate-all) on one side measured. */
interface Phase {
  result: Concurrent;
  failedTemp: number;
  /** SSH connections the VNFM processes failed to open (vnfm_ssh_handshakes_total not ok), by outcome. */
  handshakeFailures: Record<string, number>;
  handshakesOk: number;
  /** sshd's "past MaxStartups" lines meanwhile (any client of the node). */
  sshdDrops: number;
  /** Op occs each worker ran (vnfm_operation_duration_seconds_count, phase run). */
  perWorker: number[];
  /** Summed over the workers: seconds running operations, seconds in helm by subcommand. */
  runSeconds: number;
  helmSeconds: Record<string, { seconds: number; count: number }>;
  /** CPU seconds each process used: API server, then the workers. */
  cpu: number[];
  /** CPU seconds of kube-apiserver, etcd and kwok meanwhile. */
  clusterCpu: number[];
  loadBefore: number[];
  loadMax1: number;
}

const diff = (after: Sample[][], before: Sample[][], f: (s: Sample[]) => number) =>
  after.map((a, i) => f(a) - f(before[i]!));

function helmSecondsOf(samples: Sample[]): Record<string, { seconds: number; count: number }> {
  const out: Record<string, { seconds: number; count: number }> = {};
  for (const s of samples) {
    const kind = s.name.slice('vnfm_helm_command_duration_seconds_'.length);
    if (!s.name.startsWith('vnfm_helm_command_duration_seconds_') || (kind !== 'sum' && kind !== 'count'))
      continue;
    const h = (out[s.labels.subcommand!] ??= { seconds: 0, count: 0 });
    if (kind === 'sum') h.seconds += s.value;
    else h.count += s.value;
  }
  return out;
}

// ---------------------------------------------------------------------------------

const env = await testbed();
// Node 0 runs helm 3, node 1 helm 4 (testbed/lib/ssh-nodes.ts).
const nodeIndex = env.sshNodes.findIndex((n) => n.helm === `helm${helmWanted}`);
const node = env.sshNodes[nodeIndex];
if (!node) throw new Error(`the testbed has no SSH master node with helm ${helmWanted}`);
const localHelm = helmWanted === 3 ? env.helm3 : env.helm4;
const sshd = sshdLog(nodeIndex);
const kc = new KubeConfig();
kc.loadFromFile(env.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const tag = randomBytes(3).toString('hex');
const nsVnfm = `bench-scale-v-${tag}`;
const nsDirect = `bench-scale-d-${tag}`;
const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
const loadStart = load();
let api: VnfmProcess | undefined;
const workers: VnfmProcess[] = [];
let prepared: PreparedDirect | undefined;
let database: string | undefined;
const ids: string[] = [];
try {
  for (const name of [nsVnfm, nsDirect]) await core.createNamespace({ body: { metadata: { name } } });
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

  database = await freshStore('postgres');
  const dataDir = join(dir, 'data');
  const helmEnv: Record<string, string> = transport === 'local' ? { VNFM_HELM_BINARY: localHelm } : {};
  // The API server first: it makes the data directory's secret key the workers then read.
  api = await startVnfmProcess({
    database,
    dataDir,
    logFile: join(dir, 'api.log'),
    env: { VNFM_EMBEDDED_WORKER: 'false', ...helmEnv },
  });
  for (let i = 0; i < workerCount; i++)
    workers.push(
      await startVnfmProcess({
        worker: true,
        database,
        dataDir,
        logFile: join(dir, `worker-${i}.log`),
        env: {
          ...helmEnv,
          ...(workerConcurrency ? { VNFM_WORKER_CONCURRENCY: workerConcurrency } : {}),
          ...(sshMaxHandshakes ? { VNFM_SSH_MAX_HANDSHAKES: sshMaxHandshakes } : {}),
        },
      }),
    );
  const vimId = await registerHelmVim(api, 'bench-scale', transport, node);
  // One release carries one VDU: the flavour is cut down to VDU1.
  const { vnfdId } = await onboardPackage(asHelperVnfm(api), {
    edit: (files) => {
      files.set(CHART_PATH, chart);
      withoutVdu('VDU2')(files);
    },
  });
  const names = Array.from({ length: count }, (_, i) => `s${i}`);
  for (const name of names) ids.push(await createInstance(asHelperVnfm(api), vnfdId, `bench-scale-${name}`));
  const bodies = names.map((name) => helmBody(vimId, nsVnfm, [{ name, sets: ONE_RELEASE_SETS }]));
  const terminateBodies = ids.map(() => ({ terminationType: 'FORCEFUL' }));

  const procs = () => [api!, ...workers];
  const snapshot = async () => ({
    samples: await Promise.all(workers.map((w) => vnfmSamples(w.url))),
    cpu: procs().map((p) => cpuSeconds(p.pid)),
    clusterCpu: clusterCpu(),
    sshdMark: sshd.mark(),
  });
  /** One phase on one side, with what the VNFM processes and sshd recorded meanwhile. */
  const phase = async (
    run: () => Promise<Concurrent & { settled?: Map<string, { op: { operationState: string } }> }>,
  ) => {
    const loadBefore = load();
    const maxLoad = loadWatch();
    const before = await snapshot();
    const result = await run();
    const after = await snapshot();
    const loadMax1 = maxLoad();
    const handshakeFailures: Record<string, number> = {};
    for (const outcome of ['dropped', 'error', 'auth_failed', 'host_key_mismatch']) {
      const n = diff(after.samples, before.samples, (s) =>
        sumOf(s, 'vnfm_ssh_handshakes_total', { outcome }),
      ).reduce((a, b) => a + b, 0);
      if (n > 0) handshakeFailures[outcome] = n;
    }
    const helmAfter = after.samples.map(helmSecondsOf);
    const helmBefore = before.samples.map(helmSecondsOf);
    const helmSeconds: Phase['helmSeconds'] = {};
    for (const [i, h] of helmAfter.entries())
      for (const [sub, v] of Object.entries(h)) {
        const b = helmBefore[i]![sub] ?? { seconds: 0, count: 0 };
        if (v.count <= b.count) continue;
        const t = (helmSeconds[sub] ??= { seconds: 0, count: 0 });
        t.seconds += v.seconds - b.seconds;
        t.count += v.count - b.count;
      }
    return {
      result,
      failedTemp: [...(result.settled?.values() ?? [])].filter((s) => s.op.operationState === 'FAILED_TEMP')
        .length,
      handshakeFailures,
      handshakesOk: diff(after.samples, before.samples, (s) =>
        sumOf(s, 'vnfm_ssh_handshakes_total', { outcome: 'ok' }),
      ).reduce((a, b) => a + b, 0),
      sshdDrops: transport === 'ssh' ? sshd.dropsSince(before.sshdMark) : 0,
      perWorker: diff(after.samples, before.samples, (s) =>
        sumOf(s, 'vnfm_operation_duration_seconds_count', { phase: 'run' }),
      ),
      runSeconds: diff(after.samples, before.samples, (s) =>
        sumOf(s, 'vnfm_operation_duration_seconds_sum', { phase: 'run' }),
      ).reduce((a, b) => a + b, 0),
      helmSeconds,
      cpu: after.cpu.map((c, i) => +fixed(c - before.cpu[i]!, 1)),
      clusterCpu: after.clusterCpu.map((c, i) => +fixed(c - before.clusterCpu[i]!, 1)),
      loadBefore,
      loadMax1,
    } satisfies Phase;
  };

  console.log(
    `${where} (${helmVersion}); API-only vnfm serve + ${workerCount} vnfm worker processes ` +
      `(worker concurrency ${workerConcurrency ?? `${DEFAULT_CONFIG.workerConcurrency}, the default`} each, SSH handshakes at once per node ` +
      `${sshMaxHandshakes ?? `${DEFAULT_CONFIG.sshMaxHandshakes}, the default`} each) on PostgreSQL; ${count} one-release ` +
      `instances; namespaces ${nsVnfm} (VNFM), ${nsDirect} (by hand); load averages ${loadStart.join(' ')}`,
  );
  // Untimed warm-up, one of each side: helm's first start on the node, the VNFM's first
  // connection to PostgreSQL and the cluster, are not what is compared.
  await vnfmConcurrent(api, ids.slice(0, 1), bodies.slice(0, 1), 'instantiate');
  await vnfmConcurrent(api, ids.slice(0, 1), terminateBodies.slice(0, 1), 'terminate');
  await directConcurrent(direct, [installArgv(direct, 'warmup', ONE_RELEASE_SETS)]);
  await directConcurrent(direct, [uninstallArgv(direct, 'warmup')]);

  const results: { vnfm: { inst: Phase; term: Phase }; direct: { inst: Phase; term: Phase } }[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternating which side goes first, so drift of the shared machine hits both alike.
    const order = r % 2 === 0 ? (['vnfm', 'direct'] as const) : (['direct', 'vnfm'] as const);
    const round: Partial<(typeof results)[number]> = {};
    for (const side of order) {
      if (side === 'vnfm') {
        const inst = await phase(() => vnfmConcurrent(api!, ids, bodies, 'instantiate'));
        console.log(`round ${r + 1}: VNFM instantiate-all ${fixed(inst.result.wallMs, 0)} ms`);
        const term = await phase(() => vnfmConcurrent(api!, ids, terminateBodies, 'terminate'));
        console.log(`round ${r + 1}: VNFM terminate-all ${fixed(term.result.wallMs, 0)} ms`);
        round.vnfm = { inst, term };
        // An instance left INSTANTIATED (a failed terminate) could not be instantiated again.
        if (inst.result.errors.length + term.result.errors.length > 0 && r + 1 < rounds)
          throw new Error(`round ${r + 1} had errors: ${[...inst.result.errors, ...term.result.errors][0]}`);
      } else {
        const inst = await phase(() =>
          directConcurrent(
            direct,
            names.map((n) => installArgv(direct, n, ONE_RELEASE_SETS)),
          ),
        );
        console.log(`round ${r + 1}: by hand install-all ${fixed(inst.result.wallMs, 0)} ms`);
        const term = await phase(() =>
          directConcurrent(
            direct,
            names.map((n) => uninstallArgv(direct, n)),
          ),
        );
        console.log(`round ${r + 1}: by hand uninstall-all ${fixed(term.result.wallMs, 0)} ms`);
        round.direct = { inst, term };
      }
    }
    results.push(round as (typeof results)[number]);
  }
  for (const id of ids) await api.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`);

  // ---------------------------------------------------------------------------------
  const how = transport === 'ssh' ? 'helm over SSH' : 'helm run locally';
  const ms = (p: Phase) => p.result.wallMs;
  const med = (f: (x: (typeof results)[number]) => number) => median(results.map(f));
  const vi = med((x) => ms(x.vnfm.inst));
  const di = med((x) => ms(x.direct.inst));
  const vt = med((x) => ms(x.vnfm.term));
  const dt = med((x) => ms(x.direct.term));
  const all = results.flatMap((x) => [x.vnfm.inst, x.vnfm.term]);
  const vnfmErrors = all.reduce((n, p) => n + p.result.errors.length, 0);
  const directErrors = results.reduce(
    (n, x) => n + x.direct.inst.result.errors.length + x.direct.term.result.errors.length,
    0,
  );
  const failedTemp = all.reduce((n, p) => n + p.failedTemp, 0);
  const vnfmHandshakeFailures = all.reduce(
    (n, p) => n + Object.values(p.handshakeFailures).reduce((a, b) => a + b, 0),
    0,
  );
  const sshdDropsVnfm = all.reduce((n, p) => n + p.sshdDrops, 0);
  const sshdDropsDirect = results.reduce((n, x) => n + x.direct.inst.sshdDrops + x.direct.term.sshdDrops, 0);
  const instRatio = vi / di;
  const termRatio = vt / dt;
  const met =
    instRatio <= TARGET_RATIO &&
    termRatio <= TARGET_RATIO &&
    vnfmErrors === 0 &&
    vnfmHandshakeFailures === 0 &&
    sshdDropsVnfm === 0;

  console.log(
    `\n${count} one-release CNFs at once: VNFM (API-only serve + ${workerCount} workers, PostgreSQL, ${how}) ` +
      `vs ${count} helm commands at once by hand (${transport === 'ssh' ? `${count} SSH connections, at most ${DIRECT_HANDSHAKES} handshakes at a time` : `${count} local processes`}); ` +
      `${rounds} round${rounds > 1 ? 's' : ''}${rounds > 1 ? ', medians' : ''}\n`,
  );
  const errs = (ps: Phase[]) =>
    `${ps.reduce((n, p) => n + p.result.errors.length, 0)} of ${count * ps.length}`;
  console.log(
    table([
      [
        'phase',
        'VNFM wall ms',
        'by hand wall ms',
        'VNFM / by hand',
        'VNFM errors',
        'FAILED_TEMP',
        'by hand errors',
      ],
      [
        'instantiate-all / install-all',
        fixed(vi, 0),
        fixed(di, 0),
        `${fixed(instRatio, 2)} (target ≤ ${TARGET_RATIO}: ${verdict(instRatio <= TARGET_RATIO)})`,
        errs(results.map((x) => x.vnfm.inst)),
        results.reduce((n, x) => n + x.vnfm.inst.failedTemp, 0),
        errs(results.map((x) => x.direct.inst)),
      ],
      [
        'terminate-all / uninstall-all',
        fixed(vt, 0),
        fixed(dt, 0),
        `${fixed(termRatio, 2)} (target ≤ ${TARGET_RATIO}: ${verdict(termRatio <= TARGET_RATIO)})`,
        errs(results.map((x) => x.vnfm.term)),
        results.reduce((n, x) => n + x.vnfm.term.failedTemp, 0),
        errs(results.map((x) => x.direct.term)),
      ],
    ]),
  );

  // Per round and phase: where the time went and what each process did.
  const rows: (string | number)[][] = [
    [
      'round',
      'side, phase',
      'wall ms',
      'op occs first start→last end ms',
      'per worker op occs',
      'worker run s (sum)',
      'helm s (sum, count) / by hand command s (sum, median)',
      'SSH handshakes ok / failed (VNFM)',
      'sshd MaxStartups drops',
      'CPU s (api, workers)',
      'cluster CPU s (apiserver, etcd, kwok)',
      'load 1-min before → max',
    ],
  ];
  for (const [r, x] of results.entries())
    for (const [label, p, side] of [
      ['VNFM instantiate', x.vnfm.inst, 'vnfm'],
      ['VNFM terminate', x.vnfm.term, 'vnfm'],
      ['by hand install', x.direct.inst, 'direct'],
      ['by hand uninstall', x.direct.term, 'direct'],
    ] as const) {
      const helm = Object.entries(p.helmSeconds)
        .map(([sub, h]) => `${sub} ${fixed(h.seconds, 1)} (${h.count}×)`)
        .join(', ');
      const d = p.result.durationsMs ?? [];
      const failures = Object.entries(p.handshakeFailures)
        .map(([o, n]) => `${n} ${o}`)
        .join(', ');
      rows.push([
        r + 1,
        label,
        fixed(p.result.wallMs, 0),
        side === 'vnfm' ? fixed(p.result.serverMs ?? NaN, 0) : '—',
        side === 'vnfm' ? p.perWorker.join(' + ') : '—',
        side === 'vnfm' ? fixed(p.runSeconds, 1) : '—',
        side === 'vnfm'
          ? helm || '—'
          : `${fixed(d.reduce((a, b) => a + b, 0) / 1000, 1)} (median ${fixed(median(d) / 1000, 2)})`,
        side === 'vnfm' ? `${p.handshakesOk} / ${failures || 0}` : '—',
        transport === 'ssh' ? p.sshdDrops : '—',
        `${p.cpu[0]}, ${p.cpu.slice(1).join(' + ')}`,
        p.clusterCpu.join(', '),
        `${p.loadBefore[0]} → ${p.loadMax1}`,
      ]);
    }
  console.log('\nper round and phase\n');
  console.log(table(rows));
  for (const x of results)
    for (const [what, c] of [
      ['VNFM instantiate', x.vnfm.inst.result],
      ['by hand install', x.direct.inst.result],
      ['VNFM terminate', x.vnfm.term.result],
      ['by hand uninstall', x.direct.term.result],
    ] as const)
      if (c.errors.length > 0) console.log(`${what}: ${c.errors.length} errors, first: ${c.errors[0]}`);
  const loadEnd = load();
  console.log(
    `\nload averages (1, 5, 15 min): start ${loadStart.join(' ')}, end ${loadEnd.join(' ')} (${availableParallelism()} cores); ` +
      `SSH handshake failures of the VNFM processes ${vnfmHandshakeFailures}, sshd drops during the VNFM's phases ` +
      `${sshdDropsVnfm} (by hand: ${sshdDropsDirect}): ${verdict(vnfmHandshakeFailures === 0 && sshdDropsVnfm === 0)}`,
  );

  summary('scale-at-once', {
    transport,
    helm: helmVersion,
    count,
    rounds,
    workers: workerCount,
    workerConcurrency: Number(workerConcurrency ?? DEFAULT_CONFIG.workerConcurrency),
    sshMaxHandshakes: Number(sshMaxHandshakes ?? DEFAULT_CONFIG.sshMaxHandshakes),
    vnfmInstantiateMs: Math.round(vi),
    directInstallMs: Math.round(di),
    instantiateRatio: +fixed(instRatio, 2),
    vnfmTerminateMs: Math.round(vt),
    directUninstallMs: Math.round(dt),
    terminateRatio: +fixed(termRatio, 2),
    targetRatio: TARGET_RATIO,
    vnfmErrors,
    failedTemp,
    directErrors,
    vnfmHandshakeFailures,
    sshdDropsVnfm,
    sshdDropsDirect,
    perWorker: results.map((x) => ({ instantiate: x.vnfm.inst.perWorker, terminate: x.vnfm.term.perWorker })),
    loadStart,
    loadEnd,
    loadMax: Math.max(
      ...results.flatMap((x) =>
        [x.vnfm.inst, x.vnfm.term, x.direct.inst, x.direct.term].map((p) => p.loadMax1),
      ),
    ),
    met,
  });
} catch (e) {
  for (const p of [api, ...workers]) {
    if (!p) continue;
    const tail = readFileSync(p.logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
    console.error(`last lines of ${basename(p.logFile)}:\n${tail}`);
  }
  throw e;
} finally {
  for (const w of workers) await w.stop();
  await api?.stop();
  if (opts['keep-logs']) {
    mkdirSync(opts['keep-logs'], { recursive: true });
    for (const p of [api, ...workers])
      if (p) copyFileSync(p.logFile, join(opts['keep-logs'], basename(p.logFile)));
  }
  // What a failed run may have left on the node: the direct chart directory, the instances' chart directories.
  await prepared?.cleanup(ids.map((id) => `vnfm/${id}`));
  // Releases live in their namespace (helm's Secrets): deleting it removes whatever a failed run left.
  for (const name of [nsVnfm, nsDirect]) await core.deleteNamespace({ name }).catch(() => {});
  if (database) await dropStore('postgres', database).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
