// Writing notifications into the outbox, inside the caller's transaction: the op occ's
// state change and its notifications commit together or not at all, so a crash can
// neither lose a notification nor report a change that did not happen.
import type { LifecycleChangeNotificationsFilter } from '../api/schemas/index.ts';
import type { Db } from '../db/connect.ts';
import { getInstance } from '../db/queries/instances.ts';
import { enqueueNotifications, orderingKey, subscriptionFilters } from '../db/queries/outbox.ts';
import type { VnfInstance, VnfLcmOpOcc } from '../lcm/model.ts';
import {
  identifierNotification,
  type IdentifierNotificationType,
  opOccNotification,
} from './lcm-notifications.ts';
import { type LcmSubject, lcmFilterMatches } from './match.ts';

/** Queues a VnfLcmOperationOccurrenceNotification of `o`'s current state for each matching subscription. */
export async function enqueueOpOccNotifications(tx: Db, o: VnfLcmOpOcc): Promise<void> {
  const subs = await subscriptionFilters(tx, 'vnflcm');
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
  await enqueueMatching(tx, subs, subject, (id) => opOccNotification(o, id));
}

/** Queues a VnfIdentifierCreation/DeletionNotification of `instance` for each matching subscription. */
export async function enqueueIdentifierNotifications(
  tx: Db,
  type: IdentifierNotificationType,
  instance: VnfInstance,
): Promise<void> {
  const subs = await subscriptionFilters(tx, 'vnflcm');
  const now = new Date().toISOString();
  await enqueueMatching(tx, subs, { notificationType: type, instance }, (id) =>
    identifierNotification(type, instance.id, id, now),
  );
}

/** One outbox row per subscription whose filter `subject` passes, ordered per subscription + instance. */
async function enqueueMatching(
  tx: Db,
  subs: { id: string; filter: string }[],
  subject: LcmSubject,
  body: (subscriptionId: string) => { id: string } & Record<string, unknown>,
): Promise<void> {
  const entries = subs
    .filter((s) => lcmFilterMatches(JSON.parse(s.filter) as LifecycleChangeNotificationsFilter, subject))
    .map((s) => ({
      subscriptionId: s.id,
      orderingKey: orderingKey(s.id, subject.instance.id),
      body: body(s.id),
    }));
  await enqueueNotifications(tx, entries, new Date().toISOString());
}
