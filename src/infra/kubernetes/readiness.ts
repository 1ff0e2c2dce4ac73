// When is a VDU workload ready, and waiting for it with a deadline. Readiness is
// read from the API only: the controller's status must describe the current spec
// (observedGeneration), the ready count must equal the desired count, and the pods
// themselves must number exactly that, none terminating — so a scale-in is only
// done when the surplus pods are really gone. A timeout names each workload and
// what it lacks, with the reason a pending pod gives, because that is what an
// operator reads in the op occurrence's error.
import type { V1Pod } from '@kubernetes/client-node';
import { describeObject, type KubeClients } from './client.ts';
import type { WorkloadRef } from './state.ts';
import { API_SILENT, lookUntil, type Seen, type Watched } from './watch.ts';
import { isTerminating, type LiveWorkload, readWorkload, workloadPods } from './workloads.ts';

export interface Readiness {
  ready: boolean;
  /** What is missing, e.g. "1/3 replicas ready (pod x Pending: …)"; empty when ready. */
  lacking: string;
}

/** Thrown when a wait passes its deadline; the message is the operator-facing reason. */
export class InfraTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfraTimeoutError';
  }
}

/** How often a wait looks while it cannot watch. */
const POLL_MS = 100;

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export const podReady = (p: V1Pod) =>
  !isTerminating(p) && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Why a pod is not ready, from what its status says (scheduling message, container waiting reason). */
export function podProblem(p: V1Pod): string {
  const name = p.metadata?.name ?? '?';
  if (isTerminating(p)) return `pod ${name} terminating`;
  const phase = p.status?.phase ?? 'Unknown';
  const unscheduled = (p.status?.conditions ?? []).find(
    (c) => c.type === 'PodScheduled' && c.status !== 'True',
  );
  const waiting = (p.status?.containerStatuses ?? []).find((s) => s.state?.waiting)?.state?.waiting;
  const reason =
    unscheduled?.message ?? (waiting ? `${waiting.reason ?? 'waiting'} ${waiting.message ?? ''}` : '');
  return `pod ${name} ${phase}${reason.trim() ? `: ${reason.trim()}` : ', not Ready'}`;
}

/** Readiness of a workload given its pods (terminating ones included). */
export function assess(w: LiveWorkload | undefined, pods: V1Pod[]): Readiness {
  if (!w) return { ready: false, lacking: 'does not exist' };
  const notReady = pods.find((p) => !podReady(p));
  const why = notReady ? ` (${podProblem(notReady)})` : '';
  if (w.pod) {
    return podReady(w.pod) ? { ready: true, lacking: '' } : { ready: false, lacking: `not Ready${why}` };
  }
  const s = w.status;
  const observed = num(s.observedGeneration);
  if (observed < w.generation) {
    return {
      ready: false,
      lacking: `its controller has not yet seen the current spec (generation ${w.generation}, observed ${observed})`,
    };
  }
  const daemon = w.ref.kind === 'DaemonSet';
  const unit = daemon ? 'pods' : 'replicas';
  const readyCount = daemon ? num(s.numberReady) : num(s.readyReplicas);
  const current = daemon ? num(s.currentNumberScheduled) : num(s.replicas);
  const updated = daemon ? num(s.updatedNumberScheduled) : num(s.updatedReplicas);
  const live = pods.filter((p) => !isTerminating(p));
  const terminating = pods.length - live.length;
  const livePodsReady = live.filter(podReady).length;
  if (readyCount < w.desired || livePodsReady < w.desired) {
    return {
      ready: false,
      lacking: `${Math.min(readyCount, livePodsReady)}/${w.desired} ${unit} ready${why}`,
    };
  }
  // A Deployment or DaemonSet mid-rollout has enough ready pods but not yet all of the new template.
  if ((w.ref.kind === 'Deployment' || daemon) && updated < w.desired) {
    return { ready: false, lacking: `${updated}/${w.desired} ${unit} updated to the current spec` };
  }
  if (current !== w.desired || live.length !== w.desired || terminating > 0) {
    return {
      ready: false,
      lacking: `${live.length} pods for ${w.desired} ${unit}${terminating ? `, ${terminating} terminating` : ''}`,
    };
  }
  return { ready: true, lacking: '' };
}

/** Readiness now: the workload read consistently, its pods too or (`podsNotOlderThan`) from the watch cache at least that new. */
export async function readiness(
  c: KubeClients,
  ref: WorkloadRef,
  podsNotOlderThan?: string,
): Promise<Readiness> {
  const w = await readWorkload(c, ref);
  return assess(w, w ? await workloadPods(c, w, { fresh: true, notOlderThan: podsNotOlderThan }) : []);
}

/** The pods of a namespace, as watched. */
export const podsOfNamespace = (namespace: string): Watched => ({ apiVersion: 'v1', kind: 'Pod', namespace });

export const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** One step's deadline: every wait of the step shares it, and timeouts report the whole budget. */
export interface Deadline {
  at: number;
  totalMs: number;
}

export const deadlineIn = (ms: number): Deadline => ({ at: Date.now() + ms, totalMs: ms });

/** What readiness of `refs` depends on: their kinds and the pods of their namespaces. */
export function workloadWatches(
  refs: readonly { apiVersion: string; kind: string; namespace: string }[],
): Watched[] {
  return refs.flatMap((r) => [
    { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace },
    podsOfNamespace(r.namespace),
  ]);
}

/**
 * Waits until every workload is ready, looking again at each change of them or their
 * pods; past the deadline throws InfraTimeoutError "Deployment ns/x: 1/3 replicas
 * ready after 120s" (every workload still lacking, joined by "; ").
 */
export async function waitReady(
  c: KubeClients,
  refs: WorkloadRef[],
  deadline: Deadline,
  /** Told what is still missing at each look (the op occ's progress message). */
  tell?: (lacking: string) => void,
): Promise<void> {
  // Each look asks only about the workloads the last one found lacking.
  let lacking = refs.map((ref) => ({ ref, lacking: 'not looked at' }));
  const probe = async (seen: Seen) => {
    const now: typeof lacking = [];
    for (const { ref } of lacking) {
      const r = await readiness(c, ref, seen(podsOfNamespace(ref.namespace)));
      if (!r.ready) now.push({ ref, lacking: r.lacking });
    }
    lacking = now;
    return now.length === 0 ? undefined : now.map((l) => `${describeObject(l.ref)}: ${l.lacking}`).join('; ');
  };
  const left = await lookUntil(c, workloadWatches(refs), probe, deadline.at, POLL_MS, tell);
  if (left === undefined) return;
  // Every workload names its lack as the last answered look saw it (none answered: the API server is silent).
  if (left === API_SILENT) throw new InfraTimeoutError(`${left} after ${seconds(deadline.totalMs)}`);
  throw new InfraTimeoutError(
    lacking
      .map((l) => `${describeObject(l.ref)}: ${l.lacking} after ${seconds(deadline.totalMs)}`)
      .join('; '),
  );
}

/**
 * Looks with `probe` until it returns undefined (done), again at each change of `what`;
 * past the deadline throws with its last answer ("pod ns/x still exists after 120s").
 */
export async function waitUntil(
  c: KubeClients,
  what: readonly Watched[],
  probe: () => Promise<string | undefined>,
  deadline: Deadline,
): Promise<void> {
  const lacking = await lookUntil(c, what, probe, deadline.at, POLL_MS);
  if (lacking !== undefined) throw new InfraTimeoutError(`${lacking} after ${seconds(deadline.totalMs)}`);
}
