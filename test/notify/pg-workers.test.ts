// Delivery by two `vnfm worker` processes on one PostgreSQL store, beside an API-only
// server (VNFM_EMBEDDED_WORKER=false): several instances go through create, instantiate,
// scale out, terminate and delete at the same time, with three subscriptions. Every
// notification arrives exactly once (by id, and by the workers' delivered counters), and
// in order per subscription + VNF instance. And a worker SIGKILLed while a receiver holds
// the notification it sent (the other worker stopped meanwhile, so which one holds it is
// known): the other worker sends it again once the claim lapses, then the next, in order.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { parseMetrics, sample } from '../helpers/metrics.ts';
import {
  assertResentOnly,
  assertValidAndUnique,
  byInstance,
  completedOp,
  created,
  deleted,
  firstArrivals,
  holdAnswers,
  line,
  posted,
} from '../helpers/notifications.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { eventually } from '../helpers/wait.ts';
import { killAll, serveProcess, startVnfmProcess, type VnfmProcess } from '../helpers/vnfm-process.ts';

const INSTANCES = 4;

const deliveredBy = async (metricsPort: number) =>
  sample(
    parseMetrics(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()),
    'vnfm_notification_attempts_total',
    { outcome: 'delivered' },
  );

const receivers: Receiver[] = [];
after(async () => {
  killAll();
  for (const r of receivers) await r.close();
});
const newReceiver = async () => {
  const r = await startReceiver();
  receivers.push(r);
  return r;
};

/** An API-only `vnfm serve` and two `vnfm worker` processes (each with its metrics port) on a fresh PostgreSQL store. */
async function apiAndTwoWorkers(more: NodeJS.ProcessEnv = {}) {
  const env = {
    VNFM_DATABASE: await freshStore('postgres'),
    VNFM_DATA_DIR: mkdtempSync(join(tmpdir(), 'vnfm-notify-pg-')),
    VNFM_LOG_LEVEL: 'warn',
    VNFM_WORKER_CONCURRENCY: '2',
    // Rows the API process commits wake no worker: they find them by polling.
    VNFM_NOTIFY_POLL_MS: '100',
    ...more,
  };
  const { vnfm } = await serveProcess(await freePort(), { ...env, VNFM_EMBEDDED_WORKER: 'false' });
  const metricsPorts = [await freePort(), await freePort()];
  const workers = metricsPorts.map((port) =>
    startVnfmProcess(['worker', '--metrics-port', String(port)], env),
  );
  for (const port of metricsPorts)
    await eventually(
      `the worker with metrics port ${port} up`,
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`)
          .then((res) => res.ok)
          .catch(() => false),
      Boolean,
      30_000,
    );
  return { vnfm, workers, metricsPorts };
}

test('two PostgreSQL workers deliver each notification exactly once, in order per subscription + instance', async (t) => {
  const r = await newReceiver();
  const { vnfm, metricsPorts } = await apiAndTwoWorkers();

  const subscribe = async (path: string, filter?: object): Promise<string> => {
    const res = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
      callbackUri: `${r.url}/${path}`,
      ...(filter ? { filter } : {}),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id;
  };
  const subs = {
    a: await subscribe('a'),
    b: await subscribe('b'),
    scale: await subscribe('scale', {
      notificationTypes: ['VnfLcmOperationOccurrenceNotification'],
      operationTypes: ['SCALE'],
    }),
  };
  const vimId = await registerTestbedVim(vnfm, 'notify-pg');
  const { vnfdId } = await onboardPackage(vnfm);

  /** One instance's whole life; its op occs, in order. */
  const life = async (i: number) => {
    const id = await createInstance(vnfm, vnfdId, `pg-${i}`);
    const ops = [
      await runOp(vnfm, id, 'instantiate', {
        flavourId: 'helmchart',
        vimConnectionInfo: [{ id: 'v', vimId, vimType: 'kubernetes' }],
        additionalParams: {
          namespace: `npg-${randomBytes(3).toString('hex')}`,
          'lcm-kubernetes-def-files': [MANIFEST_PATH],
        },
      }),
      await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 }),
      await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' }),
    ];
    assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
    return { id, ops };
  };
  const lives = await Promise.all(Array.from({ length: INSTANCES }, (_, i) => life(i)));

  const expected = (sub: string, id: string, ops: any[]): string[] =>
    sub === subs.scale
      ? ops.filter((o) => o.operation === 'SCALE').flatMap((o) => completedOp(id, o))
      : [created(id), ...ops.flatMap((o) => completedOp(id, o)), deleted(id)];
  const total = Object.values(subs).reduce(
    (n, sub) => n + lives.reduce((m, l) => m + expected(sub, l.id, l.ops).length, 0),
    0,
  );
  for (const sub of Object.values(subs)) {
    const count = lives.reduce((m, l) => m + expected(sub, l.id, l.ops).length, 0);
    await eventually(
      `subscription ${sub}: all delivered`,
      async () => (await vnfm.request('GET', `/vnfm/v1/subscriptions/${sub}/delivery`)).body,
      (d) => d.pending === 0 && d.delivered === count,
      120_000,
    );
  }

  const got = posted(r);
  assert.equal(got.length, total, `${total} notifications received, no more`);
  assertValidAndUnique(got);
  for (const [name, sub] of Object.entries(subs)) {
    const mine = byInstance(got.filter((n) => n.subscriptionId === sub));
    for (const { id, ops } of lives)
      assert.deepEqual(
        (mine.get(id) ?? []).map(line),
        expected(sub, id, ops),
        `${name}: instance ${id} in order`,
      );
  }
  const delivered = await Promise.all(metricsPorts.map(deliveredBy));
  t.diagnostic(`delivered by the workers: ${delivered.join(' + ')}`);
  assert.equal(
    delivered[0]! + delivered[1]!,
    total,
    `each delivered once across the workers (${delivered.join(' + ')})`,
  );
});

test('a worker killed with a notification in flight: the other sends it again, nothing lost, in order', async () => {
  const r = await newReceiver();
  const { vnfm, workers, metricsPorts } = await apiAndTwoWorkers({
    // A claim of the killed worker lapses after 2 × the POST timeout + 10 s.
    VNFM_NOTIFY_TIMEOUT_MS: '2000',
    VNFM_NOTIFY_RETRY_BASE_MS: '100',
    VNFM_NOTIFY_RETRY_MAX_MS: '500',
  });
  const sub = await vnfm.request('POST', '/vnfpkgm/v1/subscriptions', { callbackUri: `${r.url}/pkg` });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const delivery = async () =>
    (await vnfm.request('GET', `/vnfm/v1/subscriptions/${sub.body.id}/delivery`)).body;
  const { pkgId } = await onboardPackage(vnfm);
  await eventually('the onboarding notification delivered', delivery, (d) => d.delivered === 1);

  // Only the first worker delivers from now on: the second is stopped until the first is dead.
  const [first, second] = workers as [VnfmProcess, VnfmProcess];
  const secondBefore = await deliveredBy(metricsPorts[1]!);
  second.child.kill('SIGSTOP');
  const hold = holdAnswers(r);
  for (const operationalState of ['DISABLED', 'ENABLED'])
    assert.equal(
      (await vnfm.request('PATCH', `/vnfpkgm/v1/vnf_packages/${pkgId}`, { operationalState })).status,
      200,
    );
  // Until the kill, the held POST times out and the first worker sends it again (held again): one id.
  const held = await hold.taken(1, 'the first change taken by the first worker, not answered');

  await first.kill();
  hold.release();
  second.child.kill('SIGCONT');
  await eventually(
    'both changes delivered by the second worker',
    delivery,
    (d) => d.pending === 0 && d.delivered === 3,
    120_000,
  );
  const got = posted(r, hold.from);
  assert.deepEqual(firstArrivals(got).map(line), [
    `${pkgId} VnfPackageChangeNotification OP_STATE_CHANGE DISABLED`,
    `${pkgId} VnfPackageChangeNotification OP_STATE_CHANGE ENABLED`,
  ]);
  assertResentOnly(got, held);
  assertValidAndUnique(firstArrivals(got));
  assert.equal(
    (await deliveredBy(metricsPorts[1]!)) - secondBefore,
    2,
    'the second worker delivered both, once',
  );
});
