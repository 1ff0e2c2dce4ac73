// VnfLcmOperationOccurrenceNotifications written to the outbox in the same transaction
// as each op occ state change (src/db/queries/op-occs.ts), on a real store: one row per
// matching subscription and state change, in sequence per subscription and VNF instance,
// each body valid against the ETSI schema; none for a transition that did not happen.
// On both stores (PostgreSQL from the testbed).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertOpOcc, transitionOpOcc } from '../../src/db/queries/op-occs.ts';
import { subscriptionOutbox } from '../../src/db/queries/outbox.ts';
import type { VnfLcmOpOcc } from '../../src/lcm/model.ts';
import { inState, newOpOcc } from '../helpers/op-occs.ts';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import { createInstance, onboardPackage } from '../helpers/lcm.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const validCreation = etsiValidator('sol003-vnflcm-v2.6.1/VnfIdentifierCreationNotification.schema.json');
const validDeletion = etsiValidator('sol003-vnflcm-v2.6.1/vnfIdentifierDeletionNotification.schema.json');
const validNotification = etsiValidator(
  'sol003-vnflcm-v2.6.1/VnfLcmOperationOccurrenceNotification.schema.json',
);

for (const store of STORES) {
  describe(`op occ notifications in the outbox on ${store}`, () => {
    let vnfm: TestVnfm;
    let receiver: Receiver;
    let a: string;
    let b: string;
    const subs: Record<string, string> = {};

    async function subscribe(name: string, filter?: object): Promise<void> {
      const res = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
        callbackUri: `${receiver.url}/${name}`,
        ...(filter ? { filter } : {}),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      subs[name] = res.body.id;
    }

    before(async () => {
      receiver = await startReceiver();
      vnfm = await startVnfm(await freshStore(store), { worker: false });
      const { vnfdId } = await onboardPackage(vnfm);
      a = await createInstance(vnfm, vnfdId, 'cnf-a');
      b = await createInstance(vnfm, vnfdId, 'cnf-b');
      const inst = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${a}`)).body;
      await subscribe('all');
      await subscribe('scale', { operationTypes: ['SCALE'] });
      await subscribe('b-only', { vnfInstanceSubscriptionFilter: { vnfInstanceNames: ['cnf-b'] } });
      await subscribe('ids-only', { notificationTypes: ['VnfIdentifierCreationNotification'] });
      await subscribe('product', {
        vnfInstanceSubscriptionFilter: {
          vnfProductsFromProviders: [
            {
              vnfProvider: inst.vnfProvider,
              vnfProducts: [
                {
                  vnfProductName: inst.vnfProductName,
                  versions: [{ vnfSoftwareVersion: inst.vnfSoftwareVersion }],
                },
              ],
            },
          ],
        },
        operationStates: ['STARTING', 'FAILED'],
      });
      await subscribe('other-provider', {
        vnfInstanceSubscriptionFilter: { vnfProductsFromProviders: [{ vnfProvider: 'Nobody' }] },
      });
    });
    after(async () => {
      await vnfm.close();
      await receiver.close();
    });

    async function outbox(name: string, opOccId?: string) {
      const rows = await subscriptionOutbox(vnfm.ctx.db, subs[name] as string);
      return rows
        .map((r) => ({ ...r, body: JSON.parse(r.body) }))
        .filter((r) => opOccId === undefined || r.body.vnfLcmOpOccId === opOccId);
    }

    test('each state change of an op occ: one notification per matching subscription, in sequence, ETSI-valid', async () => {
      const db = vnfm.ctx.db;
      const o = newOpOcc(a, 'INSTANTIATE');
      await insertOpOcc(db, o, null);
      // STARTING → STARTING with work queued is no state change: no notification.
      assert.equal(await transitionOpOcc(db, o, ['STARTING'], 'run'), true);
      const processing = inState(o, 'PROCESSING');
      assert.equal(await transitionOpOcc(db, processing, ['STARTING'], null), true);
      const error = { status: 500, title: 'Internal Server Error', detail: 'helm install failed' };
      const failedTemp = inState(processing, 'FAILED_TEMP', { error });
      assert.equal(await transitionOpOcc(db, failedTemp, ['PROCESSING'], null), true);
      // A transition that lost the race (the op occ is no longer PROCESSING) reports nothing.
      assert.equal(await transitionOpOcc(db, inState(processing, 'COMPLETED'), ['PROCESSING'], null), false);
      assert.equal(await transitionOpOcc(db, inState(failedTemp, 'FAILED'), ['FAILED_TEMP'], null), true);

      const all = await outbox('all', o.id);
      assert.deepEqual(
        all.map((r) => [r.sequence, r.body.operationState, r.body.notificationStatus]),
        [
          [1, 'STARTING', 'START'],
          [2, 'PROCESSING', 'START'],
          [3, 'FAILED_TEMP', 'RESULT'],
          [4, 'FAILED', 'RESULT'],
        ],
      );
      for (const r of all) {
        assert.deepEqual(validNotification(r.body), [], JSON.stringify(r.body));
        assert.equal(r.id, r.body.id);
        assert.equal(r.state, 'PENDING');
        assert.equal(r.attempts, 0);
        assert.equal(r.ordering_key, `${subs.all}/${a}`);
        assert.equal(r.body.subscriptionId, subs.all);
        assert.equal(r.body.vnfInstanceId, a);
        assert.equal(r.body.operation, 'INSTANTIATE');
        assert.equal(r.body._links.subscription.href, `/vnflcm/v1/subscriptions/${subs.all}`);
        assert.equal(r.body._links.vnfLcmOpOcc.href, `/vnflcm/v1/vnf_lcm_op_occs/${o.id}`);
      }
      assert.equal(all[0]?.body.error, undefined, 'a START has no error');
      assert.deepEqual(all[2]?.body.error, error);
      assert.equal(new Set(all.map((r) => r.body.id)).size, 4, 'each notification its own id');

      assert.deepEqual(
        (await outbox('product', o.id)).map((r) => r.body.operationState),
        ['STARTING', 'FAILED'],
        'provider/product/version and operationStates filter',
      );
      for (const name of ['scale', 'b-only', 'ids-only', 'other-provider']) {
        assert.deepEqual(await outbox(name, o.id), [], `${name} matches no INSTANTIATE of cnf-a`);
      }
    });

    test('another instance is another ordering key; operationTypes and instance names filter', async () => {
      const db = vnfm.ctx.db;
      const o = newOpOcc(b, 'SCALE');
      await insertOpOcc(db, o, 'run');
      const affectedVnfcs = [
        {
          id: 'vnfc-1',
          vduId: 'VDU1',
          changeType: 'ADDED',
          computeResource: { resourceId: 'pod-1', vimLevelResourceType: 'Deployment' },
        },
      ];
      await transitionOpOcc(db, inState(o, 'PROCESSING'), ['STARTING'], null);
      await transitionOpOcc(
        db,
        inState(o, 'COMPLETED', { resourceChanges: { affectedVnfcs } as VnfLcmOpOcc['resourceChanges'] }),
        ['PROCESSING'],
        null,
      );
      for (const name of ['all', 'scale', 'b-only']) {
        const rows = await outbox(name, o.id);
        assert.deepEqual(
          rows.map((r) => [r.ordering_key, r.sequence, r.body.operationState]),
          [
            [`${subs[name]}/${b}`, 1, 'STARTING'],
            [`${subs[name]}/${b}`, 2, 'PROCESSING'],
            [`${subs[name]}/${b}`, 3, 'COMPLETED'],
          ],
          name,
        );
        for (const r of rows) assert.deepEqual(validNotification(r.body), [], JSON.stringify(r.body));
        assert.deepEqual(rows[2]?.body.affectedVnfcs, affectedVnfcs, 'the result carries affectedVnfcs');
        assert.equal(rows[1]?.body.affectedVnfcs, undefined);
      }
      assert.deepEqual(await outbox('ids-only'), []);
    });

    test('a state change that fails writes no notification; deleting a subscription drops its queue', async () => {
      const db = vnfm.ctx.db;
      const first = newOpOcc(a, 'HEAL');
      await insertOpOcc(db, first, null);
      const before = (await outbox('all')).length;
      // A second blocking op occ for the instance: the unique index refuses it, and its notifications with it.
      const second = newOpOcc(a, 'TERMINATE');
      await assert.rejects(insertOpOcc(db, second, null));
      assert.equal((await outbox('all')).length, before);
      assert.deepEqual(await outbox('all', second.id), []);

      assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/subscriptions/${subs.all}`)).status, 204);
      assert.deepEqual(await outbox('all'), []);
      assert.ok((await outbox('product')).length > 0, 'other subscriptions keep theirs');
    });

    test('creating and deleting an instance: identifier notifications, in order, for the subscriptions they match', async () => {
      await subscribe('ids', {
        vnfInstanceSubscriptionFilter: { vnfInstanceNames: ['cnf-c'] },
        notificationTypes: ['VnfIdentifierCreationNotification', 'VnfIdentifierDeletionNotification'],
      });
      const { vnfdId } = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${a}`)).body;
      const c = await createInstance(vnfm, vnfdId, 'cnf-c');
      assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${c}`)).status, 204);
      const rows = await outbox('ids');
      assert.deepEqual(
        rows.map((r) => [r.ordering_key, r.sequence, r.body.notificationType, r.body.vnfInstanceId]),
        [
          [`${subs.ids}/${c}`, 1, 'VnfIdentifierCreationNotification', c],
          [`${subs.ids}/${c}`, 2, 'VnfIdentifierDeletionNotification', c],
        ],
      );
      assert.deepEqual(validCreation(rows[0]?.body), []);
      assert.deepEqual(validDeletion(rows[1]?.body), []);
      assert.equal(rows[0]?.body._links.subscription.href, `/vnflcm/v1/subscriptions/${subs.ids}`);
      // Identifier notifications only: op occ filters do not hold them back (SCALE-only sees them too).
      assert.deepEqual(
        (await outbox('scale')).filter((r) => r.body.vnfInstanceId === c).map((r) => r.body.notificationType),
        ['VnfIdentifierCreationNotification', 'VnfIdentifierDeletionNotification'],
      );
      assert.deepEqual(
        (await outbox('b-only')).filter((r) => r.body.vnfInstanceId === c),
        [],
        'instance name filter',
      );
    });
  });
}
