// VnfInstance and VnfLcmOpOcc as /vnflcm/v2 shows them (SOL003 v3.3.1), made from the
// one stored model: vimConnectionInfo as a map by id, vnfcInfo beside vnfcResourceInfo,
// vnfdId on each VNFC, and `_links` under /vnflcm/v2.
import type { AffectedVnfc, ScaleInfo, VnfInstance, VnfLcmOpOcc, VnfcResourceInfo } from '../../lcm/model.ts';
import { asVimMap, vimMapOf } from './vim-connection-info.ts';
import { vnfcInfoIds, vnfcInfoOf } from './vnfc-info.ts';

export const BASE_V2 = '/vnflcm/v2';

const href = (path: string) => ({ href: `${BASE_V2}${path}` });

/** SOL003 v3.3.1 VnfInstance._links: the task resources the instance's state allows. */
export function instanceLinksV2(i: Pick<VnfInstance, 'id' | 'instantiationState'>) {
  const self = `/vnf_instances/${i.id}`;
  const links: Record<string, { href: string }> = { self: href(self) };
  if (i.instantiationState === 'NOT_INSTANTIATED') links.instantiate = href(`${self}/instantiate`);
  else {
    links.terminate = href(`${self}/terminate`);
    links.scale = href(`${self}/scale`);
    links.scaleToLevel = href(`${self}/scale_to_level`);
    links.heal = href(`${self}/heal`);
  }
  return links;
}

/** SOL003 v3.3.1 VnfLcmOpOcc._links: the actions the op occ's state allows. */
export function opOccLinksV2(o: Pick<VnfLcmOpOcc, 'id' | 'vnfInstanceId' | 'operationState'>) {
  const self = `/vnf_lcm_op_occs/${o.id}`;
  const links: Record<string, { href: string }> = {
    self: href(self),
    vnfInstance: href(`/vnf_instances/${o.vnfInstanceId}`),
  };
  if (o.operationState === 'FAILED_TEMP') {
    for (const a of ['retry', 'rollback', 'fail']) links[a] = href(`${self}/${a}`);
  }
  if (o.operationState === 'STARTING' || o.operationState === 'PROCESSING')
    links.cancel = href(`${self}/cancel`);
  return links;
}

/** `maxScaleLevels`: the flavour's, when known (./max-scale-levels.ts). */
export function instanceViewV2(i: VnfInstance, maxScaleLevels?: ScaleInfo[]): Record<string, unknown> {
  const { vnfPkgId: _pkg, vimConnectionInfo, instantiatedVnfInfo: info, ...rest } = i;
  const view: Record<string, unknown> = { ...rest };
  if (vimConnectionInfo) view.vimConnectionInfo = vimMapOf(vimConnectionInfo);
  if (info) {
    const { instantiationLevelId: _level, vnfcResourceInfo, ...ivi } = info;
    view.instantiatedVnfInfo = {
      ...ivi,
      ...(maxScaleLevels ? { maxScaleLevels } : {}),
      ...(vnfcResourceInfo
        ? {
            vnfcResourceInfo: vnfcResourceInfo.map((v) => ({ ...v, vnfdId: i.vnfdId })),
            vnfcInfo: vnfcInfoOf(vnfcResourceInfo, info.vnfState),
          }
        : {}),
    };
  }
  view._links = instanceLinksV2(i);
  return view;
}

/** What an op occ's view takes from its instance, when it still exists. */
export interface OpOccInstance {
  vnfdId: string;
  vnfcs: readonly Pick<VnfcResourceInfo, 'id' | 'vduId'>[];
}

/**
 * The op occ in v3.3.1's form. operationParams are held as the engine took them (list
 * vimConnectionInfo, heal by vnfcResourceInfo id): shown with the map, and the healed
 * VNFCs by vnfcInfo id where the instance or the op's changes still tell their VDU.
 */
export function opOccViewV2(o: VnfLcmOpOcc, instance?: OpOccInstance): Record<string, unknown> {
  const { operationParams, resourceChanges, ...rest } = o;
  const view: Record<string, unknown> = { ...rest };
  if (operationParams) {
    const params: Record<string, unknown> = { ...operationParams };
    if (params.vimConnectionInfo !== undefined) params.vimConnectionInfo = asVimMap(params.vimConnectionInfo);
    if (o.operation === 'HEAL' && Array.isArray(params.vnfcInstanceId)) {
      const known = [...(instance?.vnfcs ?? []), ...(resourceChanges?.affectedVnfcs ?? [])];
      params.vnfcInstanceId = vnfcInfoIds(known, params.vnfcInstanceId as string[]);
    }
    view.operationParams = params;
  }
  if (resourceChanges) {
    const withVnfd = (c: AffectedVnfc) => (instance ? { ...c, vnfdId: instance.vnfdId } : c);
    view.resourceChanges = { ...resourceChanges, affectedVnfcs: resourceChanges.affectedVnfcs.map(withVnfd) };
  }
  view._links = opOccLinksV2(o);
  return view;
}
