// vnfcResourceInfo from what the cluster runs now, and the changes between two
// observations (resourceChanges.affectedVnfcs).
import type { InfraContext, InfraDriver, InfraState } from '../infra/driver.ts';
import type { AffectedVnfc, VnfcResourceInfo } from './model.ts';

export async function observeVnfcs(
  driver: InfraDriver,
  ictx: InfraContext,
  state: InfraState,
  vimConnectionId: string,
): Promise<VnfcResourceInfo[]> {
  const vnfcs = await driver.observe(ictx, state);
  return vnfcs
    .map((v) => ({
      id: v.id,
      vduId: v.vduId,
      computeResource: { vimConnectionId, resourceId: v.id, vimLevelResourceType: v.workloadKind },
      metadata: { namespace: v.namespace, workloadName: v.workloadName, status: v.status },
    }))
    .sort((a, b) => a.vduId.localeCompare(b.vduId) || a.id.localeCompare(b.id));
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
  return [
    ...before.filter((v) => !has.has(v.id)).map((v) => change(v, 'REMOVED')),
    ...after.filter((v) => !had.has(v.id)).map((v) => change(v, 'ADDED')),
  ];
}

/** Drivers attach what they created so far to a failure, so it can be persisted for rollback. */
export function partialState(err: unknown): InfraState | undefined {
  const s = (err as { state?: unknown })?.state;
  return s && typeof s === 'object' ? (s as InfraState) : undefined;
}
