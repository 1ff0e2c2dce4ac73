// One release of an instantiation, made to exist and be deployed, whatever a
// previous attempt left. A release the state does not know yet is installed
// straight away (helm itself refuses a name in use), recorded first as unproven
// so that a crash mid-install leaves it to be proven ours by its labels. Anything
// else — a retry, or the name taken — has its state determined first
// (release-state.ts), and the table below picks the action:
//
//   Absent                 → install
//   InSync                 → nothing (a retry after the install succeeded)
//   Locked / Failed, with an earlier deployed revision → rollback to it
//   Locked / Failed without one (the install itself was interrupted or failed),
//   Uninstalled            → uninstall what is left, then install
//   Unmanaged              → refuse: another owner's release is never touched
import { conflict } from '../../errors.ts';
import type { ReleaseRef } from './commands.ts';
import { runTimeoutMs, supportsReleaseLabels } from './commands.ts';
import type { HelmCli, HistoryEntry, ReleaseInfo } from './helm-cli.ts';
import { isNameInUse, isReleaseNotFound } from './helm-cli.ts';
import { HelmError } from './errors.ts';
import { type Op, waitFor } from './operation.ts';
import type { HelmParameter } from './params.ts';
import { OWNER_LABEL, ownedByInstance, ownerLabelValue, ownerMarker } from './ownership.ts';
import { type ReleaseState, releaseState } from './release-state.ts';

export interface InstallPlan {
  ref: ReleaseRef & { namespace: string };
  chart: string;
  values: HelmParameter[];
  /** Let helm create the namespace (when the VNFM could not, with the VIM's credentials). */
  createNamespace: boolean;
  /** What the state records of this release: nothing, a release recorded unproven (a crash or failure mid-install), or one proven ours. */
  recorded: 'none' | 'unproven' | 'proven';
  /**
   * Called before anything is done to the release, to record it: `unproven` when it is
   * recorded before helm said the name was free (ownership then rests on its labels).
   */
  onOwned: (unproven: boolean) => Promise<void>;
  /** Called when a release recorded unproven turned out to exist already: forget it. */
  onDisowned: () => Promise<void>;
}

/** Ensures the release is deployed; returns its current revision (and manifest, when helm just wrote it). */
export async function ensureInstalled(
  op: Op,
  cli: HelmCli,
  plan: InstallPlan,
): Promise<HistoryEntry & { manifest?: string }> {
  const { ref } = plan;
  const id = op.ctx.vnfInstanceId;
  // The labels that prove ownership after a crash exist from helm 3.13; older helm is checked first.
  if (plan.recorded === 'none' && supportsReleaseLabels(cli.cmd.version)) {
    await plan.onOwned(true);
    const r = await tryInstall(op, cli, plan);
    if (!('inUse' in r)) return r;
    await plan.onDisowned();
  }
  const history = await cli.history(ref);
  const owned =
    plan.recorded === 'proven' || (history !== undefined && (await ownedByInstance(op, ref, history)));
  const st = releaseState(ref.release, history, { vnfInstanceId: id, owned });
  op.ctx.log.info(
    { release: ref.release, state: st.state, reason: st.reason, where: cli.where },
    'release observed',
  );
  if (st.state === 'Unmanaged') throw conflict(`${st.reason}; choose another helmreleasename`);
  await plan.onOwned(false);
  switch (st.state) {
    case 'InSync':
      return st.current!;
    case 'Locked':
    case 'Failed':
      if (st.lastGood) return rollbackTo(op, cli, ref, st, st.lastGood.revision);
      await uninstall(op, cli, ref, st.reason);
      return install(op, cli, plan);
    case 'Uninstalled':
      await uninstall(op, cli, ref, st.reason);
      return install(op, cli, plan);
    case 'Absent':
      return install(op, cli, plan);
  }
}

function installArgv(op: Op, cli: HelmCli, plan: InstallPlan) {
  const wait = waitFor(op, `helm install ${plan.ref.release}`);
  const argv = cli.cmd.install({
    ...plan.ref,
    chart: plan.chart,
    createNamespace: plan.createNamespace,
    values: plan.values,
    description: ownerMarker(op.ctx.vnfInstanceId),
    labels: ownerLabels(op.ctx.vnfInstanceId),
    wait,
    json: true,
  });
  return { argv, timeoutMs: runTimeoutMs(wait) };
}

async function install(op: Op, cli: HelmCli, plan: InstallPlan): Promise<ReleaseInfo> {
  const r = await tryInstall(op, cli, plan);
  if ('inUse' in r)
    throw new HelmError(`${cli.where}: helm install ${plan.ref.release} failed: the name is in use`);
  return r;
}

/** helm install; `inUse` when helm refused because a release of that name exists. */
async function tryInstall(op: Op, cli: HelmCli, plan: InstallPlan): Promise<ReleaseInfo | { inUse: true }> {
  const { argv, timeoutMs } = installArgv(op, cli, plan);
  const what = `helm install ${plan.ref.release}`;
  op.ctx.log.info({ release: plan.ref.release, where: cli.where }, 'helm install');
  const r = await cli.tryRun(argv, timeoutMs);
  if (r.code !== 0 && isNameInUse(r.stderr)) return { inUse: true };
  return cli.written(r, what);
}

export const ownerLabels = (vnfInstanceId: string) => ({ [OWNER_LABEL]: ownerLabelValue(vnfInstanceId) });

/** Rolls back to `revision` (unlocking a pending release); the reason is logged and kept in errors. */
export async function rollbackTo(
  op: Op,
  cli: HelmCli,
  ref: ReleaseRef,
  st: ReleaseState,
  revision: number,
): Promise<HistoryEntry> {
  const wait = waitFor(op, `helm rollback ${ref.release}`);
  op.ctx.log.warn({ release: ref.release, state: st.state, reason: st.reason, revision }, 'rolling back');
  try {
    await cli.run(
      // The VNFM's own API-set replica counts would otherwise conflict with helm 4's server-side apply.
      cli.cmd.rollback({ ...ref, revision, wait, forceConflicts: true }),
      `helm rollback ${ref.release} ${revision}`,
      runTimeoutMs(wait),
    );
  } catch (e) {
    throw new HelmError(
      `${st.state} ${st.reason}: recovery by rollback to revision ${revision} failed: ${(e as Error).message}`,
    );
  }
  return current(cli, ref);
}

/**
 * Back to `revision` recorded before an operation (a scale, a package change), unless the
 * release is already there: at that revision, or at the revision an earlier rollback to it
 * made (helm records a rollback as a new revision described "Rollback to N"), so that a
 * repeated rollback after a crash changes nothing. `what` names the operation in the log.
 */
export async function backToRevision(
  op: Op,
  cli: HelmCli,
  ref: ReleaseRef,
  revision: number,
  what: string,
): Promise<void> {
  const st = releaseState(ref.release, await cli.history(ref), {
    vnfInstanceId: op.ctx.vnfInstanceId,
    owned: true,
  });
  if (st.state === 'Absent') throw new HelmError(`${st.reason}: it cannot be rolled back`);
  const there =
    st.state === 'InSync' &&
    (st.current?.revision === revision || st.current?.description === `Rollback to ${revision}`);
  if (there)
    op.ctx.log.info({ release: ref.release, revision }, `already at the revision before the ${what}`);
  else await rollbackTo(op, cli, ref, st, revision);
}

/** Uninstalls a release left broken by an earlier attempt; "not found" counts as done. */
async function uninstall(op: Op, cli: HelmCli, ref: ReleaseRef, reason: string): Promise<void> {
  const wait = waitFor(op, `helm uninstall ${ref.release}`);
  op.ctx.log.warn({ release: ref.release, reason }, 'uninstalling to install again');
  const r = await cli.tryRun(cli.cmd.uninstall({ ...ref, wait }), runTimeoutMs(wait));
  if (r.code !== 0 && !isReleaseNotFound(r.stderr))
    throw new HelmError(`${reason}: recovery by uninstall failed: ${cli.transport.redact(r.stderr.trim())}`);
}

/** The release's newest revision, which must now be deployed. */
export async function current(cli: HelmCli, ref: ReleaseRef): Promise<HistoryEntry> {
  const h = (await cli.history(ref))?.at(-1);
  if (!h) throw new HelmError(`${cli.where}: release ${ref.release} is gone right after helm acted on it`);
  if (h.status !== 'deployed')
    throw new HelmError(
      `${cli.where}: release ${ref.release} revision ${h.revision} is ${h.status}, not deployed`,
    );
  return h;
}
