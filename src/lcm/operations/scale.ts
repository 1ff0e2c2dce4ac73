// SCALE (SOL003 §5.4.5): SCALE_OUT / SCALE_IN of one aspect by numberOfSteps,
// within 0..max_scale_level and the VDU profiles. The body's shape is ScaleVnfRequest's
// (src/api/schemas), checked before accept().
import type { ScaleVnfRequest } from '../../api/schemas/vnflcm.ts';
import { conflict } from '../../errors.ts';
import { flavour as findFlavour } from '../../packages/vnfd/index.ts';
import { loadVnfd } from '../infra-context.ts';
import { withMgmt } from '../../mgmt/lcm.ts';
import type { LcmOperationHandler } from '../operation.ts';
import { applyLevels, checkLevel, checkReplicas, currentLevels, restoreLevels } from './scaling.ts';

function target(current: Record<string, number>, params: Record<string, unknown>) {
  const body = params as ScaleVnfRequest;
  const steps = body.numberOfSteps ?? 1;
  const dir = body.type === 'SCALE_OUT' ? 1 : -1;
  return { aspectId: body.aspectId, level: (current[body.aspectId] ?? 0) + dir * steps };
}

export const scale: LcmOperationHandler = withMgmt({
  operation: 'SCALE',

  async accept(ctx, stored, body) {
    const info = stored.instance.instantiatedVnfInfo;
    if (stored.instance.instantiationState !== 'INSTANTIATED' || !info) {
      throw conflict(`VNF instance ${stored.instance.id} is NOT_INSTANTIATED`);
    }
    const { aspectId, level } = target(currentLevels(stored), body);
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
    return applyLevels(ctx, opOcc, stored, { ...current, [aspectId]: level });
  },

  rollback: (ctx, opOcc, stored) => restoreLevels(ctx, opOcc, stored),
});
