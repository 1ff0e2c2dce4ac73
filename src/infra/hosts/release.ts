// Giving hosts back to the pool: ALLOCATED → DIRTY (in the store, at once), then the
// MgmtDriver wipes each (ctx.cleanHost; absent: nothing was installed), then DIRTY →
// FREE. A wipe that fails leaves its host DIRTY and attached to the instance, so the
// next attempt of the operation (or of any later one) wipes it again before going on.
import type { Db } from '../../db/connect.ts';
import { boundHosts, freeHost, releaseHosts } from '../../db/queries/pool-hosts.ts';
import type { SecretBox } from '../../secrets/box.ts';
import type { InfraContext } from '../driver.ts';

export interface PoolDeps {
  db: Db;
  secrets: SecretBox;
}

/** Wipes and frees every DIRTY host still attached to the instance. */
export async function finishReleases(deps: PoolDeps, ctx: InfraContext): Promise<void> {
  const dirty = (await boundHosts(deps.db, deps.secrets, ctx.vnfInstanceId)).filter(
    (b) => b.state === 'DIRTY',
  );
  for (const b of dirty) {
    await ctx.cleanHost?.(b);
    await freeHost(deps.db, ctx.vim.id, b.host.id, ctx.vnfInstanceId);
    ctx.log.info({ hostId: b.host.id, vnfcId: b.vnfcId }, 'pool host released');
  }
}

/** Releases the VNFCs named (all the instance's when none are named) and frees their hosts. */
export async function release(deps: PoolDeps, ctx: InfraContext, vnfcIds?: readonly string[]): Promise<void> {
  await releaseHosts(deps.db, ctx.vnfInstanceId, vnfcIds);
  await finishReleases(deps, ctx);
}
