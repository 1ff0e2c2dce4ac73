// Heal of named VNFCs in manifest mode: delete exactly those pods, wait until each
// is gone or replaced (a StatefulSet brings its pod back under the same name, so
// "replaced" means a new uid), re-create a bare Pod VDU from its manifest (no
// controller does it), then wait until the workloads are ready at the same size.
import { badRequest } from '../../errors.ts';
import type { InfraContext, InfraState } from '../driver.ts';
import { applyObject } from './apply.ts';
import { apiReason, isNotFound, kubeClients } from './client.ts';
import { loadManifests } from './manifests.ts';
import { vduPods } from './observe.ts';
import { deadlineIn, waitReady, waitUntil } from './readiness.ts';
import { render } from './render.ts';
import { requireState, withState, type WorkloadRef } from './state.ts';

export async function healVnfcs(
  ctx: InfraContext,
  podNames: string[],
  prior: InfraState,
): Promise<InfraState> {
  const deadline = deadlineIn(ctx.timeoutMs);
  const state = requireState(prior, 'heal');
  const c = kubeClients(ctx.vim);
  const known = new Map(
    (await vduPods(c, state, { fresh: true })).map((p) => [p.pod.metadata?.name ?? '', p]),
  );
  const victims = [...new Set(podNames)].map((name) => {
    const p = known.get(name);
    if (!p)
      throw badRequest(`pod ${JSON.stringify(name)} is not a VNFC of VNF instance ${ctx.vnfInstanceId}`);
    return { name, uid: p.pod.metadata?.uid ?? '', vduId: p.vduId, ref: p.ref };
  });
  try {
    ctx.progress?.step('delete pods', { done: 0, total: victims.length });
    for (const v of victims) {
      try {
        await c.core.deleteNamespacedPod({ name: v.name, namespace: v.ref.namespace });
      } catch (err) {
        if (!isNotFound(err))
          throw new Error(`pod ${v.ref.namespace}/${v.name}: cannot be deleted: ${apiReason(err)}`);
      }
      ctx.log.info({ pod: v.name, vduId: v.vduId }, 'deleted pod to heal it');
    }
    const pods = [...new Set(victims.map((v) => v.ref.namespace))].map((namespace) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace,
    }));
    await waitUntil(
      c,
      pods,
      async () => {
        for (const v of victims) {
          try {
            const pod = await c.core.readNamespacedPod({ name: v.name, namespace: v.ref.namespace });
            if (pod.metadata?.uid === v.uid) return `pod ${v.ref.namespace}/${v.name} still exists`;
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
        return undefined;
      },
      deadline,
    );
    const barePods = victims.filter((v) => v.ref.kind === 'Pod');
    if (barePods.length > 0) {
      const rendered = render(loadManifests(ctx), ctx.vnfInstanceId, {});
      for (const v of barePods) {
        const entry = rendered.find((e) => e.vduId === v.vduId);
        if (entry) await applyObject(c, ctx.vnfInstanceId, entry, state, ctx.log);
      }
    }
    const workloads = new Map<string, WorkloadRef>(victims.map((v) => [v.vduId, v.ref]));
    ctx.progress?.step('wait for readiness');
    await waitReady(c, [...workloads.values()], deadline, ctx.progress?.message.bind(ctx.progress));
    return state;
  } catch (err) {
    throw withState(err, state);
  }
}
