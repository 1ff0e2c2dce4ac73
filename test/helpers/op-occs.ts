// Op occs for tests that drive state changes through the store's queries directly
// (src/db/queries/op-occs.ts), without a worker or a cluster.
import { randomUUID } from 'node:crypto';
import type { VnfLcmOpOcc } from '../../src/lcm/model.ts';

/** A new op occ of `operation` on `instanceId`, in STARTING. */
export function newOpOcc(instanceId: string, operation: VnfLcmOpOcc['operation']): VnfLcmOpOcc {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    operationState: 'STARTING',
    stateEnteredTime: now,
    startTime: now,
    vnfInstanceId: instanceId,
    operation,
    isAutomaticInvocation: false,
    operationParams: {},
    isCancelPending: false,
  };
}

/** `o` in `state` (entered now), with `more` set. */
export const inState = (
  o: VnfLcmOpOcc,
  state: VnfLcmOpOcc['operationState'],
  more: Partial<VnfLcmOpOcc> = {},
): VnfLcmOpOcc => ({ ...o, ...more, operationState: state, stateEnteredTime: new Date().toISOString() });
