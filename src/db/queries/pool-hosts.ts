// Named queries over `pool_hosts`: the hosts of hostpool VIMs and their binding to
// VNFCs. Allocation is all-or-nothing in one transaction. On PostgreSQL, allocations
// (and VIM updates and deletion) on one pool take the pool's VIM row FOR UPDATE first, so
// concurrent operations in any number of worker processes take turns per pool: each sees
// what the one before committed and never takes a host twice. (Locking host rows FOR
// UPDATE SKIP LOCKED instead would let two allocations each lock part of what they need
// and both fail with hosts to spare.) SQLite serialises transactions (one connection
// per process). Every state change is also guarded by the state it leaves, so a row
// changed underneath is never taken twice.
import { PostgresAdapter, type Transaction } from 'kysely';
import type { Db } from '../connect.ts';
import type { PoolHostRow, Schema } from '../schema.ts';
import { conflict, ProblemError } from '../../errors.ts';
import type { BoundHost, HostState, PoolHostSpec } from '../../infra/hosts/model.ts';
import type { SecretBox } from '../../secrets/box.ts';
import { POOL_HOST_LOGIN_FIELDS, SECRET_POOL_HOST_FIELDS } from '../../vim/model.ts';

type Executor = Db | Transaction<Schema>;

const isPostgres = (db: Executor) => db.getExecutor().adapter instanceof PostgresAdapter;

/** Takes the pool's turn (PostgreSQL): held until the transaction ends. */
export async function lockPool(tx: Transaction<Schema>, vimId: string): Promise<void> {
  if (isPostgres(tx)) await tx.selectFrom('vims').select('id').where('id', '=', vimId).forUpdate().execute();
}

/** A spec split into what the row shows and what it seals. */
function specColumns(host: PoolHostSpec) {
  const secrets: Record<string, string> = {};
  const spec: Record<string, unknown> = { ...host };
  for (const k of SECRET_POOL_HOST_FIELDS) {
    if (host[k] !== undefined) secrets[k] = host[k];
    delete spec[k];
  }
  return { spec: JSON.stringify(spec), secrets, vdu_label: host.labels?.vdu ?? null };
}

function hostOf(row: PoolHostRow, box: SecretBox): PoolHostSpec {
  return { ...(JSON.parse(row.spec) as PoolHostSpec), ...box.openJson<Partial<PoolHostSpec>>(row.secrets) };
}

const sameSecrets = (row: PoolHostRow, box: SecretBox, secrets: Record<string, string>) =>
  JSON.stringify(box.openJson(row.secrets)) === JSON.stringify(secrets);

/** JSON with object keys sorted at every level (the same host reads the same, whatever its key order). */
const canonical = (v: unknown): string =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : JSON.stringify(v);

/** `true` when `next` differs from the row's spec in login fields (and secrets) only: what a DIRTY host may change. */
function onlyLoginChanged(row: PoolHostRow, next: PoolHostSpec): boolean {
  const without = (h: Record<string, unknown>) => {
    const rest: Record<string, unknown> = { ...h };
    for (const k of [...POOL_HOST_LOGIN_FIELDS, ...SECRET_POOL_HOST_FIELDS]) delete rest[k];
    return canonical(rest);
  };
  return without(JSON.parse(row.spec) as Record<string, unknown>) === without({ ...next });
}

/**
 * Makes the pool's rows match the VIM's hosts, inside the VIM's save transaction. A host
 * bound to a VNFC (ALLOCATED) may be neither removed nor changed, nor may one still to be
 * wiped (DIRTY), except for how it is logged in to: a host whose key changed (or that
 * moved) could otherwise never be wiped. It stays DIRTY and attached to its instance, and
 * the instance's next operation (retry, rollback, terminate…) wipes it with the new login.
 * Anything else: 409, and the transaction (the VIM's update with it) rolls back.
 */
export async function syncPoolHosts(
  tx: Transaction<Schema>,
  box: SecretBox,
  vimId: string,
  hosts: readonly PoolHostSpec[],
): Promise<void> {
  const rows = await tx
    .selectFrom('pool_hosts')
    .selectAll()
    .where('vim_id', '=', vimId)
    .$if(isPostgres(tx), (q) => q.forUpdate())
    .execute();
  const byId = new Map(rows.map((r) => [r.host_id, r]));
  const wanted = new Set(hosts.map((h) => h.id));
  for (const r of rows) {
    if (wanted.has(r.host_id)) continue;
    if (r.state !== 'FREE')
      throw conflict(
        `host ${r.host_id} is ${r.state} (VNF instance ${r.vnf_instance_id}): it cannot be removed`,
      );
    await tx.deleteFrom('pool_hosts').where('vim_id', '=', vimId).where('host_id', '=', r.host_id).execute();
  }
  const now = new Date().toISOString();
  for (const h of hosts) {
    const { spec, secrets, vdu_label } = specColumns(h);
    const row = byId.get(h.id);
    if (!row) {
      await tx
        .insertInto('pool_hosts')
        .values({
          vim_id: vimId,
          host_id: h.id,
          spec,
          secrets: box.sealJson(secrets),
          vdu_label,
          state: 'FREE',
          vnf_instance_id: null,
          vnfc_id: null,
          vdu_id: null,
          bind_index: null,
          updated_at: now,
        })
        .execute();
      continue;
    }
    if (row.spec === spec && sameSecrets(row, box, secrets)) continue;
    if (row.state !== 'FREE' && !(row.state === 'DIRTY' && onlyLoginChanged(row, h)))
      throw conflict(
        `host ${h.id} is ${row.state} (VNF instance ${row.vnf_instance_id}): it cannot be changed${row.state === 'DIRTY' ? ` (only its ${POOL_HOST_LOGIN_FIELDS.join(', ')} and secrets, to let the next operation wipe it)` : ''}`,
      );
    await tx
      .updateTable('pool_hosts')
      .set({ spec, secrets: box.sealJson(secrets), vdu_label, updated_at: now })
      .where('vim_id', '=', vimId)
      .where('host_id', '=', h.id)
      .where('state', '=', row.state)
      .execute();
  }
}

/** Hosts of the pool that are not FREE (bound, or being wiped). */
export async function hostsInUse(
  db: Executor,
  vimId: string,
): Promise<{ hostId: string; state: HostState }[]> {
  const rows = await db
    .selectFrom('pool_hosts')
    .select(['host_id', 'state'])
    .where('vim_id', '=', vimId)
    .where('state', '!=', 'FREE')
    .$if(isPostgres(db), (q) => q.forUpdate())
    .execute();
  return rows.map((r) => ({ hostId: r.host_id, state: r.state as HostState }));
}

/** The pool had too few FREE hosts eligible for a VDU: nothing was bound. */
export class PoolExhausted extends ProblemError {
  constructor(vimId: string, vduId: string, needed: number, free: number) {
    super(
      409,
      'Conflict',
      `hostpool VIM ${vimId}: ${needed} FREE host(s) eligible for VDU ${vduId} needed, ${free} available; nothing was bound`,
    );
  }
}

/** One VNFC to bind: a new one (fresh id and index), or a VNFC healed onto another host. */
export interface HostWant {
  vduId: string;
  vnfcId: string;
  index: number;
}

/** FREE hosts eligible for `vduId` (labels.vdu absent or equal), at most `n`; the caller holds the pool's turn. */
async function freeEligible(tx: Transaction<Schema>, vimId: string, vduId: string, n: number) {
  const rows = await tx
    .selectFrom('pool_hosts')
    .select('host_id')
    .where('vim_id', '=', vimId)
    .where('state', '=', 'FREE')
    .where((eb) => eb.or([eb('vdu_label', 'is', null), eb('vdu_label', '=', vduId)]))
    .orderBy('host_id')
    .limit(n)
    .execute();
  return rows.map((r) => r.host_id);
}

async function bind(tx: Transaction<Schema>, vimId: string, instanceId: string, hostId: string, w: HostWant) {
  const res = await tx
    .updateTable('pool_hosts')
    .set({
      state: 'ALLOCATED',
      vnf_instance_id: instanceId,
      vnfc_id: w.vnfcId,
      vdu_id: w.vduId,
      bind_index: w.index,
      updated_at: new Date().toISOString(),
    })
    .where('vim_id', '=', vimId)
    .where('host_id', '=', hostId)
    .where('state', '=', 'FREE')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new Error(`host ${hostId} was taken concurrently`);
}

/** Binds one FREE eligible host to each wanted VNFC, all in one transaction, or none (PoolExhausted). */
export async function allocateHosts(
  db: Db,
  vimId: string,
  instanceId: string,
  wants: readonly HostWant[],
): Promise<void> {
  if (wants.length === 0) return;
  await db.transaction().execute(async (tx) => {
    await lockPool(tx, vimId);
    const byVdu = Map.groupBy(wants, (w) => w.vduId);
    for (const [vduId, group] of byVdu) {
      const hosts = await freeEligible(tx, vimId, vduId, group.length);
      if (hosts.length < group.length) throw new PoolExhausted(vimId, vduId, group.length, hosts.length);
      for (const [i, w] of group.entries()) {
        await bind(tx, vimId, instanceId, hosts[i]!, w);
      }
    }
  });
}

/**
 * Heal: binds a spare FREE eligible host to each VNFC named (same id, VDU and index) and
 * marks the host it had DIRTY, in one transaction; none swapped when spares run short.
 */
export async function swapHosts(
  db: Db,
  vimId: string,
  instanceId: string,
  vnfcIds: readonly string[],
): Promise<void> {
  if (vnfcIds.length === 0) return;
  await db.transaction().execute(async (tx) => {
    await lockPool(tx, vimId);
    const old = await tx
      .selectFrom('pool_hosts')
      .selectAll()
      .where('vnf_instance_id', '=', instanceId)
      .where('state', '=', 'ALLOCATED')
      .where('vnfc_id', 'in', [...vnfcIds])
      .$if(isPostgres(tx), (q) => q.forUpdate())
      .execute();
    await releaseHosts(tx, instanceId, vnfcIds);
    for (const [vduId, group] of Map.groupBy(old, (r) => r.vdu_id ?? '')) {
      const hosts = await freeEligible(tx, vimId, vduId, group.length);
      if (hosts.length < group.length) throw new PoolExhausted(vimId, vduId, group.length, hosts.length);
      for (const [i, r] of group.entries()) {
        await bind(tx, vimId, instanceId, hosts[i]!, { vduId, vnfcId: r.vnfc_id!, index: r.bind_index! });
      }
    }
  });
}

/** ALLOCATED → DIRTY for the instance's hosts bound to the VNFCs named (all when none named). */
export async function releaseHosts(
  db: Executor,
  instanceId: string,
  vnfcIds?: readonly string[],
): Promise<void> {
  if (vnfcIds?.length === 0) return;
  await db
    .updateTable('pool_hosts')
    .set({ state: 'DIRTY', updated_at: new Date().toISOString() })
    .where('vnf_instance_id', '=', instanceId)
    .where('state', '=', 'ALLOCATED')
    .$if(vnfcIds !== undefined, (q) => q.where('vnfc_id', 'in', [...vnfcIds!]))
    .execute();
}

/** DIRTY → FREE once wiped: the host leaves the instance. */
export async function freeHost(db: Db, vimId: string, hostId: string, instanceId: string): Promise<void> {
  await db
    .updateTable('pool_hosts')
    .set({
      state: 'FREE',
      vnf_instance_id: null,
      vnfc_id: null,
      vdu_id: null,
      bind_index: null,
      updated_at: new Date().toISOString(),
    })
    .where('vim_id', '=', vimId)
    .where('host_id', '=', hostId)
    .where('vnf_instance_id', '=', instanceId)
    .where('state', '=', 'DIRTY')
    .execute();
}

/**
 * The hosts attached to an instance, secrets opened (for drivers only, never for responses):
 * ALLOCATED ones (its VNFCs) and DIRTY ones (released, not yet wiped), by bind index; each
 * with its pool VIM's virtual CPs (read with the hosts, so they are never staler than them).
 */
export async function boundHosts(db: Db, box: SecretBox, instanceId: string): Promise<BoundHost[]> {
  const rows = await db
    .selectFrom('pool_hosts')
    .innerJoin('vims', 'vims.id', 'pool_hosts.vim_id')
    .selectAll('pool_hosts')
    .select('vims.extra as vim_extra')
    .where('vnf_instance_id', '=', instanceId)
    .execute();
  return rows
    .map((r) => ({
      vnfcId: r.vnfc_id ?? '',
      vduId: r.vdu_id ?? '',
      index: r.bind_index ?? 0,
      host: hostOf(r, box),
      state: r.state as HostState,
      virtualCps: (JSON.parse(r.vim_extra) as { virtual_cps?: Record<string, string> }).virtual_cps ?? {},
    }))
    .sort(
      (a, b) => a.index - b.index || (a.state === 'ALLOCATED' ? -1 : 1) - (b.state === 'ALLOCATED' ? -1 : 1),
    );
}

/** Each host's state in a pool (tests and diagnostics). */
export async function poolHostStates(db: Db, vimId: string) {
  return db
    .selectFrom('pool_hosts')
    .select(['host_id', 'state', 'vnf_instance_id', 'vnfc_id', 'vdu_id', 'bind_index'])
    .where('vim_id', '=', vimId)
    .orderBy('host_id')
    .execute();
}
