// When is a VDU workload ready, and waiting for it with a deadline. Readiness is
// read from the API only: the controller's status must describe the current spec
// (observedGeneration), the ready count must equal the desired count, and the pods
// themselves must number exactly that, none terminating — so a scale-in is only
// done when the surplus pods are really gone. A timeout names each workload and
// what it lacks, with the reason a pending pod gives, because that is what an
// operator reads in the op occurrence's error.
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { describeObject, type KubeClients } from './client.ts';
import type { WorkloadRef } from './state.ts';
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

export async function readiness(c: KubeClients, ref: WorkloadRef): Promise<Readiness> {
  const w = await readWorkload(c, ref);
  return assess(w, w ? await workloadPods(c, w, { fresh: true }) : []);
}

export const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** One step's deadline: every wait of the step shares it, and timeouts report the whole budget. */
export interface Deadline {
  at: number;
  totalMs: number;
}

export const deadlineIn = (ms: number): Deadline => ({ at: Date.now() + ms, totalMs: ms });

/**
 * Polls until every workload is ready; past the deadline throws InfraTimeoutError
 * "Deployment ns/x: 1/3 replicas ready after 120s" (every workload still lacking, joined by "; ").
 */
export async function waitReady(
  c: KubeClients,
  refs: WorkloadRef[],
  deadline: Deadline,
  /** Told what is still missing at each look (the op occ's progress message). */
  tell?: (lacking: string) => void,
): Promise<void> {
  let pending = refs;
  for (;;) {
    const lacking: { ref: WorkloadRef; lacking: string }[] = [];
    for (const ref of pending) {
      const r = await readiness(c, ref);
      if (!r.ready) lacking.push({ ref, lacking: r.lacking });
    }
    if (lacking.length === 0) return;
    tell?.(lacking.map((l) => `${describeObject(l.ref)}: ${l.lacking}`).join('; '));
    const left = deadline.at - Date.now();
    if (left <= 0) {
      throw new InfraTimeoutError(
        lacking
          .map((l) => `${describeObject(l.ref)}: ${l.lacking} after ${seconds(deadline.totalMs)}`)
          .join('; '),
      );
    }
    pending = lacking.map((l) => l.ref);
    await sleep(Math.min(POLL_MS, left));
  }
}

/** Polls `probe` until it returns undefined (done) or the deadline passes; then throws with its last answer ("pod ns/x still exists"). */
export async function waitUntil(probe: () => Promise<string | undefined>, deadline: Deadline): Promise<void> {
  for (;;) {
    const lacking = await probe();
    if (lacking === undefined) return;
    const left = deadline.at - Date.now();
    if (left <= 0) throw new InfraTimeoutError(`${lacking} after ${seconds(deadline.totalMs)}`);
    await sleep(Math.min(POLL_MS, left));
  }
}
