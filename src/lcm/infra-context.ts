// Resolves what a workflow needs to call the infra driver: the VNFD flavour, the
// VIM (with the request's helm_info merged over the registered one) and the
// driver chosen by additionalParams.use_helm.
import { getVim } from '../db/queries/vims.ts';
import { saveInstance } from '../db/queries/instances.ts';
import { getPackageVnfd } from '../db/queries/packages.ts';
import { badRequest, ProblemError } from '../errors.ts';
import type { InfraContext, InfraDriver } from '../infra/driver.ts';
import { flavour as findFlavour, type Vnfd } from '../packages/vnfd/index.ts';
import type { HelmInfo, Vim } from '../vim/model.ts';
import type { EngineState, LcmContext } from './context.ts';
import type { VnfInstance } from './model.ts';

export function usesHelm(params: Record<string, unknown> | undefined): boolean {
  const v = params?.use_helm;
  return v === true || v === 'true';
}

export function driverFor(ctx: LcmContext, state: EngineState): InfraDriver {
  if (state.driver !== 'helm') return ctx.drivers.manifest;
  if (!ctx.drivers.helm)
    throw badRequest('additionalParams.use_helm: Helm mode is not available in this VNFM build');
  return ctx.drivers.helm;
}

export async function loadVnfd(ctx: LcmContext, instance: VnfInstance): Promise<Vnfd> {
  const vnfd = await getPackageVnfd<Vnfd>(ctx.db, instance.vnfPkgId);
  if (!vnfd) throw new ProblemError(409, 'Conflict', `VNF package ${instance.vnfPkgId} is not onboarded`);
  return vnfd;
}

function mergeVim(vim: Vim, vimExtra: Record<string, unknown> | undefined): Vim {
  const override = vimExtra?.helm_info as Partial<HelmInfo> | undefined;
  if (!override) return vim;
  return { ...vim, extra: { ...vim.extra, helm_info: { ...vim.extra.helm_info, ...override } as HelmInfo } };
}

export async function infraContext(
  ctx: LcmContext,
  instance: VnfInstance,
  state: EngineState,
): Promise<InfraContext> {
  const vimId = state.vimId;
  if (!vimId) throw new ProblemError(409, 'Conflict', `VNF instance ${instance.id} has no VIM recorded`);
  const vnfd = await loadVnfd(ctx, instance);
  const flavour = findFlavour(vnfd, state.flavourId ?? '');
  if (!flavour) throw badRequest(`flavour '${state.flavourId}' is not in VNFD ${vnfd.vnfdId}`);
  const vim = await getVim(ctx.db, ctx.secrets, vimId);
  if (!vim) throw badRequest(`VIM ${vimId} does not exist`);
  return {
    vim: mergeVim(vim, state.vimExtra),
    packageRoot: ctx.storage.content(instance.vnfPkgId),
    vnfInstanceId: instance.id,
    flavour,
    additionalParams: state.additionalParams ?? {},
    log: ctx.log.child({ vnfInstanceId: instance.id }),
    timeoutMs: ctx.timeoutMs,
    checkpoint: (driverState) => saveInstance(ctx.db, instance, { infraState: { ...state, driverState } }),
  };
}
