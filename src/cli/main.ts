// The `vnfm` command. Errors end in one line on stderr and exit 1 (2 for a usage
// error), never a stack trace. The server's modules load only for `serve` and
// `worker`: the client commands start in a fraction of the time.
import { Command, CommanderError } from 'commander';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { authConfigured, checkBindAddress, ConfigError, fromEnv, loadConfig, redactUrl } from '../config.ts';
import { addCompletionCommand } from './completion.ts';
import { addContextCommand, addGlobalOptions } from './context.ts';
import { addNotificationsCommand } from './notifications.ts';
import { addOpCommands } from './op.ts';
import { addOutputOptions } from './output.ts';
import { addPackageCommands } from './package.ts';
import { addSubscriptionCommands } from './subscription.ts';
import { addVersionCommand } from './version.ts';
import { addVimCommands } from './vim.ts';
import { addVnfCommands } from './vnf.ts';

/** The server side, loaded by the commands that run it. */
async function serverModules() {
  const [server, vnfpkgm, operations, connect, tls, context] = await Promise.all([
    import('../api/server.ts'),
    import('../api/vnfpkgm.ts'),
    import('../packages/operations.ts'),
    import('../db/connect.ts'),
    import('../auth/tls.ts'),
    import('../context.ts'),
  ]);
  return { ...server, ...vnfpkgm, ...operations, ...connect, ...tls, ...context };
}

/** The notification delivery flags, on every command that runs a delivery loop. */
function withNotifyOptions(command: Command): Command {
  return command
    .option(
      '--public-url <url>',
      "the VNFM's URL as notification receivers reach it: links in notifications become absolute (env VNFM_PUBLIC_URL)",
    )
    .option(
      '--notify-max-age <seconds>',
      'give up a notification not delivered within this age (env VNFM_NOTIFY_MAX_AGE_SECONDS, default 86400)',
    );
}

const program = new Command('vnfm')
  .description('Helm VNFM: ETSI NFV VNF Manager for CNFs')
  // Set before any subcommand exists: subcommands inherit both.
  .exitOverride()
  .configureOutput({
    // commander's usage errors ("error: unknown option '--x'") as the one line every error is.
    outputError: (text, write) => write(`vnfm: ${oneLineError(text)}\n`),
  });
addGlobalOptions(program);
addOutputOptions(program);

withNotifyOptions(program.command('serve'))
  .description('start the VNFM HTTP API (with its embedded worker)')
  .option('--host <address>', 'bind address (env VNFM_HOST, default 127.0.0.1)')
  .option('--port <port>', 'TCP port (env VNFM_PORT, default 9890)')
  .option(
    '--database <url>',
    "'sqlite:<path>' or 'postgres://…' (env VNFM_DATABASE, default sqlite:data/vnfm.sqlite)",
  )
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env VNFM_LOG_LEVEL)')
  .option('--data-dir <dir>', 'package contents and default key file (env VNFM_DATA_DIR, default data)')
  .option('--secret-key-file <file>', 'key encrypting secrets at rest (env VNFM_SECRET_KEY_FILE)')
  .option(
    '--mgmt-drivers <pairs>',
    'MgmtDrivers enabled: artifact=driver pairs, comma-separated (env VNFM_MGMT_DRIVERS; default none)',
  )
  .option('--auth-clients <file>', 'YAML/JSON file of OAuth 2.0 clients (env VNFM_AUTH_CLIENTS_FILE)')
  .option(
    '--auth-basic',
    "accept the clients' credentials as HTTP Basic too, for lab use (env VNFM_AUTH_BASIC)",
  )
  .option(
    '--auth-external-issuer <iss>',
    "accept this authorization server's tokens (env VNFM_AUTH_EXTERNAL_ISSUER)",
  )
  .option('--auth-external-jwks-url <url>', "that server's JWKS URL (env VNFM_AUTH_EXTERNAL_JWKS_URL)")
  .option('--tls-cert <file>', 'PEM certificate (chain): serve HTTPS; re-read on SIGHUP (env VNFM_TLS_CERT)')
  .option('--tls-key <file>', 'PEM key of --tls-cert (env VNFM_TLS_KEY)')
  .option('--tls-client-ca <file>', 'PEM CA: require client certificates it signed (env VNFM_TLS_CLIENT_CA)')
  .action(async (flags: Record<string, string | boolean | undefined>) => {
    const { authClients, notifyMaxAge, ...opts } = flags;
    const config = loadConfig(fromEnv(), {
      ...opts,
      authClientsFile: authClients,
      notifyMaxAgeSeconds: notifyMaxAge,
    });
    checkBindAddress(config);
    const {
      buildServer,
      closeContext,
      createContext,
      isPostgres,
      packageDeps,
      recoverPackages,
      reloadTls,
      tlsMode,
    } = await serverModules();
    const ctx = await createContext(config);
    const app = buildServer(ctx);
    await recoverPackages(packageDeps(ctx));
    if (config.embeddedWorker) {
      // Alone on SQLite, every lock left behind is a dead process's; on PostgreSQL only stale ones are.
      await ctx.worker.recover(!isPostgres(config.database));
      ctx.worker.start();
      await ctx.notifier.recover();
      ctx.notifier.start();
    }
    const stop = async (signal: string) => {
      ctx.log.info({ signal }, 'shutting down');
      await app.close();
      await closeContext(ctx);
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGHUP', () => {
      try {
        reloadTls(app.server as unknown as TlsServer, config);
        if (config.tlsCert) ctx.log.info({ cert: config.tlsCert }, 'TLS certificate reloaded');
      } catch (err) {
        ctx.log.error({ err }, 'TLS certificate not reloaded; the previous one stays');
      }
    });
    await app.listen({ host: config.host, port: config.port });
    ctx.log.info(
      {
        store: redactUrl(config.database),
        dataDir: config.dataDir,
        address: addressOf(app.server.address(), config.host),
        auth: authConfigured(config) ? 'on' : 'off',
        tls: tlsMode(config),
      },
      'vnfm serving',
    );
  });

program
  .command('auth')
  .description('API authentication helpers')
  .command('hash-secret')
  .description('read a client secret on stdin, print the secret_hash to configure for it (docs/security.md)')
  .action(async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const secret = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (secret.length < 16) throw new Error('a client secret needs at least 16 characters');
    const { hashSecret } = await import('../auth/clients.ts');
    process.stdout.write(`${await hashSecret(secret)}\n`);
  });

withNotifyOptions(program.command('worker'))
  .description('run only the LCM worker, beside API servers that share a PostgreSQL store')
  .option('--database <url>', "'postgres://…' (env VNFM_DATABASE)")
  .option('--data-dir <dir>', 'shared package storage (env VNFM_DATA_DIR)')
  .option('--secret-key-file <file>', 'the key the API servers use (env VNFM_SECRET_KEY_FILE)')
  .option(
    '--mgmt-drivers <pairs>',
    'MgmtDrivers enabled: artifact=driver pairs, comma-separated (env VNFM_MGMT_DRIVERS; default none)',
  )
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env VNFM_LOG_LEVEL)')
  .option(
    '--metrics-port <port>',
    'serve /metrics, /readyz and /healthz on 127.0.0.1 at this port (env VNFM_METRICS_PORT; default none)',
  )
  .action(async ({ notifyMaxAge, ...opts }: Record<string, string | undefined>) => {
    // This process runs its worker whatever the API servers' VNFM_EMBEDDED_WORKER says (/readyz checks it).
    const config = loadConfig(fromEnv(), opts, {
      embeddedWorker: true,
      notifyMaxAgeSeconds: notifyMaxAge,
    });
    const { buildServer, closeContext, createContext, isPostgres } = await serverModules();
    if (!isPostgres(config.database)) {
      throw new ConfigError(
        'a separate worker needs the PostgreSQL store (the SQLite store has its worker embedded)',
      );
    }
    const ctx = await createContext(config);
    await ctx.worker.recover(false);
    ctx.worker.start();
    ctx.notifier.start();
    // Loopback only: the probes have no authentication; a Prometheus agent beside the worker scrapes them.
    const probes = config.metricsPort ? buildServer(ctx, { probesOnly: true }) : undefined;
    await probes?.listen({ host: '127.0.0.1', port: config.metricsPort });
    ctx.log.info(
      {
        workerId: ctx.worker.id,
        store: redactUrl(config.database),
        dataDir: config.dataDir,
        metrics: probes ? `127.0.0.1:${config.metricsPort}` : 'off',
      },
      'worker started',
    );
    const stop = async () => {
      await probes?.close();
      await closeContext(ctx);
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

addContextCommand(program);
addVimCommands(program);
addPackageCommands(program);
addSubscriptionCommands(program);
addNotificationsCommand(program);
addVersionCommand(program);
addVnfCommands(program);
addOpCommands(program);
// Its scripts are made, when asked for, from every command the program then has.
addCompletionCommand(program);

/** `host:port` the server listens on. */
function addressOf(a: string | AddressInfo | null, host: string): string {
  return typeof a === 'object' && a !== null ? `${a.address}:${a.port}` : String(a ?? host);
}

/** commander's message without its "error: " prefix, on one line. */
function oneLineError(text: string): string {
  return text
    .replace(/^error: /, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function fail(err: unknown): never {
  if (err instanceof CommanderError) {
    // --help and --version end with code 0; usage errors were written by outputError.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  const message =
    err instanceof ConfigError ? `configuration: ${err.message}` : String((err as Error)?.message ?? err);
  process.stderr.write(`vnfm: ${oneLineError(message)}\n`);
  process.exit(1);
}

// An error thrown outside an action's promise (a stream's, a timer's) ends the same way.
process.on('uncaughtException', fail);
program.parseAsync().catch(fail);
