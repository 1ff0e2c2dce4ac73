// What the engine tells while an operation runs: the op occ's `_progress` (step,
// done/total, pods ready / wanted per VDU) followed through the server-sent events
// stream GET /vnflcm/v1/vnf_lcm_op_occs/{id}/events — every event parsed — on a Helm
// instantiate and scale on the testbed, a failing instantiate (the failing step kept
// at FAILED_TEMP, the stream open through it until the rollback ends it), the refusals
// (unknown id 404, stream limit 503), the server's close ending open streams, and on
// PostgreSQL with the worker in another process.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHART_PATH, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import { type ChartRepo, removeHelperFiles, serveChartRepo } from '../helpers/helm-driver.ts';
import { createInstance, onboardPackage, registerTestbedVim, startOp } from '../helpers/lcm.ts';
import { type EventStream, openEventStream, type SseEvent } from '../helpers/sse.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { killAll, workerProcess } from '../helpers/vnfm-process.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const validOpOcc = etsiValidator('sol003-vnflcm-v2.6.1/VnfLcmOpOcc.schema.json');
const ORDER = ['STARTING', 'PROCESSING', 'FAILED_TEMP', 'ROLLING_BACK', 'COMPLETED', 'ROLLED_BACK', 'FAILED'];

const eventsPath = (opId: string) => `/vnflcm/v1/vnf_lcm_op_occs/${opId}/events`;

/** Every event is `opocc` with a valid SOL003 VnfLcmOpOcc (with its extension) of `opId`. */
function assertOpOccEvents(events: SseEvent[], opId: string): any[] {
  assert.ok(events.length > 0, 'at least the current representation');
  return events.map((e) => {
    assert.equal(e.event, 'opocc');
    assert.equal(e.data.id, opId);
    assert.deepEqual(validOpOcc(e.data), [], JSON.stringify(e.data));
    assert.ok(e.data._links?.self?.href.endsWith(opId));
    return e.data;
  });
}

/** The distinct steps in the order the events showed them. */
function stepsOf(ops: any[]): string[] {
  const out: string[] = [];
  for (const o of ops) if (o._progress && o._progress.step !== out.at(-1)) out.push(o._progress.step);
  return out;
}

/** `seen` is `expected` with some left out (never reordered, never another step). */
function assertInOrder(seen: string[], expected: string[]): void {
  let at = 0;
  for (const s of seen) {
    const i = expected.indexOf(s, at);
    assert.ok(
      i >= 0,
      `step '${s}' out of order or unknown in ${JSON.stringify(seen)} (expected ${expected})`,
    );
    at = i;
  }
}

/** Pods ready per VDU never go down across the events, and each VDU ends at ready = wanted = `final`. */
function assertVdusRise(ops: any[], final: Record<string, number>): void {
  const last: Record<string, number> = {};
  for (const o of ops) {
    for (const [vdu, c] of Object.entries((o._progress?.vdus ?? {}) as Record<string, any>)) {
      assert.ok(
        c.ready >= (last[vdu] ?? 0),
        `${vdu} ready went down: ${JSON.stringify(ops.map((x) => x._progress))}`,
      );
      last[vdu] = c.ready;
    }
  }
  const end = ops.at(-1)._progress.vdus;
  for (const [vdu, n] of Object.entries(final)) assert.deepEqual(end[vdu], { ready: n, wanted: n }, vdu);
}

describe('op occ progress over SQLite, Helm on the VNFM host', () => {
  let vnfm: TestVnfm;
  let repo: ChartRepo;
  let vimId = '';
  let vnfdId = '';
  before(async () => {
    const env = await testbed();
    repo = await serveChartRepo(env);
    vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm4 });
    vimId = await registerTestbedVim(vnfm, 'progress', { helm_info: { masternode_ip: [] } });
    vnfdId = (await onboardPackage(vnfm)).vnfdId;
  });
  after(async () => {
    await vnfm.close();
    await repo.close();
    removeHelperFiles();
  });

  const instantiateBody = (ns: string, vdu2Chart: string) => ({
    flavourId: 'helmchart',
    instantiationLevelId: 'instantiation_level_1',
    vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
    additionalParams: {
      namespace: ns,
      use_helm: 'true',
      using_helm_install_param: [
        { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'vdu1' },
        {
          exthelmchart: 'true',
          helmreleasename: 'vdu2',
          helmrepositoryname: `progress-${ns}`,
          helmchartname: vdu2Chart,
          exthelmrepo_url: repo.url,
        },
      ],
      helm_replica_values: { vdu1_aspect: 'replicaCount', vdu2_aspect: 'replicaCount' },
      vdu_mapping: {
        VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
        VDU2: { name: 'vdu2-app', kind: 'Deployment', helmreleasename: 'vdu2' },
      },
    },
  });

  test('instantiate and scale: steps in order, pods ready rising to wanted, COMPLETED ends the stream', async () => {
    const ns = `progress-${randomBytes(3).toString('hex')}`;
    const id = await createInstance(vnfm, vnfdId);
    // This instance's op occs, whatever they are: opened before the instantiate exists.
    const all = await openEventStream(vnfm.url, `/vnflcm/v1/vnf_lcm_op_occs/events?vnfInstanceId=${id}`);
    const other = await openEventStream(vnfm.url, '/vnflcm/v1/vnf_lcm_op_occs/events?vnfInstanceId=nothing');
    assert.equal(all.status, 200);
    assert.match(all.headers.get('content-type') ?? '', /^text\/event-stream/);

    const opId = await startOp(vnfm, id, 'instantiate', instantiateBody(ns, repo.chart));
    const stream = await openEventStream(vnfm.url, eventsPath(opId));
    assert.equal(stream.status, 200);
    await stream.ended; // the server ends it after COMPLETED
    const ops = assertOpOccEvents(stream.events, opId);
    const states = ops.map((o) => o.operationState);
    assert.equal(states.at(-1), 'COMPLETED', JSON.stringify(ops.at(-1).error));
    for (let i = 1; i < states.length; i++)
      assert.ok(ORDER.indexOf(states[i]) >= ORDER.indexOf(states[i - 1]), `states out of order: ${states}`);
    assert.equal(states.filter((s) => s === 'COMPLETED').length, 1, 'one final event, then the end');
    const steps = stepsOf(ops);
    assertInOrder(steps, ['prepare charts and repositories', 'helm install vdu1', 'helm install vdu2']);
    assert.ok(
      steps.some((s) => s.startsWith('helm install')),
      `a helm install step was seen: ${steps}`,
    );
    for (const o of ops) {
      const p = o._progress;
      if (p?.step === 'helm install vdu1') assert.deepEqual([p.done, p.total], [0, 2]);
      if (p?.step === 'helm install vdu2') assert.deepEqual([p.done, p.total], [1, 2]);
      if (p) assert.ok(!Number.isNaN(Date.parse(p.updatedAt)));
    }
    // The final event keeps the last step and the final counts (one pod each at level 1).
    assertVdusRise(ops, { VDU1: 1, VDU2: 1 });
    assert.equal(ops.at(-1)._progress.step, 'helm install vdu2');
    // The stream's request is logged once it ended, in one line like any other.
    await eventually(
      'the stream request logged',
      async () => vnfm.logs().split('\n'),
      (lines) =>
        lines.some(
          (l) =>
            l.includes('"route":"/vnflcm/v1/vnf_lcm_op_occs/:id/events"') &&
            l.includes('"statusCode":200') &&
            l.includes('"msg":"request"'),
        ),
    );
    // Stored, not only streamed: GET shows the same.
    const got = (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body;
    assert.deepEqual(got._progress, ops.at(-1)._progress);
    // Lists select the extension like any attribute.
    const listed = await vnfm.request(
      'GET',
      `/vnflcm/v1/vnf_lcm_op_occs?filter=(eq,id,${opId})&fields=_progress/step`,
    );
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body[0]._progress.step, 'helm install vdu2');

    // Scale out VDU1 by two steps: the upgrade, then the wait, pods rising from 1 to 3.
    const scaleId = await startOp(vnfm, id, 'scale', {
      type: 'SCALE_OUT',
      aspectId: 'vdu1_aspect',
      numberOfSteps: 2,
    });
    const scaling = await openEventStream(vnfm.url, eventsPath(scaleId));
    await scaling.ended;
    const scaled = assertOpOccEvents(scaling.events, scaleId);
    assert.equal(scaled.at(-1).operationState, 'COMPLETED');
    assertInOrder(stepsOf(scaled), ['helm upgrade vdu1', 'wait for readiness']);
    assert.equal(scaled.at(-1)._progress.step, 'wait for readiness');
    assert.deepEqual(scaled.at(-1)._progress.vdus.VDU1, { ready: 3, wanted: 3 });

    // The instance's stream saw both operations end; the other instance's saw nothing.
    await all.until((e) => e.data.id === scaleId && e.data.operationState === 'COMPLETED');
    assert.ok(all.events.some((e) => e.data.id === opId && e.data.operationState === 'COMPLETED'));
    assert.ok(all.events.every((e) => e.event === 'opocc' && e.data.vnfInstanceId === id));
    assert.deepEqual(other.events, []);
    all.close();
    other.close();

    const term = await startOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    const terminating = await openEventStream(vnfm.url, eventsPath(term));
    await terminating.ended;
    const terminated = assertOpOccEvents(terminating.events, term);
    assert.equal(terminated.at(-1).operationState, 'COMPLETED');
    assertInOrder(stepsOf(terminated), [
      'helm uninstall vdu1',
      'helm uninstall vdu2',
      'remove charts and repositories',
    ]);
  });

  test('a failing instantiate keeps its failing step at FAILED_TEMP; the stream stays open until the rollback ends', async () => {
    const ns = `progress-${randomBytes(3).toString('hex')}`;
    const id = await createInstance(vnfm, vnfdId);
    // VDU2's chart is not in the repository: its helm install fails, after VDU1's.
    const opId = await startOp(vnfm, id, 'instantiate', instantiateBody(ns, 'no-such-chart'));
    const stream = await openEventStream(vnfm.url, eventsPath(opId));
    const failed = (await stream.until((e) => e.data.operationState === 'FAILED_TEMP')).data;
    assert.equal(failed._progress.step, 'helm install vdu2');
    assert.deepEqual([failed._progress.done, failed._progress.total], [1, 2]);
    assert.match(failed.error.detail, /no-such-chart/);
    assert.ok(failed._links.retry && failed._links.rollback);
    // FAILED_TEMP is not final: the stream stays open, and the rollback's events follow on it.
    const rb = await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/rollback`);
    assert.equal(rb.status, 202);
    await stream.ended;
    const ops = assertOpOccEvents(stream.events, opId);
    assert.equal(ops.at(-1).operationState, 'ROLLED_BACK');
    const states = ops.map((o) => o.operationState);
    assert.ok(states.indexOf('FAILED_TEMP') < states.indexOf('ROLLED_BACK'), `${states}`);
    // The rollback told its own steps, not the failed run's.
    const rolling = ops.filter(
      (o) => o.operationState === 'ROLLING_BACK' || o.operationState === 'ROLLED_BACK',
    );
    assert.ok(
      rolling.every((o) => o._progress?.step !== 'helm install vdu2'),
      JSON.stringify(rolling),
    );
    assert.equal(ops.at(-1)._progress.step, 'remove charts and repositories');
  });

  test('an unknown op occ is a 404 ProblemDetails; a bad query a 400', async () => {
    const s = await openEventStream(vnfm.url, eventsPath('no-such-op-occ'));
    assert.equal(s.status, 404);
    assert.match(s.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(s.problem.status, 404);
    assert.match(s.problem.detail, /no-such-op-occ/);
    const bad = await openEventStream(vnfm.url, '/vnflcm/v1/vnf_lcm_op_occs/events?vnfInstance=x');
    assert.equal(bad.status, 400);
    assert.match(bad.problem.detail, /vnfInstance/);
  });
});

describe('op occ event streams: limit and shutdown', () => {
  let vnfm: TestVnfm;
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), { worker: false });
  });
  after(async () => {
    await vnfm.close().catch(() => {});
  });

  test('beyond 100 open streams a 503 ProblemDetails; a stream closed makes room', async () => {
    const open: EventStream[] = [];
    for (let i = 0; i < 100; i++) {
      const s = await openEventStream(vnfm.url, '/vnflcm/v1/vnf_lcm_op_occs/events');
      assert.equal(s.status, 200, `stream ${i + 1}`);
      open.push(s);
    }
    const refused = await openEventStream(vnfm.url, '/vnflcm/v1/vnf_lcm_op_occs/events');
    assert.equal(refused.status, 503);
    assert.equal(refused.problem.status, 503);
    assert.match(refused.problem.detail, /100 event streams/);
    open.pop()!.close();
    const again = await eventually(
      'a closed stream to make room',
      () => openEventStream(vnfm.url, '/vnflcm/v1/vnf_lcm_op_occs/events'),
      (s) => s.status === 200,
    );
    again.close();
    for (const s of open) s.close();
  });

  test('closing the server ends open streams (close does not hang)', async () => {
    const { vnfdId } = await onboardPackage(vnfm);
    const vimId = await registerTestbedVim(vnfm, 'progress-close');
    const id = await createInstance(vnfm, vnfdId);
    // No worker: the op occ stays STARTING, its stream open.
    const opId = await startOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
      additionalParams: { 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    const one = await openEventStream(vnfm.url, eventsPath(opId));
    const all = await openEventStream(vnfm.url, '/vnflcm/v1/vnf_lcm_op_occs/events');
    assert.equal((await one.until(() => true)).data.operationState, 'STARTING');
    assert.equal((await all.until((e) => e.data.id === opId)).data.operationState, 'STARTING');
    await vnfm.close();
    await one.ended;
    await all.ended;
  });
});

describe('op occ progress over PostgreSQL, the worker in another process', () => {
  let api: TestVnfm;
  before(async () => {
    const store = await freshStore('postgres');
    const dataDir = mkdtempSync(join(tmpdir(), 'vnfm-data-'));
    api = await startVnfm(store, { dataDir, worker: false, embeddedWorker: false });
    await workerProcess(store, dataDir);
  });
  after(async () => {
    killAll();
    await api.close();
  });

  test("the API process's stream follows the other process's steps to COMPLETED", async () => {
    const vimId = await registerTestbedVim(api, 'progress-pg');
    const { vnfdId } = await onboardPackage(api);
    const id = await createInstance(api, vnfdId);
    const ns = `progress-pg-${randomBytes(3).toString('hex')}`;
    const opId = await startOp(api, id, 'instantiate', {
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    const stream = await openEventStream(api.url, eventsPath(opId));
    await stream.ended;
    const ops = assertOpOccEvents(stream.events, opId);
    assert.equal(ops.at(-1).operationState, 'COMPLETED', JSON.stringify(ops.at(-1).error));
    assert.ok(
      ops.some((o) => o.operationState === 'PROCESSING' || o._progress),
      JSON.stringify(ops),
    );
    const last = ops.at(-1)._progress;
    assert.equal(last.step, 'wait for readiness');
    for (const c of Object.values(last.vdus) as any[]) assert.equal(c.ready, c.wanted);
    const term = await startOp(api, id, 'terminate', { terminationType: 'FORCEFUL' });
    const terminating = await openEventStream(api.url, eventsPath(term));
    await terminating.ended;
    assert.equal(terminating.events.at(-1)?.data.operationState, 'COMPLETED');
  });
});
