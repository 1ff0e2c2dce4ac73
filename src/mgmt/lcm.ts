// The accept side of the framework for operations after INSTANTIATE: the instance's
// driver checks the request (driver.accept), and the request's additionalParams are
// kept sealed when they hold a secret (the op occ shows them masked).
import { loadVnfd } from '../lcm/infra-context.ts';
import type { LcmOperationHandler } from '../lcm/operation.ts';
import { conflict } from '../errors.ts';
import { flavour as findFlavour } from '../packages/vnfd/index.ts';
import { baseContext, instanceDriver } from './hooks.ts';
import { splitParams } from './params.ts';

const asParams = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** `handler` with the instance's MgmtDriver consulted at accept (instances without one: unchanged). */
export function withMgmt(handler: LcmOperationHandler): LcmOperationHandler {
  return {
    ...handler,
    async accept(ctx, stored, body) {
      const accepted = await handler.accept(ctx, stored, body);
      if (stored.instance.instantiationState !== 'INSTANTIATED') return accepted;
      const driver = instanceDriver(ctx, stored.infraState);
      if (!driver) return accepted;
      const { operationParamsSealed: _previous, ...state } = accepted.engineState ?? stored.infraState;
      const params = asParams(body.additionalParams);
      if (driver.accept) {
        const vnfd = await loadVnfd(ctx, stored.instance);
        const flavour = findFlavour(vnfd, state.flavourId ?? '');
        if (!flavour) throw conflict(`flavour ${state.flavourId} is no longer in VNFD ${vnfd.vnfdId}`);
        await driver.accept(
          await baseContext(ctx, { instance: stored.instance, state }, flavour, params),
          handler.operation,
          body,
        );
      }
      const { sealed } = splitParams(ctx.secrets, params);
      return { ...accepted, engineState: sealed ? { ...state, operationParamsSealed: sealed } : state };
    },
  };
}
