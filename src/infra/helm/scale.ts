// SCALE in Helm mode. A VDU whose replica count is a chart value (vdu_mapping +
// helm_replica_values) is scaled by `helm upgrade REL CHART --reuse-values --set
// path=N --wait`, so helm keeps owning the number; any other VDU's workload is
// scaled through the Kubernetes API and the count kept in the state, to be set
// again after every helm upgrade or rollback of its release (which would reset it).
// The revisions and counts before the scale are recorded first, so rollbackScale
// can return to them with `helm rollback REL <previous revision>`.
import { isDeepStrictEqual } from 'node:util';
import { resolveInPackage } from '../../packages/csar/paths.ts';
import type { InfraState } from '../driver.ts';
import { addRepo, inspectChartArchive, stageCharts, stagedChart } from './charts.ts';
import { runTimeoutMs } from './commands.ts';
import { HelmError } from './errors.ts';
import type { HelmCli, ReleaseInfo } from './helm-cli.ts';
import { type Hosts, openHosts } from './hosts.ts';
import { backToRevision, current, ownerLabels, rollbackTo } from './install.ts';
import { parseManifest } from './manifest.ts';
import { type Op, params as parseParams, refOf, waitFor, workloadOfVdu, workloadsOf } from './operation.ts';
import { type HelmParameter, replicaValueOf } from './params.ts';
import { ownerMarker } from './ownership.ts';
import { type ReleaseState, releaseState } from './release-state.ts';
import {
  checkpoint,
  type HelmState,
  readState,
  type ReleaseRecord,
  type ScaleRecord,
  toInfraState,
  withState,
} from './state.ts';
import { followHelmVdus, tellOf } from './progress.ts';
import { type Kube, refKey, replicasOf, setReplicas, waitReady, type WorkloadRef } from './workloads.ts';

export function requireState(prior: InfraState): HelmState {
  const s = readState(prior);
  if (!s) throw new HelmError('the VNF instance has no Helm state: it was not instantiated in Helm mode');
  return s;
}

/** The chart of a release on this host, staged again (or its repository added) if the host lacks it. */
async function chartOn(
  op: Op,
  cli: HelmCli,
  rec: ReleaseRecord,
): Promise<{ chart: string; version?: string }> {
  if (rec.external) {
    await addRepo(cli, rec.external.repo, rec.external.url, { refresh: false });
    return { chart: rec.chart, ...(rec.chartVersion ? { version: rec.chartVersion } : {}) };
  }
  if (!rec.package) return { chart: rec.chart };
  const id = op.ctx.vnfInstanceId;
  const staged = await stagedChart(cli, id, rec.name, rec.package);
  if (staged) return { chart: staged };
  op.ctx.log.info({ release: rec.name, where: cli.where }, 'chart not on this host; staging it again');
  const file = resolveInPackage(op.ctx.packageRoot, rec.package.path);
  const dirs = await stageCharts(cli, id, [
    { release: rec.name, file, archive: await inspectChartArchive(file) },
  ]);
  return { chart: dirs.get(rec.name)! };
}

/** Sets the API-held replica counts of a release's workloads again (after helm reset them). */
export async function reapplyOverrides(
  kube: Kube,
  state: HelmState,
  release: string,
  overrides: Record<string, number>,
) {
  const out: WorkloadRef[] = [];
  for (const w of workloadsOf(state, release)) {
    const n = overrides[refKey(w)];
    if (n === undefined) continue;
    if ((await replicasOf(kube, w)) !== n) await setReplicas(kube, w, n);
    out.push(w);
  }
  return out;
}

/** The release's revision and resources in the state, from what helm just wrote or else from helm. */
export async function refreshRelease(
  cli: HelmCli,
  state: HelmState,
  rec: ReleaseRecord,
  written?: ReleaseInfo,
): Promise<void> {
  const ref = refOf(state, rec.name);
  rec.revision = (written ?? (await current(cli, ref))).revision;
  const manifest = written?.manifest ?? (await cli.manifest(ref));
  const resources = parseManifest(manifest, rec.name, rec.namespace);
  state.resources = [...state.resources.filter((x) => x.release !== rec.name), ...resources];
}

/** `helm upgrade --reuse-values --set path=N`, after unlocking a release an interrupted operation left pending. */
async function upgradeReplicas(
  op: Op,
  cli: HelmCli,
  state: HelmState,
  rec: ReleaseRecord,
  sets: HelmParameter[],
  st: ReleaseState,
): Promise<ReleaseInfo> {
  const ref = refOf(state, rec.name);
  if (st.state === 'Absent' || st.state === 'Uninstalled')
    throw new HelmError(`${st.reason}: it was removed outside the VNFM, so it cannot be scaled`);
  if (st.state === 'Locked') {
    if (!st.lastGood) throw new HelmError(`${st.reason}: no deployed revision to return to before scaling`);
    await rollbackTo(op, cli, ref, st, st.lastGood.revision);
  }
  const { chart, version } = await chartOn(op, cli, rec);
  const wait = waitFor(op, `helm upgrade ${rec.name}`);
  op.ctx.log.info({ release: rec.name, where: cli.where, values: sets.map((s) => s.key) }, 'helm upgrade');
  return cli.write(
    cli.cmd.upgrade({
      ...ref,
      chart,
      ...(version ? { version } : {}),
      reuseValues: true,
      values: sets,
      description: ownerMarker(op.ctx.vnfInstanceId),
      labels: ownerLabels(op.ctx.vnfInstanceId),
      wait,
      json: true,
    }),
    `helm upgrade ${rec.name}`,
    runTimeoutMs(wait),
  );
}

/** The release as helm has it now (it is the instance's: the state records it). */
export async function observeRelease(
  op: Op,
  cli: HelmCli,
  state: HelmState,
  release: string,
): Promise<ReleaseState> {
  return releaseState(release, await cli.history(refOf(state, release)), {
    vnfInstanceId: op.ctx.vnfInstanceId,
    owned: true,
  });
}

/** The revision a rollback of this scale returns to: the deployed one now (or the last good before a pending one). */
export function revisionBefore(st: ReleaseState): number {
  const rev = st.state === 'InSync' ? st.current?.revision : st.lastGood?.revision;
  if (rev === undefined) throw new HelmError(`${st.reason}: no deployed revision to scale from`);
  return rev;
}

export async function withHosts<T>(
  op: Op,
  state: HelmState,
  needed: boolean,
  f: (h: Hosts | undefined) => Promise<T>,
) {
  if (!needed) return f(undefined);
  const hosts = await openHosts(op.ctx, op.opts, state);
  try {
    if (hosts.masterNode) state.masterNode = hosts.masterNode;
    return await f(hosts);
  } finally {
    await hosts.close();
  }
}

export async function scale(
  op: Op,
  replicas: Record<string, number>,
  prior: InfraState,
): Promise<InfraState> {
  const state = requireState(prior);
  const { ctx } = op;
  const p = parseParams(op);
  const kube = op.kube;
  const byRelease = new Map<string, HelmParameter[]>();
  const viaApi: { ref: WorkloadRef; n: number }[] = [];
  const touched: WorkloadRef[] = [];
  for (const [vduId, n] of Object.entries(replicas)) {
    const rv = replicaValueOf(p, ctx.flavour, vduId);
    const w = workloadOfVdu(op, state, p, vduId);
    if (w) touched.push(w);
    if (rv) {
      byRelease.set(rv.release, [...(byRelease.get(rv.release) ?? []), { key: rv.path, value: String(n) }]);
      continue;
    }
    if (!w)
      throw new HelmError(
        `VDU ${vduId}: no workload of the instance's releases carries it (add a vdu_mapping entry)`,
      );
    if (w.kind === 'DaemonSet')
      throw new HelmError(`VDU ${vduId}: ${w.kind} ${w.name} has no replica count to scale`);
    viaApi.push({ ref: w, n });
  }

  const vdus = followHelmVdus(op, state, p, replicas);
  try {
    return await withHosts(op, state, byRelease.size > 0, async (hosts) => {
      const observed = new Map<string, ReleaseState>();
      // The before-image, kept when this is a retry of the same unfinished scale.
      if (!(state.lastScale?.pending && isDeepStrictEqual(state.lastScale.target, replicas))) {
        const record: ScaleRecord = {
          target: replicas,
          pending: true,
          releases: [],
          workloads: [],
          overrides: { ...state.replicaOverrides },
        };
        for (const release of byRelease.keys()) {
          const st = await observeRelease(op, hosts!.primary, state, release);
          observed.set(release, st);
          const revision = revisionBefore(st);
          record.releases.push({ name: release, namespace: refOf(state, release).namespace!, revision });
        }
        for (const { ref } of viaApi) {
          const have = await replicasOf(kube, ref);
          if (have !== undefined) record.workloads.push({ ...ref, replicas: have });
        }
        state.lastScale = record;
        await checkpoint(ctx, state);
      }
      let done = 0;
      for (const [release, sets] of byRelease) {
        ctx.progress?.step(`helm upgrade ${release}`, { done: done++, total: byRelease.size });
        const rec = state.releases.find((r) => r.name === release);
        if (!rec) throw new HelmError(`release ${release} is not one of the instance's releases`);
        const cli = hosts!.primary;
        // Observed just now when the before-image was taken; a retry observes again.
        const st = observed.get(release) ?? (await observeRelease(op, cli, state, release));
        const written = await upgradeReplicas(op, cli, state, rec, sets, st);
        await refreshRelease(cli, state, rec, written);
        await checkpoint(ctx, state);
        touched.push(...(await reapplyOverrides(kube, state, release, state.replicaOverrides)));
      }
      for (const { ref, n } of viaApi) {
        ctx.log.info({ workload: refKey(ref), replicas: n }, 'replicas set through the API');
        await setReplicas(kube, ref, n);
        state.replicaOverrides[refKey(ref)] = n;
        await checkpoint(ctx, state);
      }
      ctx.progress?.step('wait for readiness');
      await waitReady(kube, touched, op.deadline, undefined, tellOf(op));
      state.lastScale!.pending = false;
      return toInfraState(state);
    });
  } catch (e) {
    throw withState(e, state);
  } finally {
    await vdus.stop();
  }
}

/**
 * Returns the instance to where its last scale started: each upgraded release rolled
 * back to the revision recorded before (skipped when it is there already), API-held
 * counts set back. Without a recorded scale it changes nothing.
 */
export async function rollbackScale(op: Op, prior: InfraState): Promise<InfraState> {
  const state = requireState(prior);
  const last = state.lastScale;
  if (!last) return toInfraState(state);
  const kube = op.kube;
  const touched: WorkloadRef[] = [];
  try {
    return await withHosts(op, state, last.releases.length > 0, async (hosts) => {
      for (const r of last.releases) {
        const cli = hosts!.primary;
        await backToRevision(op, cli, { release: r.name, namespace: r.namespace }, r.revision, 'scale');
        const rec = state.releases.find((x) => x.name === r.name);
        if (rec) await refreshRelease(cli, state, rec);
        await checkpoint(op.ctx, state);
        touched.push(...(await reapplyOverrides(kube, state, r.name, last.overrides)));
        touched.push(...workloadsOf(state, r.name));
      }
      for (const w of last.workloads) {
        const ref = w as WorkloadRef;
        await setReplicas(kube, ref, w.replicas);
        touched.push(ref);
      }
      state.replicaOverrides = { ...last.overrides };
      await waitReady(kube, touched, op.deadline, undefined, tellOf(op));
      delete state.lastScale;
      return toInfraState(state);
    });
  } catch (e) {
    throw withState(e, state);
  }
}
