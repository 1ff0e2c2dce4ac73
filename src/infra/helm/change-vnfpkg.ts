// CHANGE_VNFPKG in Helm mode: every release of a package chart is upgraded to the
// new package's chart. The values are given whole, never taken over blindly with
// --reuse-values (which would keep an old chart's values that the new chart
// renamed, and miss the new chart's defaults). From lowest to highest precedence:
//   1. the new chart's own values.yaml (`--reset-values` starts from there),
//   2. the instantiate request's helmparameter entries of the release,
//   3. the instance's current replica counts at their helm_replica_values paths.
// Replicas held through the Kubernetes API (VDUs with no values path) are set again
// on the workloads afterwards, as after a scale (helm 4's server-side apply is told to
// take the field over meanwhile, rather than fail on the VNFM's own earlier write). Releases of repository charts are
// not part of a package and stay as they are.
// Before anything changes, each release's revision and chart are recorded
// (lastChange), so a rollback is `helm rollback` to that revision with the old
// package's chart staged again, and a retry continues where the last attempt stopped.
import { posix } from 'node:path';
import { badRequest } from '../../errors.ts';
import { resolveInPackage } from '../../packages/csar/paths.ts';
import type { InfraState } from '../driver.ts';
import { type ChartArchive, inspectChartArchive, stageCharts } from './charts.ts';
import { runTimeoutMs } from './commands.ts';
import { HelmError } from './errors.ts';
import type { Hosts } from './hosts.ts';
import { backToRevision, ownerLabels, rollbackTo } from './install.ts';
import { checkEveryVduCarried, valuesFor } from './instantiate.ts';
import {
  chartArchives,
  type Op,
  params as parseParams,
  refOf,
  settleAll,
  waitFor,
  workloadsOf,
} from './operation.ts';
import { ownerMarker } from './ownership.ts';
import { type PackageChartParam, truthy } from './params.ts';
import { DEF_FILES_PARAM } from '../kubernetes/manifests.ts';
import { followHelmVdus, tellOf } from './progress.ts';
import {
  observeRelease,
  reapplyOverrides,
  refreshRelease,
  requireState,
  revisionBefore,
  withHosts,
} from './scale.ts';
import { checkpoint, type HelmState, toInfraState, withState } from './state.ts';
import { waitReady, type WorkloadRef } from './workloads.ts';

type Params = Record<string, unknown>;
const isObj = (v: unknown): v is Params => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The instance's additionalParams for the new package. `helm_chart_path` replaces the chart
 * of every release installed from a package chart (they must all have come from one chart
 * file: one path cannot stand for several); without it each keeps its package path, which
 * the new package must then have. Checked against the new package like an instantiate's.
 */
export async function packageParams(op: Op, request: Params): Promise<Params> {
  if (request[DEF_FILES_PARAM] !== undefined)
    throw badRequest(`${DEF_FILES_PARAM}: the instance runs in Helm mode; its new chart is helm_chart_path`);
  const next = structuredClone(op.ctx.additionalParams);
  const path = request.helm_chart_path;
  if (typeof path === 'string') {
    const list = Array.isArray(next.using_helm_install_param) ? next.using_helm_install_param : [];
    const fromPackage = list.filter((e): e is Params => isObj(e) && !truthy(e.exthelmchart));
    if (fromPackage.length > 0) {
      const paths = [...new Set(fromPackage.map((e) => String(e.helmchartfile_path)))];
      if (paths.length > 1)
        throw badRequest(
          `helm_chart_path: the instance's releases come from ${paths.length} package charts (${paths.join(', ')}); one helm_chart_path cannot replace them all`,
        );
      for (const e of fromPackage) e.helmchartfile_path = path;
    } else if (typeof next.helm_chart_path === 'string') {
      next.helm_chart_path = path; // the instance was instantiated with the v2 parameters
    } else {
      throw badRequest('helm_chart_path: the instance has no release from a package chart to upgrade');
    }
  }
  // Parsed as the instance's own: a v2-style release is named after the instance.
  const p = parseParams({ ...op, ctx: { ...op.ctx, additionalParams: next } });
  if (!p.using_helm_install_param.some((r) => !r.exthelmchart))
    throw badRequest('the instance has no release from a package chart: nothing of it is in a VNF package');
  await chartArchives(p);
  return next;
}

/** Stages a chart on every host helm may run on, in place of the release's previous one; returns its directory on the primary. */
async function restage(op: Op, hosts: Hosts, release: string, file: string, archive: ChartArchive) {
  const id = op.ctx.vnfInstanceId;
  const all = [hosts.primary, ...(await hosts.others())];
  const dirs = await settleAll(
    all.map(async (cli) => {
      // Another version of a chart extracts to the same directory name: whatever the old one
      // had and the new one has not (a template) must not stay behind.
      await cli.transport.removeDir(posix.join(cli.transport.instanceDir(id), release));
      return (await stageCharts(cli, id, [{ release, file, archive }])).get(release)!;
    }),
  );
  return dirs[0]!;
}

export async function changeVnfpkg(
  op: Op,
  replicas: Record<string, number>,
  prior: InfraState,
): Promise<InfraState> {
  const state = requireState(prior);
  const { ctx } = op;
  const p = parseParams(op);
  const archives = await chartArchives(p);
  const releases = p.using_helm_install_param.filter((r): r is PackageChartParam => !r.exthelmchart);
  const recordOf = (name: string) => {
    const rec = state.releases.find((x) => x.name === name);
    if (!rec) throw new HelmError(`release ${name} is not one of the instance's releases`);
    return rec;
  };
  const vdus = followHelmVdus(op, state, p, replicas);
  try {
    return await withHosts(op, state, true, async (hosts) => {
      const h = hosts!;
      const cli = h.primary;
      // The before-image, kept when this is a retry of the same unfinished change.
      if (!state.lastChange?.pending) {
        const before: HelmState['lastChange'] = {
          pending: true,
          overrides: { ...state.replicaOverrides },
          releases: [],
        };
        for (const r of releases) {
          const rec = recordOf(r.helmreleasename);
          const st = await observeRelease(op, cli, state, rec.name);
          const revision = revisionBefore(st);
          before.releases.push({
            name: rec.name,
            namespace: refOf(state, rec.name).namespace ?? state.namespace,
            revision,
            chart: rec.chart,
            ...(rec.package ? { package: rec.package } : {}),
            helmChart: (st.state === 'InSync' ? st.current : st.lastGood)?.chart ?? '',
          });
        }
        state.lastChange = before;
        await checkpoint(ctx, state);
      }
      const touched: WorkloadRef[] = [];
      for (const [i, r] of releases.entries()) {
        ctx.progress?.step(`helm upgrade ${r.helmreleasename}`, { done: i, total: releases.length });
        const rec = recordOf(r.helmreleasename);
        const archive = archives.get(rec.name)!;
        const st = await observeRelease(op, cli, state, rec.name);
        // Upgraded already only by an earlier attempt of this change (a retry): past the
        // revision its before-image holds. Same path and chart version alone are not enough,
        // as a new package may ship other content under the same chart version.
        const before = state.lastChange!.releases.find((x) => x.name === rec.name);
        const upgraded =
          st.state === 'InSync' &&
          (st.current?.revision ?? 0) > (before?.revision ?? Number.MAX_SAFE_INTEGER) &&
          rec.package?.path === r.helmchartfile_path &&
          st.current?.chart === `${archive.name}-${archive.version}`;
        if (!upgraded) {
          if (st.state === 'Absent' || st.state === 'Uninstalled')
            throw new HelmError(`${st.reason}: it was removed outside the VNFM, so it cannot be upgraded`);
          if (st.state === 'Locked' || st.state === 'Failed') {
            // An earlier attempt's upgrade was interrupted or failed: back to the deployed one first.
            if (!st.lastGood) throw new HelmError(`${st.reason}: no deployed revision to upgrade from`);
            await rollbackTo(op, cli, refOf(state, rec.name), st, st.lastGood.revision);
          }
          const dir = await restage(op, h, rec.name, r.chartFile, archive);
          const wait = waitFor(op, `helm upgrade ${rec.name}`);
          const values = valuesFor(op, p, rec.name, replicas);
          ctx.log.info(
            {
              release: rec.name,
              chart: `${archive.name}-${archive.version}`,
              values: values.map((v) => v.key),
            },
            'helm upgrade to the new package',
          );
          const written = await cli.write(
            cli.cmd.upgrade({
              ...refOf(state, rec.name),
              chart: dir,
              resetValues: true,
              // The counts the VNFM holds through the API are set again just after.
              forceConflicts: true,
              values,
              description: ownerMarker(ctx.vnfInstanceId),
              labels: ownerLabels(ctx.vnfInstanceId),
              wait,
              json: true,
            }),
            `helm upgrade ${rec.name}`,
            runTimeoutMs(wait),
          );
          rec.chart = dir;
          rec.package = { path: r.helmchartfile_path, dir: archive.dir };
          await refreshRelease(cli, state, rec, written);
        }
        await checkpoint(ctx, state);
        touched.push(...(await reapplyOverrides(op.kube, state, rec.name, state.replicaOverrides)));
        touched.push(...workloadsOf(state, rec.name));
      }
      // The new chart must still carry every VDU (a renamed workload would leave one without VNFCs).
      checkEveryVduCarried(op, state, p);
      ctx.progress?.step('wait for readiness');
      await waitReady(op.kube, touched, op.deadline, undefined, tellOf(op));
      state.lastChange!.pending = false;
      return toInfraState(state);
    });
  } catch (e) {
    throw withState(e, state);
  } finally {
    await vdus.stop();
  }
}

/**
 * Back to the package before the change (`op.ctx` is that package's): each release rolled
 * back to the revision recorded before (skipped when it is there, or a rollback to it is
 * already the current revision), its old chart staged again so later scales use it, and
 * the API-held counts as they were. Without a recorded change it changes nothing.
 */
export async function rollbackChangeVnfpkg(op: Op, prior: InfraState): Promise<InfraState> {
  const state = requireState(prior);
  const last = state.lastChange;
  if (!last) return toInfraState(state);
  const { ctx } = op;
  try {
    return await withHosts(op, state, last.releases.length > 0, async (hosts) => {
      const h = hosts!;
      const cli = h.primary;
      const touched: WorkloadRef[] = [];
      for (const [i, r] of last.releases.entries()) {
        ctx.progress?.step(`helm rollback ${r.name}`, { done: i, total: last.releases.length });
        await backToRevision(
          op,
          cli,
          { release: r.name, namespace: r.namespace },
          r.revision,
          'package change',
        );
        const rec = state.releases.find((x) => x.name === r.name);
        if (rec) {
          if (r.package) {
            const file = resolveInPackage(ctx.packageRoot, r.package.path);
            rec.chart = await restage(op, h, r.name, file, await inspectChartArchive(file));
            rec.package = r.package;
          } else rec.chart = r.chart;
          await refreshRelease(cli, state, rec);
        }
        await checkpoint(ctx, state);
        touched.push(...(await reapplyOverrides(op.kube, state, r.name, last.overrides)));
        touched.push(...workloadsOf(state, r.name));
        ctx.log.info(
          { release: r.name, revision: r.revision, chart: r.helmChart },
          'rolled back to before the change',
        );
      }
      state.replicaOverrides = { ...last.overrides };
      ctx.progress?.step('wait for readiness');
      await waitReady(op.kube, touched, op.deadline, undefined, tellOf(op));
      delete state.lastChange;
      return toInfraState(state);
    });
  } catch (e) {
    throw withState(e, state);
  }
}
