// The order objects are applied in: what others refer to comes first, so a
// workload never starts before its namespace, quota, service account, secrets,
// config, volumes, RBAC and Service exist. Terminate deletes in the reverse order.

const RANKS: readonly (readonly string[])[] = [
  ['Namespace'],
  ['ResourceQuota', 'LimitRange'],
  ['ServiceAccount'],
  ['Secret'],
  ['ConfigMap'],
  ['StorageClass', 'PersistentVolume', 'PersistentVolumeClaim'],
  ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  ['Service'],
  ['Pod', 'ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet'],
];

const rankOf = new Map(RANKS.flatMap((kinds, i) => kinds.map((k) => [k, i] as const)));
/** Kinds not listed (Jobs, Ingresses, custom resources…) come after the workloads. */
const LAST = RANKS.length;

export const applyRank = (kind: string) => rankOf.get(kind) ?? LAST;

/** `items` in apply order; items of the same rank keep their order in the manifests (the sort is stable). */
export function inApplyOrder<T>(items: readonly T[], kindOf: (item: T) => string): T[] {
  return [...items].sort((a, b) => applyRank(kindOf(a)) - applyRank(kindOf(b)));
}
