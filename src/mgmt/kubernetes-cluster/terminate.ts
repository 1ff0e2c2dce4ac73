// Terminate: refused while another VNF instance's vimConnectionInfo uses the cluster's
// VIM (also checked at accept); terminate_end deletes the VIM, its sealed secrets with
// it. The hosts are wiped by cleanHost as they are released.
import { conflict } from '../../errors.ts';
import type { HookContext, HookResult } from '../driver.ts';
import { connectionId } from './vim-info.ts';
import type { StoredCluster } from './vim.ts';

/** 409 when instances other than the cluster's own use its VIM. */
export async function refuseWhileUsed(
  ctx: Pick<HookContext, 'store' | 'vims'>,
  what: string,
  force = false,
): Promise<void> {
  const stored = await ctx.store.get<StoredCluster | null>();
  if (!stored?.vimId || force) return;
  const users = await ctx.vims.usedBy(stored.vimId);
  if (users.length > 0)
    throw conflict(
      `${what}: VNF instance(s) ${users.slice(0, 10).join(', ')} use this cluster's VIM ${stored.vimId}; terminate them first`,
    );
}

export const terminateStart = (ctx: HookContext) => refuseWhileUsed(ctx, 'terminate');

/** Deletes the VIM (if any) and forgets the cluster. */
export async function forgetCluster(ctx: HookContext, vimId: string | undefined): Promise<HookResult> {
  if (!vimId) return {};
  if (await ctx.vims.get(vimId)) await ctx.vims.remove(vimId);
  await ctx.store.set(null);
  return { removeVimConnectionIds: [connectionId(vimId)] };
}

export async function terminateEnd(ctx: HookContext): Promise<HookResult> {
  const stored = await ctx.store.get<StoredCluster | null>();
  return forgetCluster(ctx, stored?.vimId);
}
