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
  const out: VnfcResource[] = [];
  for (const w of workloadsOf(state)) {
    const vduId = vduOfWorkload(op, p, w);
    if (!vduId) continue;
    for (const pod of await podsOf(kube, w)) {
      out.push({
        id: pod.metadata?.name ?? '',
        vduId,
        workloadKind: w.kind,
        workloadName: w.name,
        namespace: w.namespace,
        status: pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
      });
    }
  }
  return out.sort((a, b) => a.vduId.localeCompare(b.vduId) || a.id.localeCompare(b.id));
}
