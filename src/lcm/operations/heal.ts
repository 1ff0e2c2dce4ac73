// HEAL: SOL002 with vnfcInstanceId (those pods are deleted and replaced), or
// SOL003 without (the whole VNF is re-created at its current scale levels). An empty
// vnfcInstanceId list is Tacker's whole-VNF heal. The body's shape is HealVnfRequest's
// (src/api/schemas), checked before accept(); here: the ids are this instance's.
import type { HealVnfRequest } from '../../api/schemas/vnflcm.ts';
import { saveInstance } from '../../db/queries/instances.ts';
import { badRequest, conflict } from '../../errors.ts';
import { vduReplicas } from '../../packages/vnfd/index.ts';
import { driverFor, infraContext } from '../infra-context.ts';
import { healChanges, hostsBefore, instanceDriver, type MgmtTarget, runHook } from '../../mgmt/hooks.ts';
import { withMgmt } from '../../mgmt/lcm.ts';
import { boundVnfcs } from '../../mgmt/vnfcs.ts';
import type { LcmOperationHandler } from '../operation.ts';
import { observeVnfcs, vnfcChanges } from '../vnfcs.ts';
import { currentLevels } from './scaling.ts';

export const heal: LcmOperationHandler = withMgmt({
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
    let ictx = await infraContext(ctx, stored.instance, stored.infraState, opOcc);
    let target: MgmtTarget = { instance: stored.instance, state: stored.infraState };
    const before = stored.instance.instantiatedVnfInfo?.vnfcResourceInfo ?? [];
    const ids = (opOcc.operationParams as HealVnfRequest).vnfcInstanceId;
    const whole = !ids || ids.length === 0;
    const hosts = await hostsBefore(ctx, opOcc, target);
    const healed = whole ? hosts : hosts.filter((h) => ids.includes(h.vnfcId));
    target = await runHook(ctx, opOcc, target, ictx.flavour, 'heal_start', { removed: healed });
    // The infra driver checkpoints the engine state it is given: the hook's changes go with it.
    if (target.state !== stored.infraState)
      ictx = await infraContext(ctx, target.instance, target.state, opOcc);
    const state = target.state;
    const driver = driverFor(ctx, state);
    let driverState = state.driverState ?? {};
    if (!whole) {
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
    if (instanceDriver(ctx, state)) {
      target = { ...target, state: { ...state, driverState } };
      await saveInstance(ctx.db, target.instance, { infraState: target.state });
      const changes = healChanges(hosts, healed, await boundVnfcs(ctx, stored.instance.id));
      target = await runHook(ctx, opOcc, target, ictx.flavour, 'heal_end', changes);
    }
    const vnfcs = await observeVnfcs(driver, ictx, driverState, state.vimConnectionId ?? 'vim-0');
    const info = target.instance.instantiatedVnfInfo;
    const instance = info
      ? { ...target.instance, instantiatedVnfInfo: { ...info, vnfcResourceInfo: vnfcs } }
      : target.instance;
    await saveInstance(ctx.db, instance, { infraState: { ...target.state, driverState } });
    return vnfcChanges(before, vnfcs);
  },
});
