// Named queries for the MgmtDriver framework's state: the per-op-occ step journal
// and the per-instance driver store. Values arrive and leave sealed (SecretBox): this
// module never sees them in the clear.
import type { Db } from '../connect.ts';

/** The sealed output of a finished step, if the op occ recorded one. */
export async function journalEntry(db: Db, opOccId: string, step: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('mgmt_journal')
    .select('output')
    .where('op_occ_id', '=', opOccId)
    .where('step', '=', step)
    .executeTakeFirst();
  return row?.output;
}

/** Records a finished step; a second record of the same step (a concurrent retry) keeps the first. */
export async function recordJournalEntry(
  db: Db,
  opOccId: string,
  step: string,
  output: string,
): Promise<void> {
  await db
    .insertInto('mgmt_journal')
    .values({ op_occ_id: opOccId, step, output, created_at: new Date().toISOString() })
    .onConflict((oc) => oc.columns(['op_occ_id', 'step']).doNothing())
    .execute();
}

/** Names of an op occ's finished steps, in the order they finished. */
export async function journalSteps(db: Db, opOccId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('mgmt_journal')
    .select('step')
    .where('op_occ_id', '=', opOccId)
    .orderBy('created_at')
    .orderBy('step')
    .execute();
  return rows.map((r) => r.step);
}

export async function mgmtStore(db: Db, vnfInstanceId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('vnf_instances')
    .select('mgmt_store')
    .where('id', '=', vnfInstanceId)
    .executeTakeFirst();
  return row?.mgmt_store ?? undefined;
}

/** Writes the store only: the instance's other columns are the workflows'. */
export async function setMgmtStore(db: Db, vnfInstanceId: string, sealed: string | null): Promise<void> {
  await db.updateTable('vnf_instances').set({ mgmt_store: sealed }).where('id', '=', vnfInstanceId).execute();
}
