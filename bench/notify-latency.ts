// Notification delivery: how long from a state change to its receiver, and whether a
// slow receiver holds up a fast one. `bin/vnfm serve` (a child process; SQLite store by
// default; embedded worker and delivery loop, default settings) with loopback receivers
// in a process of their own (bench/lib/receivers.ts), each recording when a
// notification's body had arrived. Latency = that arrival − the body's timeStamp, which
// is written with the state change, in its transaction.
//
// 0. Floor: one instance creation at a time, each notification awaited before the next.
// 1. Latency under load: N LCM subscriptions (op occ notifications only) spread over 10
//    receivers on distinct ports that answer 204 at once, then M LCM operations started
//    at once on M instances made beforehand. Each op occ goes STARTING → PROCESSING →
//    COMPLETED, so N × M × 3 notifications are expected, each exactly once per
//    subscription. The operation is MODIFY_INFO (PATCH of the instance's name: no
//    cluster needed) or, with `--operation instantiate`, a manifest-mode instantiate on
//    the testbed cluster.
// 2. Slow vs fast: a receiver answering at once, with a subscription to
//    VnfIdentifierCreationNotification, over bursts of instance creations in three
//    phases: alone; with a second fast receiver (its own subscription, same filter: the
//    same work for the VNFM); with a receiver answering after `--slow-ms` instead. The
//    phases rotate per round. Reported: the fast receiver's latency in each, the ratios,
//    and the slow receiver's throughput (a subscription has at most 4 notifications in
//    flight, so at best 4 / slow-ms).
//
//   node_modules/.bin/node bench/notify-latency.ts [--quick] [--subscriptions N]
//     [--operations N] [--slow-ms N] [--burst N] [--rounds N]
//     [--operation modify|instantiate] [--store sqlite|postgres]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MANIFEST_PATH } from '../test/helpers/cnf-package.ts';
import { createInstance, onboardPackage, registerTestbedVim, startOp } from '../test/helpers/lcm.ts';
import { freshStore, STORES, type StoreKind } from '../test/helpers/stores.ts';
import { kubeClient } from '../test/helpers/testbed.ts';
import { type Arrival, type Receivers, startReceivers } from './lib/receivers.ts';
import { fixed, median, options, percentile, summary, table, verdict } from './lib/report.ts';
import { asHelperVnfm, cpuSeconds, startVnfmProcess, type VnfmProcess } from './lib/server.ts';
import { dropStore } from './lib/stores.ts';

const opts = options({
  subscriptions: { type: 'string' },
  operations: { type: 'string' },
  'slow-ms': { type: 'string' },
  burst: { type: 'string' },
  rounds: { type: 'string' },
  operation: { type: 'string' },
  store: { type: 'string' },
});
const subscriptions = Number(opts.subscriptions ?? (opts.quick ? 10 : 100));
const operations = Number(opts.operations ?? (opts.quick ? 4 : 20));
const slowMs = Number(opts['slow-ms'] ?? 200);
const burst = Number(opts.burst ?? (opts.quick ? 40 : 200));
const rounds = Number(opts.rounds ?? (opts.quick ? 1 : 3));
const operation = opts.operation ?? 'modify';
const store = (opts.store ?? 'sqlite') as StoreKind;
if (!['modify', 'instantiate'].includes(operation))
  throw new Error('--operation must be modify or instantiate');
if (!STORES.includes(store)) throw new Error(`--store must be one of ${STORES.join(', ')}`);
for (const [name, n] of Object.entries({ subscriptions, operations, 'slow-ms': slowMs, burst, rounds }))
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1`);

/** Receivers for part 1; its subscriptions are spread over them round-robin. */
const RECEIVERS = Math.min(10, subscriptions);
/** Then part 2's: the fast one, its fast twin and the slow one. */
const [FAST, TWIN, SLOW] = [RECEIVERS, RECEIVERS + 1, RECEIVERS + 2];
/** Share of one subscription in the delivery loop (LOOP_LIMITS of src/notify/notifier.ts). */
const PER_SUBSCRIPTION = 4;
/** Instance creations sent at once during a burst. */
const BURST_CONCURRENCY = 20;
const FLOOR_COUNT = opts.quick ? 5 : 20;
/** Every expected notification must have arrived within this after the last was written. */
const DELIVERY_TIMEOUT_MS = 300_000;
/** The fast receiver's p99 with the slow one ≤ this × its p99 with a fast twin (same work). */
const TARGET_RATIO = 1.5;
const OP_STATES = ['STARTING', 'PROCESSING', 'COMPLETED'];
const LCM_OP = 'VnfLcmOperationOccurrenceNotification';
const CREATION = 'VnfIdentifierCreationNotification';
const PHASES = ['alone', 'with a fast twin', 'with the slow one'] as const;
type Phase = (typeof PHASES)[number];

interface Stats {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

function stats(latencies: number[]): Stats {
  const s = [...latencies].sort((a, b) => a - b);
  const p = (n: number) => percentile(s, n);
  return { count: s.length, p50Ms: p(50), p90Ms: p(90), p99Ms: p(99), maxMs: s.at(-1) ?? NaN };
}

const statsRow = (name: string, s: Stats) => [
  name,
  s.count,
  fixed(s.p50Ms),
  fixed(s.p90Ms),
  fixed(s.p99Ms),
  fixed(s.maxMs),
];
const latency = (a: Arrival) => a.arrivedAt - a.timeStamp;
const load = () => loadavg().map((x) => fixed(x, 2));

async function until(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

/** Waits until `receiver` has had `n` more POSTs than `before` counted; false on timeout. */
function posted(receivers: Receivers, receiver: number, before: number[], n: number, timeoutMs: number) {
  return until(
    `${n} notifications at receiver ${receiver}`,
    async () => ((await receivers.counts())[receiver] ?? 0) - (before[receiver] ?? 0) >= n,
    timeoutMs,
  ).then(
    () => true,
    (err: Error) => (console.log(err.message), false),
  );
}

async function subscribe(vnfm: VnfmProcess, callbackUri: string, notificationType: string): Promise<string> {
  const res = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
    callbackUri,
    filter: { notificationTypes: [notificationType] },
  });
  if (res.status !== 201)
    throw new Error(`subscribing ${callbackUri}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function unsubscribe(vnfm: VnfmProcess, id: string): Promise<void> {
  const res = await vnfm.request('DELETE', `/vnflcm/v1/subscriptions/${id}`);
  if (res.status !== 204) throw new Error(`deleting subscription ${id}: ${res.status}`);
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return out;
}

/** The first arrival of each `key` (what a receiver waits for), and how many came again. */
function firstArrivals(got: Arrival[], key: (a: Arrival) => string) {
  const first = new Map<string, Arrival>();
  let again = 0;
  for (const a of got) {
    if (first.has(key(a))) again++;
    else first.set(key(a), a);
  }
  return { first, again };
}

/** Delivery counters and the delay histogram's mean, as the VNFM's /metrics shows them. */
async function serverMetrics(vnfm: VnfmProcess) {
  const text = await (await fetch(`${vnfm.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const attempts = (outcome: string) => value(`vnfm_notification_attempts_total\\{outcome="${outcome}"\\}`);
  return {
    delivered: attempts('delivered'),
    failed: attempts('failed'),
    delaySum: value('vnfm_notification_delay_seconds_sum'),
    delayCount: value('vnfm_notification_delay_seconds_count'),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-notify-'));
const database = await freshStore(store);
const receivers = await startReceivers([...Array<number>(RECEIVERS).fill(0), 0, 0, slowMs]);
let vnfm: VnfmProcess | undefined;
const namespaces: string[] = [];
try {
  const loadAtStart = load();
  vnfm = await startVnfmProcess({ database, dataDir: join(dir, 'data'), logFile: join(dir, 'vnfm.log') });
  const server = vnfm;
  const helper = asHelperVnfm(vnfm);
  const { vnfdId } = await onboardPackage(helper);
  let made = 0;
  const create = () => createInstance(helper, vnfdId, `bench-${made++}`);

  // ── 0. floor: one notification at a time ──
  const fastSub = await subscribe(server, `${receivers.urls[FAST]}/fast`, CREATION);
  const floorIds = new Set<string>();
  for (let i = 0; i < FLOOR_COUNT; i++) {
    const before = await receivers.counts();
    floorIds.add(await create());
    await until(
      'a creation notification',
      async () => ((await receivers.counts())[FAST] ?? 0) > (before[FAST] ?? 0),
      DELIVERY_TIMEOUT_MS,
    );
  }
  const floor = stats(
    (await receivers.arrivals())
      .filter((a) => a.subscriptionId === fastSub && floorIds.has(a.vnfInstanceId))
      .map(latency),
  );

  // ── 1. latency: N subscriptions, M operations at once ──
  let startOne = async (id: string, i: number): Promise<string> => {
    const res = await server.request('PATCH', `/vnflcm/v1/vnf_instances/${id}`, {
      vnfInstanceName: `bench-renamed-${i}`,
    });
    if (res.status !== 202) throw new Error(`PATCH ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.headers.get('location') ?? '').split('/').pop() as string;
  };
  if (operation === 'instantiate') {
    const vimId = await registerTestbedVim(helper, 'bench-notify-k8s');
    // The package's manifest names its Deployments: one namespace per instance, made beforehand.
    const prefix = `bench-notify-${randomBytes(3).toString('hex')}`;
    const core = await kubeClient();
    for (let i = 0; i < operations; i++) {
      await core.createNamespace({ body: { metadata: { name: `${prefix}-${i}` } } });
      namespaces.push(`${prefix}-${i}`);
    }
    startOne = (id, i) =>
      startOp(helper, id, 'instantiate', {
        flavourId: 'helmchart',
        instantiationLevelId: 'instantiation_level_1',
        vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
        additionalParams: { namespace: `${prefix}-${i}`, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
      });
  }
  const instances = await pool(Array.from({ length: operations }), BURST_CONCURRENCY, create);
  const subIds: string[] = [];
  for (let i = 0; i < subscriptions; i++)
    subIds.push(await subscribe(server, `${receivers.urls[i % RECEIVERS]}/lcm/${i}`, LCM_OP));

  const metrics0 = await serverMetrics(server);
  const before1 = await receivers.counts();
  const cpu0 = cpuSeconds(server.pid);
  const startedAt = Date.now();
  const opIds = await Promise.all(instances.map((id, i) => startOne(id, i)));
  const expected = new Set(
    subIds.flatMap((sub) => opIds.flatMap((op) => OP_STATES.map((s) => `${sub} ${op} ${s}`))),
  );
  // Waits on the receivers' counts (cheap), not their records, so that waiting does not
  // load the process that timestamps arrivals; the op occs are looked at once a second.
  const lcmCount = async () =>
    (await receivers.counts()).slice(0, RECEIVERS).reduce((n, c, i) => n + c - (before1[i] ?? 0), 0);
  const ops = new Map<string, { operationState: string; stateEnteredTime: string }>();
  const lookAtOps = async () => {
    for (const op of opIds)
      ops.set(op, (await server.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${op}`)).body);
    const failed = [...ops].filter(([, o]) =>
      ['FAILED_TEMP', 'FAILED', 'ROLLED_BACK'].includes(o.operationState),
    );
    if (failed.length > 0) throw new Error(`operations not COMPLETED: ${JSON.stringify(failed)}`);
  };
  let looked = 0;
  await until(
    `${expected.size} op occ notifications`,
    async () => {
      if (Date.now() - looked >= 1000) {
        looked = Date.now();
        await lookAtOps();
      }
      return (await lcmCount()) >= expected.size;
    },
    DELIVERY_TIMEOUT_MS,
  ).catch((err: Error) => {
    if (err.message.startsWith('operations')) throw err;
    console.log(`${err.message}: reporting what arrived`);
  });
  const drainedAt = Date.now();
  const cpu1 = cpuSeconds(server.pid);
  // A resend would come soon after (a claim given back, a retry): give it a moment to show.
  await sleep(1000);
  await lookAtOps();
  const settledMs = Math.max(...[...ops.values()].map((o) => Date.parse(o.stateEnteredTime))) - startedAt;
  if ([...ops.values()].some((o) => o.operationState !== 'COMPLETED'))
    throw new Error(`operations not COMPLETED: ${JSON.stringify([...ops])}`);

  const lcmSubs = new Set(subIds);
  const opKey = (a: Arrival) => `${a.subscriptionId} ${a.vnfLcmOpOccId} ${a.operationState}`;
  const got = (await receivers.arrivals()).filter(
    (a) => a.notificationType === LCM_OP && lcmSubs.has(a.subscriptionId),
  );
  const { first, again: duplicated } = firstArrivals(got, opKey);
  const lost = [...expected].filter((k) => !first.has(k)).length;
  const unexpected = [...first.keys()].filter((k) => !expected.has(k)).length;
  const sameIdTwice = firstArrivals(got, (a) => `${a.subscriptionId} ${a.id}`).again;
  const firsts = [...first.values()].filter((a) => expected.has(opKey(a)));
  const lat = stats(firsts.map(latency));
  const byState = OP_STATES.map((s) =>
    statsRow(s, stats(firsts.filter((a) => a.operationState === s).map(latency))),
  );
  const spanMs = Math.max(...firsts.map((a) => a.arrivedAt)) - Math.min(...firsts.map((a) => a.timeStamp));
  const perSecond = firsts.length / (spanMs / 1000);
  const cpuPercent = Math.round(((cpu1 - cpu0) / ((drainedAt - startedAt) / 1000)) * 100);
  const metrics1 = await serverMetrics(server);
  const failed1 = metrics1.failed - metrics0.failed;
  const serverMeanMs =
    ((metrics1.delaySum - metrics0.delaySum) / (metrics1.delayCount - metrics0.delayCount)) * 1000;
  for (const id of subIds) await unsubscribe(server, id);
  const loadAfter1 = load();

  // ── 2. slow vs fast: bursts of instance creations in rotating phases ──
  const fastOf: Record<Phase, number[]> = { alone: [], 'with a fast twin': [], 'with the slow one': [] };
  const slowRates: number[] = [];
  /** How long each burst's creations took (the API's answers, not the notifications). */
  const burstsMs: number[] = [];
  let fastLost = 0;
  let slowLost = 0;
  for (let r = 0; r < rounds; r++) {
    for (const phase of [...PHASES.slice(r % 3), ...PHASES.slice(0, r % 3)]) {
      const other =
        phase === 'alone'
          ? undefined
          : phase === 'with a fast twin'
            ? { receiver: TWIN, sub: await subscribe(server, `${receivers.urls[TWIN]}/twin/${r}`, CREATION) }
            : { receiver: SLOW, sub: await subscribe(server, `${receivers.urls[SLOW]}/slow/${r}`, CREATION) };
      const before = await receivers.counts();
      const t0 = Date.now();
      const ids = new Set(await pool(Array.from({ length: burst }), BURST_CONCURRENCY, create));
      const burstMs = Date.now() - t0;
      burstsMs.push(burstMs);
      await posted(receivers, FAST, before, burst, DELIVERY_TIMEOUT_MS);
      let rate = NaN;
      if (other) {
        // The slow one drains its share of 4 in flight: burst × slow-ms / 4 at best; allow 4 times that.
        const drainMs = other.receiver === SLOW ? (burst * slowMs) / PER_SUBSCRIPTION : 0;
        await posted(receivers, other.receiver, before, burst, DELIVERY_TIMEOUT_MS + 4 * drainMs);
        if (other.receiver === SLOW) await sleep(slowMs + 100); // its last answers
      }
      const arrivals = (await receivers.arrivals()).filter((a) => ids.has(a.vnfInstanceId));
      const fast = [
        ...firstArrivals(
          arrivals.filter((a) => a.subscriptionId === fastSub),
          (a) => a.id,
        ).first.values(),
      ];
      fastLost += burst - fast.length;
      fastOf[phase].push(...fast.map(latency));
      if (other?.receiver === SLOW) {
        const slow = [
          ...firstArrivals(
            arrivals.filter((a) => a.subscriptionId === other.sub),
            (a) => a.id,
          ).first.values(),
        ];
        slowLost += burst - slow.length;
        // From the first notification's arrival to the last answer: 4 in flight, each slow-ms.
        const span = Math.max(...slow.map((a) => a.answeredAt)) - Math.min(...slow.map((a) => a.arrivedAt));
        rate = slow.length / (span / 1000);
        slowRates.push(rate);
      }
      if (other) await unsubscribe(server, other.sub);
      const s = stats(fast.map(latency));
      console.log(
        `round ${r + 1}, ${phase}: ${burst} creations in ${burstMs} ms; ` +
          `fast receiver p50 ${fixed(s.p50Ms)} ms, p99 ${fixed(s.p99Ms)} ms` +
          (Number.isNaN(rate) ? '' : `; slow receiver ${fixed(rate)} notifications/s`),
      );
    }
  }
  const metrics2 = await serverMetrics(server);
  const loadAtEnd = load();

  // ── report ──
  const what =
    operation === 'modify'
      ? 'MODIFY_INFO (PATCH vnfInstanceName; no cluster)'
      : 'manifest-mode INSTANTIATE on the testbed cluster';
  console.log(
    `\nbin/vnfm serve (${store}, embedded worker, default delivery settings); load average ` +
      `(1, 5, 15 min) at start ${loadAtStart.join(' ')}, after part 1 ${loadAfter1.join(' ')}, at the end ${loadAtEnd.join(' ')}`,
  );
  console.log(
    `\n0. Floor: ${FLOOR_COUNT} instance creations one at a time, one subscription\n\n` +
      table([
        ['notifications', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        statsRow('creation', floor),
      ]),
  );
  console.log(
    `\n1. Latency, state change (body timeStamp) → receiver: ${subscriptions} subscriptions over ` +
      `${RECEIVERS} receivers answering 204 at once, ${operations} × ${what} started at once ` +
      `(all COMPLETED ${fixed(settledMs / 1000, 2)} s after the first request)\n`,
  );
  console.log(
    table([
      ['notifications', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      statsRow('all', lat),
      ...byState,
    ]),
  );
  console.log(
    `\nexpected ${expected.size} (${subscriptions} × ${operations} × ${OP_STATES.length}): lost ${lost}, ` +
      `duplicated ${duplicated} (same id twice: ${sameIdTwice}), unexpected ${unexpected}; ` +
      `first state change → last arrival ${fixed(spanMs / 1000, 2)} s = ${fixed(perSecond, 0)} notifications/s; ` +
      `VNFM CPU ${cpuPercent}% of a core meanwhile; its own delay metric: mean ${fixed(serverMeanMs)} ms, ` +
      `${failed1} failed attempts`,
  );

  const [a, t, w] = PHASES.map((p) => stats(fastOf[p]));
  const [alone, twin, slow] = [a!, t!, w!];
  const vsTwin = slow.p99Ms / twin.p99Ms;
  const slowRate = slowRates.reduce((x, y) => x + y, 0) / slowRates.length;
  const bestRate = (PER_SUBSCRIPTION * 1000) / slowMs;
  const met = vsTwin <= TARGET_RATIO && fastLost === 0 && slowLost === 0;
  console.log(
    `\n2. A fast receiver (answers at once) alone, beside a second fast one, and beside a slow one ` +
      `(answers after ${slowMs} ms), each with its own subscription to ${CREATION}; ${rounds} round(s) ` +
      `of ${burst} instance creations per phase, ${BURST_CONCURRENCY} at once (a burst's creations took ` +
      `${fixed(median(burstsMs) / 1000, 2)} s, median), phases rotating\n`,
  );
  console.log(
    table([
      ['fast receiver', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      ...PHASES.map((p, i) => statsRow(p, [alone, twin, slow][i]!)),
      ['slow / alone', '', fixed(slow.p50Ms / alone.p50Ms, 2), '', fixed(slow.p99Ms / alone.p99Ms, 2), ''],
      [
        'slow / fast twin',
        '',
        fixed(slow.p50Ms / twin.p50Ms, 2),
        '',
        `${fixed(vsTwin, 2)} (target ≤ ${TARGET_RATIO}: ${verdict(met)})`,
        '',
      ],
    ]),
  );
  console.log(
    `\nslow receiver: ${slowRates.map((x) => fixed(x)).join(', ')} notifications/s ` +
      `(at best ${PER_SUBSCRIPTION} in flight / ${slowMs} ms = ${fixed(bestRate)}/s); ` +
      `lost: fast ${fastLost}, slow ${slowLost}; failed attempts ${metrics2.failed - metrics1.failed}`,
  );

  summary('notify-latency', {
    store,
    operation,
    load: { start: loadAtStart.map(Number), end: loadAtEnd.map(Number) },
    floor: { count: floor.count, p50Ms: floor.p50Ms, p99Ms: floor.p99Ms },
    latency: {
      subscriptions,
      operations,
      receivers: RECEIVERS,
      expected: expected.size,
      count: lat.count,
      lost,
      duplicated,
      sameIdTwice,
      unexpected,
      p50Ms: lat.p50Ms,
      p90Ms: lat.p90Ms,
      p99Ms: lat.p99Ms,
      maxMs: lat.maxMs,
      perSecond: Math.round(perSecond),
      serverCpuPercent: cpuPercent,
      failedAttempts: failed1,
    },
    slowFast: {
      slowMs,
      burst,
      rounds,
      burstMedianMs: median(burstsMs),
      aloneP50Ms: alone.p50Ms,
      aloneP99Ms: alone.p99Ms,
      twinP50Ms: twin.p50Ms,
      twinP99Ms: twin.p99Ms,
      slowP50Ms: slow.p50Ms,
      slowP99Ms: slow.p99Ms,
      p99RatioVsAlone: +fixed(slow.p99Ms / alone.p99Ms, 2),
      p99RatioVsTwin: +fixed(vsTwin, 2),
      targetRatio: TARGET_RATIO,
      met,
      slowPerSecond: +fixed(slowRate, 1),
      bestSlowPerSecond: bestRate,
      fastLost,
      slowLost,
    },
  });
} finally {
  await vnfm?.stop();
  await receivers.close();
  if (namespaces.length > 0) {
    const core = await kubeClient();
    for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => {});
  }
  await dropStore(store, database);
  rmSync(dir, { recursive: true, force: true });
}
