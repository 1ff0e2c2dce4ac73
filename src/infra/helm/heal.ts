// HEAL of VNFCs in Helm mode. Helm has no heal; as the spec notes, the Kubernetes
// API does it: the named pods are deleted and their workloads' controllers create
// replacements, which are awaited Ready. Only pods of this instance's releases'
// workloads may be named; a pod already gone (a retry) counts as deleted.
import { badRequest } from '../../errors.ts';
import type { InfraState } from '../driver.ts';
import { type Op, paramsIfValid, workloadsOf } from './operation.ts';
import { followHelmVdus, tellOf } from './progress.ts';
import { requireState } from './scale.ts';
import { toInfraState, withState } from './state.ts';
import { deletePod, podsOf, readPod, waitReady, type WorkloadRef } from './workloads.ts';

export async function healVnfcs(op: Op, podNames: string[], prior: InfraState): Promise<InfraState> {
  const state = requireState(prior);
  const kube = op.kube;
  const vdus = followHelmVdus(op, state, paramsIfValid(op));
  try {
    const workloads = workloadsOf(state);
    const owner = new Map<string, WorkloadRef>();
    for (const w of workloads)
      for (const pod of await podsOf(kube, w, { fresh: true })) owner.set(pod.metadata?.name ?? '', w);
    const affected = new Set<WorkloadRef>();
    const victims: { name: string; namespace: string }[] = [];
    for (const name of podNames) {
      const w = owner.get(name);
      if (w) {
        affected.add(w);
        victims.push({ name, namespace: w.namespace });
        continue;
      }
      // Not among the instance's pods: gone already (a retry after deleting it), or someone else's.
      const namespaces = new Set(workloads.map((x) => x.namespace));
      for (const ns of namespaces) {
        if (await readPod(kube, name, ns))
          throw badRequest(`pod ${ns}/${name} is not a VNFC of VNF instance ${op.ctx.vnfInstanceId}`);
      }
      op.ctx.log.info({ pod: name }, 'pod already gone; waiting for its replacement');
      for (const x of workloads) affected.add(x);
    }
    op.ctx.progress?.step('delete pods', { done: 0, total: victims.length });
    for (const v of victims) {
      op.ctx.log.info({ pod: v.name, namespace: v.namespace }, 'deleting pod to heal it');
      await deletePod(kube, v.name, v.namespace);
    }
    op.ctx.progress?.step('wait for readiness');
    await waitReady(kube, [...affected], op.deadline, new Set(podNames), tellOf(op));
    return toInfraState(state);
  } catch (e) {
    throw withState(e, state);
  } finally {
    await vdus.stop();
  }
}
