// CHANGE_VNFPKG in manifest mode: the new package's manifests applied over the running
// VNF (server-side apply updates what both packages have, in place, so a Deployment
// rolls its pods), then every recorded object the new manifests no longer have deleted,
// and the VDU workloads waited for. The VDUs keep their current replica counts. A
// rollback is the same convergence towards the old package's manifests: what the new
// package added is deleted and what it changed or removed is applied again.
import { badRequest } from '../../errors.ts';
import type { InfraContext, InfraState } from '../driver.ts';
import { applyObject } from './apply.ts';
import { inApplyOrder } from './apply-order.ts';
import { describeObject, kubeClients } from './client.ts';
import { DEF_FILES_PARAM, loadManifests, vduRefs } from './manifests.ts';
import { deadlineIn, waitReady, waitUntil } from './readiness.ts';
import { checkReplicas, render } from './render.ts';
import { readState, requireState, type ResourceRef, sameRef, withState } from './state.ts';
import { deleteObject, stillExists } from './terminate.ts';
import { followVdus } from './vdu-progress.ts';

type Params = Record<string, unknown>;

/**
 * The instance's additionalParams for the new package: its `lcm-kubernetes-def-files` from
 * the request, else the same paths as before (the new package must have them). The
 * namespace stays the instance's: a package change does not move the VNF.
 */
export async function packageParams(ctx: InfraContext, request: Params, prior: InfraState): Promise<Params> {
  if (request.helm_chart_path !== undefined)
    throw badRequest(
      `helm_chart_path: the instance runs in manifest mode; its new manifests are ${DEF_FILES_PARAM}`,
    );
  const next = { ...ctx.additionalParams };
  if (request[DEF_FILES_PARAM] !== undefined) next[DEF_FILES_PARAM] = request[DEF_FILES_PARAM];
  const m = loadManifests({ ...ctx, additionalParams: next });
  const state = readState(prior);
  if (state && m.namespace !== state.namespace)
    throw badRequest(
      `${DEF_FILES_PARAM}: the new package's manifests go to namespace ${m.namespace}; the VNF instance runs in ${state.namespace}, and a package change does not move it`,
    );
  return next;
}

/** Makes the cluster hold exactly the objects of `ctx`'s manifests for the instance, with `replicas`. */
async function converge(
  ctx: InfraContext,
  replicas: Record<string, number>,
  prior: InfraState,
): Promise<InfraState> {
  const deadline = deadlineIn(ctx.timeoutMs);
  const m = loadManifests(ctx);
  const state = requireState(prior, 'change the VNF package');
  // VDUs the other package had and this one has not get no count; new VDUs keep their manifest's.
  const counts = Object.fromEntries(Object.entries(replicas).filter(([vduId]) => m.vduWorkloads[vduId]));
  checkReplicas(m, counts);
  const c = kubeClients(ctx.vim);
  const objects = inApplyOrder(render(m, ctx.vnfInstanceId, counts), (e) => e.object.kind);
  state.vdus = vduRefs(m, state.namespace);
  const vdus = followVdus(c, ctx.progress, () =>
    Object.entries(state.vdus).map(([vduId, ref]) => ({ vduId, ref, wanted: counts[vduId] })),
  );
  try {
    await ctx.checkpoint?.(state);
    const kept: ResourceRef[] = [];
    for (const [i, entry] of objects.entries()) {
      ctx.progress?.step(`apply ${entry.object.kind} ${entry.object.metadata.name}`, {
        done: i,
        total: objects.length,
      });
      await applyObject(c, ctx.vnfInstanceId, entry, state, ctx.log);
      const o = entry.object;
      kept.push({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      });
      await ctx.checkpoint?.(state);
    }
    // Never the namespace the instance lives in: deleting it would delete everything kept.
    const gone = state.resources.filter(
      (r) => !kept.some((k) => sameRef(k, r)) && !(r.kind === 'Namespace' && r.name === state.namespace),
    );
    if (gone.length > 0) {
      ctx.progress?.step('delete objects the package no longer has', { done: 0, total: gone.length });
      for (const ref of [...gone].reverse()) {
        ctx.log.info({ object: describeObject(ref) }, 'not in the package any more: deleting');
        await deleteObject(c, ref, 0);
      }
      await waitUntil(
        c,
        gone.map(({ apiVersion, kind, namespace }) => ({ apiVersion, kind, namespace })),
        async () => {
          for (const ref of gone) if (await stillExists(c, ref)) return `${describeObject(ref)} still exists`;
          return undefined;
        },
        deadline,
      );
      state.resources = state.resources.filter((r) => !gone.some((g) => sameRef(g, r)));
      await ctx.checkpoint?.(state);
    }
    ctx.progress?.step('wait for readiness');
    await waitReady(c, Object.values(state.vdus), deadline, ctx.progress?.message.bind(ctx.progress));
    return state;
  } catch (err) {
    throw withState(err, state);
  } finally {
    await vdus.stop();
  }
}

export const changeVnfpkg = converge;
export const rollbackChangeVnfpkg = converge;
