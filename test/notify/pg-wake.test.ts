// On PostgreSQL a notification written by one process (an API server creating an
// instance) reaches another process's delivery loop (a `vnfm worker`) at its commit
// (LISTEN/NOTIFY), not at that loop's next poll: here the poll is a minute and the wait
// bound half of it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createInstance, onboardPackage } from '../helpers/lcm.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { killAll, workerProcess } from '../helpers/vnfm-process.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

let api: TestVnfm;
let receiver: Receiver;
before(async () => {
  receiver = await startReceiver();
  const store = await freshStore('postgres');
  const dataDir = mkdtempSync(join(tmpdir(), 'vnfm-data-'));
  api = await startVnfm(store, { dataDir, worker: false, embeddedWorker: false });
  await workerProcess(store, dataDir, { VNFM_NOTIFY_POLL_MS: '60000' });
});
after(async () => {
  killAll();
  await api.close();
  await receiver.close();
});

test("another process's commit wakes the delivery loop", async () => {
  const sub = await api.request('POST', '/vnflcm/v1/subscriptions', {
    callbackUri: `${receiver.url}/n`,
    filter: { notificationTypes: ['VnfIdentifierCreationNotification'] },
  });
  assert.equal(sub.status, 201);
  const { vnfdId } = await onboardPackage(api);
  // The worker's loop has polled once at its start and now sleeps for a minute unless woken.
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    ids.push(await createInstance(api, vnfdId, `cnf-w${i}`));
    await eventually(
      `notification ${i + 1} delivered by the other process`,
      async () => receiver.requests.filter((r) => r.method === 'POST').length,
      (n) => n === i + 1,
      30_000,
    );
  }
  const got = receiver.requests
    .filter((r) => r.method === 'POST')
    .map((r) => (JSON.parse(r.body) as { vnfInstanceId: string }).vnfInstanceId);
  assert.deepEqual(got, ids);
});
