// SOL005 package notifications written to the outbox in the same transaction as the
// change they report (src/db/queries/packages.ts): VnfPackageOnboardingNotification when
// a package becomes ONBOARDED, VnfPackageChangeNotification when PATCH changes its
// operationalState (OP_STATE_CHANGE) or an onboarded package is deleted (PKG_DELETE).
// One row per matching subscription, in sequence per subscription + package, bodies
// valid against the ETSI schemas; none for a change that did not happen. On both stores
// (PostgreSQL from the testbed), and once through the delivery loop to a receiver.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { subscriptionOutbox } from '../../src/db/queries/outbox.ts';
import { deletePackage, getPackage, updatePackage } from '../../src/db/queries/packages.ts';
import {
  PACKAGE_DELETED,
  PACKAGE_ONBOARDED,
  PACKAGE_OP_STATE_CHANGED,
} from '../../src/notify/pkg-notifications.ts';
import type { VnfPkgInfo } from '../../src/packages/model.ts';
import { cnfPackage } from '../helpers/cnf-package.ts';
import { createInstance, onboardZip } from '../helpers/lcm.ts';
import { assertValidAndUnique, posted } from '../helpers/notifications.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const PKGS = '/vnfpkgm/v1/vnf_packages';

async function createPkg(vnfm: TestVnfm): Promise<string> {
  const res = await vnfm.request('POST', PKGS, {});
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function setOperationalState(vnfm: TestVnfm, id: string, operationalState: string): Promise<void> {
  const res = await vnfm.request('PATCH', `${PKGS}/${id}`, { operationalState });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

async function subscribe(vnfm: TestVnfm, receiver: Receiver, name: string, filter?: object) {
  const res = await vnfm.request('POST', '/vnfpkgm/v1/subscriptions', {
    callbackUri: `${receiver.url}/${name}`,
    ...(filter ? { filter } : {}),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as string;
}

for (const store of STORES) {
  describe(`package notifications in the outbox on ${store}`, () => {
    let vnfm: TestVnfm;
    let receiver: Receiver;
    /** Package A is onboarded with VNFD vnfdA, B with vnfdB. */
    let a: string;
    let b: string;
    const vnfdA = randomUUID();
    const vnfdB = randomUUID();
    const subs: Record<string, string> = {};

    async function outbox(name: string, pkgId?: string) {
      const rows = await subscriptionOutbox(vnfm.ctx.db, subs[name] as string);
      return rows
        .map((r) => ({ ...r, body: JSON.parse(r.body) }))
        .filter((r) => pkgId === undefined || r.body.vnfPkgId === pkgId);
    }
    /** What each subscription got about `pkgId`: [notificationType, changeType, operationalState]. */
    async function got(pkgId: string) {
      const out: Record<string, unknown[][]> = {};
      for (const name of Object.keys(subs)) {
        out[name] = (await outbox(name, pkgId)).map((r) => [
          r.body.notificationType,
          r.body.changeType,
          r.body.operationalState,
        ]);
      }
      return out;
    }
    const totalRows = async () =>
      (await vnfm.ctx.db.selectFrom('notification_outbox').select('id').execute()).length;

    before(async () => {
      receiver = await startReceiver();
      vnfm = await startVnfm(await freshStore(store), { worker: false });
      // The packages exist (CREATED) before the subscriptions, so a filter can name one.
      a = await createPkg(vnfm);
      b = await createPkg(vnfm);
      const sub = (name: string, filter?: object) =>
        subscribe(vnfm, receiver, name, filter).then((id) => (subs[name] = id));
      await sub('all');
      await sub('onboarding', { notificationTypes: ['VnfPackageOnboardingNotification'] });
      await sub('change', { notificationTypes: ['VnfPackageChangeNotification'] });
      await sub('pkg-a', { vnfPkgId: [a] });
      await sub('vnfd-b', { vnfdId: [vnfdB] });
      await sub('disabled', { operationalState: ['DISABLED'] });
      await sub('in-use', { usageState: ['IN_USE'] });
      await sub('product', {
        vnfProductsFromProviders: [
          {
            vnfProvider: 'Company',
            vnfProducts: [{ vnfProductName: 'Sample CNF', versions: [{ vnfSoftwareVersion: '1.0' }] }],
          },
        ],
      });
      await sub('other-version', {
        vnfProductsFromProviders: [
          {
            vnfProvider: 'Company',
            vnfProducts: [{ vnfProductName: 'Sample CNF', versions: [{ vnfSoftwareVersion: '9.9' }] }],
          },
        ],
      });
      await sub('other-provider', { vnfProductsFromProviders: [{ vnfProvider: 'Nobody' }] });
    });
    after(async () => {
      await vnfm.close();
      await receiver.close();
    });

    test('onboarding: one VnfPackageOnboardingNotification per matching subscription, ETSI-valid', async () => {
      await onboardZip(vnfm, (await cnfPackage({ vnfdId: vnfdA })).zip, a);
      await onboardZip(vnfm, (await cnfPackage({ vnfdId: vnfdB })).zip, b);
      const onboarded = [['VnfPackageOnboardingNotification', undefined, undefined]];
      assert.deepEqual(await got(a), {
        all: onboarded,
        onboarding: onboarded,
        change: [],
        'pkg-a': onboarded,
        'vnfd-b': [],
        // The package is ENABLED and NOT_IN_USE once onboarded.
        disabled: [],
        'in-use': [],
        product: onboarded,
        'other-version': [],
        'other-provider': [],
      });
      assert.deepEqual((await got(b))['vnfd-b'], onboarded);
      assert.deepEqual((await got(b))['pkg-a'], []);

      for (const [pkgId, vnfdId] of [
        [a, vnfdA],
        [b, vnfdB],
      ]) {
        const [row, ...more] = await outbox('all', pkgId);
        assert.equal(more.length, 0);
        assertValidAndUnique([row?.body]);
        assert.equal(row?.id, row?.body.id);
        assert.equal(row?.state, 'PENDING');
        assert.equal(row?.sequence, 1);
        assert.equal(row?.ordering_key, `${subs.all}/${pkgId}`);
        assert.equal(row?.body.subscriptionId, subs.all);
        assert.equal(row?.body.vnfdId, vnfdId);
        assert.deepEqual(row?.body._links, {
          vnfPackage: { href: `${PKGS}/${pkgId}` },
          subscription: { href: `/vnfpkgm/v1/subscriptions/${subs.all}` },
        });
        assert.ok(!Number.isNaN(Date.parse(row?.body.timeStamp)));
      }
    });

    test('PATCH operationalState: an OP_STATE_CHANGE with the new state; a PATCH that changes none writes none', async () => {
      await setOperationalState(vnfm, a, 'DISABLED');
      const before = await totalRows();
      // User data only, and the state it already has (a 409): no change of operationalState.
      const res = await vnfm.request('PATCH', `${PKGS}/${a}`, { userDefinedData: { k: 'v' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(
        (await vnfm.request('PATCH', `${PKGS}/${a}`, { operationalState: 'DISABLED' })).status,
        409,
      );
      assert.equal(await totalRows(), before);
      await setOperationalState(vnfm, a, 'ENABLED');

      const onboarded = ['VnfPackageOnboardingNotification', undefined, undefined];
      const disabled = ['VnfPackageChangeNotification', 'OP_STATE_CHANGE', 'DISABLED'];
      const enabled = ['VnfPackageChangeNotification', 'OP_STATE_CHANGE', 'ENABLED'];
      assert.deepEqual(await got(a), {
        all: [onboarded, disabled, enabled],
        onboarding: [onboarded],
        change: [disabled, enabled],
        'pkg-a': [onboarded, disabled, enabled],
        'vnfd-b': [],
        disabled: [disabled],
        'in-use': [],
        product: [onboarded, disabled, enabled],
        'other-version': [],
        'other-provider': [],
      });
      const rows = await outbox('all', a);
      assert.deepEqual(
        rows.map((r) => [r.ordering_key, r.sequence]),
        [1, 2, 3].map((n) => [`${subs.all}/${a}`, n]),
      );
      assertValidAndUnique(rows.map((r) => r.body));
      assert.equal(rows[1]?.body.vnfdId, vnfdA);
    });

    test('DELETE of an onboarded package: a PKG_DELETE; of one never onboarded: none', async () => {
      await setOperationalState(vnfm, b, 'DISABLED');
      assert.equal((await vnfm.request('DELETE', `${PKGS}/${b}`)).status, 204);
      const onboarded = ['VnfPackageOnboardingNotification', undefined, undefined];
      const disabled = ['VnfPackageChangeNotification', 'OP_STATE_CHANGE', 'DISABLED'];
      const deleted = ['VnfPackageChangeNotification', 'PKG_DELETE', undefined];
      assert.deepEqual(await got(b), {
        all: [onboarded, disabled, deleted],
        onboarding: [onboarded],
        change: [disabled, deleted],
        'pkg-a': [],
        'vnfd-b': [onboarded, disabled, deleted],
        // Deleted as it was: DISABLED, NOT_IN_USE.
        disabled: [disabled, deleted],
        'in-use': [],
        product: [onboarded, disabled, deleted],
        'other-version': [],
        'other-provider': [],
      });
      const rows = await outbox('vnfd-b', b);
      assert.deepEqual(
        rows.map((r) => r.sequence),
        [1, 2, 3],
      );
      assertValidAndUnique(rows.map((r) => r.body));
      const del = rows[2]?.body;
      assert.equal(del.vnfPkgId, b);
      assert.equal(del.vnfdId, vnfdB);
      assert.equal('operationalState' in del, false, 'only an OP_STATE_CHANGE carries operationalState');

      const before = await totalRows();
      const never = await createPkg(vnfm);
      assert.equal((await vnfm.request('DELETE', `${PKGS}/${never}`)).status, 204);
      // An ENABLED package is not deleted (409), and nothing is reported.
      assert.equal((await vnfm.request('DELETE', `${PKGS}/${a}`)).status, 409);
      assert.equal(await totalRows(), before);
    });

    test('a change that does not happen writes no notification', async () => {
      const db = vnfm.ctx.db;
      const pkgA = (await getPackage(db, a)) as VnfPkgInfo;
      assert.equal(pkgA.operationalState, 'ENABLED');
      const before = await totalRows();
      // Compare-and-set lost: the package is not DISABLED (another request moved it first).
      const stale = { ...pkgA, operationalState: 'DISABLED' } as const;
      assert.equal(
        await updatePackage(db, { ...pkgA, operationalState: 'ENABLED' }, ['ONBOARDED'], {
          operationalState: 'DISABLED',
          notify: PACKAGE_OP_STATE_CHANGED,
        }),
        false,
      );
      assert.equal(await deletePackage(db, stale, PACKAGE_DELETED), false);
      assert.ok(await getPackage(db, a), 'not deleted');
      // The state change itself fails (the unique vnfdId): its notifications go with it.
      const c = await createPkg(vnfm);
      const pkgC = (await getPackage(db, c)) as VnfPkgInfo;
      await assert.rejects(
        updatePackage(
          db,
          { ...pkgC, vnfdId: vnfdA, onboardingState: 'ONBOARDED', operationalState: 'ENABLED' },
          ['CREATED'],
          { notify: PACKAGE_ONBOARDED },
        ),
      );
      assert.equal((await getPackage(db, c))?.onboardingState, 'CREATED');
      assert.equal(await totalRows(), before);
    });

    test('usageState: a package IN_USE matches it; the usage change itself is not reported', async () => {
      const before = await totalRows();
      const instance = await createInstance(vnfm, vnfdA, 'cnf-of-a');
      assert.equal((await getPackage(vnfm.ctx.db, a))?.usageState, 'IN_USE');
      assert.equal(await totalRows(), before, 'no package notification for IN_USE');
      await setOperationalState(vnfm, a, 'DISABLED');
      const disabled = ['VnfPackageChangeNotification', 'OP_STATE_CHANGE', 'DISABLED'];
      assert.deepEqual((await got(a))['in-use'], [disabled]);
      assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${instance}`)).status, 204);
      const pkgA = await getPackage(vnfm.ctx.db, a);
      assert.equal(pkgA?.usageState, 'NOT_IN_USE');
      assert.equal(pkgA?.operationalState, 'DISABLED', 'the usage update leaves the operational state');
      // The DISABLED change only (all, change, pkg-a, disabled, in-use, product); NOT_IN_USE again is not reported.
      assert.equal(await totalRows(), before + 6);
    });

    test('deleting a subscription drops its queued package notifications', async () => {
      assert.ok((await outbox('pkg-a')).length > 0);
      assert.equal((await vnfm.request('DELETE', `/vnfpkgm/v1/subscriptions/${subs['pkg-a']}`)).status, 204);
      assert.deepEqual(await outbox('pkg-a'), []);
      assert.ok((await outbox('all')).length > 0, 'other subscriptions keep theirs');
      delete subs['pkg-a'];
    });
  });
}

describe('package notifications through the delivery loop', () => {
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

  test('a receiver gets onboarding, disable and deletion of a package, in order, ETSI-valid', async () => {
    const subId = await subscribe(vnfm, receiver, 'pkg');
    const id = await onboardZip(vnfm, (await cnfPackage()).zip);
    await setOperationalState(vnfm, id, 'DISABLED');
    assert.equal((await vnfm.request('DELETE', `${PKGS}/${id}`)).status, 204);
    const rows = await eventually(
      'three notifications delivered',
      async () => vnfm.ctx.db.selectFrom('notification_outbox').selectAll().orderBy('sequence').execute(),
      (rs) => rs.length === 3 && rs.every((r) => r.state === 'DELIVERED'),
    );
    // In normal operation each arrives once (assertValidAndUnique checks the ids).
    const got = posted(receiver);
    assert.deepEqual(
      got.map((n) => [n.notificationType, n.changeType, n.operationalState]),
      [
        ['VnfPackageOnboardingNotification', undefined, undefined],
        ['VnfPackageChangeNotification', 'OP_STATE_CHANGE', 'DISABLED'],
        ['VnfPackageChangeNotification', 'PKG_DELETE', undefined],
      ],
    );
    assert.deepEqual(
      got.map((n) => n.id),
      rows.map((r) => r.id),
    );
    assertValidAndUnique(got);
    for (const n of got) {
      assert.equal(n.subscriptionId, subId);
      assert.equal(n.vnfPkgId, id);
    }
  });
});
