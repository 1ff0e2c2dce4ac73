// Instantiate in manifest mode: load the package's manifests, create the
// namespace if needed, apply every object in dependency order, wait for the VDU
// workloads to be ready. A retry runs the same steps against what exists: objects
// of this instance are updated, never re-created or refused.
import type { InfraContext, InfraState } from '../driver.ts';
import { applyObject, ensureNamespace } from './apply.ts';
import { inApplyOrder } from './apply-order.ts';
import { kubeClients } from './client.ts';
import { loadManifests, vduRefs } from './manifests.ts';
import { deadlineIn, waitReady } from './readiness.ts';
import { checkReplicas, render } from './render.ts';
import { emptyState, readState, withState } from './state.ts';
import { followVdus } from './vdu-progress.ts';

export async function instantiate(
  ctx: InfraContext,
  replicas: Record<string, number>,
  prior: InfraState,
): Promise<InfraState> {
  const deadline = deadlineIn(ctx.timeoutMs);
  const m = loadManifests(ctx);
  checkReplicas(m, replicas);
  const state = readState(prior) ?? emptyState(m.namespace);
  if (state.namespace !== m.namespace && (state.resources.length > 0 || state.createdNamespace)) {
    // Continuing elsewhere would orphan what the earlier attempt created.
    throw withState(
      new Error(
        `VNF instance ${ctx.vnfInstanceId} already has objects in namespace ${state.namespace}; roll back before instantiating into ${m.namespace}`,
      ),
      state,
    );
  }
  state.namespace = m.namespace;
  // Known before anything is applied, so a partial state already tells terminate and observe where to look.
  state.vdus = vduRefs(m, m.namespace);
  const c = kubeClients(ctx.vim);
  const objects = inApplyOrder(render(m, ctx.vnfInstanceId, replicas), (e) => e.object.kind);
  const definesNamespace = objects.some(
    (e) => e.object.kind === 'Namespace' && e.object.metadata.name === m.namespace,
  );
  const vdus = followVdus(c, ctx.progress, () =>
    Object.entries(state.vdus).map(([vduId, ref]) => ({ vduId, ref, wanted: replicas[vduId] })),
  );
  try {
    await ctx.checkpoint?.(state);
    await ensureNamespace(c, ctx.vnfInstanceId, state, definesNamespace, ctx.log);
    await ctx.checkpoint?.(state);
    for (const [i, entry] of objects.entries()) {
      ctx.progress?.step(`apply ${entry.object.kind} ${entry.object.metadata.name}`, {
        done: i,
        total: objects.length,
      });
      await applyObject(c, ctx.vnfInstanceId, entry, state, ctx.log);
      await ctx.checkpoint?.(state);
    }
    ctx.log.info(
      { namespace: state.namespace, objects: objects.length },
      'manifests applied; waiting for VDU workloads',
    );
    ctx.progress?.step('wait for readiness');
    await waitReady(c, Object.values(state.vdus), deadline, ctx.progress?.message.bind(ctx.progress));
    return state;
  } catch (err) {
    throw withState(err, state);
  } finally {
    await vdus.stop();
  }
}
