// Rows written before secrets in vimConnectionInfo (accessInfo, interfaceInfo, extra)
// were masked at storage hold them in clear: in the instance's representation, in
// its engine state's copy, and in op occs' operationParams. Mask them in place. The
// engine never read them from there (it uses the VIM's stored credentials and the
// sealed request copy), so nothing an operation needs is lost.
import { type Kysely, sql } from 'kysely';
import { maskOperationParams, maskVimConnectionInfo, type VimConnectionInfo } from '../../lcm/model.ts';

type Json = Record<string, unknown>;

const maskList = (doc: Json): Json =>
  Array.isArray(doc.vimConnectionInfo)
    ? { ...doc, vimConnectionInfo: (doc.vimConnectionInfo as VimConnectionInfo[]).map(maskVimConnectionInfo) }
    : doc;

export async function up(db: Kysely<unknown>): Promise<void> {
  const instances = await sql<{
    id: string;
    info: string;
    infra_state: string;
  }>`SELECT id, info, infra_state FROM vnf_instances`.execute(db);
  for (const r of instances.rows) {
    const info = JSON.stringify(maskList(JSON.parse(r.info) as Json));
    const state = JSON.stringify(maskList(JSON.parse(r.infra_state) as Json));
    if (info !== r.info || state !== r.infra_state)
      await sql`UPDATE vnf_instances SET info = ${info}, infra_state = ${state} WHERE id = ${r.id}`.execute(
        db,
      );
  }
  const occs = await sql<{ id: string; info: string }>`SELECT id, info FROM vnf_lcm_op_occs`.execute(db);
  for (const r of occs.rows) {
    const o = JSON.parse(r.info) as Json;
    if (!o.operationParams) continue;
    const info = JSON.stringify({ ...o, operationParams: maskOperationParams(o.operationParams as Json) });
    if (info !== r.info) await sql`UPDATE vnf_lcm_op_occs SET info = ${info} WHERE id = ${r.id}`.execute(db);
  }
}

/** Masking cannot be undone; going back leaves the masked values. */
export async function down(): Promise<void> {}
