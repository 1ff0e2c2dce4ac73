// vnfcResourceInfo from what the cluster runs now, and the changes between two
// observations (resourceChanges.affectedVnfcs).
import { isIPv6 } from 'node:net';
import type { InfraContext, InfraDriver, InfraState, VnfcResource } from '../infra/driver.ts';
import { HOST_RESOURCE_TYPE } from '../infra/hosts/model.ts';
import type { AffectedVnfc, VnfcCpInfo, VnfcResourceInfo } from './model.ts';

export async function observeVnfcs(
  driver: InfraDriver,
  ictx: InfraContext,
  state: InfraState,
  vimConnectionId: string,
): Promise<VnfcResourceInfo[]> {
  const vnfcs = await driver.observe(ictx, state);
  return vnfcs
    .map((v): VnfcResourceInfo => {
      if (v.host) return hostVnfc(v, v.host, vimConnectionId);
      return {
        id: v.id,
        vduId: v.vduId,
        computeResource: { vimConnectionId, resourceId: v.id, vimLevelResourceType: v.workloadKind },
        metadata: { namespace: v.namespace, workloadName: v.workloadName, status: v.status },
      };
    })
    .sort((a, b) => a.vduId.localeCompare(b.vduId) || a.id.localeCompare(b.id));
}

/** A VNFC on a pool host: the host is its compute resource, and its CPs carry the host's addresses. */
function hostVnfc(
  v: VnfcResource,
  host: NonNullable<VnfcResource['host']>,
  vimConnectionId: string,
): VnfcResourceInfo {
  const vnfcCpInfo: VnfcCpInfo[] = Object.entries(host.cps).map(([cpdId, address]) => ({
    id: `${v.id}-${cpdId}`,
    cpdId,
    cpProtocolInfo: [
      {
        layerProtocol: 'IP_OVER_ETHERNET',
        ipOverEthernet: { ipAddresses: [{ type: isIPv6(address) ? 'IPV6' : 'IPV4', addresses: [address] }] },
      },
    ],
  }));
  return {
    id: v.id,
    vduId: v.vduId,
    computeResource: { vimConnectionId, resourceId: host.id, vimLevelResourceType: HOST_RESOURCE_TYPE },
    ...(vnfcCpInfo.length > 0 ? { vnfcCpInfo } : {}),
    metadata: { hostId: host.id, address: host.address, status: v.status },
  };
}

export function vnfcChanges(before: VnfcResourceInfo[], after: VnfcResourceInfo[]): AffectedVnfc[] {
  const had = new Set(before.map((v) => v.id));
  const has = new Set(after.map((v) => v.id));
  const change = (v: VnfcResourceInfo, changeType: AffectedVnfc['changeType']): AffectedVnfc => ({
    id: v.id,
    vduId: v.vduId,
    changeType,
    computeResource: v.computeResource,
  });
  // A VNFC that kept its id on another resource (a pool host healed onto a spare) is MODIFIED.
  const resourceBefore = new Map(before.map((v) => [v.id, v.computeResource.resourceId]));
  return [
    ...before.filter((v) => !has.has(v.id)).map((v) => change(v, 'REMOVED')),
    ...after.filter((v) => !had.has(v.id)).map((v) => change(v, 'ADDED')),
    ...after
      .filter((v) => had.has(v.id) && resourceBefore.get(v.id) !== v.computeResource.resourceId)
      .map((v) => change(v, 'MODIFIED')),
  ];
}

/** Drivers attach what they created so far to a failure, so it can be persisted for rollback. */
export function partialState(err: unknown): InfraState | undefined {
  const s = (err as { state?: unknown })?.state;
  return s && typeof s === 'object' ? (s as InfraState) : undefined;
}
