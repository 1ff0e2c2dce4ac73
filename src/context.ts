// The one shared context every component receives (store, logger, configuration),
// in the manner of helm's action.Configuration: nothing reaches in sideways.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from './config.ts';
import { type Db, isPostgres, openDatabase } from './db/connect.ts';
import { vimInUse } from './db/queries/instances.ts';

import { createHelmDriver } from './infra/helm/index.ts';
import { createHostPoolDriver } from './infra/hosts/index.ts';
import { createManifestDriver } from './infra/kubernetes/index.ts';
import type { LcmContext } from './lcm/context.ts';
import type { MgmtDriver } from './mgmt/driver.ts';
import { mgmtRegistry } from './mgmt/registry.ts';
import { setHandshakeLimit } from './ssh/handshake-limit.ts';
import { drainPool, setIdleLimit } from './ssh/pool.ts';
import { Worker } from './lcm/worker.ts';
import { Notifier } from './notify/notifier.ts';
import { PackageStorage } from './packages/storage.ts';
import { createLogger, type Logger } from './log.ts';
import { loadSecretBox, type SecretBox } from './secrets/box.ts';
import { privateDir } from './secrets/private-files.ts';

export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  secrets: SecretBox;
  version: string;
  /** Whether a VIM is referenced by a VNF instance. */
  vimInUse: (vimId: string) => Promise<boolean>;
  lcm: LcmContext;
  /** Runs LCM operations; started by `serve` (embedded) or `worker`. */
  worker: Worker;
  /** Delivers queued notifications; started with the worker. */
  notifier: Notifier;
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** `opts.mgmtDrivers`: drivers beside the built-in ones (tests register doubles of a plugin this way). */
export async function createContext(
  config: Config,
  log = createLogger(config.logLevel),
  opts: { mgmtDrivers?: readonly MgmtDriver[] } = {},
): Promise<AppContext> {
  // Before anything is opened: an unknown driver id is a configuration error.
  const mgmt = mgmtRegistry(config.mgmtDrivers, opts.mgmtDrivers);
  privateDir(config.dataDir);
  setHandshakeLimit(config.sshMaxHandshakes);
  setIdleLimit(config.workerConcurrency);
  const secrets = loadSecretBox(config.secretKeyFile, true);
  const db = await openDatabase(config.database);
  const lcm: LcmContext = {
    db,
    secrets,
    log,
    storage: new PackageStorage(config.dataDir),
    drivers: {
      manifest: createManifestDriver(),
      helm: createHelmDriver({ helmBinary: config.helmBinary, homeDir: resolve(config.dataDir, 'helm') }),
      hostpool: createHostPoolDriver({ db, secrets }),
    },
    mgmt,
    timeoutMs: config.lcmTimeoutSeconds * 1000,
  };
  const worker = new Worker(lcm, {
    postgres: isPostgres(config.database),
    concurrency: config.workerConcurrency,
    refreshMs: config.refreshSeconds * 1000,
  });
  const notifier = new Notifier({ db, secrets, log }, { postgres: isPostgres(config.database), ...config });
  return {
    config,
    db,
    log,
    secrets,
    version: pkg.version,
    vimInUse: (id) => vimInUse(db, id),
    lcm,
    worker,
    notifier,
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.worker.stop();
  await ctx.notifier.stop();
  drainPool(); // idle SSH connections to master nodes, once no operation can lease one
  await ctx.db.destroy();
}
