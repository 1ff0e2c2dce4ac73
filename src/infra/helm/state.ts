// What the Helm driver keeps on the VNF instance (InfraState) to find its objects
// again: where helm ran, the releases with their last known revision, the
// resources `helm get manifest` listed, pinned master-node host keys, replica
// counts set through the API, and what the last scale changed (for its rollback).
// Every step re-reads the cluster before acting; this state says where to look.
import type { InfraState } from '../driver.ts';

export interface ReleaseRecord {
  name: string;
  namespace: string;
  /** The chart as helm was given it: a directory on the host, or `<repo>/<chart>`. */
  chart: string;
  /** Chart version deployed; upgrades of repository charts pin it, so a scale never changes the chart. */
  chartVersion?: string;
  /** Last revision this driver saw deployed. */
  revision: number;
  /** Repository chart: the repository registered on the master nodes. */
  external?: { repo: string; url: string };
  /** Package chart: its path in the package and the directory its archive extracts to. */
  package?: { path: string; dir: string };
  /**
   * Recorded just before a `helm install` that had not yet found the name free: until the
   * install succeeds the release counts as ours only if it carries the instance's labels.
   */
  unproven?: true;
}

export interface ResourceRecord {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped kinds. */
  namespace?: string;
  release: string;
}

export interface WorkloadReplicas {
  kind: string;
  name: string;
  namespace: string;
  replicas: number;
}

/** Before-image of a scale, for rollbackScale (and for a retry of the same scale to keep). */
export interface ScaleRecord {
  /** The replicas the scale asked for (a retry with the same target keeps the before-image). */
  target: Record<string, number>;
  /** True until the scale finished. */
  pending: boolean;
  releases: { name: string; namespace: string; revision: number }[];
  workloads: WorkloadReplicas[];
  /** replicaOverrides before the scale. */
  overrides: Record<string, number>;
}

/** Before-image of a CHANGE_VNFPKG, for its rollback (and for a retry of it to keep). */
export interface PackageChangeRecord {
  /** True until the change finished. */
  pending: boolean;
  /** Each upgraded release as it was: the revision to roll back to and the chart to stage again. */
  releases: (Pick<ReleaseRecord, 'name' | 'namespace' | 'revision' | 'chart' | 'package'> & {
    /** Helm's `<chart>-<version>` of that revision, for the log and the operator. */
    helmChart: string;
  })[];
  /** replicaOverrides before the change. */
  overrides: Record<string, number>;
}

export interface HelmState {
  mode: 'helm';
  transport: 'ssh' | 'local';
  /** The master node helm last ran on (tried first next time). */
  masterNode?: string;
  namespace: string;
  /** The instance's chart directory on the host helm runs on. */
  chartDir: string;
  releases: ReleaseRecord[];
  resources: ResourceRecord[];
  /** Host keys (`SHA256:…`) seen per master-node address; required to match from then on. */
  hostKeys: Record<string, string>;
  /** Replicas set through the API for workloads without a values path, by `Kind/namespace/name`; re-applied after helm upgrades. */
  replicaOverrides: Record<string, number>;
  lastScale?: ScaleRecord;
  lastChange?: PackageChangeRecord;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The Helm state in an InfraState, or undefined when it holds none (never instantiated, or another driver's). */
export function readState(s: InfraState | undefined): HelmState | undefined {
  if (!isObj(s) || s.mode !== 'helm') return undefined;
  const st = structuredClone(s) as unknown as HelmState;
  st.releases ??= [];
  st.resources ??= [];
  st.hostKeys ??= {};
  st.replicaOverrides ??= {};
  return st;
}

export function toInfraState(s: HelmState): InfraState {
  return structuredClone(s) as unknown as InfraState;
}

/** An error of a driver step carrying the state reached before it failed, which the engine persists. */
export type ErrorWithState = Error & { state: InfraState };

export function withState(err: unknown, state: HelmState): ErrorWithState {
  const e = err instanceof Error ? err : new Error(String(err));
  return Object.assign(e, { state: toInfraState(state) });
}

/** Hands the state to the engine mid-step (InfraContext.checkpoint), so a crash of the VNFM loses nothing created. */
export async function checkpoint(ctx: { checkpoint?: (s: InfraState) => Promise<void> }, state: HelmState) {
  await ctx.checkpoint?.(toInfraState(state));
}

/** Releases proven to be the instance's (installed by it, or adopted by their marks). */
export const provenReleases = (state: HelmState | undefined) =>
  (state?.releases ?? []).filter((r) => !r.unproven);

export function upsertRelease(state: HelmState, r: ReleaseRecord): void {
  const i = state.releases.findIndex((x) => x.name === r.name);
  if (i < 0) state.releases.push(r);
  else state.releases[i] = r;
}

/** A state with no release, resource or count: where helm runs, and what is known of its hosts. */
export function newState(
  where: Pick<HelmState, 'transport' | 'namespace'> & Partial<Pick<HelmState, 'masterNode' | 'hostKeys'>>,
): HelmState {
  return {
    mode: 'helm',
    transport: where.transport,
    ...(where.masterNode !== undefined ? { masterNode: where.masterNode } : {}),
    namespace: where.namespace,
    chartDir: '',
    releases: [],
    resources: [],
    hostKeys: { ...where.hostKeys },
    replicaOverrides: {},
  };
}

/**
 * The state a reinstall starts from: where helm ran and the host keys seen there (so
 * a whole-VNF heal checks the same keys), with no release, resource or count.
 */
export function keptForReinstall(prior: InfraState): InfraState {
  const s = readState(prior);
  return s ? toInfraState(newState(s)) : {};
}
