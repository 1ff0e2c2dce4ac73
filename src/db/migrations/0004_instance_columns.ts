// Attributes operators filter VNF instance lists on get their own columns (and
// indexes), so a filtered page is read by SQL rather than by scanning every row.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const c of ['vnf_instance_name', 'vnf_provider', 'vnf_product_name']) {
    await db.schema.alterTable('vnf_instances').addColumn(c, 'text').execute();
  }
  // Rows written before this migration: copy the values out of the JSON.
  const rows = await sql<{ id: string; info: string }>`SELECT id, info FROM vnf_instances`.execute(db);
  for (const r of rows.rows) {
    const i = JSON.parse(r.info) as {
      vnfInstanceName?: string;
      vnfProvider?: string;
      vnfProductName?: string;
    };
    await sql`UPDATE vnf_instances SET vnf_instance_name = ${i.vnfInstanceName ?? null},
      vnf_provider = ${i.vnfProvider ?? null}, vnf_product_name = ${i.vnfProductName ?? null}
      WHERE id = ${r.id}`.execute(db);
  }
  await db.schema
    .createIndex('vnf_instances_order')
    .on('vnf_instances')
    .columns(['created_at', 'id'])
    .execute();
  // No index on provider/product: many instances share them, and such a filter is
  // best served by walking the order index until the page is full.
  await db.schema.createIndex('vnf_instances_name').on('vnf_instances').column('vnf_instance_name').execute();
  await db.schema.createIndex('op_occs_order').on('vnf_lcm_op_occs').columns(['start_time', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const i of ['vnf_instances_order', 'vnf_instances_name', 'op_occs_order']) {
    await db.schema.dropIndex(i).execute();
  }
  for (const c of ['vnf_instance_name', 'vnf_provider', 'vnf_product_name']) {
    await db.schema.alterTable('vnf_instances').dropColumn(c).execute();
  }
}
