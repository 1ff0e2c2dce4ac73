// Named queries for VIMs a MgmtDriver registered for its VNF instance (vims.owner_vnf_instance_id).
import type { SecretBox } from '../../secrets/box.ts';
import type { Vim } from '../../vim/model.ts';
import type { Db } from '../connect.ts';
import { fromRow, toRow } from './vims.ts';

/** The VIM `owner` registered under `name`, if any. */
export async function ownedVimByName(
  db: Db,
  box: SecretBox,
  owner: string,
  name: string,
): Promise<Vim | undefined> {
  const row = await db
    .selectFrom('vims')
    .selectAll()
    .where('owner_vnf_instance_id', '=', owner)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && fromRow(row, box);
}

/** The instance owning a VIM, or undefined for one an operator registered. */
export async function vimOwner(db: Db, vimId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('vims')
    .select('owner_vnf_instance_id')
    .where('id', '=', vimId)
    .executeTakeFirst();
  return row?.owner_vnf_instance_id ?? undefined;
}

/** The owner of a VIM while that instance still exists (a VIM left by a deleted instance is the operator's). */
export async function liveVimOwner(db: Db, vimId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('vims')
    .innerJoin('vnf_instances', 'vnf_instances.id', 'vims.owner_vnf_instance_id')
    .select('vnf_instances.id')
    .where('vims.id', '=', vimId)
    .executeTakeFirst();
  return row?.id;
}

export async function insertOwnedVim(db: Db, box: SecretBox, vim: Vim, owner: string): Promise<void> {
  await db
    .insertInto('vims')
    .values({ ...toRow(vim, box), owner_vnf_instance_id: owner })
    .execute();
}

export async function setVimStatus(db: Db, vimId: string, status: Vim['status']): Promise<void> {
  await db
    .updateTable('vims')
    .set({ status, updated_at: new Date().toISOString() })
    .where('id', '=', vimId)
    .execute();
}

/**
 * Instances other than `except` that use the VIM: run on it (vim_id) or name it in their
 * vimConnectionInfo (stored JSON; a VIM id is a UUID, so the match is exact).
 */
export async function instancesUsingVim(db: Db, vimId: string, except: string): Promise<string[]> {
  const rows = await db
    .selectFrom('vnf_instances')
    .select('id')
    .where('id', '!=', except)
    .where((eb) => eb.or([eb('vim_id', '=', vimId), eb('info', 'like', `%"vimId":"${vimId}"%`)]))
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
