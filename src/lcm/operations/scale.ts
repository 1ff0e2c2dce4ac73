// SCALE (SOL003 §5.4.5): SCALE_OUT / SCALE_IN of one aspect by numberOfSteps,
// within 0..max_scale_level and the VDU profiles.
import { badRequest, conflict } from '../../errors.ts';
import { flavour as findFlavour } from '../../packages/vnfd/index.ts';
import { loadVnfd } from '../infra-context.ts';
import type { LcmOperationHandler } from '../operation.ts';
import { applyLevels, checkLevel, checkReplicas, currentLevels, restoreLevels } from './scaling.ts';

function target(current: Record<string, number>, body: Record<string, unknown>) {
  const aspectId = String(body.aspectId);
  const steps = body.numberOfSteps === undefined ? 1 : Number(body.numberOfSteps);
  const dir = body.type === 'SCALE_OUT' ? 1 : -1;
  return { aspectId, level: (current[aspectId] ?? 0) + dir * steps, steps };
}

export const scale: LcmOperationHandler = {
  operation: 'SCALE',

  async accept(ctx, stored, body) {
    const info = stored.instance.instantiatedVnfInfo;
    if (stored.instance.instantiationState !== 'INSTANTIATED' || !info) {
      throw conflict(`VNF instance ${stored.instance.id} is NOT_INSTANTIATED`);
    }
    if (body.type !== 'SCALE_OUT' && body.type !== 'SCALE_IN')
      throw badRequest("type must be 'SCALE_OUT' or 'SCALE_IN'");
    if (typeof body.aspectId !== 'string' || !body.aspectId) throw badRequest('aspectId is required');
    const { aspectId, level, steps } = target(currentLevels(stored), body);
    if (!Number.isInteger(steps) || steps < 1) throw badRequest('numberOfSteps must be a positive integer');
    const flavour = findFlavour(await loadVnfd(ctx, stored.instance), info.flavourId);
    if (!flavour) throw conflict(`flavour ${info.flavourId} is no longer in the VNFD`);
    checkLevel(flavour, aspectId, level);
    checkReplicas(flavour, stored.infraState.instantiationLevelId, {
      ...currentLevels(stored),
      [aspectId]: level,
    });
    return { operationParams: body };
  },

  async run(ctx, opOcc, stored) {
    const current = currentLevels(stored);
    const { aspectId, level } = target(current, opOcc.operationParams);
    return applyLevels(ctx, stored, { ...current, [aspectId]: level });
  },

  rollback: (ctx, _opOcc, stored) => restoreLevels(ctx, stored),
};
