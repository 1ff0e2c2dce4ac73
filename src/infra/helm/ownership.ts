// Whose release is it? A release name is chosen by the operator and may already be
// taken, so before adopting, repairing or uninstalling a release the state does not
// record (a crash between `helm install` and saving the state), the driver proves
// it is this instance's: every revision it writes carries a label (helm stores it
// on the release's Secret or ConfigMap from the first, pending, record on) and a
// description marker (helm older than 3.13 has no release labels; helm replaces
// the description of a pending record, so the label is what a crash leaves).
import { createHash } from 'node:crypto';
import type { ReleaseRef } from './commands.ts';
import type { HistoryEntry } from './helm-cli.ts';
import type { Op } from './operation.ts';
import { apiReason } from '../kubernetes/client.ts';

export const OWNER_LABEL = 'vnfInstanceId';

/** The instance id as a label value (≤ 63 characters of [A-Za-z0-9-_.]), hashed when it is not one. */
export function ownerLabelValue(vnfInstanceId: string): string {
  return /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(vnfInstanceId)
    ? vnfInstanceId
    : `h-${createHash('sha256').update(vnfInstanceId).digest('hex').slice(0, 40)}`;
}

/** The marker in the description of every revision the driver writes. */
export const ownerMarker = (vnfInstanceId: string) => `vnfInstanceId=${vnfInstanceId}`;

/** Whether an existing release was written by this instance (by its revisions' marker or storage labels). */
export async function ownedByInstance(
  op: Op,
  ref: ReleaseRef & { namespace: string },
  history: HistoryEntry[],
) {
  const id = op.ctx.vnfInstanceId;
  if (history.some((h) => h.description.includes(ownerMarker(id)))) return true;
  const labelSelector = `owner=helm,name=${ref.release},${OWNER_LABEL}=${ownerLabelValue(id)}`;
  try {
    const secrets = await op.kube.core.listNamespacedSecret({ namespace: ref.namespace, labelSelector });
    if (secrets.items.length > 0) return true;
    // HELM_DRIVER=configmap on a master node stores releases in ConfigMaps instead.
    const cms = await op.kube.core.listNamespacedConfigMap({ namespace: ref.namespace, labelSelector });
    return cms.items.length > 0;
  } catch (e) {
    op.ctx.log.warn(
      { release: ref.release, err: apiReason(e) },
      'cannot read the release records; not adopting it',
    );
    return false;
  }
}
