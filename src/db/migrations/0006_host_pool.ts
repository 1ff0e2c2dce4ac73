// Hosts of hostpool VIMs, one row each, with their allocation: which VNFC of which
// instance a host is bound to. The VIM's register/update keeps `spec` and `secrets`
// in step with its extra.hosts; the allocation columns are written only by the
// allocation queries (src/db/queries/pool-hosts.ts) and survive VIM updates.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pool_hosts')
    .addColumn('vim_id', 'text', (c) => c.notNull().references('vims.id').onDelete('cascade'))
    .addColumn('host_id', 'text', (c) => c.notNull())
    /** JSON: the PoolHostSpec without its secrets. */
    .addColumn('spec', 'text', (c) => c.notNull())
    /** SecretBox-sealed JSON: password, private_key. */
    .addColumn('secrets', 'text', (c) => c.notNull())
    /** labels.vdu of the spec, in a column so allocation picks eligible hosts in SQL. */
    .addColumn('vdu_label', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('vnf_instance_id', 'text')
    .addColumn('vnfc_id', 'text')
    .addColumn('vdu_id', 'text')
    .addColumn('bind_index', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pool_hosts_pk', ['vim_id', 'host_id'])
    .execute();
  await db.schema.createIndex('pool_hosts_instance').on('pool_hosts').column('vnf_instance_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pool_hosts').execute();
}
