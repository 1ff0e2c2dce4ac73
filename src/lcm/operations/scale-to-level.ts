// SCALE_TO_LEVEL (SOL003 §5.4.6): to an instantiation level, or to explicit
// scale levels per aspect (scaleInfo). The body's shape is ScaleVnfToLevelRequest's
// (src/api/schemas), checked before accept(); here: one of the two, and the VNFD.
import type { ScaleVnfToLevelRequest } from '../../api/schemas/vnflcm.ts';
import { badRequest, conflict } from '../../errors.ts';
import { flavour as findFlavour, scaleLevelsAt, type Flavour } from '../../packages/vnfd/index.ts';
import { infraContext, loadVnfd } from '../infra-context.ts';
import { withMgmt } from '../../mgmt/lcm.ts';
import type { LcmOperationHandler } from '../operation.ts';
import { applyLevels, checkLevel, checkReplicas, currentLevels, restoreLevels } from './scaling.ts';

function targetLevels(flavour: Flavour, current: Record<string, number>, params: Record<string, unknown>) {
  const body = params as ScaleVnfToLevelRequest;
  if (body.instantiationLevelId !== undefined && body.scaleInfo !== undefined) {
    throw badRequest('give instantiationLevelId or scaleInfo, not both');
  }
  if (body.instantiationLevelId !== undefined) {
    if (!flavour.instantiationLevels.some((l) => l.id === body.instantiationLevelId)) {
      throw badRequest(
        `instantiationLevelId '${body.instantiationLevelId}' is not a level of flavour ${flavour.flavourId}`,
      );
    }
    return { ...current, ...scaleLevelsAt(flavour, body.instantiationLevelId) };
  }
  if (body.scaleInfo === undefined) throw badRequest('instantiationLevelId or scaleInfo is required');
  const next = { ...current };
  for (const s of body.scaleInfo) {
    checkLevel(flavour, s.aspectId, s.scaleLevel);
    next[s.aspectId] = s.scaleLevel;
  }
  return next;
}

export const scaleToLevel: LcmOperationHandler = withMgmt({
  operation: 'SCALE_TO_LEVEL',

  async accept(ctx, stored, body) {
    const info = stored.instance.instantiatedVnfInfo;
    if (stored.instance.instantiationState !== 'INSTANTIATED' || !info) {
      throw conflict(`VNF instance ${stored.instance.id} is NOT_INSTANTIATED`);
    }
    const flavour = findFlavour(await loadVnfd(ctx, stored.instance), info.flavourId);
    if (!flavour) throw conflict(`flavour ${info.flavourId} is no longer in the VNFD`);
    checkReplicas(
      flavour,
      stored.infraState.instantiationLevelId,
      targetLevels(flavour, currentLevels(stored), body),
    );
    return { operationParams: body };
  },

  async run(ctx, opOcc, stored) {
    const { flavour } = await infraContext(ctx, stored.instance, stored.infraState);
    return applyLevels(
      ctx,
      opOcc,
      stored,
      targetLevels(flavour, currentLevels(stored), opOcc.operationParams),
    );
  },

  rollback: (ctx, opOcc, stored) => restoreLevels(ctx, opOcc, stored),
});
