// What SCALE and SCALE_TO_LEVEL share: replicas of every VDU at a set of aspect
// scale levels, applied through the driver, and the instance's scaleStatus after.
import { saveInstance, type StoredInstance } from '../../db/queries/instances.ts';
import { badRequest } from '../../errors.ts';
import { maxScaleLevel, vduReplicas, type Flavour } from '../../packages/vnfd/index.ts';
import type { LcmContext } from '../context.ts';
import { driverFor, infraContext } from '../infra-context.ts';
import type { AffectedVnfc } from '../model.ts';
import { observeVnfcs, partialState, vnfcChanges } from '../vnfcs.ts';

export function currentLevels(stored: StoredInstance): Record<string, number> {
  return Object.fromEntries(
    (stored.instance.instantiatedVnfInfo?.scaleStatus ?? []).map((s) => [s.aspectId, s.scaleLevel]),
  );
}

export function checkLevel(flavour: Flavour, aspectId: string, level: number): void {
  const max = maxScaleLevel(flavour, aspectId);
  if (max === undefined)
    throw badRequest(`aspectId '${aspectId}' is not a scaling aspect of flavour ${flavour.flavourId}`);
  if (level < 0) throw badRequest(`aspect ${aspectId} would go to scale level ${level}, below 0`);
  if (level > max)
    throw badRequest(`aspect ${aspectId} would go to scale level ${level}, above max_scale_level ${max}`);
}

/** Replicas of the VDUs whose count differs between two sets of levels, plus the VDU profile check. */
function replicasAt(flavour: Flavour, levelId: string | undefined, levels: Record<string, number>) {
  const out: Record<string, number> = {};
  for (const vdu of flavour.vdus) {
    const n = vduReplicas(flavour, vdu.id, levelId, levels);
    const { minNumberOfInstances: min, maxNumberOfInstances: max } = vdu.vduProfile;
    if (n < min || n > max)
      throw badRequest(`${vdu.id} would have ${n} instances, outside its vdu_profile ${min}..${max}`);
    out[vdu.id] = n;
  }
  return out;
}

export function checkReplicas(
  flavour: Flavour,
  levelId: string | undefined,
  levels: Record<string, number>,
): void {
  replicasAt(flavour, levelId, levels);
}

/** Sets the instance to `levels`: driver.scale with the VDUs that change, then records the result. */
export async function applyLevels(
  ctx: LcmContext,
  stored: StoredInstance,
  levels: Record<string, number>,
): Promise<AffectedVnfc[]> {
  const state = stored.infraState;
  const ictx = await infraContext(ctx, stored.instance, state);
  const driver = driverFor(ctx, state);
  const before = replicasAt(ictx.flavour, state.instantiationLevelId, currentLevels(stored));
  const after = replicasAt(ictx.flavour, state.instantiationLevelId, levels);
  const changed = Object.fromEntries(Object.entries(after).filter(([vdu, n]) => before[vdu] !== n));
  let driverState = state.driverState ?? {};
  try {
    if (Object.keys(changed).length > 0) driverState = await driver.scale(ictx, changed, driverState);
  } catch (e) {
    const partial = partialState(e);
    if (partial)
      await saveInstance(ctx.db, stored.instance, { infraState: { ...state, driverState: partial } });
    throw e;
  }
  const previous = stored.instance.instantiatedVnfInfo?.vnfcResourceInfo ?? [];
  const vnfcs = await observeVnfcs(driver, ictx, driverState, state.vimConnectionId ?? 'vim-0');
  const info = stored.instance.instantiatedVnfInfo;
  const instance = {
    ...stored.instance,
    instantiatedVnfInfo: {
      ...(info ?? { flavourId: ictx.flavour.flavourId, vnfState: 'STARTED' as const }),
      scaleStatus: Object.entries(levels).map(([aspectId, scaleLevel]) => ({ aspectId, scaleLevel })),
      vnfcResourceInfo: vnfcs,
    },
  };
  await saveInstance(ctx.db, instance, { infraState: { ...state, driverState } });
  return vnfcChanges(previous, vnfcs);
}

/** Rollback of a scale: back to the levels the instance still records (they change only on success). */
export async function restoreLevels(ctx: LcmContext, stored: StoredInstance): Promise<void> {
  const state = stored.infraState;
  const ictx = await infraContext(ctx, stored.instance, state);
  const driver = driverFor(ctx, state);
  const replicas = replicasAt(ictx.flavour, state.instantiationLevelId, currentLevels(stored));
  const driverState = driver.rollbackScale
    ? await driver.rollbackScale(ictx, state.driverState ?? {})
    : await driver.scale(ictx, replicas, state.driverState ?? {});
  await saveInstance(ctx.db, stored.instance, { infraState: { ...state, driverState } });
}
