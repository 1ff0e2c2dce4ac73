// SOL003 notification bodies, one per matching subscription (each carries its
// subscriptionId): §5.5.2.17 VnfLcmOperationOccurrenceNotification for an op occ's state
// change, §5.5.2.18/19 VnfIdentifierCreation/DeletionNotification for an instance resource.
import { randomUUID } from 'node:crypto';
import type { VnfLcmOpOcc } from '../lcm/model.ts';
import { subscriptionsPath } from './model.ts';

/**
 * SOL003 §5.6.2.2: START for the states an operation (or its rollback) begins in,
 * RESULT for an intermediate or final result.
 */
export function notificationStatus(state: VnfLcmOpOcc['operationState']): 'START' | 'RESULT' {
  return state === 'STARTING' || state === 'PROCESSING' || state === 'ROLLING_BACK' ? 'START' : 'RESULT';
}

export function opOccNotification(
  o: VnfLcmOpOcc,
  subscriptionId: string,
): { id: string } & Record<string, unknown> {
  const status = notificationStatus(o.operationState);
  return {
    id: randomUUID(),
    notificationType: 'VnfLcmOperationOccurrenceNotification',
    subscriptionId,
    timeStamp: o.stateEnteredTime,
    notificationStatus: status,
    operationState: o.operationState,
    vnfInstanceId: o.vnfInstanceId,
    operation: o.operation,
    isAutomaticInvocation: o.isAutomaticInvocation,
    vnfLcmOpOccId: o.id,
    // The resource changes and error are results: a START notification has none yet.
    ...(status === 'RESULT' && o.resourceChanges?.affectedVnfcs.length
      ? { affectedVnfcs: o.resourceChanges.affectedVnfcs }
      : {}),
    ...(status === 'RESULT' && o.error ? { error: o.error } : {}),
    _links: {
      vnfInstance: { href: `/vnflcm/v1/vnf_instances/${o.vnfInstanceId}` },
      subscription: { href: `${subscriptionsPath('vnflcm')}/${subscriptionId}` },
      vnfLcmOpOcc: { href: `/vnflcm/v1/vnf_lcm_op_occs/${o.id}` },
    },
  };
}

export type IdentifierNotificationType =
  'VnfIdentifierCreationNotification' | 'VnfIdentifierDeletionNotification';

export function identifierNotification(
  type: IdentifierNotificationType,
  vnfInstanceId: string,
  subscriptionId: string,
  timeStamp: string,
): { id: string } & Record<string, unknown> {
  return {
    id: randomUUID(),
    notificationType: type,
    subscriptionId,
    timeStamp,
    vnfInstanceId,
    _links: {
      vnfInstance: { href: `/vnflcm/v1/vnf_instances/${vnfInstanceId}` },
      subscription: { href: `${subscriptionsPath('vnflcm')}/${subscriptionId}` },
    },
  };
}
