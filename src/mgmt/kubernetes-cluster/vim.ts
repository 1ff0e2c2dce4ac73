// Registering the cluster as a Kubernetes VIM, and updating that same VIM (same id: the
// registry keys it by owner instance and name) after a heal. The facts the VIM is made
// from are kept in the instance store, sealed, so later op occs need nothing from the
// VIM's masked view.
import type { HookContext } from '../driver.ts';
import type { Vim } from '../../vim/model.ts';
import type { HelmInfo } from '../../vim/model.ts';
import type { ClusterFacts, ClusterNode } from './cluster.ts';
import type { ClusterParams } from './params.ts';
import { helmInfoFor } from './vim-info.ts';

/** The cluster facts the driver keeps per instance (ctx.store). */
export interface StoredCluster extends ClusterFacts {
  vimId: string;
  vimName: string;
  /** helm_info as registered, secrets included (the store is sealed). */
  helmInfo?: HelmInfo;
}

export const vimNameOf = (p: ClusterParams, instanceId: string) =>
  p.vim_name ?? `kubernetes_vim_${instanceId}`;

/** helm_info for the masters, when the request installs Helm. */
export const helmInfoOf = (p: ClusterParams, masters: readonly ClusterNode[]) =>
  p.helm_installation_script_path ? helmInfoFor(masters.map((m) => m.bound.host)) : undefined;

/** Registers or updates (same owner, same name: same id) the VIM; journaled as `step`. Returns the stored cluster. */
export async function upsertVim(
  ctx: HookContext,
  step: string,
  name: string,
  facts: ClusterFacts,
  helmInfo: HelmInfo | undefined,
): Promise<{ vim: Vim; stored: StoredCluster }> {
  const vimId = await ctx.journal.step(step, async () => {
    const vim = await ctx.vims.upsert({
      name,
      auth_url: facts.server,
      auth_cred: { bearer_token: facts.token, ssl_ca_cert: facts.caCert },
      extra: helmInfo ? { helm_info: helmInfo } : {},
    });
    return vim.id;
  });
  const stored: StoredCluster = {
    ...facts,
    vimId,
    vimName: name,
    ...(helmInfo ? { helmInfo } : {}),
  };
  await ctx.store.set(stored);
  const vim = await ctx.vims.get(vimId);
  if (!vim) throw new Error(`VIM ${vimId} registered for this cluster is gone`);
  return { vim, stored };
}

/** The instance's stored cluster; an error when there is none (the cluster was never installed). */
export async function storedCluster(ctx: Pick<HookContext, 'store'>): Promise<StoredCluster> {
  const s = await ctx.store.get<StoredCluster>();
  if (!s?.vimId)
    throw new Error('this instance has no Kubernetes cluster on record (instantiate did not finish)');
  return s;
}
