// HEAL: SOL002 with vnfcInstanceId (those pods are deleted and replaced), or
// SOL003 without (the whole VNF is re-created at its current scale levels). An empty
// vnfcInstanceId list is Tacker's whole-VNF heal. The body's shape is HealVnfRequest's
// (src/api/schemas), checked before accept(); here: the ids are this instance's.
import type { HealVnfRequest } from '../../api/schemas/vnflcm.ts';
import { saveInstance } from '../../db/queries/instances.ts';
import { badRequest, conflict } from '../../errors.ts';
import { vduReplicas } from '../../packages/vnfd/index.ts';
import { driverFor, infraContext } from '../infra-context.ts';
import type { LcmOperationHandler } from '../operation.ts';
import { observeVnfcs, vnfcChanges } from '../vnfcs.ts';
import { currentLevels } from './scaling.ts';

export const heal: LcmOperationHandler = {
  operation: 'HEAL',

  async accept(_ctx, stored, body) {
    const info = stored.instance.instantiatedVnfInfo;
    if (stored.instance.instantiationState !== 'INSTANTIATED' || !info) {
      throw conflict(`VNF instance ${stored.instance.id} is NOT_INSTANTIATED`);
    }
    const ids = (body as HealVnfRequest).vnfcInstanceId ?? [];
    const known = new Set((info.vnfcResourceInfo ?? []).map((v) => v.id));
    const unknown = ids.filter((i) => !known.has(i));
    if (unknown.length > 0)
      throw badRequest(`vnfcInstanceId not in this VNF instance: ${unknown.join(', ')}`);
    return { operationParams: body };
  },

  async run(ctx, opOcc, stored) {
    const state = stored.infraState;
    const ictx = await infraContext(ctx, stored.instance, state);
    const driver = driverFor(ctx, state);
    const before = stored.instance.instantiatedVnfInfo?.vnfcResourceInfo ?? [];
    const ids = (opOcc.operationParams as HealVnfRequest).vnfcInstanceId;
    let driverState = state.driverState ?? {};
    if (ids && ids.length > 0) {
      // On retry some named pods may already be replaced; heal only those still there.
      const live = new Set((await driver.observe(ictx, driverState)).map((v) => v.id));
      const still = ids.filter((i) => live.has(i));
      if (still.length > 0) driverState = await driver.healVnfcs(ictx, still, driverState);
    } else {
      const levels = currentLevels(stored);
      const replicas = Object.fromEntries(
        ictx.flavour.vdus.map((v) => [
          v.id,
          vduReplicas(ictx.flavour, v.id, state.instantiationLevelId, levels),
        ]),
      );
      await driver.terminate(ictx, driverState);
      driverState = await driver.instantiate(ictx, replicas, driver.keptForReinstall?.(driverState) ?? {});
    }
    const vnfcs = await observeVnfcs(driver, ictx, driverState, state.vimConnectionId ?? 'vim-0');
    const info = stored.instance.instantiatedVnfInfo;
    const instance = info
      ? { ...stored.instance, instantiatedVnfInfo: { ...info, vnfcResourceInfo: vnfcs } }
      : stored.instance;
    await saveInstance(ctx.db, instance, { infraState: { ...state, driverState } });
    return vnfcChanges(before, vnfcs);
  },
};
