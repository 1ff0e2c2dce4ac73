// A list page of VNF instances shows them without the attributes SOL003 leaves out by
// default (instantiatedVnfInfo, vimConnectionInfo, …): about 130 of the 950 bytes a
// bench instance stores. Cutting those out per row at read time (json_remove / jsonb -)
// was most of a page's cost, so each row now also keeps that shorter JSON, written with
// `info` (src/db/queries/instance-brief.ts). Existing rows get it here, in one statement.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

/** The cut as it was when this migration was written (the query module's may change later). */
const OMITTED = [
  'vnfConfigurableProperties',
  'vimConnectionInfo',
  'instantiatedVnfInfo',
  'metadata',
  'extensions',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vnf_instances').addColumn('brief', 'text').execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // jsonb refuses the escape \u0000 that JSON allows in a string: such rows are cut in JS.
    await sql`UPDATE vnf_instances SET brief = (info::jsonb - ${sql.val(OMITTED)}::text[])::text
      WHERE strpos(info, ${'\\u0000'}) = 0`.execute(db);
    const rest = await sql<{ id: string; info: string }>`SELECT id, info FROM vnf_instances
      WHERE brief IS NULL`.execute(db);
    for (const r of rest.rows) {
      const doc = JSON.parse(r.info) as Record<string, unknown>;
      for (const k of OMITTED) delete doc[k];
      await sql`UPDATE vnf_instances SET brief = ${JSON.stringify(doc)} WHERE id = ${r.id}`.execute(db);
    }
  } else {
    await sql`UPDATE vnf_instances SET brief = json_remove(info, ${sql.join(OMITTED.map((k) => `$."${k}"`))})`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vnf_instances').dropColumn('brief').execute();
}
