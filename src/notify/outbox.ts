// Writing notifications into the outbox, inside the caller's transaction: the op occ's,
// instance's or package's change and its notifications commit together or not at all,
// so a crash can neither lose a notification nor report a change that did not happen.
import type { LifecycleChangeNotificationsFilter, PkgmNotificationsFilter } from '../api/schemas/index.ts';
import type { Db } from '../db/connect.ts';
import { getInstance } from '../db/queries/instances.ts';
import { enqueueNotifications, orderingKey, subscriptionFilters } from '../db/queries/outbox.ts';
import type { VnfInstance, VnfLcmOpOcc } from '../lcm/model.ts';
import type { VnfPkgInfo } from '../packages/model.ts';
import {
  identifierNotification,
  type IdentifierNotificationType,
  opOccNotification,
} from './lcm-notifications.ts';
import { identifierNotificationV2, opOccNotificationV2 } from './lcm-notifications-v2.ts';
import { type LcmSubject, lcmFilterMatches, pkgFilterMatches } from './match.ts';
import { type PackageEvent, packageNotification } from './pkg-notifications.ts';

/** Queues a VnfLcmOperationOccurrenceNotification of `o`'s current state for each matching subscription. */
export async function enqueueOpOccNotifications(tx: Db, o: VnfLcmOpOcc): Promise<void> {
  const subs = await subscriptionFilters(tx, 'vnflcm', 'vnflcmV2');
  if (subs.length === 0) return;
  const stored = await getInstance(tx, o.vnfInstanceId);
  // An op occ always has its instance (it is deleted only without blocking op occs); without one, nothing can match.
  if (!stored) return;
  const subject = {
    notificationType: 'VnfLcmOperationOccurrenceNotification',
    operation: o.operation,
    operationState: o.operationState,
    instance: stored.instance,
  };
  const vnfdId = stored.instance.vnfdId;
  await enqueueMatching(tx, subs, lcmMatches(subject), o.vnfInstanceId, (id, api) =>
    api === 'vnflcmV2' ? opOccNotificationV2(o, id, vnfdId) : opOccNotification(o, id),
  );
}

/** Queues a VnfIdentifierCreation/DeletionNotification of `instance` for each matching subscription. */
export async function enqueueIdentifierNotifications(
  tx: Db,
  type: IdentifierNotificationType,
  instance: VnfInstance,
): Promise<void> {
  const subs = await subscriptionFilters(tx, 'vnflcm', 'vnflcmV2');
  const now = new Date().toISOString();
  await enqueueMatching(tx, subs, lcmMatches({ notificationType: type, instance }), instance.id, (id, api) =>
    api === 'vnflcmV2'
      ? identifierNotificationV2(type, instance.id, id, now)
      : identifierNotification(type, instance.id, id, now),
  );
}

/** Queues a VnfPackageOnboarding/ChangeNotification of `pkg` (as the change left it) for each matching subscription. */
export async function enqueuePackageNotifications(
  tx: Db,
  event: PackageEvent,
  pkg: VnfPkgInfo,
): Promise<void> {
  const subs = await subscriptionFilters(tx, 'vnfpkgm');
  const now = new Date().toISOString();
  const subject = { notificationType: event.notificationType, pkg };
  await enqueueMatching(
    tx,
    subs,
    (filter) => pkgFilterMatches(filter as PkgmNotificationsFilter, subject),
    pkg.id,
    (id) => packageNotification(event, pkg, id, now),
  );
}

const lcmMatches = (subject: LcmSubject) => (filter: unknown) =>
  lcmFilterMatches(filter as LifecycleChangeNotificationsFilter, subject);

/**
 * One outbox row per subscription whose filter `matches`, ordered per subscription +
 * subject (the VNF instance or package the notification is about).
 */
async function enqueueMatching(
  tx: Db,
  subs: { id: string; api: string; filter: string }[],
  matches: (filter: unknown) => boolean,
  subjectId: string,
  body: (subscriptionId: string, api: string) => { id: string } & Record<string, unknown>,
): Promise<void> {
  const entries = subs
    .filter((s) => matches(JSON.parse(s.filter)))
    .map((s) => ({
      subscriptionId: s.id,
      orderingKey: orderingKey(s.id, subjectId),
      body: body(s.id, s.api),
    }));
  await enqueueNotifications(tx, entries, new Date().toISOString());
}
