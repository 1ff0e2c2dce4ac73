// Removing a store that freshStore() of test/helpers/stores.ts made, once a benchmark
// is done with it: the SQLite file's directory, or the PostgreSQL database.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { testbed } from '../../test/helpers/testbed.ts';
import type { StoreKind } from '../../test/helpers/stores.ts';

export async function dropStore(kind: StoreKind, database: string): Promise<void> {
  if (kind === 'sqlite') return rmSync(join(database.slice('sqlite:'.length), '..'), { recursive: true });
  const client = new pg.Client({ connectionString: (await testbed()).postgresUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${new URL(database).pathname.slice(1)} WITH (FORCE)`);
  await client.end();
}
