// The Kubernetes side of Helm mode: helm deploys, but pods are read, replaced and
// (for VDUs whose replica count is not a chart value) scaled through the API.
// Pods are found by the workload's selector and kept only when their owner chain
// leads back to that workload (Deployment → ReplicaSet → Pod), so workloads with
// overlapping selectors never share VNFCs.
import { selectorQuery } from '../kubernetes/workloads.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1LabelSelector,
  type V1Pod,
} from '@kubernetes/client-node';
import { kubeClients } from '../kubernetes/client.ts';
import type { Vim } from '../../vim/model.ts';
import { HelmError } from './errors.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from './params.ts';

export interface Kube {
  core: CoreV1Api;
  apps: AppsV1Api;
}

export const kubeFor = (vim: Vim): Kube => kubeClients(vim);

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
  namespace: string;
}

export const isWorkloadKind = (kind: string): kind is WorkloadKind =>
  (WORKLOAD_KINDS as readonly string[]).includes(kind);

export const describe = (r: WorkloadRef) => `${r.kind} ${r.namespace}/${r.name}`;
export const refKey = (r: WorkloadRef) => `${r.kind}/${r.namespace}/${r.name}`;

export const isNotFound = (e: unknown) => e instanceof ApiException && e.code === 404;

/** What the API said, in one line ("HTTP 422: …"), for errors an operator reads. */
export function apiReason(e: unknown): string {
  if (e instanceof ApiException) {
    let msg = '';
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      msg = typeof body?.message === 'string' ? body.message : '';
    } catch {
      msg = typeof e.body === 'string' ? e.body : '';
    }
    return `HTTP ${e.code}${msg ? `: ${msg.split('\n')[0]}` : ''}`;
  }
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

interface LiveWorkload {
  uid: string;
  selector?: string;
  /** spec.replicas, or for a DaemonSet the pods it should run. */
  desired: number;
  /** The pods its controller counts as its own now (status.replicas; a DaemonSet's scheduled pods). */
  counted: number;
}

async function readLive(kube: Kube, ref: WorkloadRef): Promise<LiveWorkload | undefined> {
  const { name, namespace } = ref;
  const live = (
    o: { metadata?: { uid?: string }; spec?: { selector?: V1LabelSelector } },
    desired: number,
    counted: number | undefined,
  ): LiveWorkload => {
    const selector = selectorQuery(o.spec?.selector);
    return { uid: o.metadata?.uid ?? '', desired, counted: counted ?? 0, ...(selector ? { selector } : {}) };
  };
  try {
    switch (ref.kind) {
      case 'Deployment': {
        const d = await kube.apps.readNamespacedDeployment({ name, namespace });
        return live(d, d.spec?.replicas ?? 1, d.status?.replicas);
      }
      case 'StatefulSet': {
        const s = await kube.apps.readNamespacedStatefulSet({ name, namespace });
        return live(s, s.spec?.replicas ?? 1, s.status?.replicas);
      }
      case 'ReplicaSet': {
        const r = await kube.apps.readNamespacedReplicaSet({ name, namespace });
        return live(r, r.spec?.replicas ?? 1, r.status?.replicas);
      }
      case 'DaemonSet': {
        const d = await kube.apps.readNamespacedDaemonSet({ name, namespace });
        return live(d, d.status?.desiredNumberScheduled ?? 0, d.status?.currentNumberScheduled);
      }
    }
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw new HelmError(`${describe(ref)}: cannot be read: ${apiReason(e)}`);
  }
}

/**
 * The pods the workload owns now (none when it does not exist). `fresh`: a consistent
 * list, which on an idle cluster waits ~80 ms for the API server's watch cache to catch
 * up; otherwise the cache is read as it is (resourceVersion 0) and trusted only when it
 * holds exactly the pods the workload's controller counts (a consistent read of the
 * workload), else listed again consistently. Waits poll with `fresh`.
 */
export async function podsOf(kube: Kube, ref: WorkloadRef, opts: { fresh?: boolean } = {}): Promise<V1Pod[]> {
  const live = await readLive(kube, ref);
  const selector = live?.selector;
  if (!live || !selector) return [];
  if (!opts.fresh) {
    const cached = await ownedPods(kube, ref, live.uid, selector, '0');
    const active = cached.filter((p) => !p.metadata?.deletionTimestamp).length;
    if (active === live.counted) return cached;
  }
  return ownedPods(kube, ref, live.uid, selector, undefined);
}

async function ownedPods(
  kube: Kube,
  ref: WorkloadRef,
  uid: string,
  labelSelector: string,
  resourceVersion: '0' | undefined,
): Promise<V1Pod[]> {
  const { namespace } = ref;
  const q = { namespace, labelSelector, ...(resourceVersion ? { resourceVersion } : {}) };
  try {
    const [pods, rs] = await Promise.all([
      kube.core.listNamespacedPod(q),
      ref.kind === 'Deployment' ? kube.apps.listNamespacedReplicaSet(q) : undefined,
    ]);
    const owners = rs
      ? new Set(
          rs.items
            .filter((r) => r.metadata?.ownerReferences?.some((o) => o.uid === uid))
            .map((r) => r.metadata?.uid ?? ''),
        )
      : new Set([uid]);
    return pods.items.filter((p) => p.metadata?.ownerReferences?.some((o) => owners.has(o.uid)));
  } catch (e) {
    throw new HelmError(`pods of ${describe(ref)}: cannot be listed: ${apiReason(e)}`);
  }
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
): Promise<string | undefined> {
  const live = await readLive(kube, ref);
  if (!live) return `${describe(ref)} does not exist`;
  const pods = await podsOf(kube, ref, { fresh: true });
  const stale = pods.filter((p) => gone.has(p.metadata?.name ?? ''));
  if (stale.length > 0) return `${describe(ref)}: pod ${stale[0]?.metadata?.name} is still there`;
  const ready = pods.filter(podReady).length;
  if (ready !== live.desired || pods.length !== live.desired)
    return `${describe(ref)}: ${ready} of ${live.desired} pods ready (${pods.length} present)`;
  return undefined;
}

/** How often waits look again (each look is a consistent read: ~80 ms on an idle cluster). */
const POLL_MS = 200;

/** Waits until every workload is ready; fails at the deadline naming what was still missing. */
export async function waitReady(
  kube: Kube,
  refs: readonly WorkloadRef[],
  deadline: number,
  gone: ReadonlySet<string> = new Set(),
): Promise<void> {
  for (;;) {
    let reason: string | undefined;
    for (const ref of refs) {
      reason = await notReady(kube, ref, gone);
      if (reason) break;
    }
    if (!reason) return;
    if (Date.now() >= deadline) throw new HelmError(`timed out waiting for readiness: ${reason}`);
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
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
