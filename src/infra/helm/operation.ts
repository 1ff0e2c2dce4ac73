// What every Helm-mode operation shares (helm's action.Configuration in spirit):
// the driver call's context and options, the parsed additionalParams, the
// deadline of its waits, and the few lookups they all need — which workload
// carries a VDU, which VDU a workload carries, and the helm flags of a wait.
import { badRequest } from '../../errors.ts';
import type { InfraContext } from '../driver.ts';
import type { ReleaseRef, WaitOptions } from './commands.ts';
import { type ChartArchive, inspectChartArchive } from './charts.ts';
import { HelmError } from './errors.ts';
import type { HostOptions } from './hosts.ts';
import { type HelmParams, parseHelmParams, vduByNamePrefix } from './params.ts';
import type { HelmState, ResourceRecord } from './state.ts';
import { isWorkloadKind, type Kube, kubeFor, type WorkloadRef } from './workloads.ts';

export interface Op {
  ctx: InfraContext;
  opts: HostOptions;
  /** When the operation's waits must be over (ctx.timeoutMs from its start). */
  deadline: number;
  /** The cluster's API, with the VIM's credentials. */
  kube: Kube;
}

export function newOp(ctx: InfraContext, opts: HostOptions): Op {
  return { ctx, opts, deadline: Date.now() + ctx.timeoutMs, kube: kubeFor(ctx.vim) };
}

export function params(op: Op): HelmParams {
  return parseHelmParams(op.ctx.additionalParams, {
    packageRoot: op.ctx.packageRoot,
    vnfInstanceId: op.ctx.vnfInstanceId,
    flavour: op.ctx.flavour,
  });
}

/** Params when they are only needed for mapping (observe, terminate): undefined rather than an error. */
export function paramsIfValid(op: Op): HelmParams | undefined {
  try {
    return params(op);
  } catch {
    return undefined;
  }
}

/** Checks every package chart archive; a bad one is the request's fault (400, naming the field). */
export async function chartArchives(p: HelmParams): Promise<Map<string, ChartArchive>> {
  const out = new Map<string, ChartArchive>();
  for (const [i, r] of p.using_helm_install_param.entries()) {
    if (r.exthelmchart) continue;
    try {
      out.set(r.helmreleasename, await inspectChartArchive(r.chartFile));
    } catch (e) {
      throw badRequest(
        `using_helm_install_param[${i}].helmchartfile_path: ${JSON.stringify(r.helmchartfile_path)} is not a usable Helm chart archive: ${(e as Error).message}`,
      );
    }
  }
  return out;
}

/**
 * Promise.all that waits for every promise to settle before it rejects (with the first
 * failure), so nothing started is still running on a host when the caller moves on.
 */
export async function settleAll<T extends readonly unknown[]>(
  ps: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(ps);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Seconds left for a helm --wait; throws when the deadline has passed. */
export function waitFor(op: Op, what: string): WaitOptions {
  const left = (op.deadline - Date.now()) / 1000;
  if (left <= 1) throw new HelmError(`no time left (timeout ${op.ctx.timeoutMs / 1000}s) for ${what}`);
  return { timeoutSeconds: Math.floor(left) };
}

export const refOf = (state: HelmState, release: string): ReleaseRef => ({
  release,
  namespace: state.releases.find((r) => r.name === release)?.namespace ?? state.namespace,
});

const asRef = (r: ResourceRecord, namespace: string): WorkloadRef | undefined =>
  isWorkloadKind(r.kind) ? { kind: r.kind, name: r.name, namespace: r.namespace ?? namespace } : undefined;

/** The workloads helm deployed for the instance (optionally of one release). */
export function workloadsOf(state: HelmState, release?: string): (WorkloadRef & { release: string })[] {
  return state.resources.flatMap((r) => {
    if (release !== undefined && r.release !== release) return [];
    const ref = asRef(r, state.namespace);
    return ref ? [{ ...ref, release: r.release }] : [];
  });
}

/**
 * The workload carrying a VDU: vdu_mapping's (name, kind, release) when given; in the v2
 * style, the workload whose name starts with the VDU's `properties.name` (params.ts
 * vduByNamePrefix); otherwise, as in manifest mode, the workload named like it.
 */
export function workloadOfVdu(
  op: Op,
  state: HelmState,
  p: HelmParams | undefined,
  vduId: string,
): (WorkloadRef & { release: string }) | undefined {
  const m = p?.vdu_mapping[vduId];
  const all = workloadsOf(state);
  if (m) {
    return (
      all.find((w) => w.release === m.helmreleasename && w.kind === m.kind && w.name === m.name) ?? {
        kind: m.kind,
        name: m.name,
        namespace: refOf(state, m.helmreleasename).namespace ?? state.namespace,
        release: m.helmreleasename,
      }
    );
  }
  if (p?.style === 'v2') return all.find((w) => vduByNamePrefix(op.ctx.flavour, w.name) === vduId);
  const vdu = op.ctx.flavour.vdus.find((v) => v.id === vduId);
  return vdu ? all.find((w) => w.name === vdu.name) : undefined;
}

/** The VDU a workload carries (the inverse of workloadOfVdu); undefined for a workload of no VDU. */
export function vduOfWorkload(
  op: Op,
  p: HelmParams | undefined,
  w: WorkloadRef & { release: string },
): string | undefined {
  for (const [vduId, m] of Object.entries(p?.vdu_mapping ?? {}))
    if (m.helmreleasename === w.release && m.kind === w.kind && m.name === w.name) return vduId;
  if (p?.style === 'v2') return vduByNamePrefix(op.ctx.flavour, w.name);
  const mapped = new Set(Object.keys(p?.vdu_mapping ?? {}));
  return op.ctx.flavour.vdus.find((v) => v.name === w.name && !mapped.has(v.id))?.id;
}
