// Every migration, keyed by a name that sorts in the order they apply.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_settings.ts';

export const migrations: Record<string, Migration> = {
  '0001_settings': m0001,
};
