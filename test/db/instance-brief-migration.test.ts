// Rows stored before migration 0009 get their `brief` (the JSON a default list page is
// made of) computed from `info`, so a list answers for them as for new rows.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openDatabase } from '../../src/db/connect.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { briefServes } from '../../src/db/queries/instance-brief.ts';
import { queryInstances } from '../../src/db/queries/instances.ts';
import { postgresDialect } from '../../src/db/postgres.ts';
import { sqliteDialect } from '../../src/db/sqlite.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { INSTANCE_DEFAULT_EXCLUDED } from '../../src/lcm/model.ts';

for (const store of STORES) {
  test(`migration 0009 fills brief for rows stored before it; lists read it (${store})`, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vnfm-mig-')), 'vnfm.sqlite');
    const url = store === 'sqlite' ? `sqlite:${file}` : await freshStore('postgres');
    const old = new Kysely<unknown>({
      dialect: store === 'sqlite' ? sqliteDialect(file) : postgresDialect(url, 1),
    });
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0009'));
    const r = await new Migrator({
      db: old,
      provider: { getMigrations: async () => before },
    }).migrateToLatest();
    assert.equal(r.error, undefined);
    const info = {
      vnfInstanceName: 'old-one',
      vnfProvider: 'Company',
      vnfProductName: 'CNF',
      metadata: { site: 'north' },
      instantiatedVnfInfo: { flavourId: 'simple', vnfState: 'STARTED' },
      vimConnectionInfo: [{ id: 'c1', vimId: 'v1', vimType: 'kubernetes' }],
    };
    const now = new Date().toISOString();
    if (store === 'sqlite') await sql`PRAGMA foreign_keys = OFF`.execute(old);
    else await sql`SET session_replication_role = replica`.execute(old);
    await sql`INSERT INTO vnf_instances (id, vnfd_id, vnf_pkg_id, vim_id, instantiation_state, info, infra_state,
      vnf_instance_name, vnf_provider, vnf_product_name, created_at, updated_at)
    VALUES ('i1', 'd1', 'p1', NULL, 'INSTANTIATED', ${JSON.stringify(info)}, '{}', 'old-one', 'Company', 'CNF',
      ${now}, ${now})`.execute(old);
    await old.destroy();

    const db = await openDatabase(url);
    try {
      const row = await sql<{ brief: string }>`SELECT brief FROM vnf_instances`.execute(db);
      assert.deepEqual(JSON.parse(row.rows[0]!.brief), {
        vnfInstanceName: 'old-one',
        vnfProvider: 'Company',
        vnfProductName: 'CNF',
      });
      const [page] = await queryInstances(db, [], { offset: 0, limit: 10 }, INSTANCE_DEFAULT_EXCLUDED);
      assert.deepEqual(page, {
        id: 'i1',
        vnfdId: 'd1',
        vnfPkgId: 'p1',
        instantiationState: 'INSTANTIATED',
        vnfInstanceName: 'old-one',
        vnfProvider: 'Company',
        vnfProductName: 'CNF',
      });
      const [whole] = await queryInstances(db, [], { offset: 0, limit: 10 });
      assert.deepEqual(whole?.metadata, { site: 'north' }, 'without omissions the whole JSON is read');
    } finally {
      await db.destroy();
    }
  });
}

test("a default list page is served from the brief: the API's default exclusions cover the brief's cut", () => {
  assert.ok(briefServes(INSTANCE_DEFAULT_EXCLUDED), 'lists would silently read the whole JSON again');
});
