// instantiate_end: install Kubernetes (and Helm) on the bound hosts, check the result
// from the VNFM, register the VIM and append its vimConnectionInfo entry. Everything the
// request says is checked against the bound hosts before the first SSH connection.
import { badRequest } from '../../errors.ts';
import type { HookContext, HookResult } from '../driver.ts';
import { clusterNodes, clusterIp } from './cluster.ts';
import { withOp } from './ops.ts';
import { parseClusterParams } from './params.ts';
import { install } from './steps.ts';
import { vimConnection } from './vim-info.ts';
import { helmInfoOf, upsertVim, vimNameOf } from './vim.ts';

export const REGISTER_STEP = 'vim.register';

/** The request checked against the hosts bound now (no SSH): params, roles, login users, shared master secret. */
export function plan(ctx: Pick<HookContext, 'flavour' | 'instantiateParams' | 'vnfcs'>) {
  const p = parseClusterParams(ctx.flavour, ctx.instantiateParams);
  const { masters, workers } = clusterNodes(ctx.vnfcs, p);
  if (masters.length === 0)
    throw badRequest(`no VNFC of master_node's VDU ${p.master.vduId} is bound: a cluster needs a master`);
  clusterIp(p, masters);
  let helmInfo;
  try {
    helmInfo = helmInfoOf(p, masters);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  return { p, masters, workers, helmInfo };
}

export async function instantiateEnd(ctx: HookContext): Promise<HookResult> {
  const { p, masters, workers, helmInfo } = plan(ctx);
  return withOp(ctx, p, undefined, async (op) => {
    const facts = await install(op, masters, workers);
    const { vim } = await upsertVim(ctx, REGISTER_STEP, vimNameOf(p, ctx.instance.id), facts, helmInfo);
    ctx.log.info(
      { vimId: vim.id, masters: masters.length, workers: workers.length },
      'kubernetes cluster registered as VIM',
    );
    return { vimConnectionInfo: [vimConnection(vim)] };
  });
}
