// The same notifications as lcm-notifications.ts, for /vnflcm/v2's subscriptions: SOL003
// v3.3.1's shapes (affectedVnfcs with vnfdId, `_links` under /vnflcm/v2).
import type { VnfLcmOpOcc } from '../lcm/model.ts';
import {
  identifierNotification,
  type IdentifierNotificationType,
  opOccNotification,
} from './lcm-notifications.ts';
import { subscriptionsPath } from './model.ts';

const BASE = '/vnflcm/v2';

type Notification = { id: string } & Record<string, unknown>;

export function opOccNotificationV2(o: VnfLcmOpOcc, subscriptionId: string, vnfdId: string): Notification {
  const n = opOccNotification(o, subscriptionId);
  const affected = n.affectedVnfcs as Record<string, unknown>[] | undefined;
  return {
    ...n,
    ...(affected ? { affectedVnfcs: affected.map((c) => ({ ...c, vnfdId })) } : {}),
    _links: {
      vnfInstance: { href: `${BASE}/vnf_instances/${o.vnfInstanceId}` },
      subscription: { href: `${subscriptionsPath('vnflcmV2')}/${subscriptionId}` },
      vnfLcmOpOcc: { href: `${BASE}/vnf_lcm_op_occs/${o.id}` },
    },
  };
}

export function identifierNotificationV2(
  type: IdentifierNotificationType,
  vnfInstanceId: string,
  subscriptionId: string,
  timeStamp: string,
): Notification {
  return {
    ...identifierNotification(type, vnfInstanceId, subscriptionId, timeStamp),
    _links: {
      vnfInstance: { href: `${BASE}/vnf_instances/${vnfInstanceId}` },
      subscription: { href: `${subscriptionsPath('vnflcmV2')}/${subscriptionId}` },
    },
  };
}
