// Waiting on the cluster without polling gaps. A wait looks (its own consistent reads)
// once, then again at each change a watch on the objects it depends on reports, so it
// ends within a few ms of the cluster being ready instead of up to a poll interval
// later, and an idle wait costs the API server nothing. The watches only say "look
// again": the look decides, so a missed or duplicated event can cost a look, never a
// wrong answer. The first watch of each resource has no resourceVersion (the API
// server sends the current objects first, which prompts one more look: nothing that
// changed before the watch began goes unseen); a watch the server ends is resumed
// from the last resourceVersion seen (bookmarks keep it recent); 410 Gone (too old)
// starts afresh. Where a watch is impossible (forbidden, kind not served, reconnecting)
// the wait polls at its old interval until the watch is back. The deadline holds even
// when the API server falls silent mid-read, and every watch is closed when the wait ends.
import { Watch } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { msUntil } from '../../timers.ts';
import type { KubeClients } from './client.ts';

/** Objects a wait depends on: every `kind` in `namespace` (cluster-scoped kinds: none), or the one named. */
export interface Watched {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name?: string | undefined;
}

/** Even with every watch open, a wait looks again this often (a safety net, not the path). */
const SAFETY_MS = 5_000;
/** Reconnecting a watch that failed: first delay, doubled up to the last. */
const RETRY_MS = [100, 200, 500, 1_000, 2_000];

const PLURALS: Record<string, string> = {
  Pod: 'pods',
  Namespace: 'namespaces',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  ReplicaSet: 'replicasets',
  DaemonSet: 'daemonsets',
};

let openRequests = 0;
/** Watch requests open now in this process (tests: none is left after an operation). */
export const openWatches = () => openRequests;

const keyOf = (w: Watched) => JSON.stringify([w.apiVersion, w.kind, w.namespace ?? '', w.name ?? '']);

/** The resourceVersions each watch had seen when a look began: reads may ask the watch cache for no older. */
export type Seen = (w: Watched) => string | undefined;

/** Watches the VNFM may open; off (`VNFM_KUBE_WATCH=off`) every wait polls, as before watches (benches compare). */
const watchesOn = () => process.env.VNFM_KUBE_WATCH !== 'off';

/** The watch URL path and query of `w`; undefined when the cluster does not serve its kind. */
async function watchPath(
  c: KubeClients,
  w: Watched,
): Promise<{ path: string; query: Record<string, string> } | undefined> {
  let plural = PLURALS[w.kind];
  let namespaced = w.kind !== 'Namespace';
  if (!plural || !['v1', 'apps/v1'].includes(w.apiVersion)) {
    const r = await c.objects.served(w.apiVersion, w.kind).catch(() => undefined);
    if (!r) return undefined;
    plural = r.name;
    namespaced = r.namespaced;
  }
  const base = w.apiVersion === 'v1' ? '/api/v1' : `/apis/${w.apiVersion}`;
  const ns = namespaced && w.namespace ? `/namespaces/${encodeURIComponent(w.namespace)}` : '';
  const query: Record<string, string> = { allowWatchBookmarks: 'true' };
  if (w.name) query.fieldSelector = `metadata.name=${w.name}`;
  return { path: `${base}${ns}/${plural}`, query };
}

/** Changes seen by the watches of one wait. */
export class ClusterFeed {
  readonly #watch: Watch | undefined;
  readonly #c: KubeClients;
  readonly #keys = new Set<string>();
  readonly #controllers = new Set<AbortController>();
  /** Watches not open now (connecting, reconnecting, impossible): while any is, waits poll. */
  #down = 0;
  #changed = false;
  /** The last resourceVersion each watch delivered. */
  readonly #rvs = new Map<string, string>();
  #wake: (() => void) | undefined;
  #closed = false;
  /** Watches restarted from nothing after 410 Gone (tests). */
  relists = 0;

  constructor(c: KubeClients) {
    this.#c = c;
    this.#watch = watchesOn() ? c.watch : undefined;
  }

  /** Starts watching what is not watched yet; `resourceVersion` (tests) resumes from there instead of the current state. */
  async add(what: readonly Watched[], resourceVersion?: string): Promise<void> {
    for (const w of what) {
      const key = keyOf(w);
      if (this.#keys.has(key) || this.#closed) continue;
      this.#keys.add(key);
      this.#down++;
      const target = this.#watch ? await watchPath(this.#c, w) : undefined;
      if (target) void this.#run(key, target.path, target.query, resourceVersion, 0);
    }
  }

  /** Whether every watch is open (a wait then needs no poll). */
  get watching(): boolean {
    return this.#down === 0;
  }

  /** Forget changes seen so far: the look about to start sees them (no older than what this returns). */
  arm(): Seen {
    this.#changed = false;
    const rvs = new Map(this.#rvs);
    return (w) => rvs.get(keyOf(w));
  }

  /** Resolves at the first change since arm(), after `ms`, or at once if one came already. */
  async next(ms: number): Promise<void> {
    if (this.#changed || this.#closed) return;
    const ac = new AbortController();
    await Promise.race([
      new Promise<void>((r) => (this.#wake = r)),
      sleep(ms, undefined, { signal: ac.signal, ref: false }).catch(() => {}),
    ]);
    ac.abort();
    this.#wake = undefined;
  }

  #poke(): void {
    this.#changed = true;
    this.#wake?.();
  }

  /** One watch request, resumed when it ends until close(); `attempt`: failures in a row before it. */
  async #run(
    key: string,
    path: string,
    query: Record<string, string>,
    rv: string | undefined,
    attempt: number,
  ) {
    if (this.#closed) return;
    let last = rv;
    let gone = false;
    let open = false;
    let ended = false;
    const onEvent = (type: string, obj: { code?: number; metadata?: { resourceVersion?: string } }) => {
      if (type === 'ERROR') {
        gone ||= obj?.code === 410;
        return;
      }
      last = obj?.metadata?.resourceVersion ?? last;
      if (last) this.#rvs.set(key, last);
      if (type !== 'BOOKMARK') this.#poke();
    };
    const onDone = (err: unknown) => {
      if (ended) return;
      ended = true;
      openRequests--;
      if (open) this.#down++;
      this.#poke(); // changes may go unseen until the watch is back: look, then poll meanwhile
      if (this.#closed) return;
      const status = (err as { statusCode?: number } | null)?.statusCode;
      if (status === 403 || status === 404) return; // impossible: this wait polls to its end
      if (gone || status === 410) {
        this.relists++;
        this.#rvs.delete(key); // what it saw may be compacted away: the next look reads consistently
      }
      const resume = gone || status === 410 ? undefined : last;
      // A watch the server ended cleanly resumes at once; a failure waits a little longer each time.
      // A watch that was open (it ended by the client's inactivity timeout, say) counts as a first failure.
      const failures = err && !gone ? (open ? 0 : attempt) + 1 : 0;
      const delay = failures > 0 ? (RETRY_MS[Math.min(failures - 1, RETRY_MS.length - 1)] ?? 0) : 0;
      void sleep(delay, undefined, { ref: false }).then(() => this.#run(key, path, query, resume, failures));
    };
    openRequests++;
    let ctl: AbortController;
    try {
      ctl = await this.#watch!.watch(
        path,
        { ...query, ...(last ? { resourceVersion: last } : {}) },
        onEvent,
        onDone,
      );
    } catch (err) {
      onDone(err);
      return;
    }
    if (ended) return;
    this.#controllers.add(ctl);
    ctl.signal.addEventListener('abort', () => this.#controllers.delete(ctl), { once: true });
    open = true;
    this.#down--;
    if (this.#closed) ctl.abort();
  }

  /** Closes every watch (their connections end with them). */
  close(): void {
    this.#closed = true;
    this.#wake?.();
    for (const ctl of this.#controllers) ctl.abort();
  }
}

/** The answer when the deadline came before any look was answered. */
export const API_SILENT = 'the API server did not answer';
const SILENT = API_SILENT;

/**
 * Looks with `probe` (undefined: done, else what is lacking) at once and again at each
 * change of `what`, until done or the deadline (`at`, a Date.now() value). Returns
 * undefined when done, else the last answer at the deadline; a probe's error ends it.
 * `pollMs`: how often to look while a watch is not open. `tell` hears each answer.
 */
export async function lookUntil(
  c: KubeClients,
  what: readonly Watched[],
  /** `seen`: how new a read must be to show every change the watches reported (undefined: read consistently). */
  probe: (seen: Seen) => Promise<string | undefined>,
  at: number,
  pollMs: number,
  tell?: (lacking: string) => void,
): Promise<string | undefined> {
  const feed = new ClusterFeed(c);
  const ac = new AbortController();
  const deadline = sleep(msUntil(at), undefined, { signal: ac.signal, ref: false }).then(
    () => SILENT,
    () => SILENT,
  );
  let lacking: string | undefined = SILENT;
  try {
    await Promise.race([feed.add(what), deadline]);
    for (;;) {
      const look = probe(feed.arm());
      look.catch(() => {}); // one outlived by the deadline must not become an unhandled rejection
      const answer = await Promise.race([look, deadline]);
      // The deadline came first: the last answer stands (a look in flight then proves nothing).
      if (answer === SILENT) return lacking;
      lacking = answer;
      if (lacking === undefined) return undefined;
      tell?.(lacking);
      const left = at - Date.now();
      if (left <= 0) return lacking;
      await feed.next(Math.min(left, feed.watching ? SAFETY_MS : pollMs));
    }
  } finally {
    ac.abort();
    feed.close();
  }
}
