// Writing notifications into the outbox, inside the caller's transaction: the op occ's
// state change and its notifications commit together or not at all, so a crash can
// neither lose a notification nor report a change that did not happen.
import type { LifecycleChangeNotificationsFilter } from '../api/schemas/index.ts';
import type { Db } from '../db/connect.ts';
import { getInstance } from '../db/queries/instances.ts';
import { enqueueNotifications, orderingKey, subscriptionFilters } from '../db/queries/outbox.ts';
import type { VnfLcmOpOcc } from '../lcm/model.ts';
import { opOccNotification } from './lcm-notifications.ts';
import { lcmFilterMatches } from './match.ts';

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
  const entries = subs
    .filter((s) => lcmFilterMatches(JSON.parse(s.filter) as LifecycleChangeNotificationsFilter, subject))
    .map((s) => ({
      subscriptionId: s.id,
      orderingKey: orderingKey(s.id, o.vnfInstanceId),
      body: opOccNotification(o, s.id),
    }));
  await enqueueNotifications(tx, entries, new Date().toISOString());
}
