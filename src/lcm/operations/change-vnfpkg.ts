// CHANGE_VNFPKG (SOL003 v3.3.1 §5.4.11a, ChangeCurrentVnfPkgRequest): a running CNF moved
// to another onboarded package of the same flavour — Helm mode upgrades its releases
// to the new package's charts, manifest mode applies the new manifests and deletes what
// they no longer have (the drivers' change-vnfpkg.ts). The VDUs keep their current
// replica counts and scale levels. The instance's package fields (vnfdId, vnfPkgId,
// versions, product) and its additionalParams follow the new package only on COMPLETED;
// until then it is on the old one, which is where a rollback returns it.
import type { ChangeCurrentVnfPkgRequest } from '../../api/schemas/vnflcm.ts';
import { saveInstance, type StoredInstance } from '../../db/queries/instances.ts';
import { getPackage, getPackageVnfd } from '../../db/queries/packages.ts';
import { badRequest, conflict, unprocessable } from '../../errors.ts';
import type { InfraContext } from '../../infra/driver.ts';
import { patchObject } from '../../merge-patch.ts';
import { instantiateParams, splitParams } from '../../mgmt/params.ts';
import {
  flavour as findFlavour,
  maxScaleLevel,
  vduReplicas,
  type Flavour,
  type Vnfd,
} from '../../packages/vnfd/index.ts';
import type { EngineState, LcmContext } from '../context.ts';
import { driverFor, infraContext } from '../infra-context.ts';
import { packageAttributes, setUsage, usablePackage } from '../instances.ts';
import { maskOperationParams, type VnfInstance, type VnfLcmOpOcc } from '../model.ts';
import type { LcmOperationHandler } from '../operation.ts';
import { observeVnfcs, partialState, vnfcChanges } from '../vnfcs.ts';
import { currentLevels } from './scaling.ts';

/** The reference VNFM's coordination scripts, which VM-based VNFs use between old and new VNFCs. */
const COORDINATION_KEYS = [
  'lcm-operation-coordinate-old-vnf',
  'lcm-operation-coordinate-old-vnf-class',
  'lcm-operation-coordinate-new-vnf',
  'lcm-operation-coordinate-new-vnf-class',
];

/** The package vnfdId names, if the instance may move to it: onboarded, enabled, another one, with its flavour. */
async function targetPackage(ctx: LcmContext, stored: StoredInstance, vnfdId: string) {
  const { instance, infraState } = stored;
  if (vnfdId === instance.vnfdId)
    throw conflict(`vnfdId: VNF instance ${instance.id} already runs VNFD ${vnfdId}`);
  const pkg = await usablePackage(ctx, vnfdId, 'vnfdId');
  const vnfd = await getPackageVnfd<Vnfd>(ctx.db, pkg.id);
  if (!vnfd) throw unprocessable(`vnfdId: VNF package ${pkg.id} has no VNFD`);
  const flavourId = infraState.flavourId ?? instance.instantiatedVnfInfo?.flavourId ?? '';
  const flavour = findFlavour(vnfd, flavourId);
  if (!flavour)
    throw unprocessable(`vnfdId: VNFD ${vnfdId} has no flavour '${flavourId}', which the instance runs`);
  return { pkg, flavour };
}

/** The instance's scale levels must exist in the new flavour, within its max_scale_level. */
function checkLevels(stored: StoredInstance, flavour: Flavour, vnfdId: string): void {
  const levelId = stored.infraState.instantiationLevelId;
  if (levelId && !flavour.instantiationLevels.some((l) => l.id === levelId))
    throw unprocessable(
      `vnfdId: flavour ${flavour.flavourId} of VNFD ${vnfdId} has no instantiation level '${levelId}', which the instance was instantiated at`,
    );
  for (const [aspectId, level] of Object.entries(currentLevels(stored))) {
    if (level === 0) continue;
    const max = maxScaleLevel(flavour, aspectId);
    if (max === undefined || level > max)
      throw unprocessable(
        `vnfdId: the instance is at scale level ${level} of aspect ${aspectId}, which flavour ${flavour.flavourId} of VNFD ${vnfdId} ${max === undefined ? 'does not have' : `allows only up to ${max}`}`,
      );
  }
}

/** The infra context of `stored` with another package's content, flavour and additionalParams (checkpoints still write `stored`). */
async function packageContext(
  ctx: LcmContext,
  stored: StoredInstance,
  target: { vnfPkgId: string; flavour: Flavour; additionalParams: Record<string, unknown> },
  opOcc?: VnfLcmOpOcc,
): Promise<InfraContext> {
  const base = await infraContext(ctx, stored.instance, stored.infraState, opOcc);
  return {
    ...base,
    packageRoot: ctx.storage.content(target.vnfPkgId),
    flavour: target.flavour,
    additionalParams: target.additionalParams,
  };
}

/**
 * The VDUs' replica counts now (the old flavour's at the current levels), for every VDU of
 * `next`; a VDU only the new flavour has starts at its count for those levels.
 */
function currentReplicas(stored: StoredInstance, old: Flavour, next: Flavour): Record<string, number> {
  const levels = currentLevels(stored);
  const levelId = stored.infraState.instantiationLevelId;
  return Object.fromEntries(
    next.vdus.map((v) => [
      v.id,
      old.vdus.some((o) => o.id === v.id)
        ? vduReplicas(old, v.id, levelId, levels)
        : vduReplicas(next, v.id, levelId, levels),
    ]),
  );
}

function pendingChange(stored: StoredInstance) {
  const change = stored.infraState.packageChange;
  if (!change)
    throw conflict(`VNF instance ${stored.instance.id} has no package change recorded (was it accepted?)`);
  return change;
}

export const changeVnfpkg: LcmOperationHandler = {
  operation: 'CHANGE_VNFPKG',

  async accept(ctx, stored, body) {
    const { instance, infraState: state } = stored;
    if (instance.instantiationState !== 'INSTANTIATED' || !instance.instantiatedVnfInfo)
      throw conflict(`VNF instance ${instance.id} is NOT_INSTANTIATED`);
    const req = body as ChangeCurrentVnfPkgRequest;
    const additionalParams = req.additionalParams as Record<string, unknown>;
    const scripts = COORDINATION_KEYS.filter((k) => additionalParams[k] !== undefined);
    if (scripts.length > 0)
      throw badRequest(
        `additionalParams.${scripts[0]}: coordination scripts are for VM-based VNFs; a CNF's upgrade here runs none (leave ${scripts.join(', ')} out)`,
      );
    if (req.vimConnectionInfo && Object.keys(req.vimConnectionInfo).length > 0)
      throw badRequest(
        'vimConnectionInfo: a package change keeps the VIM the instance runs on; change its connection with PATCH /vnf_instances/{id} first',
      );
    const driver = driverFor(ctx, state);
    if (!driver.packageParams || !driver.changeVnfpkg)
      throw conflict(
        `VNF instance ${instance.id} runs on a ${state.driver ?? 'unknown'} VIM, whose VNFs cannot change package while running`,
      );
    if (state.mgmtDriver)
      throw conflict(
        `VNF instance ${instance.id} is driven by MgmtDriver ${state.mgmtDriver}, which has no change_current_package hooks`,
      );
    const { pkg, flavour } = await targetPackage(ctx, stored, req.vnfdId);
    checkLevels(stored, flavour, req.vnfdId);
    (req.additionalParams.vdu_params ?? []).forEach((v, i) => {
      if (!flavour.vdus.some((d) => d.id === v.vdu_id))
        throw badRequest(
          `additionalParams.vdu_params[${i}].vdu_id: flavour ${flavour.flavourId} of VNFD ${req.vnfdId} has no VDU '${v.vdu_id}' (it has ${flavour.vdus.map((d) => d.id).join(', ')})`,
        );
    });
    const ictx = await packageContext(ctx, stored, {
      vnfPkgId: pkg.id,
      flavour,
      additionalParams: instantiateParams(ctx.secrets, state),
    });
    const params = await driver.packageParams(ictx, additionalParams, state.driverState ?? {});
    const split = splitParams(ctx.secrets, params);
    const engineState: EngineState = {
      ...state,
      packageChange: {
        vnfPkgId: pkg.id,
        additionalParams: split.masked,
        ...(split.sealed ? { additionalParamsSealed: split.sealed } : {}),
      },
    };
    return { operationParams: maskOperationParams(body), engineState };
  },

  async run(ctx, opOcc, stored) {
    const { instance, infraState: state } = stored;
    const change = pendingChange(stored);
    // Checked again: the package may have been deleted since accept (disabling it after
    // accept does not stop a change already accepted, as it does not stop an instance).
    const pkg = await getPackage(ctx.db, change.vnfPkgId);
    const vnfd = pkg && (await getPackageVnfd<Vnfd>(ctx.db, pkg.id));
    const flavour = vnfd && findFlavour(vnfd, state.flavourId ?? '');
    if (!pkg?.vnfdId || pkg.onboardingState !== 'ONBOARDED' || !flavour)
      throw conflict(`VNF package ${change.vnfPkgId} is no longer onboarded with flavour ${state.flavourId}`);
    const old = await infraContext(ctx, instance, state, opOcc);
    const params = change.additionalParamsSealed
      ? ctx.secrets.openJson<Record<string, unknown>>(change.additionalParamsSealed)
      : change.additionalParams;
    const ictx = await packageContext(
      ctx,
      stored,
      { vnfPkgId: pkg.id, flavour, additionalParams: params },
      opOcc,
    );
    const driver = driverFor(ctx, state);
    let driverState;
    try {
      driverState = await driver.changeVnfpkg!(
        ictx,
        currentReplicas(stored, old.flavour, flavour),
        state.driverState ?? {},
      );
    } catch (e) {
      const partial = partialState(e);
      if (partial) await saveInstance(ctx.db, instance, { infraState: { ...state, driverState: partial } });
      throw e;
    }
    const before = instance.instantiatedVnfInfo?.vnfcResourceInfo ?? [];
    const vnfcs = await observeVnfcs(driver, ictx, driverState, state.vimConnectionId ?? 'vim-0');
    const req = opOcc.operationParams as ChangeCurrentVnfPkgRequest;
    const aspects = new Set(flavour.aspects.map((a) => a.id));
    const levels = Object.entries(currentLevels(stored)).filter(([a]) => aspects.has(a));
    const updated: VnfInstance = {
      ...instance,
      ...packageAttributes(pkg),
      instantiatedVnfInfo: {
        ...instance.instantiatedVnfInfo!,
        scaleStatus: levels.map(([aspectId, scaleLevel]) => ({ aspectId, scaleLevel })),
        vnfcResourceInfo: vnfcs,
      },
    };
    // SOL003: the request's vnfConfigurableProperties and extensions modify the instance's.
    for (const k of ['vnfConfigurableProperties', 'extensions'] as const) {
      if (req[k] === undefined) continue;
      const v = patchObject(updated[k], req[k]);
      if (v === undefined) delete updated[k];
      else updated[k] = v;
    }
    const { packageChange: _done, additionalParamsSealed: _old, ...rest } = state;
    const next: EngineState = {
      ...rest,
      additionalParams: change.additionalParams,
      ...(change.additionalParamsSealed ? { additionalParamsSealed: change.additionalParamsSealed } : {}),
      driverState,
    };
    await saveInstance(ctx.db, updated, { infraState: next });
    await setUsage(ctx, instance.vnfPkgId);
    await setUsage(ctx, pkg.id);
    return vnfcChanges(before, vnfcs);
  },

  /** Back to the package the instance still records (it changes only on COMPLETED). */
  async rollback(ctx, opOcc, stored) {
    const { instance, infraState: state } = stored;
    const old = await infraContext(ctx, instance, state, opOcc);
    const driver = driverFor(ctx, state);
    const { packageChange: _dropped, ...rest } = state;
    let driverState;
    try {
      driverState = await driver.rollbackChangeVnfpkg!(
        old,
        currentReplicas(stored, old.flavour, old.flavour),
        state.driverState ?? {},
      );
    } catch (e) {
      const partial = partialState(e);
      if (partial) await saveInstance(ctx.db, instance, { infraState: { ...state, driverState: partial } });
      throw e;
    }
    const vnfcs = await observeVnfcs(driver, old, driverState, state.vimConnectionId ?? 'vim-0');
    await saveInstance(
      ctx.db,
      { ...instance, instantiatedVnfInfo: { ...instance.instantiatedVnfInfo!, vnfcResourceInfo: vnfcs } },
      { infraState: { ...rest, driverState } },
    );
  },
};
