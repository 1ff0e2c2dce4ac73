// A list page of VNF instances shows them without the attributes SOL003 leaves out by
// default (instantiatedVnfInfo, vimConnectionInfo, …): about 130 of the 950 bytes a
// bench instance stores.
// Cutting those out per row at read time (json_remove / jsonb -) was most of a page's
// cost, so each row now also keeps that shorter JSON, written with `info`.
import { type Kysely, sql } from 'kysely';
import { briefOf } from '../queries/instance-brief.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vnf_instances').addColumn('brief', 'text').execute();
  const rows = await sql<{ id: string; info: string }>`SELECT id, info FROM vnf_instances`.execute(db);
  for (const r of rows.rows) {
    await sql`UPDATE vnf_instances SET brief = ${briefOf(r.info)} WHERE id = ${r.id}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vnf_instances').dropColumn('brief').execute();
}
