// One delivery pass at a time (src/notify/delivery.ts deliverDue, with the pass's clock
// given, so nothing waits on time), on both stores, to receivers on loopback: only the
// head of each subscription + instance key is sent, so a key arrives in order; a
// failing receiver is retried with backoff and does not hold back another; an old
// enough failure is given up and the key moves on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertOpOcc, transitionOpOcc } from '../../src/db/queries/op-occs.ts';
import { subscriptionOutbox } from '../../src/db/queries/outbox.ts';
import { backoffMs, deliverDue, type DeliveryDeps } from '../../src/notify/delivery.ts';
import { ReceiverTokens } from '../../src/notify/receiver-auth.ts';
import { createInstance, onboardPackage } from '../helpers/lcm.ts';
import { inState, newOpOcc } from '../helpers/op-occs.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

for (const store of STORES) {
  describe(`notification delivery on ${store}`, () => {
    let vnfm: TestVnfm;
    let good: Receiver;
    let bad: Receiver;
    let deps: DeliveryDeps;
    let instance: string;
    const subs: Record<string, string> = {};

    before(async () => {
      good = await startReceiver();
      bad = await startReceiver();
      vnfm = await startVnfm(await freshStore(store), { worker: false });
      const { vnfdId } = await onboardPackage(vnfm);
      instance = await createInstance(vnfm, vnfdId, 'cnf-d');
      for (const [name, r] of [
        ['good', good],
        ['bad', bad],
      ] as const) {
        const res = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
          callbackUri: `${r.url}/${name}`,
          filter: { notificationTypes: ['VnfLcmOperationOccurrenceNotification'] },
          authentication: { authType: ['BASIC'], paramsBasic: { userName: name, password: `pw-${name}` } },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        subs[name] = res.body.id;
      }
      deps = {
        db: vnfm.ctx.db,
        secrets: vnfm.ctx.secrets,
        tokens: new ReceiverTokens(),
        workerId: 'w-test',
        postgres: store === 'postgres',
        requestTimeoutMs: 10_000,
        baseBackoffMs: 1000,
        maxBackoffMs: 60_000,
        maxAgeMs: 3_600_000,
        batch: 10,
      };
      // Three state changes of one op occ: three notifications per subscription, one key each.
      const o = newOpOcc(instance, 'INSTANTIATE');
      await insertOpOcc(vnfm.ctx.db, o, null);
      const processing = inState(o, 'PROCESSING');
      await transitionOpOcc(vnfm.ctx.db, processing, ['STARTING'], null);
      await transitionOpOcc(vnfm.ctx.db, inState(processing, 'COMPLETED'), ['PROCESSING'], null);
      bad.postStatus = 500;
    });
    after(async () => {
      await vnfm.close();
      await good.close();
      await bad.close();
    });

    const posts = (r: Receiver) =>
      r.requests.filter((q) => q.method === 'POST').map((q) => JSON.parse(q.body));
    const rows = async (name: string) => subscriptionOutbox(vnfm.ctx.db, subs[name] as string);

    test('each pass sends the head of each key: the good receiver gets all three in order', async () => {
      const t0 = new Date();
      for (let pass = 1; pass <= 3; pass++) await deliverDue(deps, t0);
      assert.deepEqual(
        posts(good).map((n) => n.operationState),
        ['STARTING', 'PROCESSING', 'COMPLETED'],
      );
      const stored = await rows('good');
      assert.deepEqual(
        posts(good).map((n) => n.id),
        stored.map((r) => r.id),
      );
      for (const r of stored) {
        assert.equal(r.state, 'DELIVERED');
        assert.equal(r.attempts, 1);
        assert.equal(r.last_error, null);
        assert.equal(r.claimed_by, null);
      }
      const first = good.requests.find((q) => q.method === 'POST');
      assert.equal(first?.headers.authorization, `Basic ${Buffer.from('good:pw-good').toString('base64')}`);
      assert.match(first?.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(await deliverDue(deps, t0), 0, 'the failing head is not due again yet');

      // The failing receiver was tried once, in the first pass, and only its head.
      assert.deepEqual(
        posts(bad).map((n) => n.operationState),
        ['STARTING'],
      );
      const [head, ...rest] = await rows('bad');
      assert.equal(head?.state, 'PENDING');
      assert.equal(head?.attempts, 1);
      assert.match(head?.last_error ?? '', /answered 500, not 204/);
      assert.equal(head?.next_attempt_at, new Date(t0.getTime() + deps.baseBackoffMs).toISOString());
      assert.ok(rest.every((r) => r.attempts === 0));
    });

    test('backoff doubles up to its bound; once the receiver answers, the key continues in order', async () => {
      assert.deepEqual(
        [1, 2, 3, 10].map((n) => backoffMs(deps, n)),
        [1000, 2000, 4000, 60_000],
      );
      const head = (await rows('bad'))[0];
      const due = new Date(Date.parse(head?.next_attempt_at ?? '') + 1);
      assert.equal(await deliverDue(deps, due), 1);
      const again = (await rows('bad'))[0];
      assert.equal(again?.attempts, 2);
      assert.equal(again?.next_attempt_at, new Date(due.getTime() + 2000).toISOString());

      bad.postStatus = 204;
      const later = new Date(Date.parse(again?.next_attempt_at ?? '') + 1);
      for (let pass = 1; pass <= 3; pass++) await deliverDue(deps, later);
      assert.deepEqual(
        posts(bad).map((n) => n.operationState),
        ['STARTING', 'STARTING', 'STARTING', 'PROCESSING', 'COMPLETED'],
      );
      assert.ok((await rows('bad')).every((r) => r.state === 'DELIVERED'));
    });

    test('a notification older than the maximum age is given up, and its key moves on', async () => {
      const o = newOpOcc(instance, 'TERMINATE');
      await insertOpOcc(vnfm.ctx.db, o, null);
      await transitionOpOcc(vnfm.ctx.db, inState(o, 'FAILED_TEMP'), ['STARTING'], null);
      bad.postStatus = 503;
      const old = new Date(Date.now() + deps.maxAgeMs);
      assert.equal(await deliverDue(deps, old), 2, 'the good head and the bad head');
      const mine = (await rows('bad')).filter((r) => JSON.parse(r.body).vnfLcmOpOccId === o.id);
      assert.deepEqual(
        mine.map((r) => [r.state, r.attempts]),
        [
          ['EXPIRED', 1],
          ['PENDING', 0],
        ],
      );
      assert.match(mine[0]?.last_error ?? '', /503/);
    });
  });
}
