// Keeps vnfcResourceInfo true to the cluster between operations: pods replaced by
// their ReplicaSet, evicted or deleted by hand show up without an LCM request.
// Instances with an operation under way are left to that operation.
import { getInstance, queryInstances, saveInstance } from '../db/queries/instances.ts';
import { activeOpOcc } from '../db/queries/op-occs.ts';
import type { LcmContext } from './context.ts';
import { driverFor, infraContext } from './infra-context.ts';
import { observeVnfcs } from './vnfcs.ts';

export async function refreshVnfcs(ctx: LcmContext): Promise<number> {
  let changed = 0;
  const instantiated = [{ op: 'eq' as const, path: ['instantiationState'], values: ['INSTANTIATED'] }];
  for (const listed of await queryInstances(ctx.db, instantiated)) {
    try {
      if (await activeOpOcc(ctx.db, listed.id)) continue;
      const stored = await getInstance(ctx.db, listed.id);
      const info = stored?.instance.instantiatedVnfInfo;
      if (!stored || !info) continue;
      const ictx = await infraContext(ctx, stored.instance, stored.infraState);
      const driver = driverFor(ctx, stored.infraState);
      const vnfcs = await observeVnfcs(
        driver,
        ictx,
        stored.infraState.driverState ?? {},
        stored.infraState.vimConnectionId ?? 'vim-0',
      );
      if (JSON.stringify(vnfcs) === JSON.stringify(info.vnfcResourceInfo ?? [])) continue;
      // An operation may have started while observing; it owns the instance then.
      if (await activeOpOcc(ctx.db, listed.id)) continue;
      await saveInstance(ctx.db, {
        ...stored.instance,
        instantiatedVnfInfo: { ...info, vnfcResourceInfo: vnfcs },
      });
      changed++;
    } catch (err) {
      ctx.log.debug({ err, vnfInstanceId: listed.id }, 'vnfcResourceInfo refresh skipped');
    }
  }
  return changed;
}
