// The Kubernetes side of Helm mode: helm deploys, but pods are read, replaced and
// (for VDUs whose replica count is not a chart value) scaled through the API.
// Pods are found by the workload's selector and kept only when their owner chain
// leads back to that workload (Deployment → ReplicaSet → Pod), so workloads with
// overlapping selectors never share VNFCs.
import { type LiveWorkload, readWorkload, workloadPods } from '../kubernetes/workloads.ts';
import { podsOfNamespace, workloadWatches } from '../kubernetes/readiness.ts';
import { lookUntil, type Seen } from '../kubernetes/watch.ts';
import { ApiException, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { apiReason, isNotFound, type KubeClients, kubeClients } from '../kubernetes/client.ts';
import type { Vim } from '../../vim/model.ts';
import { HelmError } from './errors.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from './params.ts';

/** The cluster's API with the VIM's credentials (the manifest driver's clients). */
export type Kube = KubeClients;

export const kubeFor = (vim: Vim): Kube => kubeClients(vim);

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  namespace: string;
}

export const isWorkloadKind = (kind: string): kind is WorkloadKind =>
  (WORKLOAD_KINDS as readonly string[]).includes(kind);

type Named = Pick<WorkloadRef, 'name' | 'namespace'> & { kind: string };
export const describe = (r: Named) => `${r.kind} ${r.namespace}/${r.name}`;
export const refKey = (r: Named) => `${r.kind}/${r.namespace}/${r.name}`;

/** The workload as read from the API (shared with manifest mode); undefined when it does not exist. */
async function readLive(kube: Kube, ref: WorkloadRef): Promise<LiveWorkload | undefined> {
  try {
    return await readWorkload(kube, { apiVersion: 'apps/v1', ...ref });
  } catch (e) {
    throw new HelmError(`${describe(ref)}: cannot be read: ${apiReason(e)}`);
  }
}

async function livePods(
  kube: Kube,
  live: LiveWorkload,
  fresh: boolean,
  notOlderThan?: string,
): Promise<V1Pod[]> {
  try {
    return await workloadPods(kube, live, { fresh, notOlderThan });
  } catch (e) {
    throw new HelmError(`pods of ${describe(live.ref)}: cannot be listed: ${apiReason(e)}`);
  }
}

/**
 * The pods the workload owns now (none when it does not exist); from the watch cache
 * when it agrees with the workload's status, or `fresh` (workloadPods of manifest mode).
 */
export async function podsOf(kube: Kube, ref: WorkloadRef, opts: { fresh?: boolean } = {}): Promise<V1Pod[]> {
  const live = await readLive(kube, ref);
  return live ? livePods(kube, live, opts.fresh ?? false) : [];
}

/** spec.replicas of a scalable workload; undefined when it does not exist. */
export async function replicasOf(kube: Kube, ref: WorkloadRef): Promise<number | undefined> {
  if (ref.kind === 'DaemonSet') return undefined;
  return (await readLive(kube, ref))?.desired;
}

/** Sets spec.replicas through the scale subresource (what `kubectl scale` does). */
export async function setReplicas(kube: Kube, ref: WorkloadRef, replicas: number): Promise<void> {
  const req = { name: ref.name, namespace: ref.namespace, body: { spec: { replicas } } };
  const opts = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  try {
    switch (ref.kind) {
      case 'Deployment':
        await kube.apps.patchNamespacedDeploymentScale(req, opts);
        return;
      case 'StatefulSet':
        await kube.apps.patchNamespacedStatefulSetScale(req, opts);
        return;
      case 'ReplicaSet':
        await kube.apps.patchNamespacedReplicaSetScale(req, opts);
        return;
      case 'DaemonSet':
        throw new HelmError(`${describe(ref)}: a DaemonSet has no replica count to set`);
    }
  } catch (e) {
    if (e instanceof HelmError) throw e;
    throw new HelmError(`${describe(ref)}: cannot be scaled to ${replicas}: ${apiReason(e)}`);
  }
}

export const podReady = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp &&
  p.status?.phase === 'Running' &&
  (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Why the workload is not ready yet, or undefined when it is (all desired pods Ready, none of `gone` left). */
async function notReady(
  kube: Kube,
  ref: WorkloadRef,
  gone: ReadonlySet<string>,
  /** A resourceVersion the watch of the namespace's pods has seen: read them no older (else consistently). */
  podsSeen?: string,
): Promise<string | undefined> {
  const live = await readLive(kube, ref);
  if (!live) return `${describe(ref)} does not exist`;
  const pods = await livePods(kube, live, true, podsSeen);
  const stale = pods.filter((p) => gone.has(p.metadata?.name ?? ''));
  if (stale.length > 0) return `${describe(ref)}: pod ${stale[0]?.metadata?.name} is still there`;
  const ready = pods.filter(podReady).length;
  if (ready !== live.desired || pods.length !== live.desired)
    return `${describe(ref)}: ${ready} of ${live.desired} pods ready (${pods.length} present)`;
  return undefined;
}

/** How often waits look while they cannot watch (each look is a consistent read: ~80 ms on an idle cluster). */
const POLL_MS = 200;

/**
 * Waits until every workload is ready, looking again at each change of them or their pods
 * (kubernetes/watch.ts); fails at the deadline naming what was still missing.
 */
export async function waitReady(
  kube: Kube,
  refs: readonly WorkloadRef[],
  deadline: number,
  gone: ReadonlySet<string> = new Set(),
  /** Told what is still missing at each look (the op occ's progress message). */
  tell?: (lacking: string) => void,
): Promise<void> {
  const probe = async (seen: Seen) => {
    for (const ref of refs) {
      const reason = await notReady(kube, ref, gone, seen(podsOfNamespace(ref.namespace)));
      if (reason) return reason;
    }
    return undefined;
  };
  const watched = workloadWatches(refs.map((r) => ({ apiVersion: 'apps/v1', ...r })));
  const reason = await lookUntil(kube, watched, probe, deadline, POLL_MS, tell);
  if (reason !== undefined) throw new HelmError(`timed out waiting for readiness: ${reason}`);
}

/** Deletes a pod; one already gone counts as deleted. */
export async function deletePod(kube: Kube, name: string, namespace: string): Promise<void> {
  try {
    await kube.core.deleteNamespacedPod({ name, namespace });
  } catch (e) {
    if (!isNotFound(e)) throw new HelmError(`pod ${namespace}/${name}: cannot be deleted: ${apiReason(e)}`);
  }
}

/** The pod, or undefined when it does not exist. */
export async function readPod(kube: Kube, name: string, namespace: string): Promise<V1Pod | undefined> {
  try {
    return await kube.core.readNamespacedPod({ name, namespace });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw new HelmError(`pod ${namespace}/${name}: cannot be read: ${apiReason(e)}`);
  }
}

/**
 * Makes sure a release namespace exists, through the API: helm's --create-namespace
 * costs every install a round of API discovery (~35 ms on the testbed). False when the
 * VIM's credentials may neither read nor create it: helm (with the master node's own
 * kubeconfig over SSH) is then left to create it.
 */
export async function ensureNamespace(kube: Kube, name: string): Promise<boolean> {
  try {
    const ns = await kube.core.readNamespace({ name });
    if (ns.status?.phase === 'Terminating')
      throw new HelmError(`namespace ${name} is being deleted; retry once it is gone`);
    return true;
  } catch (e) {
    if (e instanceof HelmError) throw e;
    if (!isNotFound(e)) return false;
  }
  try {
    await kube.core.createNamespace({ body: { metadata: { name } } });
    return true;
  } catch (e) {
    return e instanceof ApiException && e.code === 409; // created meanwhile by someone else
  }
}
