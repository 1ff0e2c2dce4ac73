// SOL005 VNF packages. `vnfd_id` is set only once a package is ONBOARDED, and is
// unique: a second package with the same vnfdId fails onboarding.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vnf_packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('onboarding_state', 'text', (c) => c.notNull())
    .addColumn('operational_state', 'text', (c) => c.notNull())
    .addColumn('usage_state', 'text', (c) => c.notNull())
    .addColumn('vnfd_id', 'text', (c) => c.unique())
    .addColumn('info', 'text', (c) => c.notNull())
    .addColumn('vnfd', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('vnf_packages').execute();
}
