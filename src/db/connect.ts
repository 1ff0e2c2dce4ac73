// Opens the configured store (SQLite file or PostgreSQL) and brings its schema up
// to date. The rest of the VNFM sees only Kysely<Schema>.
import { Kysely } from 'kysely';
import { migrateToLatest } from './migrate.ts';
import { postgresDialect } from './postgres.ts';
import type { Schema } from './schema.ts';
import { sqliteDialect } from './sqlite.ts';

export type Db = Kysely<Schema>;

export function isPostgres(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export async function openDatabase(url: string): Promise<Db> {
  const dialect = isPostgres(url) ? postgresDialect(url) : sqliteDialect(url.slice('sqlite:'.length));
  const db = new Kysely<Schema>({ dialect });
  try {
    await migrateToLatest(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return db;
}
