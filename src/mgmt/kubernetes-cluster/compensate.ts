// Rollback of a failed op occ, from what its journal says was done. Instantiate: the VIM
// goes if it was registered (the hosts are wiped by cleanHost as they are released).
// Scale out: workers that joined are removed from the cluster again before their hosts go
// (the journal's `scale.joining` says which VNFCs scale_end joined).
import type { HookContext, HookResult } from '../driver.ts';
import { type ClusterNode, clusterNode, clusterNodes } from './cluster.ts';
import { REGISTER_STEP } from './instantiate.ts';
import { withOp } from './ops.ts';
import { parseClusterParams } from './params.ts';
import { JOINING_STEP } from './scale.ts';
import { removeNode } from './steps.ts';
import { forgetCluster } from './terminate.ts';
import type { StoredCluster } from './vim.ts';

export async function compensate(ctx: HookContext): Promise<HookResult> {
  const stored = await ctx.store.get<StoredCluster | null>();
  if (ctx.opOcc.operation === 'INSTANTIATE')
    return forgetCluster(ctx, (await ctx.journal.done<string>(REGISTER_STEP)) ?? stored?.vimId);
  if ((ctx.opOcc.operation !== 'SCALE' && ctx.opOcc.operation !== 'SCALE_TO_LEVEL') || !stored) return {};
  // Scale out: the workers scale_end joined before a later step failed (their hosts are still bound).
  const p = parseClusterParams(ctx.flavour, ctx.instantiateParams);
  const joining = new Set((await ctx.journal.done<string[]>(JOINING_STEP)) ?? []);
  const joined: ClusterNode[] = [];
  for (const b of ctx.vnfcs)
    if (joining.has(b.vnfcId) && (await ctx.journal.done(`k8s.join-worker:${b.vnfcId}`)))
      joined.push(clusterNode(b, p));
  if (joined.length === 0) return {};
  const ids = new Set(joined.map((n) => n.bound.vnfcId));
  const master = clusterNodes(ctx.vnfcs, p).masters.find((m) => !ids.has(m.bound.vnfcId));
  if (!master) return {};
  await withOp(ctx, p, stored, async (op) => {
    for (const w of joined) await removeNode(op, master, w);
  });
  return {};
}
