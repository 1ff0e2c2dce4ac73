// Terminate in manifest mode: delete every recorded object, newest first, then the
// instance's remaining pods with the grace period asked for (deleting a workload
// alone would let its pods take their own terminationGracePeriodSeconds), wait
// until nothing of the instance is left, and delete the namespace if this driver
// created it. Anything already gone counts as deleted, so terminate can be
// repeated, and can clean up after a failed instantiate from its partial state.
import type { InfraContext, InfraState } from '../driver.ts';
import { apiReason, describeObject, header, isNotFound, type KubeClients, kubeClients } from './client.ts';
import { deadlineIn, waitUntil } from './readiness.ts';
import { instanceSelector } from './render.ts';
import { readState, type ResourceRef } from './state.ts';

export async function deleteObject(
  c: KubeClients,
  ref: ResourceRef,
  gracePeriodSeconds: number,
): Promise<void> {
  try {
    // Foreground: the object stays (with a deletionTimestamp) until its dependents are gone,
    // so "the workload no longer exists" also means "its ReplicaSets and pods are gone".
    // A namespace has its own finalizer that empties it; owner propagation adds nothing there.
    const policy = ref.kind === 'Namespace' ? 'Background' : 'Foreground';
    await c.objects.delete(header(ref), undefined, undefined, gracePeriodSeconds, undefined, policy);
  } catch (err) {
    if (!isNotFound(err)) throw new Error(`${describeObject(ref)}: cannot be deleted: ${apiReason(err)}`);
  }
}

export async function stillExists(c: KubeClients, ref: ResourceRef): Promise<boolean> {
  try {
    await c.objects.read(header(ref));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw new Error(`${describeObject(ref)}: cannot be read: ${apiReason(err)}`);
  }
}

export async function terminate(
  ctx: InfraContext,
  prior: InfraState,
  graceful?: { timeoutSeconds: number },
): Promise<void> {
  const state = readState(prior);
  // Nothing recorded is nothing created (objects are recorded before they are applied): a rollback
  // of an instantiate that failed first thing completes without reaching for the cluster.
  if (!state || (state.resources.length === 0 && !state.createdNamespace)) return;
  const grace = graceful ? Math.max(0, Math.floor(graceful.timeoutSeconds)) : 0;
  // A graceful termination may take its whole grace period before the usual wait starts.
  const deadline = deadlineIn(ctx.timeoutMs + grace * 1000);
  const c = kubeClients(ctx.vim);
  const resources = [...state.resources].reverse();
  ctx.progress?.step('delete objects', { done: 0, total: resources.length });
  for (const ref of resources) await deleteObject(c, ref, grace);
  const labelSelector = instanceSelector(ctx.vnfInstanceId);
  try {
    await c.core.deleteCollectionNamespacedPod({
      namespace: state.namespace,
      labelSelector,
      gracePeriodSeconds: grace,
    });
  } catch (err) {
    if (!isNotFound(err)) throw new Error(`pods of the instance: cannot be deleted: ${apiReason(err)}`);
  }
  ctx.log.info(
    { namespace: state.namespace, objects: resources.length, grace },
    'deleted; waiting until gone',
  );
  ctx.progress?.step('wait until deleted');
  // Watched: every kind recorded, where it lives (one watch per kind, not per object), and the pods.
  const watched = [
    ...resources.map(({ apiVersion, kind, namespace }) => ({ apiVersion, kind, namespace })),
    { apiVersion: 'v1', kind: 'Pod', namespace: state.namespace },
  ];
  await waitUntil(
    c,
    watched,
    async () => {
      for (const ref of resources)
        if (await stillExists(c, ref)) return `${describeObject(ref)} still exists`;
      const pods = await c.core.listNamespacedPod({ namespace: state.namespace, labelSelector });
      const left = pods.items.map((p) => p.metadata?.name ?? '');
      return left.length > 0
        ? `${left.length} pods of the instance remain (${left.slice(0, 3).join(', ')})`
        : undefined;
    },
    deadline,
  );
  if (state.createdNamespace) {
    const ns: ResourceRef = { apiVersion: 'v1', kind: 'Namespace', name: state.namespace };
    await deleteObject(c, ns, grace);
    await waitUntil(
      c,
      [ns],
      async () => ((await stillExists(c, ns)) ? `namespace ${state.namespace} still exists` : undefined),
      deadline,
    );
  }
}
