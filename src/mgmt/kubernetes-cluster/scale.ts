// Scale: workers only (accept refuses the master aspect). SCALE_IN's scale_start drains
// and deletes each worker leaving, on a master, while its host is still bound; SCALE_OUT's
// scale_end joins each new worker. helm_info does not change.
import { badRequest } from '../../errors.ts';
import type { BoundHost } from '../../infra/hosts/model.ts';
import type { HookContext } from '../driver.ts';
import { type ClusterNode, clusterNode, clusterNodes } from './cluster.ts';
import { withOp } from './ops.ts';
import { type ClusterParams, parseClusterParams } from './params.ts';
import { joinInfo, joinWorker, removeNode } from './steps.ts';
import { storedCluster } from './vim.ts';

/** Journaled by scale_end: the VNFC ids of the workers it joins. */
export const JOINING_STEP = 'scale.joining';

function workersOf(hosts: readonly BoundHost[], p: ClusterParams): ClusterNode[] {
  const nodes = hosts.map((b) => clusterNode(b, p));
  const master = nodes.find((n) => n.role === 'master');
  if (master)
    throw badRequest(`scaling would add or remove master VNFC ${master.bound.vnfcId}; only workers scale`);
  return nodes;
}

export async function scaleStart(ctx: HookContext): Promise<void> {
  const p = parseClusterParams(ctx.flavour, ctx.instantiateParams);
  const leaving = workersOf(ctx.changes.removed, p);
  if (leaving.length === 0) return;
  const stored = await storedCluster(ctx);
  const leavingIds = new Set(leaving.map((n) => n.bound.vnfcId));
  const master = clusterNodes(ctx.vnfcs, p).masters.find((m) => !leavingIds.has(m.bound.vnfcId))!;
  await withOp(ctx, p, stored, async (op) => {
    for (const w of leaving) await removeNode(op, master, w);
  });
}

export async function scaleEnd(ctx: HookContext): Promise<void> {
  const p = parseClusterParams(ctx.flavour, ctx.instantiateParams);
  const joining = workersOf(ctx.changes.added, p);
  if (joining.length === 0) return;
  const stored = await storedCluster(ctx);
  const joiningIds = new Set(joining.map((n) => n.bound.vnfcId));
  const master = clusterNodes(ctx.vnfcs, p).masters.find((m) => !joiningIds.has(m.bound.vnfcId))!;
  // What compensate undoes if a later join fails: the joins that finished, of these.
  await ctx.journal.step(JOINING_STEP, async () => joining.map((n) => n.bound.vnfcId));
  await withOp(ctx, p, stored, async (op) => {
    for (const w of joining) await op.staged(w);
    const join = await joinInfo(op, master);
    for (const w of joining) await joinWorker(op, w, join);
  });
}
