// Opens the configured store and brings its schema up to date.
import { Kysely } from 'kysely';
import { migrateToLatest } from './migrate.ts';
import type { Schema } from './schema.ts';
import { sqliteDialect } from './sqlite.ts';

export type Db = Kysely<Schema>;

export async function openDatabase(url: string): Promise<Db> {
  const path = url.slice('sqlite:'.length);
  const db = new Kysely<Schema>({ dialect: sqliteDialect(path) });
  await migrateToLatest(db);
  return db;
}
