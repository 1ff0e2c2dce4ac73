// The infra driver of instances on a hostpool VIM: each VNFC of a Vdu.Compute VDU is
// bound to one pre-provisioned host. The store (pool_hosts) is the truth of what is
// bound, so every step is "read what the instance has, then converge": a retry binds
// only what is missing and releases only what is left over. Nothing here logs in to a
// host; what runs there is the MgmtDriver's (cleanHost when a host is given back).
import { randomUUID } from 'node:crypto';
import { allocateHosts, boundHosts, type HostWant, swapHosts } from '../../db/queries/pool-hosts.ts';
import { badRequest } from '../../errors.ts';
import type { InfraContext, InfraDriver, InfraState, VnfcResource } from '../driver.ts';
import { HOST_RESOURCE_TYPE } from './model.ts';
import { finishReleases, type PoolDeps, release } from './release.ts';

/** Driver state: the hosts a heal in progress moves VNFCs off (VNFC id → host id), for its op occ. */
interface PoolState extends InfraState {
  healing?: { opOccId: string; from: Record<string, string> };
}

/** Binds or releases hosts until each VDU named has `replicas[vdu]` VNFCs: new ones first (all or none), then the highest-index surplus. */
async function converge(deps: PoolDeps, ctx: InfraContext, replicas: Record<string, number>): Promise<void> {
  await finishReleases(deps, ctx);
  const attached = await boundHosts(deps.db, deps.secrets, ctx.vnfInstanceId);
  const bound = attached.filter((b) => b.state === 'ALLOCATED');
  let next = Math.max(-1, ...attached.map((b) => b.index)) + 1;
  const wants: HostWant[] = [];
  const surplus: string[] = [];
  for (const [vduId, n] of Object.entries(replicas)) {
    const mine = bound.filter((b) => b.vduId === vduId);
    for (let i = mine.length; i < n; i++) wants.push({ vduId, vnfcId: randomUUID(), index: next++ });
    surplus.push(...mine.slice(n).map((b) => b.vnfcId));
  }
  await allocateHosts(deps.db, ctx.vim.id, ctx.vnfInstanceId, wants);
  for (const w of wants) ctx.log.info({ vnfcId: w.vnfcId, vduId: w.vduId }, 'pool host bound');
  if (surplus.length > 0) await release(deps, ctx, surplus);
}

export function createHostPoolDriver(deps: PoolDeps): InfraDriver {
  return {
    async validate(ctx) {
      const containers = ctx.flavour.vdus.filter((v) => v.kind !== 'Compute');
      if (containers.length > 0)
        throw badRequest(
          `VIM ${ctx.vim.id} is a hostpool VIM: its hosts run tosca.nodes.nfv.Vdu.Compute VDUs only, not ${containers
            .map((v) => `${v.id} (${v.type})`)
            .join(', ')}`,
        );
    },

    async instantiate(ctx, replicas, state) {
      await converge(deps, ctx, replicas);
      return state;
    },

    async scale(ctx, replicas, state) {
      await converge(deps, ctx, replicas);
      return state;
    },

    async healVnfcs(ctx, vnfcIds, state: PoolState) {
      await finishReleases(deps, ctx);
      const hostOf = new Map(
        (await boundHosts(deps.db, deps.secrets, ctx.vnfInstanceId))
          .filter((b) => b.state === 'ALLOCATED')
          .map((b) => [b.vnfcId, b.host.id]),
      );
      // A retry of the same heal (same op occ): a VNFC no longer on the host recorded has moved already.
      const opOccId = ctx.opOccId ?? '';
      const from = state.healing?.opOccId === opOccId ? { ...state.healing.from } : {};
      const todo = vnfcIds.filter((id) => !(from[id] && hostOf.get(id) !== from[id]));
      for (const id of todo) from[id] = hostOf.get(id) ?? '';
      const healing = { opOccId, from };
      await ctx.checkpoint?.({ ...state, healing });
      await swapHosts(deps.db, ctx.vim.id, ctx.vnfInstanceId, todo);
      for (const id of todo) ctx.log.info({ vnfcId: id, from: from[id] }, 'VNFC moved to a spare pool host');
      await finishReleases(deps, ctx);
      const { healing: _done, ...rest } = state;
      return rest;
    },

    async terminate(ctx) {
      await release(deps, ctx);
    },

    async observe(ctx): Promise<VnfcResource[]> {
      const bound = await boundHosts(deps.db, deps.secrets, ctx.vnfInstanceId);
      return bound
        .filter((b) => b.state === 'ALLOCATED')
        .map((b) => ({
          id: b.vnfcId,
          vduId: b.vduId,
          workloadKind: HOST_RESOURCE_TYPE,
          workloadName: b.host.id,
          namespace: '',
          status: b.state,
          host: { id: b.host.id, address: b.host.address, cps: b.host.cps ?? {} },
        }));
    },
  };
}
