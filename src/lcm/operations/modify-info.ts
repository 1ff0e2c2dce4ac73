// MODIFY_INFO (PATCH /vnf_instances/{id}, SOL003 v2.6.1 §5.4.3, VnfInfoModificationRequest):
// name and description replace; metadata, extensions and vnfConfigurableProperties
// merge per JSON Merge Patch (src/merge-patch.ts); vnfdId moves the instance to another
// onboarded package of the same product whose VNFD is compatible (Tacker v1 may name that
// package by vnfPkgId instead); vimConnectionInfo entries merge into the entry of the same
// id, or are added (SOL003 §5.5.2.12's rule), so that a wrong per-instance credential is
// corrected without re-instantiating.
// Which fields may be given, and their types, is the request schema's (src/api/schemas).
import type { VimConnectionInfoModification, VnfInfoModificationRequest } from '../../api/schemas/vnflcm.ts';
import { mergePatch, patchObject } from '../../merge-patch.ts';
import { getPackage, getPackageVnfd } from '../../db/queries/packages.ts';
import { type StoredInstance, saveInstance } from '../../db/queries/instances.ts';
import { getVim } from '../../db/queries/vims.ts';
import { badRequest, conflict, unprocessable } from '../../errors.ts';
import { resolveMasters } from '../../infra/helm/index.ts';
import { flavour as findFlavour, type Vnfd } from '../../packages/vnfd/index.ts';
import { readHelmInfo } from '../../vim/helm-fields.ts';
import { givesAccess, requireInlineSecretsAgain } from '../../vim/inline.ts';
import type { LcmContext } from '../context.ts';
import { infraContext, loadVnfd, requestVimConnection } from '../infra-context.ts';
import { packageAttributes, setUsage, usablePackage } from '../instances.ts';
import { maskOperationParams, maskVimConnectionInfo, type VimConnectionInfo } from '../model.ts';
import { instanceDriver, type MgmtTarget, runHook } from '../../mgmt/hooks.ts';
import { withMgmt } from '../../mgmt/lcm.ts';
import type { LcmOperationHandler } from '../operation.ts';

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
const vduIds = (vnfd: Vnfd) => [...new Set(vnfd.flavours.flatMap((f) => f.vdus.map((v) => v.id)))];

/**
 * The package a vnfdId change moves the instance to, if it may: onboarded and enabled,
 * of the same provider and product, and with the same VDUs (for an INSTANTIATED
 * instance: the flavour it runs, with the same VDUs and scaling aspects).
 */
async function targetPackage(ctx: LcmContext, stored: StoredInstance, vnfdId: string) {
  const { instance, infraState } = stored;
  const pkg = await usablePackage(ctx, vnfdId, 'vnfdId');
  if (pkg.vnfProvider !== instance.vnfProvider || pkg.vnfProductName !== instance.vnfProductName)
    throw unprocessable(
      `vnfdId: VNFD ${vnfdId} is of '${pkg.vnfProvider}' / '${pkg.vnfProductName}', not of the instance's '${instance.vnfProvider}' / '${instance.vnfProductName}'`,
    );
  const next = await getPackageVnfd<Vnfd>(ctx.db, pkg.id);
  if (!next) throw unprocessable(`vnfdId: VNF package ${pkg.id} has no VNFD`);
  const current = await loadVnfd(ctx, instance);
  const incompatible = (what: string, had: string[], has: string[]) =>
    unprocessable(
      `vnfdId: VNFD ${vnfdId} is not compatible with VNFD ${instance.vnfdId}: ${what} [${has.join(', ')}], not [${had.join(', ')}]`,
    );
  if (instance.instantiationState === 'INSTANTIATED') {
    const flavourId = infraState.flavourId ?? instance.instantiatedVnfInfo?.flavourId ?? '';
    const had = findFlavour(current, flavourId);
    const has = findFlavour(next, flavourId);
    if (!has)
      throw unprocessable(
        `vnfdId: VNFD ${vnfdId} has no flavour '${flavourId}', which the INSTANTIATED instance runs`,
      );
    const vdus = (f: typeof has) => f.vdus.map((v) => v.id);
    const aspects = (f: typeof has) => f.aspects.map((a) => a.id);
    if (had && !sameSet(vdus(had), vdus(has)))
      throw incompatible(`flavour '${flavourId}' has VDUs`, vdus(had), vdus(has));
    if (had && !sameSet(aspects(had), aspects(has)))
      throw incompatible(`flavour '${flavourId}' has scaling aspects`, aspects(had), aspects(has));
  } else if (!sameSet(vduIds(current), vduIds(next))) {
    throw incompatible('VDUs', vduIds(current), vduIds(next));
  }
  return pkg;
}

/** The vnfdId the request moves the instance to: `vnfdId`, or that of the package `vnfPkgId` names. */
async function requestedVnfdId(ctx: LcmContext, p: VnfInfoModificationRequest): Promise<string | undefined> {
  if (p.vnfPkgId === undefined) return p.vnfdId;
  const pkg = await getPackage(ctx.db, p.vnfPkgId);
  if (!pkg?.vnfdId || pkg.onboardingState !== 'ONBOARDED')
    throw unprocessable(`vnfPkgId: VNF package ${p.vnfPkgId} does not exist or is not onboarded`);
  if (p.vnfdId !== undefined && p.vnfdId !== pkg.vnfdId)
    throw badRequest(
      `vnfPkgId: VNF package ${p.vnfPkgId} has vnfdId ${pkg.vnfdId}, not the vnfdId ${p.vnfdId} given`,
    );
  return pkg.vnfdId;
}

/** The entry as the engine knows it with its secrets: the sealed request entry over the shown one. */
function fullEntry(ctx: LcmContext, stored: StoredInstance, shown: VimConnectionInfo): VimConnectionInfo {
  const sealed = requestVimConnection(ctx, stored.infraState);
  const entry = { ...shown, ...sealed, ...(shown.vimId ? { vimId: shown.vimId } : {}) } as VimConnectionInfo;
  // A helm_info given as a string (Tacker's Python-dict form) merges as the object it holds.
  const helmInfo = entry.extra?.helm_info;
  if (typeof helmInfo === 'string')
    entry.extra = {
      ...entry.extra,
      helm_info: readHelmInfo(helmInfo, 'vimConnectionInfo.extra.helm_info', true),
    };
  return entry;
}

/**
 * The instance's vimConnectionInfo after the request's entries (masked, as shown) and, when
 * the entry the INSTANTIATED instance uses changes, that entry with its secrets (to seal).
 */
async function modifiedConnections(
  ctx: LcmContext,
  stored: StoredInstance,
  patches: VimConnectionInfoModification[],
): Promise<{ vimConnectionInfo: VimConnectionInfo[]; inUse?: VimConnectionInfo }> {
  const { instance, infraState } = stored;
  const instantiated = instance.instantiationState === 'INSTANTIATED';
  const inUseId = instantiated ? (infraState.vimConnectionId ?? 'vim-0') : undefined;
  const list = [...(instance.vimConnectionInfo ?? [])];
  const seen = new Set<string>();
  let inUse: VimConnectionInfo | undefined;
  for (const [n, patch] of patches.entries()) {
    const field = `vimConnectionInfo[${n}]`;
    if (seen.has(patch.id)) throw badRequest(`${field}.id: '${patch.id}' is given twice`);
    seen.add(patch.id);
    const at = list.findIndex((e) => e.id === patch.id);
    const old = at >= 0 ? list[at]! : undefined;
    if (!old && patch.vimType === undefined)
      throw badRequest(`${field}.vimType is required: no entry has id '${patch.id}' to modify`);
    const base = old && patch.id === inUseId ? fullEntry(ctx, stored, old) : (old ?? {});
    let merged = mergePatch(base, patch) as VimConnectionInfo;
    if (patch.id === inUseId && infraState.vimInline) {
      // The instance runs on this entry's own VIM: it stays inline, and its secrets stay bound to its endpoint.
      const named = merged.vimId ? await getVim(ctx.db, ctx.secrets, merged.vimId) : undefined;
      if (!givesAccess(merged) || named)
        throw conflict(
          `${field}: the instance runs on the VIM this entry gives inline; terminate it to move it to another VIM`,
        );
      merged = requireInlineSecretsAgain(base as VimConnectionInfo, merged, patch, instance.id, field);
      inUse = merged;
      const shown = maskVimConnectionInfo(merged);
      if (at >= 0) list[at] = shown;
      else list.push(shown);
      continue;
    }
    const vim = merged.vimId ? await getVim(ctx.db, ctx.secrets, merged.vimId) : undefined;
    // An entry of a VIM given inline may carry a vimId of its own, which names no registered VIM.
    if (merged.vimId && !vim && !givesAccess(merged))
      throw badRequest(`${field}.vimId: VIM ${merged.vimId} does not exist`);
    if (patch.id === inUseId) {
      if (merged.vimId !== infraState.vimId)
        throw conflict(
          `${field}.vimId: the instance runs on VIM ${infraState.vimId}; terminate it to move it to another VIM`,
        );
      // The credential rule of instantiate (infra/helm/helm-info.ts), against the VIM as it is now.
      const helmInfo = merged.extra?.helm_info;
      if (helmInfo !== undefined && helmInfo !== null) resolveMasters(vim?.extra.helm_info, helmInfo);
      inUse = merged;
    }
    const shown = maskVimConnectionInfo(merged);
    if (at >= 0) list[at] = shown;
    else list.push(shown);
  }
  return { vimConnectionInfo: list, ...(inUse ? { inUse } : {}) };
}

export const modifyInfo: LcmOperationHandler = withMgmt({
  operation: 'MODIFY_INFO',

  async accept(ctx, stored, body) {
    const p = body as VnfInfoModificationRequest;
    const vnfdId = await requestedVnfdId(ctx, p);
    if (vnfdId !== undefined && vnfdId !== stored.instance.vnfdId) await targetPackage(ctx, stored, vnfdId);
    if (p.vimConnectionInfo === undefined) {
      // A change a FAILED modification left unapplied is not this request's.
      if (!stored.infraState.vimConnectionModified) return { operationParams: body };
      const { vimConnectionModified: _stale, ...engineState } = stored.infraState;
      return { operationParams: body, engineState };
    }
    const { vimConnectionInfo, inUse } = await modifiedConnections(ctx, stored, p.vimConnectionInfo);
    // Request-given secrets are kept sealed only; the op occ and the instance show them masked.
    return {
      operationParams: maskOperationParams(body),
      engineState: {
        ...stored.infraState,
        vimConnectionModified: {
          vimConnectionInfo,
          ...(inUse ? { sealed: ctx.secrets.sealJson(inUse) } : {}),
        },
      },
    };
  },

  async run(ctx, opOcc, stored) {
    const p = opOcc.operationParams as VnfInfoModificationRequest;
    // An instantiated instance's MgmtDriver sees the change coming (modify_information_start) and done (_end).
    const flavour =
      stored.instance.instantiationState === 'INSTANTIATED' && instanceDriver(ctx, stored.infraState)
        ? (await infraContext(ctx, stored.instance, stored.infraState)).flavour
        : undefined;
    let target: MgmtTarget = { instance: stored.instance, state: stored.infraState };
    if (flavour) target = await runHook(ctx, opOcc, target, flavour, 'modify_information_start');
    const i = { ...target.instance };
    const state = { ...target.state };
    if (p.vnfInstanceName !== undefined) i.vnfInstanceName = p.vnfInstanceName;
    if (p.vnfInstanceDescription !== undefined) i.vnfInstanceDescription = p.vnfInstanceDescription;
    for (const k of ['metadata', 'extensions', 'vnfConfigurableProperties'] as const) {
      if (p[k] === undefined) continue;
      const v = patchObject(i[k], p[k]);
      if (v === undefined) delete i[k];
      else i[k] = v;
    }
    const oldPkgId = i.vnfPkgId;
    const vnfdId = await requestedVnfdId(ctx, p);
    if (vnfdId !== undefined && vnfdId !== i.vnfdId) {
      // Checked again: the package may have been disabled or deleted since accept.
      const pkg = await targetPackage(ctx, stored, vnfdId);
      // Provider and product are the instance's already (targetPackage checked them).
      Object.assign(i, packageAttributes(pkg));
    }
    const modified = p.vimConnectionInfo !== undefined ? state.vimConnectionModified : undefined;
    if (modified) {
      i.vimConnectionInfo = modified.vimConnectionInfo;
      if (i.instantiationState === 'INSTANTIATED') state.vimConnectionInfo = modified.vimConnectionInfo;
      if (modified.sealed) {
        state.vimConnectionSealed = modified.sealed;
        delete state.vimExtraSealed;
      }
      delete state.vimConnectionModified;
    }
    await saveInstance(ctx.db, i, modified ? { infraState: state } : {});
    if (i.vnfPkgId !== oldPkgId) {
      await setUsage(ctx, oldPkgId);
      await setUsage(ctx, i.vnfPkgId);
    }
    if (flavour) await runHook(ctx, opOcc, { instance: i, state }, flavour, 'modify_information_end');
    return [];
  },
});
