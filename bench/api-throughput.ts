// Read throughput of the SOL003 API on a store holding many VNF instances and op
// occs: `bin/vnfm serve` on SQLite and on the testbed's PostgreSQL, seeded through
// the project's own queries, driven over loopback by bench/lib/load.ts in another
// process. Targets (issue 15), at 100,000 stored instances: single GETs ≥ 5000
// requests/s with p99 < 20 ms; a filtered list page of 100 ≥ 1000 requests/s.
// Single GETs take the ids in a random order; the list lines are filters a client
// sends (on columns the store indexes or walks in list order), first pages and a
// next page as its Link header gives it.
//
//   node_modules/.bin/node bench/api-throughput.ts [--quick] [--store sqlite|postgres]
//     [--count N] [--seconds S] [--connections C] [--baseline DIR] [--only TEXT]
//
// --only runs the request lines whose name contains TEXT ("GET one", "list:").
import { randomUUID } from 'node:crypto';
import { isPostgres } from '../src/db/connect.ts';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/connect.ts';
import { insertInstances } from '../src/db/queries/instances.ts';
import { opOccRow } from '../src/db/queries/op-occs.ts';
import { insertPackage } from '../src/db/queries/packages.ts';
import type { VnfInstance, VnfLcmOpOcc } from '../src/lcm/model.ts';
import { freshStore, STORES, type StoreKind } from '../test/helpers/stores.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { fixed, options, summary, table, verdict } from './lib/report.ts';
import { cpuSeconds, startVnfmProcess, type VnfmProcess } from './lib/server.ts';
import { dropStore } from './lib/stores.ts';

const opts = options({
  store: { type: 'string' },
  count: { type: 'string' },
  seconds: { type: 'string' },
  connections: { type: 'string' },
  baseline: { type: 'string' },
  only: { type: 'string' },
});
const stores: StoreKind[] = opts.store ? [opts.store as StoreKind] : [...STORES];
if (!stores.every((s) => STORES.includes(s))) throw new Error(`--store must be one of ${STORES.join(', ')}`);
const count = Number(opts.count ?? (opts.quick ? 1000 : 100_000));
const durationMs = Number(opts.seconds ?? (opts.quick ? 3 : 10)) * 1000;
const warmupMs = opts.quick ? 1000 : 2000;
const connections = Number(opts.connections ?? 32);
const PRODUCT = 'Sample CNF';

interface Scenario {
  name: string;
  paths: (ids: Seeded, vnfm: VnfmProcess) => Promise<string[]>;
  minRps: number;
  maxP99Ms?: number;
}

const LIST = '/vnflcm/v1/vnf_instances';
const filtered = (f: string) => `${LIST}?filter=${encodeURIComponent(f)}`;
/** The path of the page after `path`, as its Link header gives it. */
async function nextPage(vnfm: VnfmProcess, path: string): Promise<string> {
  const res = await vnfm.request('GET', path);
  const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  if (res.status !== 200 || !next) throw new Error(`${path}: ${res.status}, no next page`);
  return next;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'GET one VNF instance',
    paths: async (s) => shuffled(s.instances).map((id) => `${LIST}/${id}`),
    minRps: 5000,
    maxP99Ms: 20,
  },
  {
    name: 'GET one op occ',
    paths: async (s) => shuffled(s.opOccs).map((id) => `/vnflcm/v1/vnf_lcm_op_occs/${id}`),
    minRps: 5000,
    maxP99Ms: 20,
  },
  {
    name: 'list: (eq,vnfProductName) all match',
    paths: async () => [filtered(`(eq,vnfProductName,${PRODUCT})`)],
    minRps: 1000,
  },
  {
    name: 'list: (eq,instantiationState) 1 in 10',
    paths: async () => [filtered('(eq,instantiationState,NOT_INSTANTIATED)')],
    minRps: 1000,
  },
  {
    name: 'list: (cont,vnfInstanceName) ~1 in 9',
    paths: async () => [filtered('(cont,vnfInstanceName,cnf-1)')],
    minRps: 1000,
  },
  {
    name: 'list: (in,vnfInstanceName) 100 names',
    paths: async () => [
      filtered(`(in,vnfInstanceName,${Array.from({ length: 100 }, (_, k) => `cnf-${k * 7}`).join(',')})`),
    ],
    minRps: 1000,
  },
  {
    name: 'list: next page (Link)',
    paths: async (_, vnfm) => [await nextPage(vnfm, filtered(`(eq,vnfProductName,${PRODUCT})`))],
    minRps: 1000,
  },
];

/** A copy in random order (Fisher-Yates), so single GETs do not walk the table in key order. */
function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface Seeded {
  instances: string[];
  opOccs: string[];
}

/** An INSTANTIATED instance as the engine leaves one: two VNFCs, scale status, a VIM connection. */
function instance(i: number, vnfPkgId: string, vnfdId: string): VnfInstance {
  const id = randomUUID();
  const vnfc = (vdu: string) => ({
    id: `${vdu.toLowerCase()}-app-7d4b9c6f5-${i.toString(36).padStart(5, '0')}`,
    vduId: vdu,
    computeResource: {
      vimConnectionId: 'vim1',
      resourceId: `${vdu}-${i}`,
      vimLevelResourceType: 'Deployment',
    },
    metadata: { namespace: 'default', workloadName: `${vdu.toLowerCase()}-app`, status: 'Running' },
  });
  const base: VnfInstance = {
    id,
    vnfInstanceName: `cnf-${i}`,
    vnfdId,
    vnfProvider: 'Company',
    vnfProductName: PRODUCT,
    vnfSoftwareVersion: '1.0',
    vnfdVersion: '1.0',
    vnfPkgId,
    vimConnectionInfo: [{ id: 'vim1', vimId: randomUUID(), vimType: 'kubernetes' }],
    instantiationState: 'INSTANTIATED',
    metadata: {},
  };
  // One in ten created and never instantiated, so a filter on the state picks out some.
  if (i % 10 === 9) return { ...base, instantiationState: 'NOT_INSTANTIATED' };
  return {
    ...base,
    instantiatedVnfInfo: {
      flavourId: 'helmchart',
      vnfState: 'STARTED',
      scaleStatus: [
        { aspectId: 'vdu1_aspect', scaleLevel: 0 },
        { aspectId: 'vdu2_aspect', scaleLevel: 0 },
      ],
      vnfcResourceInfo: [vnfc('VDU1'), vnfc('VDU2')],
      instantiationLevelId: 'instantiation_level_1',
    },
  };
}

/** Its INSTANTIATE op occ, COMPLETED (so it blocks nothing). */
function opOcc(inst: VnfInstance): VnfLcmOpOcc {
  const t = new Date().toISOString();
  return {
    id: randomUUID(),
    operationState: 'COMPLETED',
    stateEnteredTime: t,
    startTime: t,
    vnfInstanceId: inst.id,
    operation: 'INSTANTIATE',
    isAutomaticInvocation: false,
    operationParams: {
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: inst.vimConnectionInfo,
      additionalParams: { 'lcm-kubernetes-def-files': ['Files/kubernetes/deployment.yaml'] },
    },
    isCancelPending: false,
    resourceChanges: {
      affectedVnfcs: (inst.instantiatedVnfInfo?.vnfcResourceInfo ?? []).map((v) => ({
        id: v.id,
        vduId: v.vduId,
        changeType: 'ADDED' as const,
        computeResource: v.computeResource,
      })),
    },
  };
}

async function seed(database: string): Promise<Seeded> {
  const db = await openDatabase(database);
  try {
    const vnfPkgId = randomUUID();
    const vnfdId = randomUUID();
    await insertPackage(db, {
      id: vnfPkgId,
      vnfdId,
      vnfProvider: 'Company',
      vnfProductName: PRODUCT,
      vnfSoftwareVersion: '1.0',
      vnfdVersion: '1.0',
      onboardingState: 'ONBOARDED',
      operationalState: 'ENABLED',
      usageState: 'IN_USE',
    });
    const seeded: Seeded = { instances: [], opOccs: [] };
    // Multi-row inserts of 500, 20 to a transaction: 100,000 of each in seconds, not minutes.
    // The op occs have ended, so no notification is due and none is queued.
    const ROWS = 500;
    for (let done = 0; done < count;) {
      await db.transaction().execute(async (trx) => {
        for (let b = 0; b < 20 && done < count; b++) {
          const insts = Array.from({ length: Math.min(ROWS, count - done) }, (_, k) =>
            instance(done + k, vnfPkgId, vnfdId),
          );
          const ops = insts.map(opOcc);
          await insertInstances(trx, insts);
          await trx
            .insertInto('vnf_lcm_op_occs')
            .values(ops.map((o) => opOccRow(o, null)))
            .execute();
          seeded.instances.push(...insts.map((i) => i.id));
          seeded.opOccs.push(...ops.map((o) => o.id));
          done += insts.length;
        }
      });
    }
    // A running PostgreSQL has statistics (autovacuum analyzes a table soon after bulk
    // inserts); without them the planner misjudges filters on a freshly seeded table.
    if (isPostgres(database)) await sql`ANALYZE`.execute(db);
    return seeded;
  } finally {
    await db.destroy();
  }
}

interface Row extends LoadResult {
  store: StoreKind;
  build: string;
  scenario: string;
  serverCpuPercent: number;
  cpuUsPerRequest: number;
  /** The 1-minute load average right after the line (2 cores, shared). */
  load1: number;
  met: boolean;
}

/**
 * The builds measured: this checkout, and with --baseline DIR (another checkout, e.g.
 * `git archive REV | tar -x -C DIR` with node_modules linked) that one too, on the same
 * seeded store, each request line run on both one after the other.
 */
const builds: { name: string; root?: string }[] = opts.baseline
  ? [{ name: 'before', root: opts.baseline }, { name: 'after' }]
  : [{ name: 'this' }];

const rows: Row[] = [];
const loadBefore = loadavg();
for (const store of stores) {
  const database = await freshStore(store);
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const servers: { build: string; vnfm: VnfmProcess }[] = [];
  try {
    const t0 = performance.now();
    const seeded = await seed(database);
    console.log(
      `${store}: seeded ${count} instances + ${count} op occs in ${fixed((performance.now() - t0) / 1000)} s`,
    );
    // API-only processes: without the embedded worker there is no periodic
    // vnfcResourceInfo refresh, which would walk all seeded instances (which have no
    // cluster to read) every 15 s. VNFM_REFRESH_SECONDS=0 cannot turn it off: the
    // setting does not reach the worker (src/context.ts).
    for (const b of builds) {
      servers.push({
        build: b.name,
        vnfm: await startVnfmProcess({
          database,
          dataDir: join(dir, `data-${b.name}`),
          logFile: join(dir, `vnfm-${b.name}.log`),
          env: { VNFM_EMBEDDED_WORKER: 'false' },
          ...(b.root ? { root: b.root } : {}),
        }),
      });
    }
    for (const s of SCENARIOS.filter((x) => !opts.only || x.name.includes(opts.only))) {
      for (const { build, vnfm } of servers) {
        const paths = await s.paths(seeded, vnfm);
        const cpu0 = cpuSeconds(vnfm.pid);
        const wall0 = performance.now();
        const r = await runLoad({ url: vnfm.url, paths, connections, durationMs, warmupMs });
        const wall = (performance.now() - wall0) / 1000;
        const cpu = (cpuSeconds(vnfm.pid) - cpu0) / wall;
        // The server's CPU per answer (the warm-up's answers estimated at the measured rate):
        // what a busy, shared machine changes least.
        const cpuUsPerRequest = (cpu * 1e6) / r.rps;
        const met = r.errors === 0 && r.rps >= s.minRps && (s.maxP99Ms === undefined || r.p99Ms < s.maxP99Ms);
        const load1 = loadavg()[0] as number;
        rows.push({
          store,
          build,
          scenario: s.name,
          ...r,
          serverCpuPercent: Math.round(cpu * 100),
          cpuUsPerRequest,
          load1,
          met,
        });
        console.log(
          `${store} ${build}: ${s.name}: ${fixed(r.rps, 0)} req/s, p99 ${fixed(r.p99Ms)} ms, load ${fixed(load1, 2)}`,
        );
      }
    }
  } finally {
    for (const { vnfm } of servers) await vnfm.stop();
    await dropStore(store, database);
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmtLoad = (l: number[]) => l.map((x) => fixed(x, 2)).join(' ');
const target = (name: string) => {
  const s = SCENARIOS.find((x) => x.name === name) as Scenario;
  return `≥ ${s.minRps}/s${s.maxP99Ms ? `, p99 < ${s.maxP99Ms} ms` : ''}`;
};
console.log(
  `\nSOL003 read throughput: bin/vnfm serve (API only, VNFM_EMBEDDED_WORKER=false), ${count} instances + ${count} op occs, ` +
    `${connections} keep-alive connections, ${durationMs / 1000} s per line after ${warmupMs / 1000} s warm-up\n`,
);
console.log(
  table([
    [
      'store',
      'build',
      'request',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'errors',
      'server CPU',
      'CPU µs/req',
      'load 1m',
      'target',
      '',
    ],
    ...rows.map((r) => [
      r.store,
      r.build,
      r.scenario,
      fixed(r.rps, 0),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(r.maxMs, 1),
      r.errors,
      `${r.serverCpuPercent}%`,
      fixed(r.cpuUsPerRequest, 0),
      fixed(r.load1, 2),
      target(r.scenario),
      verdict(r.met),
    ]),
  ]),
);
console.log(`\nload averages (1, 5, 15 min): before ${fmtLoad(loadBefore)}, after ${fmtLoad(loadavg())}`);
summary('api-throughput', {
  count,
  loadBefore: loadBefore.map((x) => +fixed(x, 2)),
  loadAfter: loadavg().map((x) => +fixed(x, 2)),
  connections,
  seconds: durationMs / 1000,
  results: rows.map((r) => ({
    store: r.store,
    build: r.build,
    scenario: r.scenario,
    rps: Math.round(r.rps),
    p50Ms: +fixed(r.p50Ms, 2),
    p99Ms: +fixed(r.p99Ms, 2),
    errors: r.errors,
    serverCpuPercent: r.serverCpuPercent,
    cpuUsPerRequest: Math.round(r.cpuUsPerRequest),
    load1: +fixed(r.load1, 2),
    met: r.met,
  })),
});
