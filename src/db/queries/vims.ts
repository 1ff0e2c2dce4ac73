// Named queries over the `vims` table; rows are mapped to the Vim model here only.
import type { Db } from '../connect.ts';
import type { VimRow } from '../schema.ts';
import type { SecretBox } from '../../secrets/box.ts';
import { conflict } from '../../errors.ts';
import { hostsInUse, lockPool, syncPoolHosts } from './pool-hosts.ts';
import { joinSecrets, splitSecrets, type Vim, type VimExtra, type VimSecrets } from '../../vim/model.ts';

export function toRow(vim: Vim, box: SecretBox): VimRow {
  const { authCredPublic, extraPublic, secrets } = splitSecrets(vim.authCred, vim.extra);
  return {
    id: vim.id,
    name: vim.name,
    description: vim.description,
    type: vim.type,
    auth_url: vim.authUrl,
    project_name: vim.projectName,
    is_default: vim.isDefault ? 1 : 0,
    status: vim.status,
    auth_cred: JSON.stringify(authCredPublic),
    extra: JSON.stringify(extraPublic),
    secrets: box.sealJson(secrets),
    created_at: vim.createdAt,
    updated_at: vim.updatedAt,
  };
}

export function fromRow(row: VimRow, box: SecretBox): Vim {
  const { authCred, extra } = joinSecrets(
    JSON.parse(row.auth_cred),
    JSON.parse(row.extra),
    box.openJson<VimSecrets>(row.secrets),
  );
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.type === 'hostpool' ? 'hostpool' : 'kubernetes',
    authUrl: row.auth_url,
    projectName: row.project_name,
    isDefault: row.is_default === 1,
    status: row.status as Vim['status'],
    authCred,
    extra,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getVim(db: Db, box: SecretBox, id: string): Promise<Vim | undefined> {
  const row = await db.selectFrom('vims').selectAll().where('id', '=', id).executeTakeFirst();
  return row && fromRow(row, box);
}

/** Columns a VIM list can be filtered on; a VIM matches when each listed column has one of its values. */
export type VimFilter = Partial<
  Record<'id' | 'name' | 'description' | 'type' | 'status' | 'auth_url' | 'project_name', string[]> & {
    is_default: boolean[];
  }
>;

export async function listVims(db: Db, box: SecretBox, filter: VimFilter = {}): Promise<Vim[]> {
  let q = db.selectFrom('vims').selectAll();
  for (const [column, values] of Object.entries(filter) as [keyof VimFilter, (string | boolean)[]][]) {
    if (values.length === 0) continue;
    const cells = column === 'is_default' ? values.map((v) => (v ? 1 : 0)) : (values as string[]);
    q = q.where(column, 'in', cells);
  }
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => fromRow(r, box));
}

export async function vimNameTaken(db: Db, name: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('vims').select('id').where('name', '=', name);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * Inserts or replaces a VIM; when it is the default, no other VIM of its type stays default
 * (a hostpool VIM never displaces the default Kubernetes VIM). A hostpool VIM's hosts are
 * synced to pool_hosts in the same transaction (409 when a bound host would change).
 */
export async function saveVim(db: Db, box: SecretBox, vim: Vim, isNew: boolean): Promise<void> {
  const row = toRow(vim, box);
  await db.transaction().execute(async (tx) => {
    if (vim.isDefault)
      await tx
        .updateTable('vims')
        .set({ is_default: 0 })
        .where('id', '!=', vim.id)
        .where('type', '=', vim.type)
        .execute();
    if (isNew) await tx.insertInto('vims').values(row).execute();
    else await tx.updateTable('vims').set(row).where('id', '=', vim.id).execute();
    if (vim.type === 'hostpool') await syncPoolHosts(tx, box, vim.id, vim.extra.hosts ?? []);
  });
}

/** Deletes a VIM (its pool hosts with it); 409 while any pool host is bound or being wiped. */
export async function deleteVim(db: Db, id: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await lockPool(tx, id);
    const busy = await hostsInUse(tx, id);
    if (busy.length > 0)
      throw conflict(`VIM ${id} has hosts in use: ${busy.map((h) => `${h.hostId} (${h.state})`).join(', ')}`);
    const res = await tx.deleteFrom('vims').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  });
}

/**
 * Records a master node's host key in the VIM's extra.helm_info.masternode_host_keys
 * when the VIM lists that node and pins no key for it yet (trust on first use, once for
 * every instance on the VIM). A compare-and-set on the stored extra, so two workers
 * recording at once never lose one another's key. Returns whether it was recorded.
 */
export async function recordVimHostKey(db: Db, id: string, address: string, key: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await db.selectFrom('vims').select('extra').where('id', '=', id).executeTakeFirst();
    if (!row) return false;
    const extra = JSON.parse(row.extra) as VimExtra;
    const info = extra.helm_info;
    if (!info?.masternode_ip.includes(address) || info.masternode_host_keys?.[address]) return false;
    const next: VimExtra = {
      ...extra,
      helm_info: { ...info, masternode_host_keys: { ...info.masternode_host_keys, [address]: key } },
    };
    const res = await db
      .updateTable('vims')
      .set({ extra: JSON.stringify(next), updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('extra', '=', row.extra)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) return true;
  }
  return false;
}
