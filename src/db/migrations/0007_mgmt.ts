// The MgmtDriver framework's state (src/mgmt): a journal of the steps each op occ's
// hooks finished (so a retry skips them), the driver's own per-instance store, and the
// owner of a VIM a driver registered for its instance (such a VIM is the instance's
// to change or delete while the instance exists). Outputs and the store are sealed.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mgmt_journal')
    .addColumn('op_occ_id', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    /** SecretBox-sealed JSON: the step's output. */
    .addColumn('output', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mgmt_journal_pk', ['op_occ_id', 'step'])
    .execute();
  /** SecretBox-sealed JSON: the MgmtDriver's InstanceStore value. */
  await db.schema.alterTable('vnf_instances').addColumn('mgmt_store', 'text').execute();
  await db.schema.alterTable('vims').addColumn('owner_vnf_instance_id', 'text').execute();
  await db.schema.createIndex('vims_owner').on('vims').column('owner_vnf_instance_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('vims_owner').execute();
  await db.schema.alterTable('vims').dropColumn('owner_vnf_instance_id').execute();
  await db.schema.alterTable('vnf_instances').dropColumn('mgmt_store').execute();
  await db.schema.dropTable('mgmt_journal').execute();
}
