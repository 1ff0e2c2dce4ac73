// Named queries over `vnf_packages`. State changes are compare-and-set on the
// current onboarding state, so two requests cannot both move the same package. A
// change that SOL005 notifies writes its notifications in the same transaction.
import type { Db } from '../connect.ts';
import type { VnfPackageRow } from '../schema.ts';
import type { OnboardingState, OperationalState, UsageState, VnfPkgInfo } from '../../packages/model.ts';
import { enqueuePackageNotifications } from '../../notify/outbox.ts';
import type { PackageEvent } from '../../notify/pkg-notifications.ts';
import { inOutboxTransaction } from '../../notify/wake.ts';

const COLUMNS = ['id', 'onboardingState', 'operationalState', 'usageState', 'vnfdId'] as const;

function toRow(p: VnfPkgInfo, now: string, createdAt = now): VnfPackageRow {
  const info = { ...p } as Record<string, unknown>;
  for (const c of COLUMNS) delete info[c];
  return {
    id: p.id,
    onboarding_state: p.onboardingState,
    operational_state: p.operationalState,
    usage_state: p.usageState,
    vnfd_id: p.vnfdId ?? null,
    info: JSON.stringify(info),
    vnfd: null,
    created_at: createdAt,
    updated_at: now,
  };
}

export function fromRow(
  r: Pick<
    VnfPackageRow,
    'id' | 'onboarding_state' | 'operational_state' | 'usage_state' | 'vnfd_id' | 'info'
  >,
): VnfPkgInfo {
  return {
    id: r.id,
    ...(r.vnfd_id ? { vnfdId: r.vnfd_id } : {}),
    ...(JSON.parse(r.info) as object),
    onboardingState: r.onboarding_state as OnboardingState,
    operationalState: r.operational_state as VnfPkgInfo['operationalState'],
    usageState: r.usage_state as VnfPkgInfo['usageState'],
  };
}

const infoColumns = [
  'id',
  'onboarding_state',
  'operational_state',
  'usage_state',
  'vnfd_id',
  'info',
] as const;

export async function insertPackage(db: Db, p: VnfPkgInfo): Promise<void> {
  await db.insertInto('vnf_packages').values(toRow(p, new Date().toISOString())).execute();
}

export async function getPackage(db: Db, id: string): Promise<VnfPkgInfo | undefined> {
  const row = await db.selectFrom('vnf_packages').select(infoColumns).where('id', '=', id).executeTakeFirst();
  return row && fromRow(row);
}

export async function listPackages(db: Db): Promise<VnfPkgInfo[]> {
  const rows = await db
    .selectFrom('vnf_packages')
    .select(infoColumns)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(fromRow);
}

/** The stored VNFD model of an onboarded package. */
export async function getPackageVnfd<T>(db: Db, id: string): Promise<T | undefined> {
  const row = await db.selectFrom('vnf_packages').select('vnfd').where('id', '=', id).executeTakeFirst();
  return row?.vnfd ? (JSON.parse(row.vnfd) as T) : undefined;
}

/**
 * Runs `write` in a transaction of its own when it notifies (its rows commit with the
 * change, and the delivery loop is woken after the commit), else directly.
 */
async function withNotifications<T>(db: Db, notifies: boolean, write: (db: Db) => Promise<T>): Promise<T> {
  return notifies ? inOutboxTransaction(db, write) : write(db);
}

export interface PackageUpdate {
  /** The VNFD model, stored alongside. */
  vnfd?: unknown;
  /** Also require this operational state (the one the change was decided on). */
  operationalState?: OperationalState;
  /** The notification of this change, written for `next` if the package moved. */
  notify?: PackageEvent;
}

/**
 * Writes `next` if the package is still in one of `from` (and `operationalState`, if
 * given); returns false when it was not (another request moved it first), and then
 * notifies nothing.
 */
export async function updatePackage(
  db: Db,
  next: VnfPkgInfo,
  from: OnboardingState[],
  opts: PackageUpdate = {},
): Promise<boolean> {
  const row = toRow(next, new Date().toISOString());
  const { created_at: _createdAt, id: _id, ...set } = row;
  return withNotifications(db, opts.notify !== undefined, async (tx) => {
    let q = tx
      .updateTable('vnf_packages')
      .set(
        opts.vnfd === undefined ? { ...set, vnfd: undefined } : { ...set, vnfd: JSON.stringify(opts.vnfd) },
      )
      .where('id', '=', next.id)
      .where('onboarding_state', 'in', from);
    if (opts.operationalState) q = q.where('operational_state', '=', opts.operationalState);
    const moved = Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
    if (moved && opts.notify) await enqueuePackageNotifications(tx, opts.notify, next);
    return moved;
  });
}

/** Sets only the usage state (derived from the instances; nothing else of the package is rewritten). */
export async function setPackageUsage(db: Db, id: string, usageState: UsageState): Promise<void> {
  await db
    .updateTable('vnf_packages')
    .set({ usage_state: usageState, updated_at: new Date().toISOString() })
    .where('id', '=', id)
    .execute();
}

export async function packageWithVnfdId(db: Db, vnfdId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('vnf_packages')
    .select('id')
    .where('vnfd_id', '=', vnfdId)
    .executeTakeFirst();
  return row?.id;
}

/**
 * Deletes `pkg` if it is still in the states it was read in (the ones the deletion was
 * allowed on); returns false otherwise, and then notifies nothing. `notify` is written
 * for `pkg` in the same transaction.
 */
export async function deletePackage(db: Db, pkg: VnfPkgInfo, notify?: PackageEvent): Promise<boolean> {
  return withNotifications(db, notify !== undefined, async (tx) => {
    const res = await tx
      .deleteFrom('vnf_packages')
      .where('id', '=', pkg.id)
      .where('onboarding_state', '=', pkg.onboardingState)
      .where('operational_state', '=', pkg.operationalState)
      .where('usage_state', '=', pkg.usageState)
      .executeTakeFirst();
    const deleted = Number(res.numDeletedRows) > 0;
    if (deleted && notify) await enqueuePackageNotifications(tx, notify, pkg);
    return deleted;
  });
}
