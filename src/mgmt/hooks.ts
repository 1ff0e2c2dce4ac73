// Runs an instance's MgmtDriver: builds the HookContext a hook receives and applies
// the HookResult it returns to the instance. The LCM workflows (src/lcm/operations)
// call runHook around their infra driver calls, compensate before a rollback's infra
// undo, and cleanHostFor for the hosts an operation releases.
import { saveInstance } from '../db/queries/instances.ts';
import type { BoundHost } from '../infra/hosts/model.ts';
import type { EngineState, LcmContext } from '../lcm/context.ts';
import type { LcmOperation, VimConnectionInfo, VnfInstance, VnfLcmOpOcc } from '../lcm/model.ts';
import type { Flavour } from '../packages/vnfd/index.ts';
import type { HookContext, HookName, HookResult, HostShell, MgmtDriver } from './driver.ts';
import { instanceStore, stepJournal } from './journal.ts';
import { ownedVims } from './owned-vims.ts';
import { instantiateParams, requestParams } from './params.ts';
import { openShell } from './shell.ts';
import { verifiedFileReader } from './verified-file.ts';
import { boundVnfcs } from './vnfcs.ts';

/** The instance as a workflow holds it: what it shows and the engine's state. */
export interface MgmtTarget {
  instance: VnfInstance;
  state: EngineState;
}

export type Changes = HookContext['changes'];
export type AcceptContext = Parameters<NonNullable<MgmtDriver['accept']>>[0];
type OpOcc = Pick<VnfLcmOpOcc, 'id' | 'operation' | 'operationParams'>;

/** The instance's driver (fixed at instantiate), or undefined when its flavour has no Vnflcm scripts. */
export function instanceDriver(ctx: Pick<LcmContext, 'mgmt'>, state: EngineState): MgmtDriver | undefined {
  if (!state.mgmtDriver) return undefined;
  const d = ctx.mgmt.drivers.get(state.mgmtDriver);
  if (!d) throw new Error(`the instance's MgmtDriver '${state.mgmtDriver}' is not built into this VNFM`);
  return d;
}

/** What every driver call sees; `operationParams` are the request's additionalParams as sent. */
export async function baseContext(
  ctx: LcmContext,
  target: MgmtTarget,
  flavour: Flavour,
  operationParams: Record<string, unknown>,
  log = ctx.log.child({ vnfInstanceId: target.instance.id, mgmtDriver: target.state.mgmtDriver }),
): Promise<AcceptContext> {
  const packageRoot = ctx.storage.content(target.instance.vnfPkgId);
  return {
    instance: target.instance,
    flavour,
    instantiateParams: instantiateParams(ctx.secrets, target.state),
    operationParams,
    vnfcs: await boundVnfcs(ctx, target.instance.id),
    packageRoot,
    verifiedFile: verifiedFileReader(ctx.db, target.instance.vnfPkgId, packageRoot),
    store: instanceStore(ctx.db, ctx.secrets, target.instance.id),
    vims: ownedVims(ctx, target.instance.id),
    log,
    timeoutMs: ctx.timeoutMs,
  };
}

/** Runs `f` with a full HookContext; every shell the driver opened is closed afterwards. */
async function withHookContext<T>(
  ctx: LcmContext,
  opOcc: OpOcc,
  target: MgmtTarget,
  flavour: Flavour,
  hook: HookName,
  changes: Partial<Changes>,
  f: (hctx: HookContext) => Promise<T>,
): Promise<T> {
  const log = ctx.log.child({
    vnfInstanceId: target.instance.id,
    vnfLcmOpOccId: opOcc.id,
    mgmtDriver: target.state.mgmtDriver,
    hook,
  });
  const base = await baseContext(ctx, target, flavour, requestParams(ctx.secrets, target.state, opOcc), log);
  const shells: HostShell[] = [];
  const hctx: HookContext = {
    ...base,
    hook,
    opOcc: { id: opOcc.id, operation: opOcc.operation, operationParams: opOcc.operationParams },
    changes: { added: [], removed: [], replaced: [], ...changes },
    journal: stepJournal(ctx.db, ctx.secrets, opOcc.id),
    ssh: async (host) => {
      const shell = await openShell(host, ctx.timeoutMs);
      shells.push(shell);
      return shell;
    },
  };
  try {
    return await f(hctx);
  } finally {
    await Promise.allSettled(shells.map((s) => s.close()));
  }
}

/** vimConnectionInfo after a HookResult: entries replaced by id or appended (never prepended), removals dropped. */
export function mergeConnections(
  list: readonly VimConnectionInfo[] | undefined,
  result: HookResult,
): VimConnectionInfo[] {
  const drop = new Set(result.removeVimConnectionIds ?? []);
  const out = (list ?? []).filter((v) => !drop.has(v.id));
  for (const entry of result.vimConnectionInfo ?? []) {
    const at = out.findIndex((v) => v.id === entry.id);
    if (at >= 0) out[at] = entry;
    else out.push(entry);
  }
  return out;
}

/** Applies a HookResult to the instance and the engine's copy of its vimConnectionInfo, and stores both. */
export async function applyResult(
  ctx: LcmContext,
  target: MgmtTarget,
  result: HookResult | void,
): Promise<MgmtTarget> {
  if (!result || (!result.vimConnectionInfo?.length && !result.removeVimConnectionIds?.length)) return target;
  const next: MgmtTarget = {
    instance: {
      ...target.instance,
      vimConnectionInfo: mergeConnections(target.instance.vimConnectionInfo, result),
    },
    state: { ...target.state, vimConnectionInfo: mergeConnections(target.state.vimConnectionInfo, result) },
  };
  await saveInstance(ctx.db, next.instance, { infraState: next.state });
  return next;
}

/** Whether the flavour has the hook scripted (Tacker runs a driver's hook only where the VNFD names it). */
const scripted = (flavour: Flavour, hook: HookName) =>
  flavour.lcmInterfaces[hook]?.implementation !== undefined;

/** Runs one hook of the instance's driver, if any, and applies its result. */
export async function runHook(
  ctx: LcmContext,
  opOcc: OpOcc,
  target: MgmtTarget,
  flavour: Flavour,
  hook: HookName,
  changes: Partial<Changes> = {},
): Promise<MgmtTarget> {
  const driver = instanceDriver(ctx, target.state);
  const fn = driver?.hooks[hook];
  if (!fn || !scripted(flavour, hook)) return target;
  ctx.progress?.step(`mgmt driver ${hook}`);
  const result = await withHookContext(ctx, opOcc, target, flavour, hook, changes, fn);
  return applyResult(ctx, target, result);
}

/** The hook names of an operation (`scale` for SCALE and SCALE_TO_LEVEL). */
export function hooksOf(operation: LcmOperation): { start: HookName; end: HookName } {
  const stem = {
    INSTANTIATE: 'instantiate',
    SCALE: 'scale',
    SCALE_TO_LEVEL: 'scale',
    HEAL: 'heal',
    TERMINATE: 'terminate',
    MODIFY_INFO: 'modify_information',
    CHANGE_VNFPKG: 'change_current_package',
  }[operation];
  return { start: `${stem}_start` as HookName, end: `${stem}_end` as HookName };
}

/** Undoes what the failed op occ's hooks did (its journal says what), before the infra rollback releases hosts. */
export async function compensate(
  ctx: LcmContext,
  opOcc: OpOcc,
  target: MgmtTarget,
  flavour: Flavour,
): Promise<MgmtTarget> {
  const driver = instanceDriver(ctx, target.state);
  if (!driver?.compensate) return target;
  const hook = hooksOf(opOcc.operation).end;
  ctx.progress?.step(`mgmt driver compensate ${hook}`);
  const result = await withHookContext(ctx, opOcc, target, flavour, hook, {}, (h) => driver.compensate!(h));
  return applyResult(ctx, target, result);
}

/**
 * InfraContext.cleanHost for an op occ of an instance with a driver: the driver's cleanHost
 * as the journaled step `clean:<hostId>:<vnfcId>`, so a retry does not wipe a host twice —
 * and a host bound again within the op occ (a retried whole-VNF heal binds afresh, with new
 * VNFC ids) is wiped again when released again.
 */
export function cleanHostFor(
  ctx: LcmContext,
  opOcc: OpOcc,
  target: MgmtTarget,
  flavour: Flavour,
): ((host: BoundHost) => Promise<void>) | undefined {
  const driver = instanceDriver(ctx, target.state);
  if (!driver?.cleanHost) return undefined;
  const hook = hooksOf(opOcc.operation).end;
  return (host) =>
    withHookContext(ctx, opOcc, target, flavour, hook, { removed: [host] }, (h) =>
      h.journal.step(`clean:${host.host.id}:${host.vnfcId}`, () => driver.cleanHost!(h, host)),
    );
}

/**
 * The hosts bound when the op occ first ran (journaled: a retry after the infra driver
 * released some still sees them). Empty for an instance without a driver.
 */
export async function hostsBefore(ctx: LcmContext, opOcc: OpOcc, target: MgmtTarget): Promise<BoundHost[]> {
  if (!instanceDriver(ctx, target.state)) return [];
  return stepJournal(ctx.db, ctx.secrets, opOcc.id).step('vnfm:hosts-before', () =>
    boundVnfcs(ctx, target.instance.id),
  );
}

/** Hosts in `after` whose VNFC `before` did not have. */
export function addedHosts(before: readonly BoundHost[], after: readonly BoundHost[]): BoundHost[] {
  const had = new Set(before.map((b) => b.vnfcId));
  return after.filter((a) => !had.has(a.vnfcId));
}

/**
 * What a heal changed: each healed VNFC's host before and the host serving it after (the
 * same VNFC id, else a new VNFC of the same VDU), and the VNFCs that are new.
 */
export function healChanges(
  before: readonly BoundHost[],
  healed: readonly BoundHost[],
  after: readonly BoundHost[],
): Changes {
  const added = addedHosts(before, after);
  const unclaimed = [...added];
  const replaced: Changes['replaced'] = [];
  for (const b of healed) {
    let a = after.find((x) => x.vnfcId === b.vnfcId);
    if (!a) {
      const at = unclaimed.findIndex((x) => x.vduId === b.vduId);
      if (at >= 0) a = unclaimed.splice(at, 1)[0];
    }
    if (a) replaced.push({ before: b, after: a });
  }
  return { added, removed: [...healed], replaced };
}
