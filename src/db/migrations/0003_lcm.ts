// VNF instances and their LCM operation occurrences. The partial unique index is
// SOL003's "one operation per instance": a second op occ in a blocking state for
// the same instance cannot be inserted, whichever process tries.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vnf_instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vnfd_id', 'text', (c) => c.notNull())
    .addColumn('vnf_pkg_id', 'text', (c) => c.notNull().references('vnf_packages.id'))
    .addColumn('vim_id', 'text', (c) => c.references('vims.id'))
    .addColumn('instantiation_state', 'text', (c) => c.notNull())
    .addColumn('info', 'text', (c) => c.notNull())
    .addColumn('infra_state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vnf_instances_vim').on('vnf_instances').column('vim_id').execute();
  await db.schema
    .createTable('vnf_lcm_op_occs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vnf_instance_id', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('operation_state', 'text', (c) => c.notNull())
    .addColumn('info', 'text', (c) => c.notNull())
    // What the worker must do next: 'run', 'rollback', or null when nothing is queued.
    .addColumn('pending', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('locked_at', 'text')
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('state_entered_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('op_occs_instance').on('vnf_lcm_op_occs').column('vnf_instance_id').execute();
  await db.schema.createIndex('op_occs_pending').on('vnf_lcm_op_occs').column('pending').execute();
  await sql`CREATE UNIQUE INDEX op_occs_one_per_instance ON vnf_lcm_op_occs (vnf_instance_id)
    WHERE operation_state IN ('STARTING', 'PROCESSING', 'FAILED_TEMP', 'ROLLING_BACK')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('vnf_lcm_op_occs').execute();
  await db.schema.dropTable('vnf_instances').execute();
}
