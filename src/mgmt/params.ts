// additionalParams may carry secrets (the kubernetes-cluster driver's node passwords):
// what is stored in the clear and shown is masked by the one rule (vim/model.ts
// maskSecrets); the values as sent are kept sealed beside it for the drivers.
import type { EngineState } from '../lcm/context.ts';
import type { VnfLcmOpOcc } from '../lcm/model.ts';
import type { SecretBox } from '../secrets/box.ts';
import { maskSecrets } from '../vim/model.ts';

type Params = Record<string, unknown>;

/** The masked copy, and the sealed original when masking changed anything. */
export function splitParams(secrets: SecretBox, params: Params): { masked: Params; sealed?: string } {
  const masked = maskSecrets(params);
  return JSON.stringify(masked) === JSON.stringify(params)
    ? { masked }
    : { masked, sealed: secrets.sealJson(params) };
}

/** The instantiate request's additionalParams as sent (infra and MgmtDrivers read these; never log them). */
export function instantiateParams(secrets: Pick<SecretBox, 'openJson'>, state: EngineState): Params {
  return state.additionalParamsSealed
    ? secrets.openJson<Params>(state.additionalParamsSealed)
    : (state.additionalParams ?? {});
}

/** additionalParams of the op occ's request as sent: the instantiate one's for INSTANTIATE. */
export function requestParams(
  secrets: Pick<SecretBox, 'openJson'>,
  state: EngineState,
  opOcc: Pick<VnfLcmOpOcc, 'operation' | 'operationParams'>,
): Params {
  if (opOcc.operation === 'INSTANTIATE') return instantiateParams(secrets, state);
  if (state.operationParamsSealed) return secrets.openJson<Params>(state.operationParamsSealed);
  const p = opOcc.operationParams.additionalParams;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Params) : {};
}
