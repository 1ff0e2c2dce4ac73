// VDU workloads: which kinds can carry a VDU, how their replicas are set, and which
// pods really belong to one. Pods are found by the workload's selector and then
// kept only when the owner chain leads back to that workload (Deployment →
// ReplicaSet → Pod), so two VDUs whose selectors overlap never share VNFCs.
import type { V1LabelSelector as LabelSelector, V1Pod } from '@kubernetes/client-node';
import { type KubeClients, isNotFound } from './client.ts';
import type { WorkloadRef } from './state.ts';

/** Workload kinds a VDU can map to, with the only apiVersion the driver drives them by. */
export const WORKLOAD_KINDS: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Pod: 'v1',
};

export const isWorkloadKind = (kind: string) => Object.hasOwn(WORKLOAD_KINDS, kind);

/** Kinds whose size is `spec.replicas`; a DaemonSet follows the nodes, a Pod is one. */
export const hasReplicas = (kind: string) =>
  kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet';

/** `spec.selector` as a label selector query (`a=b,c in (d,e),!f`). */
export function selectorQuery(sel: LabelSelector | undefined): string | undefined {
  if (!sel) return undefined;
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(',')})`;
    if (e.operator === 'In') parts.push(`${e.key} in ${values}`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin ${values}`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  // An empty selector would match every pod of the namespace: never what a VDU means.
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** A workload as read from the API, reduced to what readiness and pod lookup need. */
export interface LiveWorkload {
  ref: WorkloadRef;
  uid: string;
  generation: number;
  /** Desired pods: spec.replicas, DaemonSet desiredNumberScheduled, 1 for a Pod. */
  desired: number;
  /** Pods its controller counts as its own now: status.replicas, DaemonSet currentNumberScheduled, 1 for a Pod. */
  counted: number;
  selector?: string;
  status: Record<string, unknown>;
  /** The Pod itself when the workload is a bare Pod. */
  pod?: V1Pod;
}

/** Reads the workload; undefined when it does not exist. */
export async function readWorkload(c: KubeClients, ref: WorkloadRef): Promise<LiveWorkload | undefined> {
  const { name, namespace } = ref;
  try {
    switch (ref.kind) {
      case 'Pod': {
        const pod = await c.core.readNamespacedPod({ name, namespace });
        return { ref, uid: pod.metadata?.uid ?? '', generation: 0, desired: 1, counted: 1, status: {}, pod };
      }
      case 'DaemonSet': {
        const ds = await c.apps.readNamespacedDaemonSet({ name, namespace });
        return live(
          ref,
          ds,
          ds.status?.desiredNumberScheduled ?? 0,
          ds.spec?.selector,
          ds.status?.currentNumberScheduled,
        );
      }
      case 'Deployment': {
        const d = await c.apps.readNamespacedDeployment({ name, namespace });
        return live(ref, d, d.spec?.replicas ?? 1, d.spec?.selector, d.status?.replicas);
      }
      case 'StatefulSet': {
        const s = await c.apps.readNamespacedStatefulSet({ name, namespace });
        return live(ref, s, s.spec?.replicas ?? 1, s.spec?.selector, s.status?.replicas);
      }
      case 'ReplicaSet': {
        const r = await c.apps.readNamespacedReplicaSet({ name, namespace });
        return live(ref, r, r.spec?.replicas ?? 1, r.spec?.selector, r.status?.replicas);
      }
      default:
        throw new Error(`${ref.kind} is not a workload kind the driver knows`);
    }
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function live(
  ref: WorkloadRef,
  o: { metadata?: { uid?: string; generation?: number }; status?: object },
  desired: number,
  selector: LabelSelector | undefined,
  counted: number | undefined,
): LiveWorkload {
  const sel = selectorQuery(selector);
  return {
    ref,
    uid: o.metadata?.uid ?? '',
    generation: o.metadata?.generation ?? 0,
    desired,
    counted: counted ?? 0,
    ...(sel ? { selector: sel } : {}),
    status: (o.status ?? {}) as Record<string, unknown>,
  };
}

const ownedBy = (o: { metadata?: { ownerReferences?: { uid: string }[] } }, uids: Set<string>) =>
  (o.metadata?.ownerReferences ?? []).some((r) => uids.has(r.uid));

/**
 * The pods of the workload now, terminating ones included (callers decide what those
 * mean). `fresh`: a consistent list, which on an idle cluster waits ~80 ms for the API
 * server's watch cache to catch up with etcd. Otherwise the cache is read as it is
 * (resourceVersion 0) and trusted only when it holds exactly the pods the workload's
 * controller counts in the status just read consistently, else listed again
 * consistently. Waits for readiness read fresh, or `notOlderThan` a resourceVersion
 * their watch of the namespace's pods has seen: the watch cache serves that at once
 * (it has seen it), where a consistent list first waits for it to catch up with etcd.
 */
export async function workloadPods(
  c: KubeClients,
  w: LiveWorkload,
  opts: { fresh?: boolean; notOlderThan?: string | undefined } = {},
): Promise<V1Pod[]> {
  if (w.pod) return [w.pod];
  if (!w.selector) return [];
  if (opts.notOlderThan)
    return ownedPods(c, w, w.selector, {
      resourceVersion: opts.notOlderThan,
      resourceVersionMatch: 'NotOlderThan',
    });
  if (!opts.fresh) {
    const cached = await ownedPods(c, w, w.selector, { resourceVersion: '0' });
    if (cached.filter((p) => !isTerminating(p)).length === w.counted) return cached;
  }
  return ownedPods(c, w, w.selector, {});
}

async function ownedPods(
  c: KubeClients,
  w: LiveWorkload,
  labelSelector: string,
  at: { resourceVersion?: string; resourceVersionMatch?: string },
): Promise<V1Pod[]> {
  const q = { namespace: w.ref.namespace, labelSelector, ...at };
  const [pods, rs] = await Promise.all([
    c.core.listNamespacedPod(q),
    w.ref.kind === 'Deployment' ? c.apps.listNamespacedReplicaSet(q) : undefined,
  ]);
  const owners = rs
    ? new Set(rs.items.filter((r) => ownedBy(r, new Set([w.uid]))).map((r) => r.metadata?.uid ?? ''))
    : new Set([w.uid]);
  return pods.items
    .filter((p) => ownedBy(p, owners))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

export const isTerminating = (p: V1Pod) => Boolean(p.metadata?.deletionTimestamp);
