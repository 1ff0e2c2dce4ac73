// The shape of one LCM operation (one module each under ./operations): `accept`
// validates a request against the instance before anything is touched, `run`
// does the work (and is safe to run again on retry), `rollback` undoes it.
import type { StoredInstance } from '../db/queries/instances.ts';
import type { EngineState, LcmContext } from './context.ts';
import type { AffectedVnfc, LcmOperation, VnfLcmOpOcc } from './model.ts';

export interface Accepted {
  operationParams: Record<string, unknown>;
  /** Engine state to store with the instance before the operation is queued. */
  engineState?: EngineState;
}

export interface LcmOperationHandler {
  operation: LcmOperation;
  accept(ctx: LcmContext, stored: StoredInstance, body: Record<string, unknown>): Promise<Accepted>;
  run(ctx: LcmContext, opOcc: VnfLcmOpOcc, stored: StoredInstance): Promise<AffectedVnfc[]>;
  /** Absent when the operation cannot be rolled back (retry or fail it instead). */
  rollback?: (ctx: LcmContext, opOcc: VnfLcmOpOcc, stored: StoredInstance) => Promise<void>;
}
