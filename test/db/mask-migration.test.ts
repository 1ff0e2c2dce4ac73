// Rows stored before vimConnectionInfo secrets were masked at storage: migration
// 0005 masks them in place (instance, its engine state, op occ operationParams).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openDatabase } from '../../src/db/connect.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { sqliteDialect } from '../../src/db/sqlite.ts';

const SECRET = 'old-plaintext-s3cret';

test('migration 0005 masks the vimConnectionInfo secrets of rows stored before it', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'vnfm-mig-')), 'vnfm.sqlite');
  const old = new Kysely<unknown>({ dialect: sqliteDialect(file) });
  const upTo0004 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0005'));
  const r = await new Migrator({
    db: old,
    provider: { getMigrations: async () => upTo0004 },
  }).migrateToLatest();
  assert.equal(r.error, undefined);
  const vci = {
    id: 'c1',
    vimId: 'v1',
    vimType: 'kubernetes',
    accessInfo: { bearer_token: SECRET, username: 'admin', password: SECRET },
    interfaceInfo: { endpoint: 'https://10.0.0.1:6443' },
  };
  const now = new Date().toISOString();
  // Only the rows under test: no VIM or package row for them to reference.
  await sql`PRAGMA foreign_keys = OFF`.execute(old);
  await sql`INSERT INTO vnf_instances (id, vnfd_id, vnf_pkg_id, vim_id, instantiation_state, info, infra_state, created_at, updated_at)
    VALUES ('i1', 'd1', 'p1', NULL, 'INSTANTIATED', ${JSON.stringify({ vimConnectionInfo: [vci] })},
      ${JSON.stringify({ vimId: 'v1', vimConnectionInfo: [vci] })}, ${now}, ${now})`.execute(old);
  await sql`INSERT INTO vnf_lcm_op_occs (id, vnf_instance_id, operation, operation_state, info, start_time, state_entered_time)
    VALUES ('o1', 'i1', 'INSTANTIATE', 'COMPLETED', ${JSON.stringify({ operationParams: { flavourId: 'f', vimConnectionInfo: [vci] } })}, ${now}, ${now})`.execute(
    old,
  );
  await old.destroy();

  const db = await openDatabase(`sqlite:${file}`);
  try {
    const i = await sql<{
      info: string;
      infra_state: string;
    }>`SELECT info, infra_state FROM vnf_instances`.execute(db);
    const o = await sql<{ info: string }>`SELECT info FROM vnf_lcm_op_occs`.execute(db);
    const stored = [i.rows[0]!.info, i.rows[0]!.infra_state, o.rows[0]!.info];
    for (const text of stored) {
      assert.ok(!text.includes(SECRET), text);
      const access = (JSON.parse(text).vimConnectionInfo ??
        JSON.parse(text).operationParams.vimConnectionInfo)[0].accessInfo;
      assert.deepEqual(access, { bearer_token: '***', username: 'admin', password: '***' });
    }
    assert.equal(JSON.parse(stored[2]!).operationParams.flavourId, 'f', 'the rest is kept');
  } finally {
    await db.destroy();
  }
});
