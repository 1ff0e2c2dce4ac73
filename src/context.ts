// The one shared context every component receives (store, logger, configuration),
// in the manner of helm's action.Configuration: nothing reaches in sideways.
import { readFileSync } from 'node:fs';
import type { Config } from './config.ts';
import { type Db, openDatabase } from './db/connect.ts';
import { createLogger, type Logger } from './log.ts';

export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  version: string;
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export async function createContext(
  config: Config,
  log = createLogger(config.logLevel),
): Promise<AppContext> {
  const db = await openDatabase(config.database);
  return { config, db, log, version: pkg.version };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.db.destroy();
}
