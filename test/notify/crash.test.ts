// SIGKILL of the VNFM between state changes and their delivery loses no notification.
// `vnfm serve` runs as a child process on a SQLite store that outlives it. First the
// receiver refuses (503) while a package is onboarded, disabled and enabled, and an
// instance is created and instantiated: the changes are committed, their notifications
// are not delivered; the VNFM is killed, restarted on the same store, the receiver
// accepts, and every notification arrives once, in order. Then
// the receiver takes a notification without answering (mid-answer) while a terminate
// runs; the VNFM is killed again: that one notification may arrive twice (at-least-once,
// the same id), every other exactly once, all in order.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { openDatabase, type Db } from '../../src/db/connect.ts';
import { freePort } from '../../testbed/lib/proc.ts';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, opOccSettled, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import {
  assertResentOnly,
  assertValidAndUnique,
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
import { killAll, serveProcess } from '../helpers/vnfm-process.ts';
import { eventually } from '../helpers/wait.ts';

let receiver: Receiver | undefined;
let store: Db | undefined;
after(async () => {
  killAll();
  await store?.destroy();
  await receiver?.close();
});

test('SIGKILL between state changes and their delivery: nothing lost, in order, a resend only of the one in flight', async () => {
  receiver = await startReceiver();
  const r = receiver;
  const database = await freshStore('sqlite');
  const port = await freePort();
  const env = {
    VNFM_DATABASE: database,
    VNFM_DATA_DIR: mkdtempSync(join(tmpdir(), 'vnfm-notify-crash-')),
    VNFM_LOG_LEVEL: 'warn',
    // Bounds, so that recovery takes seconds, not minutes: retries at most 500 ms apart, and a
    // claim left by the killed process lapses soon (2 × the POST timeout + 10 s).
    VNFM_NOTIFY_RETRY_BASE_MS: '100',
    VNFM_NOTIFY_RETRY_MAX_MS: '500',
    VNFM_NOTIFY_TIMEOUT_MS: '2000',
  };
  let p = await serveProcess(port, env);
  store = await openDatabase(database);
  const db = store;
  const outbox = () =>
    db.selectFrom('notification_outbox').selectAll().orderBy('ordering_key').orderBy('sequence').execute();

  const subscribe = async (path: string, filter?: object): Promise<string> => {
    const res = await p.vnfm.request('POST', '/vnflcm/v1/subscriptions', {
      callbackUri: `${r.url}/${path}`,
      ...(filter ? { filter } : {}),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id;
  };
  const all = await subscribe('all');
  const ops = await subscribe('ops', { notificationTypes: ['VnfLcmOperationOccurrenceNotification'] });
  const line0 = (row: { body: string }) => line(JSON.parse(row.body));
  const at = (sub: string, got: any[]) => got.filter((n) => n.subscriptionId === sub);
  const pkgSub = await p.vnfm.request('POST', '/vnfpkgm/v1/subscriptions', { callbackUri: `${r.url}/pkg` });
  assert.equal(pkgSub.status, 201, JSON.stringify(pkgSub.body));
  const vimId = await registerTestbedVim(p.vnfm, 'notify-crash');

  // 1. Receiver refusing: a package is onboarded, disabled and enabled again, an instance
  // created and instantiated; nothing delivered.
  r.postStatus = 503;
  const { pkgId, vnfdId } = await onboardPackage(p.vnfm);
  for (const operationalState of ['DISABLED', 'ENABLED'])
    assert.equal(
      (await p.vnfm.request('PATCH', `/vnfpkgm/v1/vnf_packages/${pkgId}`, { operationalState })).status,
      200,
    );
  const packageLines = [
    `${pkgId} VnfPackageOnboardingNotification`,
    `${pkgId} VnfPackageChangeNotification OP_STATE_CHANGE DISABLED`,
    `${pkgId} VnfPackageChangeNotification OP_STATE_CHANGE ENABLED`,
  ];
  const id = await createInstance(p.vnfm, vnfdId, 'crashed');
  const instantiated = await runOp(p.vnfm, id, 'instantiate', {
    flavourId: 'helmchart',
    vimConnectionInfo: [{ id: 'v', vimId, vimType: 'kubernetes' }],
    additionalParams: {
      namespace: `ncrash-${randomBytes(3).toString('hex')}`,
      'lcm-kubernetes-def-files': [MANIFEST_PATH],
    },
  });
  const instantiateLines = completedOp(id, instantiated);
  const queued = await eventually(
    'all ten notifications queued, the heads refused at least once, none delivered',
    outbox,
    (rows) =>
      rows.length === 10 &&
      rows.every((row) => row.state === 'PENDING') &&
      rows.filter((row) => row.sequence === 1).every((row) => row.attempts >= 1),
  );
  assert.deepEqual(
    queued.filter((row) => row.sequence > 1 && row.attempts > 0).map(line0),
    [],
    'no notification sent before the one ahead of it is delivered',
  );
  await p.kill();
  p = await serveProcess(port, env);
  const accepting = r.requests.length;
  r.postStatus = 204;
  await eventually(
    'all delivered after the restart',
    outbox,
    (rows) => rows.every((row) => row.state === 'DELIVERED'),
    120_000,
  );
  const firstRound = posted(r, accepting);
  assert.deepEqual(at(all, firstRound).map(line), [created(id), ...instantiateLines]);
  assert.deepEqual(at(ops, firstRound).map(line), instantiateLines);
  assert.deepEqual(at(pkgSub.body.id, firstRound).map(line), packageLines);
  assertValidAndUnique(firstRound);

  // 2. A notification in flight at the kill: the receiver has it but has not answered.
  const hold = holdAnswers(r);
  const terminated = (
    await p.vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/terminate`, { terminationType: 'FORCEFUL' })
  ).headers
    .get('location')!
    .split('/')
    .pop()!;
  assert.equal((await opOccSettled(p.vnfm, terminated)).operationState, 'COMPLETED');
  // Until the kill, a held POST times out and is sent again (held again): the same ids.
  const held = await hold.taken(
    2,
    'the terminate STARTING notification of each subscription taken, not answered',
  );
  await p.kill();
  hold.release();
  p = await serveProcess(port, env);
  assert.equal((await p.vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
  await eventually(
    'all delivered after the second restart',
    outbox,
    (rows) => rows.length === 10 + 2 * 3 + 1 && rows.every((row) => row.state === 'DELIVERED'),
    120_000,
  );
  const secondRound = posted(r, hold.from);
  const terminateLines = completedOp(id, { id: terminated, operation: 'TERMINATE' });
  assert.deepEqual(firstArrivals(at(all, secondRound)).map(line), [...terminateLines, deleted(id)]);
  assert.deepEqual(firstArrivals(at(ops, secondRound)).map(line), terminateLines);
  // Sent again: only what the receiver had taken, unanswered, when the VNFM died.
  assertResentOnly(secondRound, held);
  assertValidAndUnique(firstArrivals(secondRound));
  // Every notification ever queued reached the receiver as accepted or in flight.
  const everyId = new Set([...firstRound, ...secondRound].map((n) => n.id));
  assert.deepEqual(
    (await outbox()).map((row) => row.id).filter((rowId) => !everyId.has(rowId)),
    [],
    'no notification lost',
  );
});
