// SOL003 v3.3.1 vnfcInfo: one entry per VNFC beside its vnfcResourceInfo. Its id is
// `{vduId}-{vnfcResourceInfo id}`, as the reference VNFM's v2 makes it (its clients build
// that id themselves from affectedVnfcs). v2's heal names VNFCs by these ids; the engine
// heals by vnfcResourceInfo id, so they are mapped back here.
import { badRequest } from '../../errors.ts';
import type { VnfcResourceInfo } from '../../lcm/model.ts';

export interface VnfcInfo {
  id: string;
  vduId: string;
  vnfcResourceInfoId: string;
  vnfcState: 'STARTED' | 'STOPPED';
}

type Vnfc = Pick<VnfcResourceInfo, 'id' | 'vduId'>;

export const vnfcInfoId = (v: Vnfc) => `${v.vduId}-${v.id}`;

/** A CNF's VNFCs run while the VNF is STARTED (the engine has no operate). */
export function vnfcInfoOf(vnfcs: readonly Vnfc[], vnfState: 'STARTED' | 'STOPPED' = 'STARTED'): VnfcInfo[] {
  return vnfcs.map((v) => ({
    id: vnfcInfoId(v),
    vduId: v.vduId,
    vnfcResourceInfoId: v.id,
    vnfcState: vnfState,
  }));
}

/** The vnfcResourceInfo ids of the vnfcInfo ids given; 400 naming those the instance does not have. */
export function vnfcResourceIds(vnfcs: readonly Vnfc[], vnfcInfoIds: readonly string[]): string[] {
  const byInfoId = new Map(vnfcs.map((v) => [vnfcInfoId(v), v.id]));
  const unknown = vnfcInfoIds.filter((i) => !byInfoId.has(i));
  if (unknown.length > 0) {
    throw badRequest(`vnfcInstanceId: no vnfcInfo of this VNF instance has the id ${unknown.join(', ')}`);
  }
  return vnfcInfoIds.map((i) => byInfoId.get(i) as string);
}

/** vnfcResourceInfo ids as vnfcInfo ids, where a VNFC of `known` tells the VDU; others as they are. */
export function vnfcInfoIds(known: readonly Vnfc[], resourceIds: readonly string[]): string[] {
  const vdu = new Map(known.map((v) => [v.id, v.vduId]));
  return resourceIds.map((id) => {
    const vduId = vdu.get(id);
    return vduId === undefined ? id : vnfcInfoId({ id, vduId });
  });
}
