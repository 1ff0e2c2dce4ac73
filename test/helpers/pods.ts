// What the cluster really runs: pod names and phases for a label selector.
import type { CoreV1Api } from '@kubernetes/client-node';
import { eventually } from './wait.ts';

export interface PodState {
  name: string;
  phase: string;
  terminating: boolean;
}

export async function pods(core: CoreV1Api, namespace: string, labelSelector: string): Promise<PodState[]> {
  const list = await core.listNamespacedPod({ namespace, labelSelector });
  return list.items.map((p) => ({
    name: p.metadata?.name ?? '',
    phase: p.status?.phase ?? '',
    terminating: Boolean(p.metadata?.deletionTimestamp),
  }));
}

/** Waits until exactly `count` pods match, all Running and none terminating. */
export function runningPods(
  core: CoreV1Api,
  namespace: string,
  labelSelector: string,
  count: number,
  timeoutMs = 90_000,
) {
  return eventually(
    `${count} Running pods with ${labelSelector} in ${namespace}`,
    () => pods(core, namespace, labelSelector),
    (ps) => ps.length === count && ps.every((p) => p.phase === 'Running' && !p.terminating),
    timeoutMs,
  );
}
