// Pods ready / wanted per VDU while an operation waits for readiness, for the op occ's
// `_progress.vdus`: read from the workloads' status beside whatever wait runs (ours,
// or helm's own --wait), at each change a watch of each workload (by name) sees
// (kubernetes/watch.ts; every `intervalMs` while a watch is not open), and once more
// when the wait ends so the last counts told are the final ones. Best effort: a failed
// read skips that VDU.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProgressSink, VduReadiness } from '../driver.ts';
import type { KubeClients } from './client.ts';
import { podReady } from './readiness.ts';
import type { WorkloadRef } from './state.ts';
import { ClusterFeed } from './watch.ts';
import { type LiveWorkload, readWorkload } from './workloads.ts';

export interface VduTarget {
  vduId: string;
  ref: WorkloadRef;
  /** The pods the operation asks for; absent: the workload's own desired count. */
  wanted?: number;
}

/** How long stop() waits for the last look. */
const STOP_WAIT_MS = 10_000;
/** Looks at most this often: a burst of pod events makes one look, not one per event. */
const MIN_GAP_MS = 50;
/** Even with every watch open, counts are read again this often. */
const SAFETY_MS = 5_000;

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** Ready pods as the workload's controller counts them (a bare Pod: 1 when Ready). */
export function readyOf(w: LiveWorkload): number {
  if (w.pod) return podReady(w.pod) ? 1 : 0;
  return num(w.ref.kind === 'DaemonSet' ? w.status.numberReady : w.status.readyReplicas);
}

export async function readVdus(
  c: KubeClients,
  targets: readonly VduTarget[],
): Promise<Record<string, VduReadiness>> {
  const out: Record<string, VduReadiness> = {};
  for (const t of targets) {
    let w: LiveWorkload | undefined;
    try {
      w = await readWorkload(c, t.ref);
    } catch {
      continue;
    }
    if (w) out[t.vduId] = { ready: readyOf(w), wanted: t.wanted ?? w.desired };
    else if (t.wanted !== undefined) out[t.vduId] = { ready: 0, wanted: t.wanted };
  }
  return out;
}

/**
 * Tells `sink` the VDUs' counts until the returned stop() (which tells them once more).
 * `targets` is asked at every look: workloads become known as releases are installed.
 */
export function followVdus(
  c: KubeClients,
  sink: ProgressSink | undefined,
  targets: () => readonly VduTarget[],
  intervalMs = 500,
): { stop: () => Promise<void> } {
  if (!sink) return { stop: async () => {} };
  const ac = new AbortController();
  const feed = new ClusterFeed(c);
  const look = async () => {
    try {
      const t = targets();
      // Each workload by name: its status holds the counts (its controller updates it as
      // pods become ready), so no pod watch, and the changes of the namespace's other
      // workloads — other instances' — make no look (one namespace, N at once: not N² looks).
      void feed.add(
        t.map(({ ref: { apiVersion, kind, namespace, name } }) => ({ apiVersion, kind, namespace, name })),
      );
      if (t.length > 0) sink.vdus(await readVdus(c, t));
    } catch {
      // Progress only: the operation's own waits decide.
    }
  };
  const loop = (async () => {
    while (!ac.signal.aborted) {
      feed.arm();
      await look();
      await sleep(MIN_GAP_MS, undefined, { signal: ac.signal }).catch(() => {});
      if (!ac.signal.aborted) await feed.next(feed.watching ? SAFETY_MS : intervalMs);
    }
  })();
  return {
    stop: async () => {
      ac.abort();
      feed.close();
      // The last look tells the final counts; but a read hanging on a cluster gone silent must not
      // hold the operation's outcome: it is waited for only briefly (a late answer is ignored).
      const last = loop.then(look);
      await Promise.race([last, sleep(STOP_WAIT_MS, undefined, { ref: false })]);
    },
  };
}
