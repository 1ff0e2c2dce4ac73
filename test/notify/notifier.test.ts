// The delivery loop as the server runs it (startVnfm with its worker): a subscription's
// receiver gets the notifications of an instance's creation and deletion by itself, in
// order, and one a failing receiver missed once it answers again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import { createInstance, onboardPackage } from '../helpers/lcm.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const validCreation = etsiValidator('sol003-vnflcm-v2.6.1/VnfIdentifierCreationNotification.schema.json');
const validDeletion = etsiValidator('sol003-vnflcm-v2.6.1/vnfIdentifierDeletionNotification.schema.json');

let vnfm: TestVnfm;
let receiver: Receiver;
before(async () => {
  receiver = await startReceiver();
  vnfm = await startVnfm(await freshStore('sqlite'));
});
after(async () => {
  await vnfm.close();
  await receiver.close();
});

const posts = () => receiver.requests.filter((q) => q.method === 'POST').map((q) => JSON.parse(q.body));

test('creation and deletion notifications arrive by themselves, in order; a refused one is retried', async () => {
  const sub = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
    callbackUri: `${receiver.url}/n`,
    filter: { notificationTypes: ['VnfIdentifierCreationNotification', 'VnfIdentifierDeletionNotification'] },
  });
  assert.equal(sub.status, 201);
  const { vnfdId } = await onboardPackage(vnfm);
  receiver.postStatus = 503;
  const id = await createInstance(vnfm, vnfdId, 'cnf-n');
  await eventually(
    'a first, refused attempt',
    async () => (await vnfm.ctx.db.selectFrom('notification_outbox').selectAll().execute())[0],
    (row) => (row?.attempts ?? 0) >= 1,
  );
  receiver.postStatus = 204;
  assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
  const got = await eventually(
    'both notifications delivered',
    async () => vnfm.ctx.db.selectFrom('notification_outbox').selectAll().orderBy('sequence').execute(),
    (rows) => rows.length === 2 && rows.every((r) => r.state === 'DELIVERED'),
  );
  const delivered = posts().filter((n, i, all) => all.findIndex((m) => m.id === n.id) === i);
  assert.deepEqual(
    delivered.map((n) => n.notificationType),
    ['VnfIdentifierCreationNotification', 'VnfIdentifierDeletionNotification'],
  );
  assert.deepEqual(
    delivered.map((n) => n.id),
    got.map((r) => r.id),
  );
  assert.deepEqual(validCreation(delivered[0]), []);
  assert.deepEqual(validDeletion(delivered[1]), []);
  assert.equal(delivered[0].subscriptionId, sub.body.id);
});
