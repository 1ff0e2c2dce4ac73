// v2 request bodies in the engine's form (the one the operations accept and store as
// operationParams): vimConnectionInfo maps become lists with id = key, and heal's
// vnfcInfo ids become vnfcResourceInfo ids. Everything else is passed as sent.
import type { VnfInstance } from '../../lcm/model.ts';
import type { HealVnfRequestV2, InstantiateVnfRequestV2, VnfInfoModificationRequestV2 } from './schemas.ts';
import { vimListOf } from './vim-connection-info.ts';
import { vnfcResourceIds } from './vnfc-info.ts';

type Body = Record<string, unknown>;

export function instantiateBody(req: InstantiateVnfRequestV2): Body {
  const { vimConnectionInfo, ...rest } = req;
  return vimConnectionInfo ? { ...rest, vimConnectionInfo: vimListOf(vimConnectionInfo) } : rest;
}

export function modifyBody(req: VnfInfoModificationRequestV2): Body {
  const { vimConnectionInfo, ...rest } = req;
  return vimConnectionInfo ? { ...rest, vimConnectionInfo: vimListOf(vimConnectionInfo) } : rest;
}

/**
 * `instance` as read now: the engine checks the ids again when it accepts. A
 * NOT_INSTANTIATED instance has no VNFCs: the body goes on as it is, for the engine's 409.
 */
export function healBody(req: HealVnfRequestV2, instance: VnfInstance): Body {
  const { vnfcInstanceId, additionalParams, ...rest } = req;
  const body: Body = { ...rest };
  if (additionalParams) {
    const { all: _storageToo, ...params } = additionalParams;
    body.additionalParams = params;
  }
  const vnfcs = instance.instantiatedVnfInfo?.vnfcResourceInfo;
  if (vnfcInstanceId !== undefined) {
    body.vnfcInstanceId =
      instance.instantiationState === 'INSTANTIATED'
        ? vnfcResourceIds(vnfcs ?? [], vnfcInstanceId)
        : vnfcInstanceId;
  }
  return body;
}
