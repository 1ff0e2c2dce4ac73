// The one shared context every component receives (store, logger, configuration),
// in the manner of helm's action.Configuration: nothing reaches in sideways.
import { readFileSync } from 'node:fs';
import type { Config } from './config.ts';
import { type Db, openDatabase } from './db/connect.ts';
import { createLogger, type Logger } from './log.ts';
import { loadSecretBox, type SecretBox } from './secrets/box.ts';

export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  secrets: SecretBox;
  version: string;
  /** Whether a VIM is referenced by a VNF instance (answered by the LCM store once it exists). */
  vimInUse: (vimId: string) => Promise<boolean>;
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export async function createContext(
  config: Config,
  log = createLogger(config.logLevel),
): Promise<AppContext> {
  const secrets = loadSecretBox(config.secretKeyFile, true);
  const db = await openDatabase(config.database);
  return { config, db, log, secrets, version: pkg.version, vimInUse: async () => false };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.db.destroy();
}
