// The delivery loop's fairness and the delivery state an operator sees: a receiver that
// holds every request (as a hung NFVO would) gets at most its share of concurrent POSTs,
// while another receiver gets all of its notifications meanwhile; once it answers, it
// gets the rest. /vnfm/v1/subscriptions/{id}/delivery and /vnfm/v1/notifications show
// pending, delivered, the next attempt and the last error.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createInstance, onboardPackage } from '../helpers/lcm.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

/** A receiver that answers the subscription check, then holds every POST until released. */
async function startHoldingReceiver() {
  const held: ServerResponse[] = [];
  let releasing = false;
  let maxHeld = 0;
  const ids: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'POST') return void res.writeHead(204).end();
      ids.push((JSON.parse(body) as { id: string }).id);
      if (releasing) res.writeHead(204).end();
      else maxHeld = Math.max(maxHeld, held.push(res));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    ids,
    maxHeld: () => maxHeld,
    release() {
      releasing = true;
      for (const res of held.splice(0)) res.writeHead(204).end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let vnfm: TestVnfm;
let fast: Receiver;
let slow: Awaited<ReturnType<typeof startHoldingReceiver>>;
before(async () => {
  fast = await startReceiver();
  slow = await startHoldingReceiver();
  // A short retry ceiling so the refused attempt below is retried within the test, not in 5 min.
  vnfm = await startVnfm(await freshStore('sqlite'), {
    config: { notifyRetryBaseMs: 50, notifyRetryMaxMs: 200, publicUrl: 'https://vnfm.example.net:9890/nfv/' },
  });
});
after(async () => {
  slow.release();
  await vnfm.close();
  await fast.close();
  await slow.close();
});

const creations = { notificationTypes: ['VnfIdentifierCreationNotification'] };

test('a receiver that holds its requests gets at most 4 at once and delays no other receiver', async () => {
  const subSlow = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
    callbackUri: `${slow.url}/slow`,
    filter: creations,
  });
  const subFast = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
    callbackUri: `${fast.url}/fast`,
    filter: creations,
  });
  assert.equal(subSlow.status, 201);
  assert.equal(subFast.status, 201);
  const { vnfdId } = await onboardPackage(vnfm);
  const instances: string[] = [];
  for (let i = 0; i < 8; i++) instances.push(await createInstance(vnfm, vnfdId, `cnf-${i}`));

  const fastPosts = () => fast.requests.filter((r) => r.method === 'POST');
  await eventually(
    'the free receiver has all 8',
    async () => fastPosts().length,
    (n) => n === 8,
  );
  await eventually(
    'the holding receiver has its share',
    async () => slow.held.length,
    (n) => n === 4,
  );
  // Its other 4 stay queued while it holds: no slot beyond its share is taken.
  const status = await vnfm.request('GET', `/vnfm/v1/subscriptions/${subSlow.body.id}/delivery`);
  assert.equal(status.status, 200);
  assert.equal(status.body.pending, 8);
  assert.equal(status.body.delivered, 0);
  assert.equal(slow.maxHeld(), 4, 'never more than its share at once');

  slow.release();
  await eventually(
    'the held receiver gets the rest once it answers',
    async () => (await vnfm.request('GET', `/vnfm/v1/subscriptions/${subSlow.body.id}/delivery`)).body,
    (b) => b.delivered === 8 && b.pending === 0,
  );
  assert.deepEqual(new Set(slow.ids).size, 8);
  const got = new Set(
    fastPosts().map((r) => (JSON.parse(r.body) as { vnfInstanceId: string }).vnfInstanceId),
  );
  assert.deepEqual([...got].sort(), [...instances].sort());
});

test('delivery state: a refusing receiver shows its error and next attempt, then delivered', async () => {
  const refusing = await startReceiver();
  try {
    const sub = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
      callbackUri: `${refusing.url}/r`,
      filter: creations,
    });
    assert.equal(sub.status, 201);
    refusing.postStatus = 503;
    const { vnfdId } = await onboardPackage(vnfm);
    const instance = await createInstance(vnfm, vnfdId, 'cnf-refused');
    const failing = await eventually(
      'a failed attempt recorded',
      async () => (await vnfm.request('GET', `/vnfm/v1/subscriptions/${sub.body.id}/delivery`)).body,
      (b) => b.lastError !== undefined,
    );
    assert.equal(failing.pending, 1);
    assert.match(failing.lastError.detail, /answered 503, not 204/);
    assert.ok(failing.nextAttemptAt && failing.lastAttemptAt);
    const rows = await vnfm.request('GET', `/vnfm/v1/notifications?subscriptionId=${sub.body.id}`);
    assert.equal(rows.status, 200);
    assert.equal(rows.body.length, 1);
    assert.equal(rows.body[0].notificationType, 'VnfIdentifierCreationNotification');
    assert.equal(rows.body[0].subjectId, instance);
    assert.equal(rows.body[0].state, 'PENDING');
    assert.ok(rows.body[0].attempts >= 1);
    assert.equal(rows.body[0].body, undefined, 'no bodies in the listing');

    refusing.postStatus = 204;
    const done = await eventually(
      'delivered after the receiver recovers',
      async () =>
        (await vnfm.request('GET', `/vnfm/v1/notifications?subscriptionId=${sub.body.id}&state=DELIVERED`))
          .body,
      (b) => b.length === 1,
    );
    assert.equal(done[0].nextAttemptAt, undefined);
  } finally {
    await refusing.close();
  }
});

test('delivery state routes: strict queries, 404 for an unknown subscription', async () => {
  for (const q of ['state=SENT', 'limit=0', 'limit=1001', 'limit=1e3', 'color=red']) {
    const res = await vnfm.request('GET', `/vnfm/v1/notifications?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal(res.body.status, 400);
  }
  const res = await vnfm.request('GET', '/vnfm/v1/subscriptions/nope/delivery');
  assert.equal(res.status, 404);
  assert.match(res.body.detail, /subscription nope does not exist/);
});

test('delivery settings: bounded, the retry ceiling not below its base', () => {
  const c = loadConfig({ notifyMaxAgeSeconds: '3600', notifyRetryBaseMs: 100, notifyRetryMaxMs: '1000' });
  assert.equal(c.notifyMaxAgeSeconds, 3600);
  assert.equal(c.notifyRetryMaxMs, 1000);
  assert.throws(() => loadConfig({ notifyMaxAgeSeconds: '0' }), /notification max age seconds must be 1-/);
  assert.throws(() => loadConfig({ notifyTimeoutMs: 'soon' }), /notification timeout ms/);
  for (const bad of ['vnfm.example.net', 'ftp://x', 'https://u:p@x', 'https://x/?a=1'])
    assert.throws(() => loadConfig({ publicUrl: bad }), /the public URL must be http\(s\):\/\//, bad);
  assert.equal(loadConfig({ publicUrl: 'http://x:1/' }).publicUrl, 'http://x:1');
  assert.throws(
    () => loadConfig({ notifyRetryBaseMs: 5000, notifyRetryMaxMs: 1000 }),
    /retry maximum \(1000 ms\) is below its base/,
  );
});

test("alone on SQLite, a dead process's claims are given back at start, and their rows sent", async () => {
  const r = await startReceiver();
  try {
    const sub = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
      callbackUri: `${r.url}/claimed`,
      filter: creations,
    });
    assert.equal(sub.status, 201);
    await vnfm.ctx.notifier.stop();
    const { vnfdId } = await onboardPackage(vnfm);
    await createInstance(vnfm, vnfdId, 'cnf-claimed');
    // As a process killed mid-POST leaves it: claimed for a long while yet.
    const until = new Date(Date.now() + 3600_000).toISOString();
    await vnfm.ctx.db
      .updateTable('notification_outbox')
      .set({ claimed_by: 'notifier-dead', claimed_until: until })
      .where('subscription_id', '=', sub.body.id)
      .execute();
    await vnfm.ctx.notifier.recover();
    const rows = await vnfm.ctx.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('subscription_id', '=', sub.body.id)
      .execute();
    assert.deepEqual(
      rows.map((x) => x.claimed_by),
      [null],
    );
    vnfm.ctx.notifier.start();
    await eventually(
      'the row sent',
      async () => r.requests.filter((q) => q.method === 'POST').length,
      (n) => n === 1,
    );
  } finally {
    await r.close();
  }
});
