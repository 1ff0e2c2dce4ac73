// The stores every persistence test runs on: a SQLite file, and a fresh database
// on the testbed's real PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { testbed } from './testbed.ts';

export const STORES = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];

export async function freshStore(kind: StoreKind): Promise<string> {
  if (kind === 'sqlite') return `sqlite:${join(mkdtempSync(join(tmpdir(), 'vnfm-db-')), 'vnfm.sqlite')}`;
  const admin = (await testbed()).postgresUrl;
  const name = `vnfm_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
