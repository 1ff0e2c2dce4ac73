// The VNFCs of an instance as the cluster runs them now: the pods owned by each
// VDU's workload, leaving out pods already on their way out.
import type { InfraContext, InfraState, VnfcResource } from '../driver.ts';
import { type KubeClients, kubeClients } from './client.ts';
import { type ManifestState, readState } from './state.ts';
import { isTerminating, readWorkload, workloadPods } from './workloads.ts';

/** Each pod of each VDU workload (terminating ones included), with its VDU id. */
export async function vduPods(c: KubeClients, state: ManifestState, opts: { fresh?: boolean } = {}) {
  // Every VDU at once: each is a few API calls.
  const per = await Promise.all(
    Object.entries(state.vdus).map(async ([vduId, ref]) => {
      const w = await readWorkload(c, ref);
      return w ? (await workloadPods(c, w, opts)).map((pod) => ({ vduId, ref, pod })) : [];
    }),
  );
  return per.flat();
}

export async function observe(ctx: InfraContext, prior: InfraState): Promise<VnfcResource[]> {
  const state = readState(prior);
  if (!state) return [];
  const pods = await vduPods(kubeClients(ctx.vim), state);
  return pods
    .filter(({ pod }) => !isTerminating(pod))
    .map(({ vduId, ref, pod }) => ({
      id: pod.metadata?.name ?? '',
      vduId,
      workloadKind: ref.kind,
      workloadName: ref.name,
      namespace: ref.namespace,
      status: pod.status?.phase ?? 'Unknown',
    }));
}
