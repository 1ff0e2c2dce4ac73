// TERMINATE in Helm mode (the spec's sequence): `helm uninstall` each release,
// `helm repo remove` the repositories of external charts, remove the instance's
// chart directory — the last two on every master. Releases come from the state
// and, for a crash before the state was saved, from the request; one found only
// there is uninstalled only if it carries this instance's marker. Anything
// already gone counts as removed, so terminate can be repeated.
import type { InfraState } from '../driver.ts';
import { type ReleaseRef, runTimeoutMs, type WaitOptions } from './commands.ts';
import { removeRepo } from './charts.ts';
import { HelmError } from './errors.ts';
import { type HelmCli, isReleaseNotFound } from './helm-cli.ts';
import { openHosts } from './hosts.ts';
import { type Op, paramsIfValid } from './operation.ts';
import { ownedByInstance } from './ownership.ts';
import { releaseState } from './release-state.ts';
import { checkpoint, type HelmState, provenReleases, readState } from './state.ts';

/**
 * Whether the recorded state shows that nothing was ever made on a host or in the cluster:
 * no release recorded (not even unproven, which is recorded before helm is run), no chart
 * directory (set before charts and repositories are staged), no replica count set. An
 * instantiate that failed before that — master unreachable, login refused, no helm — is
 * then undone without reaching the host that failed.
 */
export function createdNothing(state: HelmState | undefined): boolean {
  return (
    !state ||
    (state.releases.length === 0 && !state.chartDir && Object.keys(state.replicaOverrides).length === 0)
  );
}

/**
 * helm uninstall, then, whatever helm or the transport reported, what is there decides: a
 * release gone is uninstalled (helm reports a post-delete hook that timed out as a failure
 * after removing the release; a command the VNFM stopped may have got that far), one still
 * there is a failure naming its status.
 */
async function uninstall(op: Op, cli: HelmCli, ref: ReleaseRef, wait: WaitOptions): Promise<void> {
  let failure: string;
  try {
    const r = await cli.tryRun(cli.cmd.uninstall({ ...ref, wait }), runTimeoutMs(wait));
    if (r.code === 0 || isReleaseNotFound(r.stderr)) {
      op.ctx.log.info({ release: ref.release, where: cli.where }, 'helm uninstall');
      return;
    }
    failure = `${cli.where}: helm uninstall ${ref.release} failed: ${cli.transport.redact(r.stderr.trim())}`;
  } catch (e) {
    if (!(e instanceof HelmError)) throw e;
    failure = e.message; // stopped at the VNFM's deadline, or the connection broke
  }
  const left = (await cli.history(ref))?.at(-1);
  if (!left || left.status === 'uninstalled') {
    op.ctx.log.warn(
      { release: ref.release, failure },
      'helm uninstall reported a failure; the release is gone',
    );
    return;
  }
  throw new HelmError(`${failure} (release ${ref.release} is still there, ${left.status})`);
}

/** The state without a release that is gone, saved at once: a `fail` after this claims only what is left. */
async function forget(op: Op, state: HelmState | undefined, release: string): Promise<void> {
  if (!state) return;
  state.releases = state.releases.filter((r) => r.name !== release);
  state.resources = state.resources.filter((r) => r.release !== release);
  await checkpoint(op.ctx, state);
}

export async function terminate(
  op: Op,
  prior: InfraState,
  graceful?: { timeoutSeconds: number },
): Promise<void> {
  const { ctx } = op;
  const state = readState(prior);
  if (createdNothing(state)) {
    ctx.log.info('nothing was created (no release, chart or replica count recorded): nothing to remove');
    return;
  }
  const p = paramsIfValid(op);
  const recorded = provenReleases(state);
  // Releases not proven ours (a crash mid-install, or before the state was saved): uninstalled only with our marks.
  const unproven = [
    ...(state?.releases ?? [])
      .filter((r) => r.unproven)
      .map((r) => ({ release: r.name, namespace: r.namespace })),
    ...(p?.using_helm_install_param ?? [])
      .map((r) => r.helmreleasename)
      .filter((name) => !state?.releases.some((r) => r.name === name))
      .map((release) => ({ release, namespace: undefined })),
  ];
  const repos = new Set([
    ...recorded.flatMap((r) => (r.external ? [r.external.repo] : [])),
    ...(p?.using_helm_install_param ?? []).flatMap((r) => (r.exthelmchart ? [r.helmrepositoryname] : [])),
  ]);
  // A graceful termination may take its whole grace period before the usual wait starts.
  const deadline = op.deadline + (graceful ? Math.max(0, graceful.timeoutSeconds) * 1000 : 0);
  const wait = (): WaitOptions => ({
    timeoutSeconds: Math.max(1, Math.floor((deadline - Date.now()) / 1000)),
  });

  const hosts = await openHosts(ctx, op.opts, {
    ...(state?.transport ? { transport: state.transport } : {}),
    ...(state?.masterNode ? { masterNode: state.masterNode } : {}),
    hostKeys: { ...state?.hostKeys },
  });
  try {
    const cli = hosts.primary;
    const namespace = state?.namespace || p?.namespace || (await cli.defaultNamespace());
    for (const [i, r] of recorded.entries()) {
      ctx.progress?.step(`helm uninstall ${r.name}`, { done: i, total: recorded.length });
      await uninstall(op, cli, { release: r.name, namespace: r.namespace }, wait());
      await forget(op, state, r.name);
    }
    for (const u of unproven) {
      const name = u.release;
      const ref = { release: name, namespace: u.namespace ?? namespace };
      const history = await cli.history(ref);
      const owned = history !== undefined && (await ownedByInstance(op, ref, history));
      const st = releaseState(name, history, { vnfInstanceId: ctx.vnfInstanceId, owned });
      if (st.state === 'Unmanaged')
        ctx.log.warn({ release: name, reason: st.reason }, 'not uninstalled: not this instance’s release');
      else if (st.state !== 'Absent') await uninstall(op, cli, ref, wait());
      await forget(op, state, name);
    }
    ctx.progress?.step('remove charts and repositories');
    for (const host of [cli, ...(await hosts.others())]) {
      for (const repo of repos) await removeRepo(host, repo);
      await host.transport.removeDir(host.transport.instanceDir(ctx.vnfInstanceId));
      ctx.log.info({ where: host.where }, 'repositories and chart directory removed');
    }
  } finally {
    await hosts.close();
  }
}
