// INSTANTIATE in Helm mode (the spec's sequence): chart files copied to the
// instance's directory on every master and extracted, repositories of external
// charts added on every master, then each release installed on the first
// reachable master with the request's --set values and the replicas of the
// instantiation level, `helm get manifest` stored as the instance's resources.
// Replicas of VDUs that are no chart value are set through the Kubernetes API.
// A retry observes every release again and continues (install.ts).
import { posix } from 'node:path';
import type { InfraState } from '../driver.ts';
import { addRepo, type ChartArchive, type ChartToStage, stageCharts } from './charts.ts';
import type { HelmCli } from './helm-cli.ts';
import { chooseTransport, openHosts } from './hosts.ts';
import { ensureInstalled, type InstallPlan } from './install.ts';
import { parseManifest } from './manifest.ts';
import {
  chartArchives,
  type Op,
  params as parseParams,
  settleAll,
  workloadOfVdu,
  workloadsOf,
} from './operation.ts';
import { HelmError } from './errors.ts';
import { followHelmVdus, tellOf } from './progress.ts';
import { type HelmInstallParam, type HelmParameter, type HelmParams, replicaValueOf } from './params.ts';
import {
  checkpoint,
  type HelmState,
  newState,
  readState,
  type ReleaseRecord,
  toInfraState,
  upsertRelease,
  withState,
} from './state.ts';
import {
  ensureNamespace,
  refKey,
  replicasOf,
  setReplicas,
  waitReady,
  type WorkloadRef,
} from './workloads.ts';

/** Chart files and repositories on one host, as every master gets them. */
async function prepareHost(
  op: Op,
  cli: HelmCli,
  p: HelmParams,
  archives: Map<string, ChartArchive>,
): Promise<void> {
  const repos = new Map<string, string>();
  const charts: ChartToStage[] = [];
  for (const r of p.using_helm_install_param) {
    if (r.exthelmchart) repos.set(r.helmrepositoryname, r.exthelmrepo_url);
    else
      charts.push({
        release: r.helmreleasename,
        file: r.chartFile,
        archive: archives.get(r.helmreleasename)!,
      });
  }
  await stageCharts(cli, op.ctx.vnfInstanceId, charts);
  for (const [name, url] of repos) await addRepo(cli, name, url, { refresh: true });
  op.ctx.log.info({ where: cli.where }, 'charts and repositories in place');
}

function chartRef(cli: HelmCli, op: Op, r: HelmInstallParam, archives: Map<string, ChartArchive>): string {
  if (r.exthelmchart) return `${r.helmrepositoryname}/${r.helmchartname}`;
  return posix.join(
    cli.transport.instanceDir(op.ctx.vnfInstanceId),
    r.helmreleasename,
    archives.get(r.helmreleasename)!.dir,
  );
}

/** helmparameter first, then the replica values of the VDUs this release carries (later --set wins). */
export function valuesFor(
  op: Op,
  p: HelmParams,
  release: string,
  replicas: Record<string, number>,
): HelmParameter[] {
  const out = [
    ...(p.using_helm_install_param.find((r) => r.helmreleasename === release)?.helmparameter ?? []),
  ];
  for (const [vduId, n] of Object.entries(replicas)) {
    const rv = replicaValueOf(p, op.ctx.flavour, vduId);
    if (rv?.release === release) out.push({ key: rv.path, value: String(n) });
  }
  return out;
}

/**
 * Every VDU of the flavour must be carried by a workload the releases rendered — the one
 * vdu_mapping names, else one named like the VDU's properties.name — or the instance would
 * have a VDU without VNFCs that no scale or heal can reach. Fails naming the VDU, what was
 * looked for and what the releases do carry (FAILED_TEMP; rollback removes the releases).
 */
export function checkEveryVduCarried(op: Op, state: HelmState, p: HelmParams): void {
  const all = workloadsOf(state);
  const carried = (release?: string) =>
    all
      .filter((w) => release === undefined || w.release === release)
      .map((w) => `${w.kind} ${JSON.stringify(w.name)} of release ${w.release}`)
      .join(', ') || 'no workload';
  const missing: string[] = [];
  for (const vdu of op.ctx.flavour.vdus) {
    const m = p.vdu_mapping[vdu.id];
    if (m) {
      if (!all.some((w) => w.release === m.helmreleasename && w.kind === m.kind && w.name === m.name))
        missing.push(
          `vdu_mapping.${vdu.id}: release ${m.helmreleasename} has no ${m.kind} ${JSON.stringify(m.name)} (it has ${carried(m.helmreleasename)})`,
        );
    } else if (p.style === 'v2') {
      if (!workloadOfVdu(op, state, p, vdu.id))
        missing.push(
          `VDU ${vdu.id}: no workload of release ${p.using_helm_install_param[0]?.helmreleasename} has a name starting with ${JSON.stringify(`${vdu.name}-`)} (its properties.name) (the release has ${carried()})`,
        );
    } else if (!all.some((w) => w.name === vdu.name)) {
      missing.push(
        `VDU ${vdu.id}: no workload of the releases is named ${JSON.stringify(vdu.name)} (its properties.name) and vdu_mapping has no entry for it (the releases have ${carried()})`,
      );
    }
  }
  if (missing.length > 0) throw new HelmError(`VDUs without a workload: ${missing.join('; ')}`);
}

function recordedAs(prev: HelmState | undefined, release: string): InstallPlan['recorded'] {
  const rec = prev?.releases.find((x) => x.name === release);
  return !rec ? 'none' : rec.unproven ? 'unproven' : 'proven';
}

export async function instantiate(
  op: Op,
  replicas: Record<string, number>,
  prior: InfraState,
): Promise<InfraState> {
  const { ctx } = op;
  const p = parseParams(op);
  const archives = await chartArchives(p);
  const prev = readState(prior);
  const state: HelmState =
    prev ?? newState({ transport: chooseTransport(ctx, op.opts), namespace: p.namespace ?? '' });
  let hosts;
  ctx.progress?.step('prepare charts and repositories');
  try {
    hosts = await openHosts(ctx, op.opts, state);
  } catch (e) {
    throw withState(e, state);
  }
  const vdus = followHelmVdus(op, state, p, replicas);
  try {
    state.transport = hosts.kind;
    if (hosts.masterNode) state.masterNode = hosts.masterNode;
    const cli = hosts.primary;
    state.namespace = p.namespace ?? (state.namespace || (await cli.defaultNamespace()));
    state.chartDir = cli.transport.instanceDir(ctx.vnfInstanceId);
    await checkpoint(ctx, state);
    // Every master at once, and the namespace meanwhile; the other masters are connected while
    // the primary is being prepared. All settle before anything fails, so no host is still
    // busy when the hosts close (and their connections go back to the pool).
    const [namespaceReady] = await settleAll([
      ensureNamespace(op.kube, state.namespace),
      prepareHost(op, cli, p, archives),
      hosts.others().then((others) => settleAll(others.map((o) => prepareHost(op, o, p, archives)))),
    ] as const);
    for (const [i, r] of p.using_helm_install_param.entries()) {
      ctx.progress?.step(`helm install ${r.helmreleasename}`, {
        done: i,
        total: p.using_helm_install_param.length,
      });
      const ref = { release: r.helmreleasename, namespace: state.namespace };
      const record: ReleaseRecord = {
        name: r.helmreleasename,
        namespace: state.namespace,
        chart: chartRef(cli, op, r, archives),
        revision: prev?.releases.find((x) => x.name === r.helmreleasename)?.revision ?? 0,
        ...(r.exthelmchart
          ? { external: { repo: r.helmrepositoryname, url: r.exthelmrepo_url } }
          : { package: { path: r.helmchartfile_path, dir: archives.get(r.helmreleasename)!.dir } }),
      };
      const entry = await ensureInstalled(op, cli, {
        ref,
        chart: record.chart,
        values: valuesFor(op, p, r.helmreleasename, replicas),
        createNamespace: !namespaceReady,
        recorded: recordedAs(prev, r.helmreleasename),
        onOwned: async (unproven) => {
          upsertRelease(state, unproven ? { ...record, unproven } : record);
          await checkpoint(ctx, state);
        },
        onDisowned: async () => {
          state.releases = state.releases.filter((x) => x.name !== r.helmreleasename);
          await checkpoint(ctx, state);
        },
      });
      record.revision = entry.revision;
      if (r.exthelmchart && entry.chart.startsWith(`${r.helmchartname}-`))
        record.chartVersion = entry.chart.slice(r.helmchartname.length + 1);
      upsertRelease(state, record);
      const manifest = entry.manifest ?? (await cli.manifest(ref));
      const resources = parseManifest(manifest, r.helmreleasename, state.namespace);
      state.resources = [...state.resources.filter((x) => x.release !== r.helmreleasename), ...resources];
      await checkpoint(ctx, state);
    }

    checkEveryVduCarried(op, state, p);

    // VDUs whose replicas are no chart value: the level's count set on the workload itself.
    const kube = op.kube;
    const patched: WorkloadRef[] = [];
    for (const [vduId, n] of Object.entries(replicas)) {
      if (replicaValueOf(p, ctx.flavour, vduId)) continue;
      const w = workloadOfVdu(op, state, p, vduId);
      if (!w || w.kind === 'DaemonSet') continue;
      const have = await replicasOf(kube, w);
      if (have === undefined || have === n) continue;
      ctx.log.info({ vduId, workload: refKey(w), from: have, to: n }, 'replicas set through the API');
      await setReplicas(kube, w, n);
      state.replicaOverrides[refKey(w)] = n;
      patched.push(w);
      await checkpoint(ctx, state);
    }
    if (patched.length > 0) ctx.progress?.step('wait for readiness');
    await waitReady(kube, patched, op.deadline, undefined, tellOf(op));
    return toInfraState(state);
  } catch (e) {
    throw withState(e, state);
  } finally {
    await vdus.stop();
    await hosts.close();
  }
}
