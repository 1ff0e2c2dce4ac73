// Named queries over `vnf_lcm_op_occs`, including the worker's claim: one
// statement that takes the oldest queued op occ nobody holds (on PostgreSQL with
// FOR UPDATE SKIP LOCKED, so concurrent workers never take the same one).
import { PostgresAdapter, sql } from 'kysely';
import { opOccChanged } from '../../lcm/changes.ts';
import { maskOperationParams, type OpOccProgress, type VnfLcmOpOcc } from '../../lcm/model.ts';
import type { Db } from '../connect.ts';
import type { VnfLcmOpOccRow } from '../schema.ts';
import type { Term } from '../../api/sol013/filter.ts';
import { type ColumnMap, whereTerms } from './filter-sql.ts';
import { opOccEntered, opOccStarted } from '../../metrics/registry.ts';
import { enqueueOpOccNotifications } from '../../notify/outbox.ts';
import { inOutboxTransaction } from '../../notify/wake.ts';

/** The PostgreSQL channel a committed op occ change is announced on, with its id (src/lcm/changes.ts). */
export const OP_OCC_CHANNEL = 'vnfm_op_occ';

/** Within the transaction of a change: PostgreSQL delivers it at commit, to every LISTENing process; never on rollback. */
async function announce(tx: Db, id: string): Promise<void> {
  if (tx.getExecutor().adapter instanceof PostgresAdapter)
    await sql`SELECT pg_notify(${OP_OCC_CHANNEL}, ${id})`.execute(tx);
}

const OWN = ['id', 'vnfInstanceId', 'operation', 'operationState', 'startTime', 'stateEnteredTime'] as const;

export function fromRow(r: VnfLcmOpOccRow): VnfLcmOpOcc {
  return {
    id: r.id,
    vnfInstanceId: r.vnf_instance_id,
    operation: r.operation as VnfLcmOpOcc['operation'],
    operationState: r.operation_state as VnfLcmOpOcc['operationState'],
    startTime: r.start_time,
    stateEnteredTime: r.state_entered_time,
    ...(JSON.parse(r.info) as object),
  } as VnfLcmOpOcc;
}

/** The stored JSON: operationParams' vimConnectionInfo masked once more, so that no path stores (or lets a filter read) its secrets. */
function info(o: VnfLcmOpOcc): string {
  const rest = { ...o } as Record<string, unknown>;
  for (const c of OWN) delete rest[c];
  if (o.operationParams) rest.operationParams = maskOperationParams(o.operationParams);
  return JSON.stringify(rest);
}

/** The row a new op occ is stored as (benchmarks insert ended ones in bulk with it, no notifications due). */
export function opOccRow(o: VnfLcmOpOcc, pending: 'run' | null) {
  return {
    id: o.id,
    vnf_instance_id: o.vnfInstanceId,
    operation: o.operation,
    operation_state: o.operationState,
    info: info(o),
    pending,
    locked_by: null,
    locked_at: null,
    start_time: o.startTime,
    state_entered_time: o.stateEnteredTime,
  };
}

/**
 * Inserts, with the STARTING notifications in the same transaction; rejects with a
 * unique violation when the instance already has a blocking op occ.
 */
export async function insertOpOcc(db: Db, o: VnfLcmOpOcc, pending: 'run' | null): Promise<void> {
  await inOutboxTransaction(db, async (tx) => {
    await tx.insertInto('vnf_lcm_op_occs').values(opOccRow(o, pending)).execute();
    await enqueueOpOccNotifications(tx, o);
    await announce(tx, o.id);
  });
  opOccChanged(o.id);
  opOccStarted(o.operation);
}

export async function getOpOcc(db: Db, id: string): Promise<VnfLcmOpOcc | undefined> {
  const row = await db.selectFrom('vnf_lcm_op_occs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && fromRow(row);
}

/** Op occ attributes that lists can filter on in SQL. */
export const OP_OCC_COLUMNS: ColumnMap = {
  id: 'id',
  vnfInstanceId: 'vnf_instance_id',
  operation: 'operation',
  operationState: 'operation_state',
  startTime: 'start_time',
  stateEnteredTime: 'state_entered_time',
};

export async function queryOpOccs(
  db: Db,
  terms: Term[],
  page?: { offset: number; limit: number },
): Promise<VnfLcmOpOcc[]> {
  let q = db.selectFrom('vnf_lcm_op_occs').selectAll();
  if (terms.length > 0) q = q.where((eb) => whereTerms(eb, terms, OP_OCC_COLUMNS));
  q = q.orderBy('start_time').orderBy('id');
  if (page) q = q.limit(page.limit).offset(page.offset);
  return (await q.execute()).map(fromRow);
}

/** The blocking op occ of an instance, if any. */
export async function activeOpOcc(db: Db, vnfInstanceId: string): Promise<VnfLcmOpOcc | undefined> {
  const row = await db
    .selectFrom('vnf_lcm_op_occs')
    .selectAll()
    .where('vnf_instance_id', '=', vnfInstanceId)
    .where('operation_state', 'in', ['STARTING', 'PROCESSING', 'FAILED_TEMP', 'ROLLING_BACK'])
    .executeTakeFirst();
  return row && fromRow(row);
}

/**
 * Moves an op occ to its next state if it is still in one of `from`; returns false
 * if another request moved it first. `pending` queues work for a worker; the lock
 * is released unless `keepLock` is set. A change of state writes its notifications
 * in the same transaction.
 */
export async function transitionOpOcc(
  db: Db,
  o: VnfLcmOpOcc,
  from: VnfLcmOpOcc['operationState'][],
  pending: 'run' | 'rollback' | null,
  keepLock = false,
): Promise<boolean> {
  const changes = !from.includes(o.operationState);
  const moved = await inOutboxTransaction(db, async (tx) => {
    const res = await tx
      .updateTable('vnf_lcm_op_occs')
      .set({
        operation_state: o.operationState,
        state_entered_time: o.stateEnteredTime,
        info: info(o),
        pending,
        ...(keepLock ? {} : { locked_by: null, locked_at: null }),
      })
      .where('id', '=', o.id)
      .where('operation_state', 'in', from)
      .executeTakeFirst();
    const done = Number(res.numUpdatedRows) === 1;
    if (done && changes) await enqueueOpOccNotifications(tx, o);
    if (done) await announce(tx, o.id);
    return done;
  });
  if (moved) opOccChanged(o.id);
  // Here, the one place states change, so each transition is counted once, by the process that made it.
  if (moved && changes) opOccEntered(o.operation, o.operationState);
  return moved;
}

/**
 * Sets only `_progress` in the op occ's info, and only while it is still
 * in `state`: a progress write that lost the race with a transition changes nothing, and
 * the other fields of info (isCancelPending set by a cancel meanwhile) are never rewritten.
 * Returns whether the op occ was still in `state`.
 */
export async function setOpOccProgress(
  db: Db,
  id: string,
  state: VnfLcmOpOcc['operationState'],
  progress: OpOccProgress,
): Promise<boolean> {
  const updated = await db.transaction().execute(async (tx) => {
    const postgres = tx.getExecutor().adapter instanceof PostgresAdapter;
    const value = JSON.stringify(progress);
    const info = postgres
      ? sql<string>`(jsonb_set(info::jsonb, '{_progress}', ${value}::jsonb))::text`
      : sql<string>`json_set(info, '$._progress', json(${value}))`;
    const res = await tx
      .updateTable('vnf_lcm_op_occs')
      .set({ info })
      .where('id', '=', id)
      .where('operation_state', '=', state)
      .executeTakeFirst();
    const done = Number(res.numUpdatedRows) === 1;
    if (done) await announce(tx, id);
    return done;
  });
  if (updated) opOccChanged(id);
  return updated;
}

export async function claimNextOpOcc(
  db: Db,
  workerId: string,
  postgres: boolean,
): Promise<{ opOcc: VnfLcmOpOcc; pending: 'run' | 'rollback' } | undefined> {
  const now = new Date().toISOString();
  const lock = postgres ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const { rows } = await sql<VnfLcmOpOccRow>`
    UPDATE vnf_lcm_op_occs SET locked_by = ${workerId}, locked_at = ${now}
    WHERE id = (
      SELECT id FROM vnf_lcm_op_occs
      WHERE pending IS NOT NULL AND locked_by IS NULL
      ORDER BY start_time, id LIMIT 1 ${lock}
    ) AND locked_by IS NULL
    RETURNING *`.execute(db);
  const row = rows[0];
  return row ? { opOcc: fromRow(row), pending: row.pending as 'run' | 'rollback' } : undefined;
}

/** Renews the locks a live worker holds, so that others do not take them for abandoned. */
export async function renewLocks(db: Db, workerId: string): Promise<void> {
  await db
    .updateTable('vnf_lcm_op_occs')
    .set({ locked_at: new Date().toISOString() })
    .where('locked_by', '=', workerId)
    .execute();
}

/** Op occs locked by a worker that stopped renewing before `staleBefore` (or by `deadWorker`). */
export async function abandonedOpOccs(db: Db, staleBefore: string): Promise<VnfLcmOpOccRow[]> {
  return db
    .selectFrom('vnf_lcm_op_occs')
    .selectAll()
    .where('locked_by', 'is not', null)
    .where('locked_at', '<', staleBefore)
    .execute();
}

/** Runs and rollbacks queued that no worker has claimed (the worker queue depth). */
export async function queuedOpOccCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('vnf_lcm_op_occs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('pending', 'is not', null)
    .where('locked_by', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
