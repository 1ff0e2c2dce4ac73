// INSTANTIATE (SOL003 §5.4.4): flavour, instantiation level, VIM and the driver's
// additionalParams are checked first; the driver then creates the VNF with the
// level's replicas. Rollback removes whatever was created.
import { getVim, listVims } from '../../db/queries/vims.ts';
import { saveInstance } from '../../db/queries/instances.ts';
import { badRequest, conflict } from '../../errors.ts';
import { resolveMasters } from '../../infra/helm/index.ts';
import { HOSTPOOL_VIM_TYPE } from '../../infra/hosts/model.ts';
import { givesAccess, HELM_VIM_TYPE, inlineVim, KUBERNETES_VIM_TYPES } from '../../vim/inline.ts';
import { flavour as findFlavour, scaleLevelsAt, vduReplicas } from '../../packages/vnfd/index.ts';
import type { EngineState } from '../context.ts';
import { driverFor, helmMode, infraContext, loadVnfd } from '../infra-context.ts';
import { maskOperationParams, maskVimConnectionInfo, type VimConnectionInfo } from '../model.ts';
import { baseContext, compensate, instanceDriver, type MgmtTarget, runHook } from '../../mgmt/hooks.ts';
import { splitParams } from '../../mgmt/params.ts';
import { selectDriver } from '../../mgmt/select.ts';
import { boundVnfcs } from '../../mgmt/vnfcs.ts';
import type { LcmOperationHandler } from '../operation.ts';
import { observeVnfcs, partialState, vnfcChanges } from '../vnfcs.ts';

export const instantiate: LcmOperationHandler = {
  operation: 'INSTANTIATE',

  async accept(ctx, stored, body) {
    if (stored.instance.instantiationState !== 'NOT_INSTANTIATED') {
      throw conflict(`VNF instance ${stored.instance.id} is already INSTANTIATED`);
    }
    const flavourId = body.flavourId;
    if (typeof flavourId !== 'string' || !flavourId) throw badRequest('flavourId is required');
    const vnfd = await loadVnfd(ctx, stored.instance);
    const flavour = findFlavour(vnfd, flavourId);
    if (!flavour) {
      throw badRequest(
        `flavourId '${flavourId}' is not in VNFD ${vnfd.vnfdId} (has ${vnfd.flavours.map((f) => f.flavourId).join(', ')})`,
      );
    }
    // A VNFD's LCM scripts select a built-in MgmtDriver; one not enabled refuses the request here.
    const mgmtDriver = selectDriver(ctx.mgmt, flavour, vnfd.vnfdId);
    const levelId = body.instantiationLevelId ?? flavour.defaultLevel;
    if (levelId !== undefined && !flavour.instantiationLevels.some((l) => l.id === levelId)) {
      throw badRequest(`instantiationLevelId '${String(levelId)}' is not a level of flavour ${flavourId}`);
    }
    const vcis = (body.vimConnectionInfo ?? []) as VimConnectionInfo[];
    if (!Array.isArray(vcis) || vcis.some((v) => typeof v !== 'object' || v === null || Array.isArray(v)))
      throw badRequest('vimConnectionInfo must be a list of objects');
    const at = Math.max(
      0,
      vcis.findIndex((v) => KUBERNETES_VIM_TYPES.includes(v.vimType)),
    );
    const vci = vcis[at];
    const field = `vimConnectionInfo[${at}]`;
    // A registered VIM named by vimId is used as registered; an entry that names none (or a
    // vimId of its own, as the reference's v2 clients send) and gives access is a VIM inline.
    const registered = vci?.vimId ? await getVim(ctx.db, ctx.secrets, vci.vimId) : undefined;
    const inline = !registered && vci !== undefined && givesAccess(vci);
    const vim = inline
      ? inlineVim(vci, stored.instance.id, field)
      : vci?.vimId
        ? registered
        : // The default VIM is a Kubernetes one: a hostpool VIM is only ever named.
          (await listVims(ctx.db, ctx.secrets, { type: ['kubernetes'] })).find((v) => v.isDefault);
    if (!vim)
      throw badRequest(
        vci?.vimId
          ? `vimConnectionInfo: VIM ${vci.vimId} does not exist (and the entry gives no interfaceInfo.endpoint of a VIM inline)`
          : 'no vimConnectionInfo[].vimId given and no default VIM registered',
      );
    const vimId = vim.id;
    // The request's master nodes and secrets obey the credential rule (infra/helm/helm-info.ts)
    // before any op occ exists; the helm driver resolves them again when it connects.
    const requestHelmInfo = vci?.extra?.helm_info;
    const additionalParams = (body.additionalParams ?? {}) as Record<string, unknown>;
    const pool = vim.type === HOSTPOOL_VIM_TYPE;
    const helm = helmMode(additionalParams, vci?.vimType);
    // A hostpool VIM runs the VNF on its hosts (whatever vimType the request names): no Helm or manifests.
    if (pool && helm)
      throw badRequest(`additionalParams.use_helm: VIM ${vimId} is a hostpool VIM, not a Kubernetes cluster`);
    if (helm && additionalParams['lcm-kubernetes-def-files'] !== undefined)
      throw badRequest(
        vci?.vimType === HELM_VIM_TYPE
          ? `additionalParams.lcm-kubernetes-def-files: ${field}.vimType ${HELM_VIM_TYPE} is Helm mode, which installs charts; manifests need vimType ETSINFV.KUBERNETES.V_1`
          : 'additionalParams.lcm-kubernetes-def-files: Helm mode installs charts; manifests are manifest mode (without use_helm or the Helm parameters)',
      );
    // External links are networks of VM-based VNFs (a Tacker cluster VNF's CPs): on a pool the
    // hosts' `cps` already give the addresses; a CNF on Kubernetes has none to connect.
    if (!pool && Array.isArray(body.extVirtualLinks) && body.extVirtualLinks.length > 0)
      throw badRequest(
        `extVirtualLinks: VIM ${vimId} is a Kubernetes VIM; a CNF's networking is its chart's or manifests' (only a hostpool VIM takes external links)`,
      );
    if (pool && requestHelmInfo !== undefined && requestHelmInfo !== null)
      throw badRequest(
        `vimConnectionInfo.extra.helm_info: VIM ${vimId} is a hostpool VIM, not a Kubernetes cluster`,
      );
    if (!inline && requestHelmInfo !== undefined && requestHelmInfo !== null)
      resolveMasters(vim.extra.helm_info, requestHelmInfo);
    // Secrets in additionalParams (a driver's node passwords) are kept sealed; the clear copy is masked.
    const params = splitParams(ctx.secrets, additionalParams);
    const engineState: EngineState = {
      driver: pool ? 'hostpool' : helm ? 'helm' : 'manifest',
      flavourId,
      ...(levelId !== undefined ? { instantiationLevelId: String(levelId) } : {}),
      additionalParams: params.masked,
      ...(params.sealed ? { additionalParamsSealed: params.sealed } : {}),
      ...(mgmtDriver ? { mgmtDriver: mgmtDriver.id } : {}),
      vimConnectionId: vci?.id ?? 'vim-0',
      // The entry as sent, sealed: its accessInfo/interfaceInfo/extra may hold secrets.
      ...(vci ? { vimConnectionSealed: ctx.secrets.sealJson(vci) } : {}),
      // An inline VIM is that sealed entry: no registered VIM id is recorded.
      ...(inline ? { vimInline: true } : {}),
      driverState: {},
    };
    const withVim: EngineState = inline ? engineState : { ...engineState, vimId };
    const ictx = await infraContext(ctx, stored.instance, withVim);
    await driverFor(ctx, engineState).validate(ictx);
    if (mgmtDriver) {
      mgmtDriver.validate?.(flavour, additionalParams);
      const target = { instance: stored.instance, state: withVim };
      await mgmtDriver.accept?.(
        await baseContext(ctx, target, flavour, additionalParams),
        'INSTANTIATE',
        body,
      );
    }
    // Request-given secrets are kept sealed only; what is stored and shown is masked.
    // An inline entry is shown as sent (its own vimId, if any), secrets masked.
    const vimConnectionInfo = vci
      ? [inline ? maskVimConnectionInfo(vci) : { ...maskVimConnectionInfo(vci), vimId }]
      : [{ id: 'vim-0', vimId, vimType: 'kubernetes' }];
    const operationParams = maskOperationParams({ ...body, vimConnectionInfo: vcis });
    return { operationParams, engineState: { ...withVim, vimConnectionInfo } };
  },

  async run(ctx, opOcc, stored) {
    let ictx = await infraContext(ctx, stored.instance, stored.infraState, opOcc);
    const { flavour } = ictx;
    let target: MgmtTarget = await runHook(
      ctx,
      opOcc,
      { instance: stored.instance, state: stored.infraState },
      flavour,
      'instantiate_start',
    );
    // The infra driver checkpoints the engine state it is given: the hook's changes go with it.
    if (target.state !== stored.infraState)
      ictx = await infraContext(ctx, target.instance, target.state, opOcc);
    const state = target.state;
    const driver = driverFor(ctx, state);
    const replicas = Object.fromEntries(
      flavour.vdus.map((v) => [v.id, vduReplicas(flavour, v.id, state.instantiationLevelId)]),
    );
    let driverState;
    try {
      driverState = await driver.instantiate(ictx, replicas, state.driverState ?? {});
    } catch (e) {
      const partial = partialState(e);
      if (partial)
        await saveInstance(ctx.db, target.instance, { infraState: { ...state, driverState: partial } });
      throw e;
    }
    const vnfcs = await observeVnfcs(driver, ictx, driverState, state.vimConnectionId ?? 'vim-0');
    if (instanceDriver(ctx, state)) {
      // Stored before instantiate_end runs: a failing hook leaves what rollback must remove on record.
      target = { ...target, state: { ...state, driverState } };
      await saveInstance(ctx.db, target.instance, { infraState: target.state });
      target = await runHook(ctx, opOcc, target, flavour, 'instantiate_end', {
        added: await boundVnfcs(ctx, stored.instance.id),
      });
    }
    const levels = scaleLevelsAt(flavour, state.instantiationLevelId);
    const instance = {
      ...target.instance,
      instantiationState: 'INSTANTIATED' as const,
      vimConnectionInfo: target.state.vimConnectionInfo,
      instantiatedVnfInfo: {
        flavourId: flavour.flavourId,
        vnfState: 'STARTED' as const,
        scaleStatus: Object.entries(levels).map(([aspectId, scaleLevel]) => ({ aspectId, scaleLevel })),
        vnfcResourceInfo: vnfcs,
        ...(state.instantiationLevelId ? { instantiationLevelId: state.instantiationLevelId } : {}),
      },
    };
    await saveInstance(ctx.db, instance, {
      infraState: { ...target.state, driverState },
      vimId: state.vimId ?? null,
    });
    return vnfcChanges([], vnfcs);
  },

  /** The MgmtDriver's compensation first (its journal says what it did), then the infra removal (which frees hosts). */
  async rollback(ctx, opOcc, stored) {
    let target: MgmtTarget = { instance: stored.instance, state: stored.infraState };
    if (target.state.vimId || target.state.vimInline) {
      const ictx = await infraContext(ctx, stored.instance, target.state, opOcc);
      target = await compensate(ctx, opOcc, target, ictx.flavour);
      await driverFor(ctx, target.state).terminate(ictx, target.state.driverState ?? {});
      if (ictx.vim.inline) await driverFor(ctx, target.state).vimRemoved?.(ictx.vim.id);
    }
    await saveInstance(
      ctx.db,
      { ...target.instance, instantiationState: 'NOT_INSTANTIATED' },
      {
        infraState: { ...target.state, driverState: {} },
        vimId: null,
      },
    );
  },
};
