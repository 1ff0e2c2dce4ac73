// Helm mode's side of `_progress.vdus`: the VDUs' workloads (vdu_mapping's, or named like
// the VDU) followed beside helm's own --wait and the VNFM's waits (kubernetes/vdu-progress.ts).
import { WORKLOAD_KINDS } from '../kubernetes/workloads.ts';
import { followVdus, type VduTarget } from '../kubernetes/vdu-progress.ts';
import { type Op, workloadOfVdu } from './operation.ts';
import type { HelmParams } from './params.ts';
import type { HelmState } from './state.ts';

/** Follows every VDU of the flavour (`replicas`: the counts asked for, where the operation sets them). */
export function followHelmVdus(
  op: Op,
  state: HelmState,
  p: HelmParams | undefined,
  replicas: Record<string, number> = {},
): { stop: () => Promise<void> } {
  const targets = (): VduTarget[] =>
    op.ctx.flavour.vdus.flatMap((v) => {
      const w = workloadOfVdu(op, state, p, v.id);
      if (!w) return [];
      const wanted = w.kind === 'DaemonSet' ? undefined : replicas[v.id];
      const ref = {
        apiVersion: WORKLOAD_KINDS[w.kind] ?? 'apps/v1',
        kind: w.kind,
        name: w.name,
        namespace: w.namespace,
      };
      return [{ vduId: v.id, ref, ...(wanted !== undefined ? { wanted } : {}) }];
    });
  return followVdus(op.kube, op.ctx.progress, targets);
}

/** The progress message of a wait's "still missing" text (undefined without progress). */
export const tellOf = (op: Op): ((lacking: string) => void) | undefined => {
  const sink = op.ctx.progress;
  return sink && ((lacking) => sink.message(lacking));
};
