// A receiver that goes away during an operation gets every notification it missed once it
// is back, in order, none twice. It stands behind a TCP proxy on a fixed port: closing the
// proxy's listening socket is the receiver stopped (connection refused), reopening it on the
// same port the receiver back. The outage lasts at least 30 s (as an NFVO restart would) and
// until the VNFM has failed several attempts; the retry maximum is 500 ms so that recovery is
// bounded by it, not by minutes of backoff.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { opOccSettled, createInstance, onboardPackage, registerTestbedVim, startOp } from '../helpers/lcm.ts';
import {
  assertValidAndUnique,
  completedOp,
  created,
  helmInstantiateBody,
  line,
  posted,
} from '../helpers/notifications.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const OUTAGE_MS = 30_000;

let vnfm: TestVnfm;
let receiver: Receiver;
let proxy: TcpProxy;
before(async () => {
  const env = await testbed();
  receiver = await startReceiver();
  proxy = new TcpProxy(await freePort(), '127.0.0.1', Number(new URL(receiver.url).port));
  await proxy.open();
  vnfm = await startVnfm(await freshStore('sqlite'), {
    lcmTimeoutSeconds: 90,
    helmBinary: env.helm4,
    config: { notifyRetryBaseMs: 100, notifyRetryMaxMs: 500 },
  });
});
after(async () => {
  await vnfm.close();
  await proxy.cut();
  await receiver.close();
});

test('the receiver down during an operation gets every missed notification after it returns, in order, once', async () => {
  const sub = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
    callbackUri: `http://127.0.0.1:${proxy.port}/notifications`,
  });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const vimId = await registerTestbedVim(vnfm, 'notify-down', { helm_info: { masternode_ip: [] } });
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId, 'down');
  const outbox = () =>
    vnfm.ctx.db.selectFrom('notification_outbox').selectAll().orderBy('sequence').execute();

  const opId = await startOp(
    vnfm,
    id,
    'instantiate',
    helmInstantiateBody(vimId, `ndown-${randomBytes(3).toString('hex')}`),
  );
  const instantiate = completedOp(id, { id: opId, operation: 'INSTANTIATE' });
  await eventually(
    'the creation and the STARTING notification received',
    async () => posted(receiver).map(line),
    (got) => got.length >= 2,
  );
  await proxy.cut();
  const downAt = Date.now();
  const beforeOutage = posted(receiver);

  // While it is down: the instantiate completes, a scale out runs, their notifications fail.
  assert.equal((await opOccSettled(vnfm, opId)).operationState, 'COMPLETED');
  const scaleId = await startOp(vnfm, id, 'scale', {
    type: 'SCALE_OUT',
    aspectId: 'vdu1_aspect',
    numberOfSteps: 1,
  });
  assert.equal((await opOccSettled(vnfm, scaleId)).operationState, 'COMPLETED');
  const scale = completedOp(id, { id: scaleId, operation: 'SCALE' });
  const expected = [created(id), ...instantiate, ...scale];
  const during = await eventually(
    'the outage: 30 s and several refused attempts at the first missed notification',
    outbox,
    (rows) => {
      const head = rows.find((r) => r.state === 'PENDING');
      return (
        Date.now() - downAt >= OUTAGE_MS && rows.length === expected.length && (head?.attempts ?? 0) >= 3
      );
    },
    OUTAGE_MS + 60_000,
  );
  const head = during.find((r) => r.state === 'PENDING')!;
  // In order: nothing behind the first undelivered one has been sent yet.
  assert.deepEqual(
    during
      .filter((r) => r.state === 'PENDING' && r.id !== head.id && r.attempts > 0)
      .map((r) => line(JSON.parse(r.body))),
    [],
    'no notification sent before the one ahead of it is delivered',
  );
  assert.match(head.last_error ?? '', /could not be reached|refused|ECONNREFUSED/i);
  assert.ok(
    Date.parse(head.next_attempt_at) - Date.parse(head.last_attempt_at!) <= 500 + 100,
    'backoff bounded by the retry maximum',
  );
  assert.equal(
    posted(receiver).length,
    beforeOutage.length,
    'nothing reached the receiver while it was down',
  );
  // The same, as an operator sees it.
  const state = (await vnfm.request('GET', `/vnfm/v1/subscriptions/${sub.body.id}/delivery`)).body;
  assert.equal(state.pending, expected.length - beforeOutage.length, JSON.stringify(state));
  assert.ok(state.nextAttemptAt && state.lastAttemptAt, JSON.stringify(state));
  assert.match(state.lastError?.detail ?? '', /could not be reached|refused|ECONNREFUSED/i);
  const queue = (
    await vnfm.request('GET', `/vnfm/v1/notifications?subscriptionId=${sub.body.id}&state=PENDING`)
  ).body;
  assert.deepEqual(
    queue.map((q: any) => q.id).sort(),
    during
      .filter((row) => row.state === 'PENDING')
      .map((row) => row.id)
      .sort(),
  );

  await proxy.open();
  await eventually(
    'every missed notification delivered',
    outbox,
    (rows) => rows.every((r) => r.state === 'DELIVERED'),
    30_000,
  );
  const got = posted(receiver);
  // A notification whose answer the cut lost (in flight at that instant) may come once more:
  // the same id, right after itself; nothing the receiver missed may come twice.
  const again = got.filter((n, i) => got.findIndex((m) => m.id === n.id) !== i);
  assert.ok(again.length <= 1, `at most the one in flight at the cut again: ${again.map(line).join(', ')}`);
  for (const n of again)
    assert.ok(
      beforeOutage.some((m) => m.id === n.id),
      'only a notification sent before the cut comes again',
    );
  const once = got.filter((n, i) => got.findIndex((m) => m.id === n.id) === i);
  assert.deepEqual(once.map(line), expected, 'all of them, in order');
  assertValidAndUnique(once);
  assert.ok(once.length - beforeOutage.length >= 4, 'the receiver missed several while down');
});
