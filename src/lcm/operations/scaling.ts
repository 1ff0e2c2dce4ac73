// What SCALE and SCALE_TO_LEVEL share: replicas of every VDU at a set of aspect
// scale levels, applied through the driver, and the instance's scaleStatus after.
import { saveInstance, type StoredInstance } from '../../db/queries/instances.ts';
import { badRequest } from '../../errors.ts';
import { maxScaleLevel, vduReplicas, type Flavour } from '../../packages/vnfd/index.ts';
import type { LcmContext } from '../context.ts';
import { driverFor, infraContext } from '../infra-context.ts';
import type { BoundHost } from '../../infra/hosts/model.ts';
import {
  addedHosts,
  compensate,
  hostsBefore,
  instanceDriver,
  type MgmtTarget,
  runHook,
} from '../../mgmt/hooks.ts';
import { boundVnfcs } from '../../mgmt/vnfcs.ts';
import type { AffectedVnfc, VnfLcmOpOcc } from '../model.ts';
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

/**
 * On SCALE_IN, the hosts the infra driver will release: per VDU that shrinks, its
 * last-bound VNFCs (the hostpool driver releases highest binding index first).
 */
function releasedOnScale(
  hosts: readonly BoundHost[],
  before: Record<string, number>,
  after: Record<string, number>,
): BoundHost[] {
  const out: BoundHost[] = [];
  for (const [vdu, n] of Object.entries(after)) {
    const drop = (before[vdu] ?? 0) - n;
    if (drop <= 0) continue;
    const mine = hosts.filter((h) => h.vduId === vdu).sort((a, b) => a.index - b.index);
    out.push(...mine.slice(Math.max(0, mine.length - drop)));
  }
  return out;
}

/**
 * Sets the instance to `levels`: the MgmtDriver's scale_start, driver.scale with the VDUs
 * that change, scale_end, then records the result.
 */
export async function applyLevels(
  ctx: LcmContext,
  opOcc: VnfLcmOpOcc,
  stored: StoredInstance,
  levels: Record<string, number>,
): Promise<AffectedVnfc[]> {
  let ictx = await infraContext(ctx, stored.instance, stored.infraState, opOcc);
  let target: MgmtTarget = { instance: stored.instance, state: stored.infraState };
  const before = replicasAt(ictx.flavour, target.state.instantiationLevelId, currentLevels(stored));
  const after = replicasAt(ictx.flavour, target.state.instantiationLevelId, levels);
  const changed = Object.fromEntries(Object.entries(after).filter(([vdu, n]) => before[vdu] !== n));
  const hosts = await hostsBefore(ctx, opOcc, target);
  target = await runHook(ctx, opOcc, target, ictx.flavour, 'scale_start', {
    removed: releasedOnScale(hosts, before, after),
  });
  // The infra driver checkpoints the engine state it is given: the hook's changes go with it.
  if (target.state !== stored.infraState)
    ictx = await infraContext(ctx, target.instance, target.state, opOcc);
  const state = target.state;
  const driver = driverFor(ctx, state);
  let driverState = state.driverState ?? {};
  try {
    if (Object.keys(changed).length > 0) driverState = await driver.scale(ictx, changed, driverState);
  } catch (e) {
    const partial = partialState(e);
    if (partial)
      await saveInstance(ctx.db, target.instance, { infraState: { ...state, driverState: partial } });
    throw e;
  }
  if (instanceDriver(ctx, state)) {
    // Stored before scale_end runs: a failing hook leaves the new hosts on record for rollback.
    target = { ...target, state: { ...state, driverState } };
    await saveInstance(ctx.db, target.instance, { infraState: target.state });
    const now = await boundVnfcs(ctx, stored.instance.id);
    target = await runHook(ctx, opOcc, target, ictx.flavour, 'scale_end', {
      added: addedHosts(hosts, now),
      removed: addedHosts(now, hosts),
    });
  }
  const previous = stored.instance.instantiatedVnfInfo?.vnfcResourceInfo ?? [];
  const vnfcs = await observeVnfcs(driver, ictx, driverState, state.vimConnectionId ?? 'vim-0');
  const info = target.instance.instantiatedVnfInfo;
  const instance = {
    ...target.instance,
    instantiatedVnfInfo: {
      ...(info ?? { flavourId: ictx.flavour.flavourId, vnfState: 'STARTED' as const }),
      scaleStatus: Object.entries(levels).map(([aspectId, scaleLevel]) => ({ aspectId, scaleLevel })),
      vnfcResourceInfo: vnfcs,
    },
  };
  await saveInstance(ctx.db, instance, { infraState: { ...target.state, driverState } });
  return vnfcChanges(previous, vnfcs);
}

/**
 * Rollback of a scale: the MgmtDriver's compensation, then back to the levels the
 * instance still records (they change only on success).
 */
export async function restoreLevels(
  ctx: LcmContext,
  opOcc: VnfLcmOpOcc,
  stored: StoredInstance,
): Promise<void> {
  const ictx = await infraContext(ctx, stored.instance, stored.infraState, opOcc);
  const target = await compensate(
    ctx,
    opOcc,
    { instance: stored.instance, state: stored.infraState },
    ictx.flavour,
  );
  const state = target.state;
  const driver = driverFor(ctx, state);
  const replicas = replicasAt(ictx.flavour, state.instantiationLevelId, currentLevels(stored));
  const driverState = driver.rollbackScale
    ? await driver.rollbackScale(ictx, state.driverState ?? {})
    : await driver.scale(ictx, replicas, state.driverState ?? {});
  await saveInstance(ctx.db, target.instance, { infraState: { ...state, driverState } });
}
