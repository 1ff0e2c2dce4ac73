// TERMINATE (SOL003 §5.4.8): FORCEFUL at once, GRACEFUL waiting up to
// gracefulTerminationTimeout; everything the driver created is removed. The body's
// shape (and the timeout's bound) is TerminateVnfRequest's (src/api/schemas). An
// instance's MgmtDriver runs terminate_start before and terminate_end after.
import type { TerminateVnfRequest } from '../../api/schemas/vnflcm.ts';
import { saveInstance } from '../../db/queries/instances.ts';
import { conflict } from '../../errors.ts';
import { hostsBefore, runHook } from '../../mgmt/hooks.ts';
import { withMgmt } from '../../mgmt/lcm.ts';
import { driverFor, infraContext } from '../infra-context.ts';
import type { LcmOperationHandler } from '../operation.ts';
import { vnfcChanges } from '../vnfcs.ts';

export const terminate: LcmOperationHandler = withMgmt({
  operation: 'TERMINATE',

  async accept(_ctx, stored, body) {
    if (stored.instance.instantiationState !== 'INSTANTIATED') {
      throw conflict(`VNF instance ${stored.instance.id} is NOT_INSTANTIATED`);
    }
    return { operationParams: body };
  },

  async run(ctx, opOcc, stored) {
    let ictx = await infraContext(ctx, stored.instance, stored.infraState, opOcc);
    let target = { instance: stored.instance, state: stored.infraState };
    const removed = await hostsBefore(ctx, opOcc, target);
    target = await runHook(ctx, opOcc, target, ictx.flavour, 'terminate_start', { removed });
    // The infra driver checkpoints the engine state it is given: the hook's changes go with it.
    if (target.state !== stored.infraState)
      ictx = await infraContext(ctx, target.instance, target.state, opOcc);
    const state = target.state;
    const p = opOcc.operationParams as TerminateVnfRequest;
    const graceful =
      p.terminationType === 'GRACEFUL' ? { timeoutSeconds: p.gracefulTerminationTimeout ?? 60 } : undefined;
    // The drivers add the grace period to the usual deadline themselves (each bounded: src/timers.ts).
    await driverFor(ctx, state).terminate(ictx, state.driverState ?? {}, graceful);
    // What the driver kept for an inline VIM (helm's homes, its kubeconfig) is this instance's alone.
    if (ictx.vim.inline) await driverFor(ctx, state).vimRemoved?.(ictx.vim.id);
    target = await runHook(ctx, opOcc, target, ictx.flavour, 'terminate_end', { removed });
    const before = stored.instance.instantiatedVnfInfo?.vnfcResourceInfo ?? [];
    const { instantiatedVnfInfo: _gone, ...rest } = target.instance;
    await saveInstance(
      ctx.db,
      { ...rest, instantiationState: 'NOT_INSTANTIATED' },
      {
        infraState: { ...target.state, driverState: {} },
        vimId: null,
      },
    );
    return vnfcChanges(before, []);
  },
});
