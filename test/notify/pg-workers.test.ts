// Delivery by two `vnfm worker` processes on one PostgreSQL store, beside an API-only
// server (VNFM_EMBEDDED_WORKER=false): several instances go through create, instantiate,
// scale out, terminate and delete at the same time, with three subscriptions. Every
// notification arrives exactly once (by id, and by the workers' delivered counters), and
// in order per subscription + VNF instance.
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
  assertValidAndUnique,
  byInstance,
  completedOp,
  created,
  deleted,
  line,
  posted,
} from '../helpers/notifications.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { eventually } from '../helpers/wait.ts';
import { killAll, serveProcess, startVnfmProcess } from '../helpers/vnfm-process.ts';

const INSTANCES = 4;

let receiver: Receiver | undefined;
after(async () => {
  killAll();
  await receiver?.close();
});

test('two PostgreSQL workers deliver each notification exactly once, in order per subscription + instance', async (t) => {
  receiver = await startReceiver();
  const r = receiver;
  const env = {
    VNFM_DATABASE: await freshStore('postgres'),
    VNFM_DATA_DIR: mkdtempSync(join(tmpdir(), 'vnfm-notify-pg-')),
    VNFM_LOG_LEVEL: 'warn',
    VNFM_WORKER_CONCURRENCY: '2',
    // Rows the API process commits wake no worker: they find them by polling.
    VNFM_NOTIFY_POLL_MS: '100',
  };
  const { vnfm } = await serveProcess(await freePort(), { ...env, VNFM_EMBEDDED_WORKER: 'false' });
  const metricsPorts = [await freePort(), await freePort()];
  for (const port of metricsPorts) startVnfmProcess(['worker', '--metrics-port', String(port)], env);

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
  const delivered = await Promise.all(
    metricsPorts.map(async (port) =>
      sample(
        parseMetrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()),
        'vnfm_notification_attempts_total',
        { outcome: 'delivered' },
      ),
    ),
  );
  t.diagnostic(`delivered by the workers: ${delivered.join(' + ')}`);
  assert.equal(
    delivered[0]! + delivered[1]!,
    total,
    `each delivered once across the workers (${delivered.join(' + ')})`,
  );
});
