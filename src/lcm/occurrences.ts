// The VnfLcmOpOcc state machine (SOL003 §5.6.2): STARTING → PROCESSING →
// COMPLETED | FAILED_TEMP; from FAILED_TEMP retry → PROCESSING, rollback →
// ROLLING_BACK → ROLLED_BACK, fail → FAILED. Requests only move states and queue
// work; the worker does the work.
import { randomUUID } from 'node:crypto';
import { getInstance, saveInstance } from '../db/queries/instances.ts';
import { activeOpOcc, getOpOcc, insertOpOcc, transitionOpOcc } from '../db/queries/op-occs.ts';
import { conflict, notFound } from '../errors.ts';
import type { LcmContext } from './context.ts';
import type { LcmOperation, OperationState, VnfLcmOpOcc } from './model.ts';
import type { LcmOperationHandler } from './operation.ts';
import { changeVnfpkg } from './operations/change-vnfpkg.ts';
import { heal } from './operations/heal.ts';
import { instantiate } from './operations/instantiate.ts';
import { modifyInfo } from './operations/modify-info.ts';
import { scaleToLevel } from './operations/scale-to-level.ts';
import { scale } from './operations/scale.ts';
import { terminate } from './operations/terminate.ts';

export const HANDLERS: Partial<Record<LcmOperation, LcmOperationHandler>> = {
  INSTANTIATE: instantiate,
  SCALE: scale,
  SCALE_TO_LEVEL: scaleToLevel,
  HEAL: heal,
  TERMINATE: terminate,
  MODIFY_INFO: modifyInfo,
  CHANGE_VNFPKG: changeVnfpkg,
};

export interface Engine {
  ctx: LcmContext;
  /** Tells the local worker there is work (other processes find it by polling). */
  wake: () => void;
}

const now = () => new Date().toISOString();

export function moved(o: VnfLcmOpOcc, state: OperationState, extra: Partial<VnfLcmOpOcc> = {}): VnfLcmOpOcc {
  return { ...o, ...extra, operationState: state, stateEnteredTime: now() };
}

const busy = (o: VnfLcmOpOcc) =>
  conflict(
    `VNF instance ${o.vnfInstanceId} has operation ${o.operation} (${o.id}) in state ${o.operationState}`,
  );

/** Accepts an LCM request: validates it, records the op occ STARTING and queues it. */
export async function startOperation(
  engine: Engine,
  vnfInstanceId: string,
  operation: LcmOperation,
  body: Record<string, unknown>,
): Promise<VnfLcmOpOcc> {
  const { ctx } = engine;
  const handler = HANDLERS[operation];
  if (!handler) throw conflict(`operation ${operation} is not supported`);
  const stored = await getInstance(ctx.db, vnfInstanceId);
  if (!stored) throw notFound(`VNF instance ${vnfInstanceId} does not exist`);
  const active = await activeOpOcc(ctx.db, vnfInstanceId);
  if (active) throw busy(active);
  const accepted = await handler.accept(ctx, stored, body);
  const t = now();
  const op: VnfLcmOpOcc = {
    id: randomUUID(),
    operationState: 'STARTING',
    stateEnteredTime: t,
    startTime: t,
    vnfInstanceId,
    operation,
    isAutomaticInvocation: false,
    operationParams: accepted.operationParams,
    isCancelPending: false,
  };
  try {
    await insertOpOcc(ctx.db, op, null);
  } catch (e) {
    // The partial unique index: another request started an operation meanwhile.
    const other = await activeOpOcc(ctx.db, vnfInstanceId);
    if (other) throw busy(other);
    throw e;
  }
  if (accepted.engineState) await saveInstance(ctx.db, stored.instance, { infraState: accepted.engineState });
  await transitionOpOcc(ctx.db, op, ['STARTING'], 'run');
  engine.wake();
  return op;
}

async function mustGet(engine: Engine, id: string): Promise<VnfLcmOpOcc> {
  const op = await getOpOcc(engine.ctx.db, id);
  if (!op) throw notFound(`VNF LCM operation occurrence ${id} does not exist`);
  return op;
}

function notIn(op: VnfLcmOpOcc, action: string, states: string) {
  return conflict(`cannot ${action} operation ${op.id}: it is ${op.operationState}, not ${states}`);
}

export async function retryOperation(engine: Engine, id: string): Promise<VnfLcmOpOcc> {
  const op = await mustGet(engine, id);
  const next = moved(op, 'PROCESSING');
  delete next.error;
  delete next._progress; // the failed attempt's; the new run tells its own
  if (
    op.operationState !== 'FAILED_TEMP' ||
    !(await transitionOpOcc(engine.ctx.db, next, ['FAILED_TEMP'], 'run'))
  ) {
    throw notIn(op, 'retry', 'FAILED_TEMP');
  }
  engine.wake();
  return next;
}

export async function rollbackOperation(engine: Engine, id: string): Promise<VnfLcmOpOcc> {
  const op = await mustGet(engine, id);
  if (!HANDLERS[op.operation]?.rollback) {
    throw conflict(`operation ${op.operation} cannot be rolled back; retry or fail it`);
  }
  const next = moved(op, 'ROLLING_BACK');
  delete next._progress; // the failed run's; the rollback tells its own steps
  if (
    op.operationState !== 'FAILED_TEMP' ||
    !(await transitionOpOcc(engine.ctx.db, next, ['FAILED_TEMP'], 'rollback'))
  ) {
    throw notIn(op, 'roll back', 'FAILED_TEMP');
  }
  engine.wake();
  return next;
}

export async function failOperation(engine: Engine, id: string): Promise<VnfLcmOpOcc> {
  const op = await mustGet(engine, id);
  const next = moved(op, 'FAILED');
  if (
    op.operationState !== 'FAILED_TEMP' ||
    !(await transitionOpOcc(engine.ctx.db, next, ['FAILED_TEMP'], null))
  ) {
    throw notIn(op, 'fail', 'FAILED_TEMP');
  }
  return next;
}

/**
 * STARTING (not yet picked up): ROLLED_BACK at once. PROCESSING: marked
 * isCancelPending; the worker ends it in FAILED_TEMP when its current step returns.
 */
export async function cancelOperation(
  engine: Engine,
  id: string,
  cancelMode: 'GRACEFUL' | 'FORCEFUL',
): Promise<void> {
  const op = await mustGet(engine, id);
  if (op.operationState === 'STARTING') {
    const next = moved(op, 'ROLLED_BACK', { cancelMode });
    if (await transitionOpOcc(engine.ctx.db, next, ['STARTING'], null)) return;
  }
  const current = await mustGet(engine, id);
  if (current.operationState !== 'PROCESSING' && current.operationState !== 'STARTING') {
    throw notIn(current, 'cancel', 'STARTING or PROCESSING');
  }
  const marked = { ...current, isCancelPending: true, cancelMode };
  if (!(await transitionOpOcc(engine.ctx.db, marked, [current.operationState], 'run', true))) {
    throw notIn(current, 'cancel', 'STARTING or PROCESSING');
  }
}
