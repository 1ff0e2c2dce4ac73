// Named queries over `vnf_instances`; rows map to VnfInstance here only.
import type { EngineState } from '../../lcm/context.ts';
import { maskVimConnectionInfo, type VnfInstance } from '../../lcm/model.ts';
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../connect.ts';
import type { VnfInstanceRow } from '../schema.ts';
import type { Term } from '../../api/sol013/filter.ts';
import { maskSecrets } from '../../vim/model.ts';
import { type ColumnMap, whereTerms } from './filter-sql.ts';
import { BRIEF_OMITTED, briefOf, briefServes } from './instance-brief.ts';

const OWN_COLUMNS = ['id', 'vnfdId', 'vnfPkgId', 'instantiationState'] as const;

export interface StoredInstance {
  instance: VnfInstance;
  infraState: EngineState;
  vimId: string | null;
}

/** The columns an instance's representation is made of (not the engine's state beside it). */
const VIEW_COLUMNS = ['id', 'vnfd_id', 'vnf_pkg_id', 'instantiation_state', 'info'] as const;

/** The columns set on the parsed JSON itself: a list page makes 100 of these, a copy each was measurable. */
function toInstance(r: Pick<VnfInstanceRow, (typeof VIEW_COLUMNS)[number]>): VnfInstance {
  const i = JSON.parse(r.info) as VnfInstance;
  i.id = r.id;
  i.vnfdId = r.vnfd_id;
  i.vnfPkgId = r.vnf_pkg_id;
  i.instantiationState = r.instantiation_state as VnfInstance['instantiationState'];
  return i;
}

function fromRow(r: VnfInstanceRow): StoredInstance {
  return {
    instance: toInstance(r),
    infraState: JSON.parse(r.infra_state) as EngineState,
    vimId: r.vim_id,
  };
}

function filterColumns(i: VnfInstance) {
  return {
    vnf_instance_name: i.vnfInstanceName ?? null,
    vnf_provider: i.vnfProvider,
    vnf_product_name: i.vnfProductName,
  };
}

/** Instance attributes that lists can filter on in SQL. */
export const INSTANCE_COLUMNS: ColumnMap = {
  id: 'id',
  vnfdId: 'vnfd_id',
  instantiationState: 'instantiation_state',
  vnfInstanceName: 'vnf_instance_name',
  vnfProvider: 'vnf_provider',
  vnfProductName: 'vnf_product_name',
};

/** Instances matching column terms, in creation order; one page when `page` is given. */
export async function queryInstances(
  db: Db,
  terms: Term[],
  page?: { offset: number; limit: number },
  omit: readonly string[] = [],
): Promise<VnfInstance[]> {
  let q = db
    .selectFrom('vnf_instances')
    .select(['id', 'vnfd_id', 'vnf_pkg_id', 'instantiation_state'])
    .select(
      briefServes(omit)
        ? jsonWithout(
            db,
            'brief',
            omit.filter((k) => !BRIEF_OMITTED.includes(k)),
          ).as('info')
        : jsonWithout(db, 'info', omit).as('info'),
    );
  if (terms.length > 0) q = q.where((eb) => whereTerms(eb, terms, INSTANCE_COLUMNS));
  q = q.orderBy('created_at').orderBy('id');
  if (page) q = q.limit(page.limit).offset(page.offset);
  return (await q.execute()).map(toInstance);
}

/**
 * The stored JSON without the top-level attributes `omit` names, cut by the store (its
 * JSON functions run in C, and the page's JSON.parse then reads a tenth of it). The
 * names are bound parameters.
 */
function jsonWithout(db: Db, column: 'info' | 'brief', names: readonly string[]) {
  const col = sql.ref(column);
  // Attribute names are words (the selectors checked them); anything else is read and dropped later.
  const omit = names.filter((n) => /^\w{1,64}$/.test(n));
  if (omit.length === 0) return sql<string>`${col}`;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // jsonb refuses the escape \u0000 that JSON allows in a string: such a row is read whole.
    return sql<string>`CASE WHEN strpos(${col}, ${'\\u0000'}) > 0 THEN ${col}
      ELSE (${col}::jsonb - ${sql.val([...omit])}::text[])::text END`;
  }
  return sql<string>`json_remove(${col}, ${sql.join(omit.map((k) => `$."${k}"`))})`;
}

/** The stored JSON: vimConnectionInfo masked once more, so that no path stores (or lets a filter read) its secrets. */
function infoDoc(i: VnfInstance): Record<string, unknown> {
  const rest = { ...i } as Record<string, unknown>;
  for (const c of OWN_COLUMNS) delete rest[c];
  if (i.vimConnectionInfo) rest.vimConnectionInfo = i.vimConnectionInfo.map(maskVimConnectionInfo);
  return rest;
}

/** `info` and `brief`, written together. */
function infoColumns(i: VnfInstance): { info: string; brief: string } {
  const doc = infoDoc(i);
  return { info: JSON.stringify(doc), brief: briefOf(doc) };
}

/**
 * The stored engine state: its copies of vimConnectionInfo and additionalParams masked like
 * the instance's and the op occ's (the secrets live sealed beside them).
 */
function engineStateJson(state: EngineState): string {
  const masked = {
    ...state,
    ...(state.vimConnectionInfo
      ? { vimConnectionInfo: state.vimConnectionInfo.map(maskVimConnectionInfo) }
      : {}),
    ...(state.additionalParams ? { additionalParams: maskSecrets(state.additionalParams) } : {}),
  };
  return JSON.stringify(masked);
}

/** The row a new instance is stored as. */
function newRow(i: VnfInstance, now: string) {
  return {
    id: i.id,
    vnfd_id: i.vnfdId,
    vnf_pkg_id: i.vnfPkgId,
    vim_id: null,
    instantiation_state: i.instantiationState,
    ...infoColumns(i),
    ...filterColumns(i),
    infra_state: '{}',
    created_at: now,
    updated_at: now,
  };
}

export async function insertInstance(db: Db, i: VnfInstance): Promise<void> {
  await db.insertInto('vnf_instances').values(newRow(i, new Date().toISOString())).execute();
}

/**
 * Many new instances in one statement (benchmarks seed 100,000 so); callers keep a
 * batch within the store's bound on parameters (SQLite: 32,766, 11 per row).
 */
export async function insertInstances(db: Db, list: VnfInstance[]): Promise<void> {
  if (list.length === 0) return;
  const now = new Date().toISOString();
  await db
    .insertInto('vnf_instances')
    .values(list.map((i) => newRow(i, now)))
    .execute();
}

export async function getInstance(db: Db, id: string): Promise<StoredInstance | undefined> {
  const row = await db.selectFrom('vnf_instances').selectAll().where('id', '=', id).executeTakeFirst();
  return row && fromRow(row);
}

/** The instance alone, as the API shows it: the engine's state (which can be large) is not read. */
export async function readInstance(db: Db, id: string): Promise<VnfInstance | undefined> {
  const row = await db
    .selectFrom('vnf_instances')
    .select(VIEW_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toInstance(row);
}

/** Writes the instance; `infraState`/`vimId` only when given. */
export async function saveInstance(
  db: Db,
  i: VnfInstance,
  extra: { infraState?: EngineState; vimId?: string | null } = {},
): Promise<void> {
  await db
    .updateTable('vnf_instances')
    .set({
      // ModifyVnfInfo may move the instance to another package (vnfdId).
      vnfd_id: i.vnfdId,
      vnf_pkg_id: i.vnfPkgId,
      instantiation_state: i.instantiationState,
      ...infoColumns(i),
      ...filterColumns(i),
      updated_at: new Date().toISOString(),
      ...(extra.infraState !== undefined ? { infra_state: engineStateJson(extra.infraState) } : {}),
      ...(extra.vimId !== undefined ? { vim_id: extra.vimId } : {}),
    })
    .where('id', '=', i.id)
    .execute();
}

/** Deletes; false when there was no such instance (another request deleted it first). */
export async function deleteInstance(db: Db, id: string): Promise<boolean> {
  const res = await db.deleteFrom('vnf_instances').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function vimInUse(db: Db, vimId: string): Promise<boolean> {
  const row = await db
    .selectFrom('vnf_instances')
    .select('id')
    .where('vim_id', '=', vimId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function instancesOfPackage(db: Db, pkgId: string): Promise<number> {
  const rows = await db.selectFrom('vnf_instances').select('id').where('vnf_pkg_id', '=', pkgId).execute();
  return rows.length;
}
