// Read throughput of the SOL003 API on a store holding many VNF instances and op
// occs: `bin/vnfm serve` on SQLite and on the testbed's PostgreSQL, seeded through
// the project's own queries, driven over loopback by bench/lib/load.ts in another
// process. Targets: single GETs ≥ 5000 requests/s with p99 < 20 ms; a filtered
// list page of 100 ≥ 500 requests/s.
//
//   node_modules/.bin/node bench/api-throughput.ts [--quick] [--store sqlite|postgres]
//     [--count N] [--seconds S] [--connections C]
import { randomUUID } from 'node:crypto';
import { isPostgres } from '../src/db/connect.ts';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/connect.ts';
import { insertInstance } from '../src/db/queries/instances.ts';
import { insertOpOcc } from '../src/db/queries/op-occs.ts';
import { insertPackage } from '../src/db/queries/packages.ts';
import type { VnfInstance, VnfLcmOpOcc } from '../src/lcm/model.ts';
import { freshStore, STORES, type StoreKind } from '../test/helpers/stores.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { fixed, options, summary, table, verdict } from './lib/report.ts';
import { cpuSeconds, startVnfmProcess } from './lib/server.ts';
import { dropStore } from './lib/stores.ts';

const opts = options({
  store: { type: 'string' },
  count: { type: 'string' },
  seconds: { type: 'string' },
  connections: { type: 'string' },
});
const stores: StoreKind[] = opts.store ? [opts.store as StoreKind] : [...STORES];
if (!stores.every((s) => STORES.includes(s))) throw new Error(`--store must be one of ${STORES.join(', ')}`);
const count = Number(opts.count ?? (opts.quick ? 1000 : 10_000));
const durationMs = Number(opts.seconds ?? (opts.quick ? 3 : 10)) * 1000;
const warmupMs = opts.quick ? 1000 : 2000;
const connections = Number(opts.connections ?? 32);
const PRODUCT = 'Sample CNF';

interface Scenario {
  name: string;
  paths: (ids: Seeded) => string[];
  minRps: number;
  maxP99Ms?: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'GET one VNF instance',
    paths: (s) => s.instances.map((id) => `/vnflcm/v1/vnf_instances/${id}`),
    minRps: 5000,
    maxP99Ms: 20,
  },
  {
    name: 'GET one op occ',
    paths: (s) => s.opOccs.map((id) => `/vnflcm/v1/vnf_lcm_op_occs/${id}`),
    minRps: 5000,
    maxP99Ms: 20,
  },
  {
    name: 'GET filtered list, page of 100',
    paths: () => [`/vnflcm/v1/vnf_instances?filter=${encodeURIComponent(`(eq,vnfProductName,${PRODUCT})`)}`],
    minRps: 500,
  },
];

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
  return {
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
    metadata: {},
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
    for (let done = 0; done < count;) {
      const batch = Math.min(1000, count - done);
      await db.transaction().execute(async (trx) => {
        for (let k = 0; k < batch; k++) {
          const inst = instance(done + k, vnfPkgId, vnfdId);
          const op = opOcc(inst);
          await insertInstance(trx, inst);
          await insertOpOcc(trx, op, null);
          seeded.instances.push(inst.id);
          seeded.opOccs.push(op.id);
        }
      });
      done += batch;
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
  scenario: string;
  serverCpuPercent: number;
  met: boolean;
}

const rows: Row[] = [];
for (const store of stores) {
  const database = await freshStore(store);
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  let vnfm: Awaited<ReturnType<typeof startVnfmProcess>> | undefined;
  try {
    const t0 = performance.now();
    const seeded = await seed(database);
    console.log(
      `${store}: seeded ${count} instances + ${count} op occs in ${fixed((performance.now() - t0) / 1000)} s`,
    );
    // An API-only process: without the embedded worker there is no periodic
    // vnfcResourceInfo refresh, which would walk all seeded instances (which have no
    // cluster to read) every 15 s. VNFM_REFRESH_SECONDS=0 cannot turn it off: the
    // setting does not reach the worker (src/context.ts).
    vnfm = await startVnfmProcess({
      database,
      dataDir: join(dir, 'data'),
      logFile: join(dir, 'vnfm.log'),
      env: { VNFM_EMBEDDED_WORKER: 'false' },
    });
    for (const s of SCENARIOS) {
      const cpu0 = cpuSeconds(vnfm.pid);
      const wall0 = performance.now();
      const r = await runLoad({ url: vnfm.url, paths: s.paths(seeded), connections, durationMs, warmupMs });
      const cpu = (cpuSeconds(vnfm.pid) - cpu0) / ((performance.now() - wall0) / 1000);
      const met = r.errors === 0 && r.rps >= s.minRps && (s.maxP99Ms === undefined || r.p99Ms < s.maxP99Ms);
      rows.push({ store, scenario: s.name, ...r, serverCpuPercent: Math.round(cpu * 100), met });
      console.log(`${store}: ${s.name}: ${fixed(r.rps, 0)} req/s, p99 ${fixed(r.p99Ms)} ms`);
    }
  } finally {
    await vnfm?.stop();
    await dropStore(store, database);
    rmSync(dir, { recursive: true, force: true });
  }
}

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
    ['store', 'request', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'server CPU', 'target', ''],
    ...rows.map((r) => [
      r.store,
      r.scenario,
      fixed(r.rps, 0),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(r.maxMs, 1),
      r.errors,
      `${r.serverCpuPercent}%`,
      target(r.scenario),
      verdict(r.met),
    ]),
  ]),
);
summary('api-throughput', {
  count,
  connections,
  seconds: durationMs / 1000,
  results: rows.map((r) => ({
    store: r.store,
    scenario: r.scenario,
    rps: Math.round(r.rps),
    p50Ms: +fixed(r.p50Ms, 2),
    p99Ms: +fixed(r.p99Ms, 2),
    errors: r.errors,
    serverCpuPercent: r.serverCpuPercent,
    met: r.met,
  })),
});
