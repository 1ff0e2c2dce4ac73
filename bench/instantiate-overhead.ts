// What the VNFM adds to bringing a CNF up and down on a real cluster. Interleaved
// runs on the testbed of (a) `bin/vnfm serve` (a child process, SQLite store):
// create a VNF instance, instantiate it in manifest mode, wait for the op occ to be
// COMPLETED, terminate (FORCEFUL), wait, delete the instance; and (b) the same two
// Deployments applied directly with @kubernetes/client-node (server-side apply),
// waited for with the VNFM's own readiness rule, deleted and waited until gone.
// The CNF is the test suite's sample package (test/helpers/cnf-package.ts): its
// flavour has two VDUs, so its manifest holds two Deployments of one replica each.
// Target: VNFM instantiate / direct ≤ 1.2 (medians).
//
//   node_modules/.bin/node bench/instantiate-overhead.ts [--quick] [--runs N]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  Watch,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { header, isNotFound, type KubeClients, ObjectApi } from '../src/infra/kubernetes/client.ts';
import { readiness } from '../src/infra/kubernetes/readiness.ts';
import { deploymentManifest, MANIFEST_PATH } from '../test/helpers/cnf-package.ts';
import { createInstance, onboardPackage, registerTestbedVim, startOp } from '../test/helpers/lcm.ts';
import { testbed } from '../test/helpers/testbed.ts';
import { fixed, median, options, summary, table, verdict } from './lib/report.ts';
import { asHelperVnfm, startVnfmProcess, type VnfmProcess } from './lib/server.ts';

const TARGET_RATIO = 1.2;
/** How often both sides look whether they are done: the op occ, or the cluster. */
const POLL_MS = 50;

const opts = options({ runs: { type: 'string' } });
const runs = Number(opts.runs ?? (opts.quick ? 2 : 5));

interface Timing {
  instantiateMs: number;
  terminateMs: number;
  /** VNFM only: the op occs' own startTime → COMPLETED, as the server recorded them. */
  serverInstantiateMs?: number;
  serverTerminateMs?: number;
  createMs?: number;
}

async function until(what: string, done: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** Waits for an op occ to settle; returns its server-side duration. */
async function completed(vnfm: VnfmProcess, opId: string): Promise<number> {
  let op: Record<string, unknown> = {};
  await until(`op occ ${opId}`, async () => {
    op = (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body as Record<string, unknown>;
    return ['COMPLETED', 'FAILED_TEMP', 'FAILED', 'ROLLED_BACK'].includes(String(op.operationState));
  });
  if (op.operationState !== 'COMPLETED') {
    throw new Error(`op occ ${opId} ended ${String(op.operationState)}: ${JSON.stringify(op.error)}`);
  }
  return Date.parse(String(op.stateEnteredTime)) - Date.parse(String(op.startTime));
}

async function vnfmRun(vnfm: VnfmProcess, vnfdId: string, body: object): Promise<Timing> {
  const helper = asHelperVnfm(vnfm);
  let t = performance.now();
  const id = await createInstance(helper, vnfdId, 'bench');
  const createMs = performance.now() - t;
  t = performance.now();
  const serverInstantiateMs = await completed(vnfm, await startOp(helper, id, 'instantiate', body));
  const instantiateMs = performance.now() - t;
  t = performance.now();
  const serverTerminateMs = await completed(
    vnfm,
    await startOp(helper, id, 'terminate', { terminationType: 'FORCEFUL' }),
  );
  const terminateMs = performance.now() - t;
  const del = await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`);
  if (del.status !== 204) throw new Error(`deleting instance ${id}: ${del.status}`);
  return { instantiateMs, terminateMs, serverInstantiateMs, serverTerminateMs, createMs };
}

async function directRun(c: KubeClients, objects: KubernetesObject[]): Promise<Timing> {
  const refs = objects.map((o) => ({
    apiVersion: o.apiVersion as string,
    kind: o.kind as string,
    name: o.metadata?.name as string,
    namespace: o.metadata?.namespace as string,
  }));
  let t = performance.now();
  for (const o of objects) {
    await c.objects.patch(o, undefined, undefined, 'bench-direct', true, PatchStrategy.ServerSideApply);
  }
  await until('direct Deployments ready', async () => {
    for (const ref of refs) if (!(await readiness(c, ref)).ready) return false;
    return true;
  });
  const instantiateMs = performance.now() - t;
  t = performance.now();
  for (const o of objects) await c.objects.delete(o, undefined, undefined, 0, undefined, 'Foreground');
  await until('direct Deployments gone', async () => {
    for (const ref of refs) {
      const gone = await c.objects.read(header(ref)).then(
        () => false,
        (err: unknown) => {
          if (isNotFound(err)) return true;
          throw err;
        },
      );
      if (!gone) return false;
    }
    const ns = refs[0]?.namespace as string;
    return (await c.core.listNamespacedPod({ namespace: ns })).items.length === 0;
  });
  return { instantiateMs, terminateMs: performance.now() - t };
}

const env = await testbed();
const kc = new KubeConfig();
kc.loadFromFile(env.kubeconfig);
const c: KubeClients = {
  objects: kc.makeApiClient(ObjectApi),
  core: kc.makeApiClient(CoreV1Api),
  apps: kc.makeApiClient(AppsV1Api),
  watch: new Watch(kc),
};
const ns = `bench-inst-${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'bench-inst-'));
let vnfm: VnfmProcess | undefined;
try {
  // One namespace for both sides, made beforehand: neither creates nor deletes it per run.
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  vnfm = await startVnfmProcess({
    database: `sqlite:${join(dir, 'vnfm.sqlite')}`,
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'vnfm.log'),
  });
  const vimId = await registerTestbedVim(asHelperVnfm(vnfm), 'bench-k8s');
  const { vnfdId } = await onboardPackage(asHelperVnfm(vnfm));
  const body = {
    flavourId: 'helmchart',
    instantiationLevelId: 'instantiation_level_1',
    vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
    additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
  };
  // The package's manifest, as the VNFM reads it from the package.
  const manifest = `${deploymentManifest('vdu1-app')}---\n${deploymentManifest('vdu2-app')}`;
  const objects = parseAllDocuments(manifest).map((d) => {
    const o = d.toJS() as KubernetesObject;
    return { ...o, metadata: { ...o.metadata, namespace: ns } };
  });

  console.log(`namespace ${ns}: 1 warm-up run each, then ${runs} interleaved runs`);
  await vnfmRun(vnfm, vnfdId, body);
  await directRun(c, objects);
  const vnfmRuns: Timing[] = [];
  const directRuns: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternating which side goes first, so drift of the shared machine hits both alike.
    const order = i % 2 === 0 ? ['vnfm', 'direct'] : ['direct', 'vnfm'];
    for (const side of order) {
      if (side === 'vnfm') vnfmRuns.push(await vnfmRun(vnfm, vnfdId, body));
      else directRuns.push(await directRun(c, objects));
    }
    const [v, d] = [vnfmRuns.at(-1) as Timing, directRuns.at(-1) as Timing];
    console.log(
      `run ${i + 1}: instantiate VNFM ${fixed(v.instantiateMs, 0)} ms / direct ${fixed(d.instantiateMs, 0)} ms; ` +
        `terminate VNFM ${fixed(v.terminateMs, 0)} ms / direct ${fixed(d.terminateMs, 0)} ms`,
    );
  }

  const med = (xs: Timing[], k: keyof Timing) => median(xs.map((x) => x[k] as number));
  /** "median (min–max)": the spread says how far to trust the median on a shared machine. */
  const spread = (xs: Timing[], k: keyof Timing) => {
    const v = xs.map((x) => x[k] as number);
    return `${fixed(median(v), 0)} (${fixed(Math.min(...v), 0)}–${fixed(Math.max(...v), 0)})`;
  };
  const vi = med(vnfmRuns, 'instantiateMs');
  const di = med(directRuns, 'instantiateMs');
  const vt = med(vnfmRuns, 'terminateMs');
  const dt = med(directRuns, 'terminateMs');
  const ratio = vi / di;
  const met = ratio <= TARGET_RATIO;
  console.log(
    `\nVNFM (bin/vnfm serve, child process, SQLite) vs direct client-node, 2 Deployments × 1 replica, ` +
      `medians of ${runs} interleaved runs, both sides polling every ${POLL_MS} ms\n`,
  );
  console.log(
    table([
      ['step', 'VNFM ms (min–max)', 'direct ms (min–max)', 'VNFM/direct', 'op occ startTime→COMPLETED ms'],
      [
        'instantiate',
        spread(vnfmRuns, 'instantiateMs'),
        spread(directRuns, 'instantiateMs'),
        `${fixed(ratio, 2)} (target ≤ ${TARGET_RATIO}: ${verdict(met)})`,
        fixed(med(vnfmRuns, 'serverInstantiateMs'), 0),
      ],
      [
        'terminate',
        spread(vnfmRuns, 'terminateMs'),
        spread(directRuns, 'terminateMs'),
        fixed(vt / dt, 2),
        fixed(med(vnfmRuns, 'serverTerminateMs'), 0),
      ],
      ['create VNF instance (POST)', fixed(med(vnfmRuns, 'createMs'), 1), '-', '-', '-'],
    ]),
  );
  summary('instantiate-overhead', {
    runs,
    vnfmInstantiateMs: Math.round(vi),
    directInstantiateMs: Math.round(di),
    instantiateRatio: +fixed(ratio, 2),
    targetRatio: TARGET_RATIO,
    met,
    vnfmTerminateMs: Math.round(vt),
    directTerminateMs: Math.round(dt),
    terminateRatio: +fixed(vt / dt, 2),
  });
} finally {
  await vnfm?.stop();
  await c.core.deleteNamespace({ name: ns }).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
