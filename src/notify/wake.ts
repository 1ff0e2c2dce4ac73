// An in-process signal that the outbox has new rows, raised after the transaction that
// wrote them commits: this process's delivery loop looks at once instead of at its next
// poll. Rows written by another process (an API server beside `vnfm worker`s on
// PostgreSQL) are found by the poll.
import type { Db } from '../db/connect.ts';

const listeners = new Set<() => void>();

export function outboxWritten(): void {
  for (const l of listeners) l();
}

/** Calls `listener` at every signal until the returned function is called. */
export function onOutboxWritten(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Runs `fn` in a transaction that may write outbox rows, and signals once it has
 * committed (a signal before the commit would find nothing to claim).
 */
export async function inOutboxTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  // Within a caller's transaction (a bench seeding a store): part of it, signalled early but harmlessly.
  const out = db.isTransaction ? await fn(db) : await db.transaction().execute(fn);
  outboxWritten();
  return out;
}
