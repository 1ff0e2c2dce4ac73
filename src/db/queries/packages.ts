// Named queries over `vnf_packages`. State changes are compare-and-set on the
// current onboarding state, so two requests cannot both move the same package.
import type { Db } from '../connect.ts';
import type { VnfPackageRow } from '../schema.ts';
import type { OnboardingState, VnfPkgInfo } from '../../packages/model.ts';

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
 * Writes `next` if the package is still in one of `from`; returns false when it
 * was not (another request moved it first). `vnfd` is stored alongside when given.
 */
export async function updatePackage(
  db: Db,
  next: VnfPkgInfo,
  from: OnboardingState[],
  vnfd?: unknown,
): Promise<boolean> {
  const row = toRow(next, new Date().toISOString());
  const { created_at: _createdAt, id: _id, ...set } = row;
  const res = await db
    .updateTable('vnf_packages')
    .set(vnfd === undefined ? { ...set, vnfd: undefined } : { ...set, vnfd: JSON.stringify(vnfd) })
    .where('id', '=', next.id)
    .where('onboarding_state', 'in', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function packageWithVnfdId(db: Db, vnfdId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('vnf_packages')
    .select('id')
    .where('vnfd_id', '=', vnfdId)
    .executeTakeFirst();
  return row?.id;
}

export async function deletePackage(db: Db, id: string): Promise<boolean> {
  const res = await db.deleteFrom('vnf_packages').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
