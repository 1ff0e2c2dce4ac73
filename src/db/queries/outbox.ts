// Named queries over `notification_outbox`. Rows are written only inside the transaction
// of the state change they report (src/notify/outbox.ts), each taking the next sequence
// number of its ordering key; the unique (ordering_key, sequence) constraint makes a
// concurrent writer of the same key fail its transaction rather than reorder.
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { NotificationOutboxRow, SubscriptionRow } from '../schema.ts';

export interface OutboxEntry {
  subscriptionId: string;
  /** Subscription + the VNF instance (or package) the notification is about. */
  orderingKey: string;
  body: { id: string } & Record<string, unknown>;
}

/** The PostgreSQL channel a committed outbox write is announced on (src/notify/notifier.ts LISTENs). */
export const OUTBOX_CHANNEL = 'vnfm_outbox';

export const orderingKey = (subscriptionId: string, subjectId: string) => `${subscriptionId}/${subjectId}`;

export async function enqueueNotifications(tx: Db, entries: OutboxEntry[], now: string): Promise<void> {
  // Delivered by PostgreSQL at commit, to every process's delivery loop; never if it rolls back.
  if (entries.length > 0 && tx.getExecutor().adapter instanceof PostgresAdapter)
    await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.execute(tx);
  for (const e of entries) {
    const { last } = await tx
      .selectFrom('notification_outbox')
      .select(sql<number | string | null>`max(sequence)`.as('last'))
      .where('ordering_key', '=', e.orderingKey)
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('notification_outbox')
      .values({
        id: e.body.id,
        subscription_id: e.subscriptionId,
        ordering_key: e.orderingKey,
        sequence: Number(last ?? 0) + 1,
        body: JSON.stringify(e.body),
        state: 'PENDING',
        attempts: 0,
        next_attempt_at: now,
        last_attempt_at: null,
        last_error: null,
        claimed_by: null,
        claimed_until: null,
        created_at: now,
      })
      .execute();
  }
}

/** A subscription's notifications in the order they are to be delivered (per key, by sequence). */
export async function subscriptionOutbox(db: Db, subscriptionId: string): Promise<NotificationOutboxRow[]> {
  return db
    .selectFrom('notification_outbox')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('ordering_key')
    .orderBy('sequence')
    .execute();
}

/** The filters of every subscription of the APIs given (no credentials: matching needs none). */
export async function subscriptionFilters(
  db: Db,
  ...apis: SubscriptionRow['api'][]
): Promise<{ id: string; api: SubscriptionRow['api']; filter: string }[]> {
  return db
    .selectFrom('subscriptions')
    .select(['id', 'api', 'filter'])
    .where('api', 'in', apis)
    .orderBy('id')
    .execute();
}

/**
 * Claims up to `limit` rows that are due, each the first PENDING row of its ordering key
 * (so one key is never delivered out of order or twice at once), unclaimed or with a
 * lapsed claim, of none of `excludeSubscriptions`. On PostgreSQL rows another worker is
 * claiming are skipped.
 */
export async function claimDueNotifications(
  db: Db,
  workerId: string,
  now: string,
  claimUntil: string,
  limit: number,
  postgres: boolean,
  excludeSubscriptions: readonly string[] = [],
): Promise<NotificationOutboxRow[]> {
  const lock = postgres ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const exclude =
    excludeSubscriptions.length > 0
      ? sql`AND o.subscription_id NOT IN (${sql.join(excludeSubscriptions)})`
      : sql``;
  const { rows } = await sql<NotificationOutboxRow>`
    UPDATE notification_outbox SET claimed_by = ${workerId}, claimed_until = ${claimUntil}
    WHERE id IN (
      SELECT o.id FROM notification_outbox o
      WHERE o.state = 'PENDING' AND o.next_attempt_at <= ${now}
        AND (o.claimed_until IS NULL OR o.claimed_until < ${now}) ${exclude}
        AND o.sequence = (SELECT min(p.sequence) FROM notification_outbox p
                          WHERE p.ordering_key = o.ordering_key AND p.state = 'PENDING')
      ORDER BY o.next_attempt_at, o.created_at, o.sequence LIMIT ${limit} ${lock}
    ) AND (claimed_until IS NULL OR claimed_until < ${now})
    RETURNING *`.execute(db);
  return rows;
}

/** Records one attempt of a row this worker holds; the claim is released. */
export async function recordAttempt(
  db: Db,
  id: string,
  workerId: string,
  result: { state: NotificationOutboxRow['state']; at: string; nextAttemptAt?: string; error?: string },
): Promise<void> {
  await db
    .updateTable('notification_outbox')
    .set((eb) => ({
      state: result.state,
      attempts: eb('attempts', '+', 1),
      last_attempt_at: result.at,
      last_error: result.error ?? null,
      ...(result.nextAttemptAt ? { next_attempt_at: result.nextAttemptAt } : {}),
      claimed_by: null,
      claimed_until: null,
    }))
    .where('id', '=', id)
    .where('claimed_by', '=', workerId)
    .execute();
}

/** Gives back every claim (at the start of the only process of a SQLite store: any claim is a dead process's). */
export async function releaseAllClaims(db: Db): Promise<number> {
  const res = await db
    .updateTable('notification_outbox')
    .set({ claimed_by: null, claimed_until: null })
    .where('claimed_by', 'is not', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Gives back claims this worker took but will not use now (the rows stay due). */
export async function releaseClaims(db: Db, ids: readonly string[], workerId: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notification_outbox')
    .set({ claimed_by: null, claimed_until: null })
    .where('id', 'in', ids)
    .where('claimed_by', '=', workerId)
    .execute();
}

/**
 * Deletes up to `limit` DELIVERED or EXPIRED rows whose last attempt is older than
 * `before`; returns how many. PENDING rows are never pruned: they are the queue.
 */
export async function pruneOutbox(db: Db, before: string, limit: number): Promise<number> {
  const res = await db
    .deleteFrom('notification_outbox')
    .where(
      'id',
      'in',
      db
        .selectFrom('notification_outbox')
        .select('id')
        .where('state', 'in', ['DELIVERED', 'EXPIRED'])
        .where('last_attempt_at', '<', before)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Per state: how many rows a subscription has, and the times that tell how delivery goes. */
export async function outboxSummary(
  db: Db,
  subscriptionId: string,
): Promise<
  {
    state: NotificationOutboxRow['state'];
    n: number | string;
    oldest: string | null;
    last_attempt: string | null;
    next_attempt: string | null;
  }[]
> {
  return db
    .selectFrom('notification_outbox')
    .select((eb) => [
      'state',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.min('created_at').as('oldest'),
      eb.fn.max('last_attempt_at').as('last_attempt'),
      eb.fn.min('next_attempt_at').as('next_attempt'),
    ])
    .where('subscription_id', '=', subscriptionId)
    .groupBy('state')
    .execute();
}

/** The most recent failed attempt still recorded for a subscription (a later success clears a row's error). */
export async function lastOutboxError(
  db: Db,
  subscriptionId: string,
): Promise<Pick<NotificationOutboxRow, 'id' | 'last_attempt_at' | 'last_error'> | undefined> {
  return db
    .selectFrom('notification_outbox')
    .select(['id', 'last_attempt_at', 'last_error'])
    .where('subscription_id', '=', subscriptionId)
    .where('last_error', 'is not', null)
    .orderBy('last_attempt_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Rows in delivery order (per key, by sequence), optionally of one subscription and state. */
export async function listOutbox(
  db: Db,
  q: { subscriptionId?: string; state?: NotificationOutboxRow['state']; limit: number },
): Promise<NotificationOutboxRow[]> {
  let query = db.selectFrom('notification_outbox').selectAll();
  if (q.subscriptionId) query = query.where('subscription_id', '=', q.subscriptionId);
  if (q.state) query = query.where('state', '=', q.state);
  return query.orderBy('created_at').orderBy('ordering_key').orderBy('sequence').limit(q.limit).execute();
}
