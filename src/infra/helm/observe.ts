// The VNFCs of a Helm-mode instance, read from the cluster: the pods owned by the
// workloads each release's manifest listed, each attributed to the VDU that
// vdu_mapping (name + kind + release) — or, failing that, the VDU's name — gives.
import type { InfraState, VnfcResource } from '../driver.ts';
import { type Op, paramsIfValid, vduOfWorkload, workloadsOf } from './operation.ts';
import { readState } from './state.ts';
import { podsOf } from './workloads.ts';

export async function observe(op: Op, prior: InfraState): Promise<VnfcResource[]> {
  const state = readState(prior);
  if (!state) return [];
  const p = paramsIfValid(op);
  const kube = op.kube;
  // Every workload read at once: each is a few API calls, and an instance may have many.
  const mapped = workloadsOf(state).flatMap((w) => {
    const vduId = vduOfWorkload(op, p, w);
    return vduId ? [{ w, vduId }] : [];
  });
  const found = await Promise.all(mapped.map(async (m) => ({ ...m, pods: await podsOf(kube, m.w) })));
  const out: VnfcResource[] = found.flatMap(({ w, vduId, pods }) =>
    pods.map((pod) => ({
      id: pod.metadata?.name ?? '',
      vduId,
      workloadKind: w.kind,
      workloadName: w.name,
      namespace: w.namespace,
      status: pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
    })),
  );
  return out.sort((a, b) => a.vduId.localeCompare(b.vduId) || a.id.localeCompare(b.id));
}
