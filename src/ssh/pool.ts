// Idle SSH connections kept for the next operation on the same master node, so an
// operation does not pay a handshake and login (~40 ms on loopback, far more across
// a WAN). What a node answered (its helm version) is kept per node and credentials for
// 5 minutes, whichever connection asks; the home directory is asked on each lease.
// A connection is lent to one user at a time (sshd caps the sessions a connection
// may open), returned after use, and closed after sitting idle. It is found again
// only by the same address, user, credentials and pinned host key: a VIM whose
// password or pin changed gets a new connection, checked against the new values.
import { createHash } from 'node:crypto';
import { SshSession, type SshTarget } from './session.ts';
import { countSshPool } from '../metrics/registry.ts';

const IDLE_MS = 30_000;
/** A connection busy without pause is still replaced this often; what a node answered (helm's version) is asked again as often. */
const MAX_AGE_MS = 5 * 60_000;
/** Idle connections kept per node and credentials: the worker's concurrency (setIdleLimit), 8 by default. */
let maxIdlePerKey = 8;

interface Idle {
  session: SshSession;
  timer: NodeJS.Timeout;
}

const idle = new Map<string, Idle[]>();
/** Connections lent out and not yet returned. */
let leased = 0;

countSshPool(
  () => [...idle.values()].reduce((n, list) => n + list.length, 0),
  () => leased,
);

function keyOf(t: SshTarget): string {
  return createHash('sha256')
    .update(
      JSON.stringify([t.host, t.port ?? 22, t.username, t.password, String(t.privateKey ?? ''), t.hostKey]),
    )
    .digest('hex');
}

/**
 * Keeps up to `n` idle connections per node and credentials: as many as operations run
 * at once (VNFM_WORKER_CONCURRENCY), so a burst of operations on one node finds the
 * connections the burst before it opened, and does not handshake and log in again.
 */
export function setIdleLimit(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`idle limit ${n} is not a positive integer`);
  maxIdlePerKey = n;
}

/** A connection lent from the pool; `release` gives it back (or closes it when it broke). */
export interface Lease {
  session: SshSession;
  /** Whether the connection was opened for this lease (false: reused). */
  fresh: boolean;
  release(): void;
}

export async function acquire(
  target: SshTarget,
  connect: (t: SshTarget) => Promise<SshSession> = SshSession.connect,
): Promise<Lease> {
  const key = keyOf(target);
  const list = idle.get(key) ?? [];
  while (list.length > 0) {
    const { session, timer } = list.pop()!;
    clearTimeout(timer);
    if (session.usable) {
      session.hold(true);
      return lease(key, session, false);
    }
    session.close();
  }
  return lease(key, await connect(target), true);
}

function lease(key: string, session: SshSession, fresh: boolean): Lease {
  let released = false;
  leased++;
  return {
    session,
    fresh,
    release() {
      if (released) return;
      released = true;
      leased--;
      const list = idle.get(key) ?? [];
      if (!session.usable || list.length >= maxIdlePerKey || session.ageMs > MAX_AGE_MS)
        return session.close();
      const timer = setTimeout(() => {
        const at = list.findIndex((i) => i.session === session);
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0 && idle.get(key) === list) idle.delete(key);
        session.close();
      }, IDLE_MS);
      timer.unref(); // an idle connection never keeps the process alive
      session.hold(false);
      list.push({ session, timer });
      idle.set(key, list);
    },
  };
}

/** What nodes answered once, by target and question: see remember. */
const answers = new Map<string, { answer: Promise<unknown>; at: number }>();

/**
 * What the node of `target` answered once (its helm version), kept for every connection
 * to it with the same user, credentials and pin — not only the connection that asked —
 * for as long as a busy connection lives (MAX_AGE_MS): many operations starting at once
 * on new connections ask once, not once each. A failed answer is not kept, and those
 * waiting on it ask again on their own connections.
 */
export function remember<T>(target: SshTarget, question: string, ask: () => Promise<T>): Promise<T> {
  const now = Date.now();
  for (const [k, a] of answers) if (now - a.at >= MAX_AGE_MS) answers.delete(k);
  const key = `${keyOf(target)} ${question}`;
  const known = answers.get(key);
  // Another's failed ask (its connection died) is not this caller's: it asks once itself.
  if (known) return (known.answer as Promise<T>).catch(() => ask());
  const answer = ask();
  answers.set(key, { answer, at: now });
  answer.catch(() => {
    if (answers.get(key)?.answer === answer) answers.delete(key);
  });
  return answer;
}

/** Closes every idle connection (shutdown, tests) and forgets what the nodes answered. */
export function drainPool(): void {
  answers.clear();
  for (const list of idle.values())
    for (const { session, timer } of list) {
      clearTimeout(timer);
      session.close();
    }
  idle.clear();
}
