// Resolves what a workflow needs to call the infra driver: the VNFD flavour, the
// VIM as registered — or as the instantiate request gave it inline, from the entry kept
// sealed with the instance (vim/inline.ts) — the request's helm_info beside it (Helm mode
// decides which of either's credentials go where: infra/helm/helm-info.ts) and the driver
// chosen at instantiate (helmMode).
import { getVim, recordVimHostKey } from '../db/queries/vims.ts';
import { saveInstance } from '../db/queries/instances.ts';
import { getPackageVnfd } from '../db/queries/packages.ts';
import { badRequest, ProblemError } from '../errors.ts';
import type { InfraContext, InfraDriver } from '../infra/driver.ts';
import { V2_KEYS } from '../infra/helm/index.ts';
import { cleanHostFor } from '../mgmt/hooks.ts';
import { instantiateParams } from '../mgmt/params.ts';
import { flavour as findFlavour, type Vnfd } from '../packages/vnfd/index.ts';
import { HELM_VIM_TYPE, inlineVim } from '../vim/inline.ts';
import type { Vim } from '../vim/model.ts';
import type { EngineState, LcmContext, RollbackScale } from './context.ts';
import type { VimConnectionInfo, VnfInstance, VnfLcmOpOcc } from './model.ts';

export function usesHelm(params: Record<string, unknown> | undefined): boolean {
  const v = params?.use_helm;
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/**
 * Whether an instantiate runs in Helm mode: v1's `use_helm`, the v2 Helm parameters, or a
 * vimConnectionInfo entry of vimType ETSINFV.HELM.V_3 (SOL003 v3 clients send no use_helm).
 */
export function helmMode(params: Record<string, unknown> | undefined, vimType?: string): boolean {
  return usesHelm(params) || vimType === HELM_VIM_TYPE || V2_KEYS.some((k) => params?.[k] !== undefined);
}

export function driverFor(
  ctx: LcmContext,
  state: EngineState,
): InfraDriver & { rollbackScale?: RollbackScale } {
  if (state.driver === 'hostpool') return ctx.drivers.hostpool;
  return state.driver === 'helm' ? ctx.drivers.helm : ctx.drivers.manifest;
}

export async function loadVnfd(ctx: LcmContext, instance: VnfInstance): Promise<Vnfd> {
  const vnfd = await getPackageVnfd<Vnfd>(ctx.db, instance.vnfPkgId);
  if (!vnfd) throw new ProblemError(409, 'Conflict', `VNF package ${instance.vnfPkgId} is not onboarded`);
  return vnfd;
}

/** The instantiate request's vimConnectionInfo entry, kept sealed in the engine state (older rows sealed only its extra). */
export function requestVimConnection(
  ctx: Pick<LcmContext, 'secrets'>,
  state: EngineState,
): Partial<VimConnectionInfo> | undefined {
  if (state.vimConnectionSealed) return ctx.secrets.openJson<VimConnectionInfo>(state.vimConnectionSealed);
  if (state.vimExtraSealed)
    return { extra: ctx.secrets.openJson<Record<string, unknown>>(state.vimExtraSealed) };
  return undefined;
}

/** The VIM the instance runs on: the registered one, or the inline one from the sealed request entry. */
async function instanceVim(ctx: LcmContext, instance: VnfInstance, state: EngineState): Promise<Vim> {
  if (state.vimInline) {
    const entry = requestVimConnection(ctx, state) as VimConnectionInfo | undefined;
    if (!entry) throw new ProblemError(409, 'Conflict', `VNF instance ${instance.id} has no VIM recorded`);
    return inlineVim(entry, instance.id, `vimConnectionInfo (${entry.id})`);
  }
  const vimId = state.vimId;
  if (!vimId) throw new ProblemError(409, 'Conflict', `VNF instance ${instance.id} has no VIM recorded`);
  const vim = await getVim(ctx.db, ctx.secrets, vimId);
  if (!vim) throw badRequest(`VIM ${vimId} does not exist`);
  return vim;
}

/** `opOcc`: the operation the infra driver acts for (hosts it releases are cleaned by the instance's MgmtDriver). */
export async function infraContext(
  ctx: LcmContext,
  instance: VnfInstance,
  state: EngineState,
  opOcc?: Pick<VnfLcmOpOcc, 'id' | 'operation' | 'operationParams'>,
): Promise<InfraContext> {
  const vim = await instanceVim(ctx, instance, state);
  const vimId = vim.id;
  const vnfd = await loadVnfd(ctx, instance);
  const flavour = findFlavour(vnfd, state.flavourId ?? '');
  if (!flavour) throw badRequest(`flavour '${state.flavourId}' is not in VNFD ${vnfd.vnfdId}`);
  const log = ctx.log.child({ vnfInstanceId: instance.id });
  const cleanHost = opOcc && cleanHostFor(ctx, opOcc, { instance, state }, flavour);
  return {
    vim,
    requestHelmInfo: requestVimConnection(ctx, state)?.extra?.helm_info,
    packageRoot: ctx.storage.content(instance.vnfPkgId),
    vnfInstanceId: instance.id,
    flavour,
    additionalParams: instantiateParams(ctx.secrets, state),
    log,
    timeoutMs: ctx.timeoutMs,
    ...(cleanHost ? { cleanHost } : {}),
    ...(opOcc ? { opOccId: opOcc.id } : {}),
    ...(opOcc && ctx.progress ? { progress: ctx.progress } : {}),
    checkpoint: (driverState) => saveInstance(ctx.db, instance, { infraState: { ...state, driverState } }),
    // An inline VIM has no master nodes whose keys could be pinned in a registry.
    recordHostKey: async (address, key) => {
      if (vim.inline) return;
      if (await recordVimHostKey(ctx.db, vimId, address, key))
        log.info(
          { vimId, masterNode: address, hostKey: key },
          'master node host key recorded in the VIM (first use)',
        );
    },
  };
}
