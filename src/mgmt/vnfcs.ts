// The pool hosts serving an instance's VNFCs, as MgmtDrivers see them (HookContext.vnfcs).
import { boundHosts } from '../infra/hosts/index.ts';
import type { BoundHost } from '../infra/hosts/model.ts';
import type { LcmContext } from '../lcm/context.ts';

/**
 * In binding order, ALLOCATED only: a released host waiting to be wiped (DIRTY) serves no
 * VNFC any more. Instances on a Kubernetes VIM have none.
 */
export async function boundVnfcs(
  ctx: Pick<LcmContext, 'db' | 'secrets'>,
  vnfInstanceId: string,
): Promise<BoundHost[]> {
  return (await boundHosts(ctx.db, ctx.secrets, vnfInstanceId)).filter((h) => h.state === 'ALLOCATED');
}
