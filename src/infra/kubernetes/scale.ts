// Scale in manifest mode: set spec.replicas of the named VDUs' workloads and wait
// until each has exactly that many ready pods and no terminating ones.
import { PatchStrategy } from '@kubernetes/client-node';
import { badRequest } from '../../errors.ts';
import type { InfraContext, InfraState } from '../driver.ts';
import { apiReason, describeObject, FIELD_MANAGER, header, kubeClients } from './client.ts';
import { deadlineIn, waitReady } from './readiness.ts';
import { requireState, withState, type WorkloadRef } from './state.ts';
import { followVdus } from './vdu-progress.ts';

export async function scale(
  ctx: InfraContext,
  replicas: Record<string, number>,
  prior: InfraState,
): Promise<InfraState> {
  const deadline = deadlineIn(ctx.timeoutMs);
  const state = requireState(prior, 'scale');
  // Every VDU is checked before any is changed, so a bad request changes nothing.
  const targets: [WorkloadRef, number][] = Object.entries(replicas).map(([vduId, n]) => {
    const ref = state.vdus[vduId];
    if (!ref) throw badRequest(`VDU ${vduId} is not a VDU of this VNF instance`);
    if (!Number.isInteger(n) || n < 0)
      throw badRequest(`replicas for VDU ${vduId} must be a whole number ≥ 0, not ${n}`);
    if (ref.kind === 'DaemonSet') {
      throw badRequest(
        `VDU ${vduId} is the DaemonSet ${ref.name}: it runs one pod per node and cannot be scaled`,
      );
    }
    if (ref.kind === 'Pod' && n !== 1) {
      throw badRequest(`VDU ${vduId} is the bare Pod ${ref.name}: it has exactly 1 instance, not ${n}`);
    }
    return [ref, n];
  });
  const c = kubeClients(ctx.vim);
  const vdus = followVdus(c, ctx.progress, () =>
    Object.entries(replicas).flatMap(([vduId, wanted]) => {
      const ref = state.vdus[vduId];
      return ref ? [{ vduId, ref, wanted }] : [];
    }),
  );
  ctx.progress?.step('set replicas');
  try {
    for (const [ref, n] of targets) {
      if (ref.kind === 'Pod') continue;
      const h = header(ref);
      try {
        await c.objects.patch(
          { ...h, spec: { replicas: n } },
          undefined,
          undefined,
          FIELD_MANAGER,
          undefined,
          PatchStrategy.MergePatch,
        );
      } catch (err) {
        throw new Error(`${describeObject(ref)}: cannot set replicas to ${n}: ${apiReason(err)}`);
      }
      ctx.log.info({ workload: describeObject(ref), replicas: n }, 'scaling');
    }
    ctx.progress?.step('wait for readiness');
    await waitReady(
      c,
      targets.map(([ref]) => ref),
      deadline,
      ctx.progress?.message.bind(ctx.progress),
    );
    return state;
  } catch (err) {
    throw withState(err, state);
  } finally {
    await vdus.stop();
  }
}
