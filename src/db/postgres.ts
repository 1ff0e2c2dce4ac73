// Kysely over PostgreSQL (node-postgres pool): the production store, shared by
// several VNFM processes.
import { PostgresDialect } from 'kysely';
import pg from 'pg';

export function postgresDialect(url: string, poolSize = 10): PostgresDialect {
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: poolSize }) });
}
