// What the manifest driver persists on the VNF instance (InfraState), how it reads
// that back from the database, and how a failed step hands over what it had
// already created: the state travels on the thrown error, so the engine can store
// it and a rollback (terminate) can delete exactly those objects.
import type { InfraState } from '../driver.ts';

/** One Kubernetes object the driver created (or adopted on retry); `namespace` is absent for cluster-scoped kinds. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The workload a VDU maps to (its `metadata.name` equals the VDU's `name` property). */
export interface WorkloadRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

// A type alias, not an interface, so that it is an InfraState (a JSON record) as it is.
export type ManifestState = {
  mode: 'kubernetes-manifest';
  /** The namespace every namespaced object was applied to. */
  namespace: string;
  /** True when the driver created that namespace, so terminate deletes it too. */
  createdNamespace: boolean;
  /** Objects in apply order; terminate deletes them in reverse. Recorded before each apply call. */
  resources: ResourceRef[];
  /** VDU id → its workload. */
  vdus: Record<string, WorkloadRef>;
};

export function emptyState(namespace: string): ManifestState {
  return { mode: 'kubernetes-manifest', namespace, createdNamespace: false, resources: [], vdus: {} };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v !== '';

function readRef(v: unknown): ResourceRef | undefined {
  if (!isObj(v) || !isStr(v.apiVersion) || !isStr(v.kind) || !isStr(v.name)) return undefined;
  if (v.namespace !== undefined && !isStr(v.namespace)) return undefined;
  return {
    apiVersion: v.apiVersion,
    kind: v.kind,
    name: v.name,
    ...(v.namespace ? { namespace: v.namespace } : {}),
  };
}

/**
 * The stored state as a ManifestState; undefined when none was stored yet (`{}`).
 * Throws when it is something else: acting on a misread state could delete the wrong objects.
 */
export function readState(state: InfraState): ManifestState | undefined {
  if (Object.keys(state).length === 0) return undefined;
  const bad = (why: string) =>
    new Error(`stored infrastructure state is not a Kubernetes manifest state: ${why}`);
  if (state.mode !== 'kubernetes-manifest') throw bad(`mode is ${JSON.stringify(state.mode)}`);
  if (!isStr(state.namespace)) throw bad('namespace missing');
  if (!Array.isArray(state.resources)) throw bad('resources missing');
  const resources = state.resources.map((r, i) => {
    const ref = readRef(r);
    if (!ref) throw bad(`resources[${i}] malformed`);
    return ref;
  });
  const vdus: Record<string, WorkloadRef> = {};
  for (const [vduId, w] of Object.entries(isObj(state.vdus) ? state.vdus : {})) {
    const ref = readRef(w);
    if (!ref?.namespace) throw bad(`vdus.${vduId} malformed`);
    vdus[vduId] = ref as WorkloadRef;
  }
  return {
    mode: 'kubernetes-manifest',
    namespace: state.namespace,
    createdNamespace: state.createdNamespace === true,
    resources,
    vdus,
  };
}

/** The stored state of an instantiated VNF, for operations that need its workloads. */
export function requireState(state: InfraState, operation: string): ManifestState {
  const s = readState(state);
  if (!s || Object.keys(s.vdus).length === 0) {
    throw new Error(
      `cannot ${operation}: no Kubernetes manifest workloads are recorded for the VNF instance`,
    );
  }
  return s;
}

export const sameRef = (a: ResourceRef, b: ResourceRef) =>
  a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;

/** Adds `ref` unless it is already recorded (a retry re-applies the same objects). */
export function recordResource(state: ManifestState, ref: ResourceRef): void {
  if (!state.resources.some((r) => sameRef(r, ref))) state.resources.push(ref);
}

/** An error of a driver step that carries the state reached before it failed. */
export type ErrorWithState = Error & { state: InfraState };

/**
 * Attaches a copy of `state` to `err` (keeping its class, status and message), so
 * the engine persists what exists now. Non-Error throwables are wrapped.
 */
export function withState(err: unknown, state: ManifestState): ErrorWithState {
  const e = err instanceof Error ? err : new Error(String(err));
  return Object.assign(e, { state: structuredClone(state) });
}

/** The state a failed driver step carried on its error, if any. */
export function infraStateOf(err: unknown): InfraState | undefined {
  return err instanceof Error && isObj((err as Partial<ErrorWithState>).state)
    ? (err as ErrorWithState).state
    : undefined;
}
