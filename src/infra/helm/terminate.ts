// TERMINATE in Helm mode (the spec's sequence): `helm uninstall` each release,
// `helm repo remove` the repositories of external charts, remove the instance's
// chart directory — the last two on every master. Releases come from the state
// and, for a crash before the state was saved, from the request; one found only
// there is uninstalled only if it carries this instance's marker. Anything
// already gone counts as removed, so terminate can be repeated.
import type { InfraState } from '../driver.ts';
import type { ReleaseRef } from './commands.ts';
import { removeRepo } from './charts.ts';
import { HelmError } from './errors.ts';
import { type HelmCli, isReleaseNotFound } from './helm-cli.ts';
import { openHosts } from './hosts.ts';
import { type Op, paramsIfValid, runTimeoutMs } from './operation.ts';
import { ownedByInstance } from './ownership.ts';
import { releaseState } from './release-state.ts';
import { provenReleases, readState } from './state.ts';

async function uninstall(op: Op, cli: HelmCli, ref: ReleaseRef, timeoutSeconds: number): Promise<void> {
  const wait = { timeoutSeconds: Math.max(1, Math.floor(timeoutSeconds)) };
  const r = await cli.tryRun(cli.cmd.uninstall({ ...ref, wait }), runTimeoutMs(wait));
  if (r.code === 0) {
    op.ctx.log.info({ release: ref.release, where: cli.where }, 'helm uninstall');
    return;
  }
  if (isReleaseNotFound(r.stderr)) return;
  throw new HelmError(
    `${cli.where}: helm uninstall ${ref.release} failed: ${cli.transport.redact(r.stderr.trim())}`,
  );
}

export async function terminate(
  op: Op,
  prior: InfraState,
  graceful?: { timeoutSeconds: number },
): Promise<void> {
  const { ctx } = op;
  const state = readState(prior);
  const p = paramsIfValid(op);
  if (!state && !p) return;
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
  const left = () => Math.max(1, (deadline - Date.now()) / 1000);

  const hosts = await openHosts(ctx, op.opts, {
    ...(state?.transport ? { transport: state.transport } : {}),
    ...(state?.masterNode ? { masterNode: state.masterNode } : {}),
    hostKeys: { ...state?.hostKeys },
  });
  try {
    const cli = hosts.primary;
    const namespace = state?.namespace || p?.namespace || (await cli.defaultNamespace());
    for (const r of recorded) await uninstall(op, cli, { release: r.name, namespace: r.namespace }, left());
    for (const u of unproven) {
      const name = u.release;
      const ref = { release: name, namespace: u.namespace ?? namespace };
      const history = await cli.history(ref);
      const owned = history !== undefined && (await ownedByInstance(op, ref, history));
      const st = releaseState(name, history, { vnfInstanceId: ctx.vnfInstanceId, owned });
      if (st.state === 'Absent') continue;
      if (st.state === 'Unmanaged') {
        ctx.log.warn({ release: name, reason: st.reason }, 'not uninstalled: not this instance’s release');
        continue;
      }
      await uninstall(op, cli, ref, left());
    }
    for (const host of [cli, ...(await hosts.others())]) {
      for (const repo of repos) await removeRepo(host, repo);
      await host.transport.removeDir(host.transport.instanceDir(ctx.vnfInstanceId));
      ctx.log.info({ where: host.where }, 'repositories and chart directory removed');
    }
  } finally {
    await hosts.close();
  }
}
