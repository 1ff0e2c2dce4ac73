// Which VNFM the `vnfm` commands talk to, and as whom: from the global flags, the
// environment, or a config file of named contexts (kubeconfig-like), in that order,
// else http://127.0.0.1:9890 without credentials. The config file names where secrets
// are (an environment variable, a token file), never a secret itself, so it can be
// shared and shown; `vnfm context list|use|set|delete|current` manage it.
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { type Column, printList } from './output.ts';
import { type CredentialFlags, credentialKind, oneLine, trustCaFile, VnfmClient } from './vnfm-client.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:9890';

/** The connection flags every command has (declared once on the program by addGlobalOptions). */
export interface ConnectionFlags extends CredentialFlags {
  server?: string;
  context?: string;
  caFile?: string;
}

/** One context of the config file, with the file's own (kebab-case) keys. */
export interface ContextEntry {
  name: string;
  server: string;
  'token-env'?: string;
  'token-file'?: string;
  'basic-user'?: string;
  'basic-password-env'?: string;
  'client-id'?: string;
  'client-secret-env'?: string;
  'ca-file'?: string;
}

export interface VnfmConfig {
  'current-context'?: string;
  contexts: ContextEntry[];
}

/** Where the connection came from: shown by `vnfm context current` and in errors. */
export type ConnectionSource = 'flags' | 'environment' | `context ${string}` | 'default';

export interface Connection {
  server: string;
  credentials: CredentialFlags;
  caFile?: string;
  source: ConnectionSource;
}

const CREDENTIAL_KEYS = {
  tokenEnv: 'token-env',
  tokenFile: 'token-file',
  basicUser: 'basic-user',
  basicPasswordEnv: 'basic-password-env',
  clientId: 'client-id',
  clientSecretEnv: 'client-secret-env',
} as const satisfies Record<keyof CredentialFlags, keyof ContextEntry>;
const CONTEXT_KEYS = new Set<string>(['name', 'server', 'ca-file', ...Object.values(CREDENTIAL_KEYS)]);

/** Declares the connection flags on the program: they are accepted before or after any subcommand. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--server <url>', `the VNFM's URL (env VNFM_URL; default ${DEFAULT_SERVER})`)
    .option(
      '--context <name>',
      'a context of the config file (env VNFM_CONTEXT; default its current-context)',
    )
    .option('--token-env <var>', 'environment variable holding a bearer token (env VNFM_TOKEN holds one)')
    .option('--token-file <file>', 'file holding a bearer token (env VNFM_TOKEN_FILE)')
    .option('--basic-user <user>', 'HTTP Basic user, a client id (env VNFM_BASIC_USER)')
    .option(
      '--basic-password-env <var>',
      "environment variable holding that user's password (env VNFM_BASIC_PASSWORD holds one)",
    )
    .option('--client-id <id>', "OAuth 2.0 client: tokens from the VNFM's /oauth2/token (env VNFM_CLIENT_ID)")
    .option(
      '--client-secret-env <var>',
      "environment variable holding that client's secret (env VNFM_CLIENT_SECRET holds one)",
    )
    .option('--ca-file <file>', "PEM CA certificate(s) to trust for the VNFM's HTTPS (env VNFM_CA_FILE)");
}

/** The config file: $VNFM_CONFIG, else ~/.config/vnfm/config.yaml (honouring XDG_CONFIG_HOME). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VNFM_CONFIG) return resolve(env.VNFM_CONFIG);
  const base =
    env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'vnfm', 'config.yaml');
}

/** The config file's contexts; a missing file is an empty config. Malformed content is an error naming the key. */
export function readConfig(path: string): VnfmConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: [] };
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // Whoever can write the file decides where the operator's token is sent.
  const mode = statSync(path).mode;
  if (mode & 0o022) throw new Error(`${path}: writable by group or others; chmod go-w it`);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new Error(`${path}: not YAML: ${oneLine((e as Error).message.split('\n')[0] ?? '')}`);
  }
  return validConfig(raw ?? {}, path);
}

function validConfig(raw: unknown, path: string): VnfmConfig {
  const bad = (what: string) => new Error(`${path}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('must hold a mapping');
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (key !== 'current-context' && key !== 'contexts') throw bad(`unknown key '${oneLine(key, 40)}'`);
  }
  const current = r['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string') {
    throw bad('current-context must be a string');
  }
  const list = r.contexts ?? [];
  if (!Array.isArray(list)) throw bad('contexts must be a list');
  const names = new Set<string>();
  const contexts = list.map((c: unknown, i): ContextEntry => {
    if (typeof c !== 'object' || c === null || Array.isArray(c))
      throw bad(`contexts[${i}] must be a mapping`);
    const e = c as Record<string, unknown>;
    for (const [key, value] of Object.entries(e)) {
      if (!CONTEXT_KEYS.has(key)) throw bad(`contexts[${i}]: unknown key '${oneLine(key, 40)}'`);
      if (typeof value !== 'string' || value === '')
        throw bad(`contexts[${i}].${key} must be a non-empty string`);
    }
    if (!e.name) throw bad(`contexts[${i}] has no name`);
    if (!e.server) throw bad(`contexts[${i}] (${String(e.name)}) has no server`);
    if (names.has(e.name as string)) throw bad(`two contexts are named '${oneLine(String(e.name), 60)}'`);
    names.add(e.name as string);
    return e as unknown as ContextEntry;
  });
  return { ...(current ? { 'current-context': current } : {}), contexts };
}

/** Writes the config file with mode 0600 (atomically: a new file renamed over the old one). */
export function writeConfig(path: string, config: VnfmConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, toYaml(config), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The context called `name`; none is an error naming the file. */
function contextNamed(config: VnfmConfig, name: string, path: string): ContextEntry {
  const found = config.contexts.find((c) => c.name === name);
  if (!found) throw new Error(`no context '${oneLine(name, 60)}' in ${path}`);
  return found;
}

const has = (f: CredentialFlags) => Object.values(f).some((v) => v !== undefined);
const pick = (f: CredentialFlags): CredentialFlags =>
  Object.fromEntries(
    Object.keys(CREDENTIAL_KEYS)
      .map((k) => [k, f[k as keyof CredentialFlags]])
      .filter(([, v]) => v !== undefined),
  ) as CredentialFlags;

/** Credentials the environment holds itself (VNFM_TOKEN…), as the flags that name those variables. */
function envCredentials(env: NodeJS.ProcessEnv): CredentialFlags {
  if (env.VNFM_TOKEN) return { tokenEnv: 'VNFM_TOKEN' };
  if (env.VNFM_TOKEN_FILE) return { tokenFile: env.VNFM_TOKEN_FILE };
  if (env.VNFM_BASIC_USER) return { basicUser: env.VNFM_BASIC_USER, basicPasswordEnv: 'VNFM_BASIC_PASSWORD' };
  if (env.VNFM_CLIENT_ID) return { clientId: env.VNFM_CLIENT_ID, clientSecretEnv: 'VNFM_CLIENT_SECRET' };
  return {};
}

function contextCredentials(c: ContextEntry, base: string): CredentialFlags {
  const out: CredentialFlags = {};
  for (const [flag, key] of Object.entries(CREDENTIAL_KEYS)) {
    const v = c[key];
    if (v !== undefined) out[flag as keyof CredentialFlags] = key === 'token-file' ? resolve(base, v) : v;
  }
  return out;
}

/**
 * The connection: each of server, credentials and CA from the first of flags, environment,
 * context that gives it. A server given by flag or environment without a context named
 * explicitly leaves the config file out, so a context's credentials never go to a server
 * the context is not for.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const flagCreds = pick(flags);
  const named = flags.context ?? env.VNFM_CONTEXT;
  const explicitServer = flags.server ?? env.VNFM_URL;
  let ctx: ContextEntry | undefined;
  let ctxBase = '.';
  if (named !== undefined || explicitServer === undefined) {
    const path = configPath(env);
    const config = readConfig(path);
    const name = named ?? config['current-context'];
    if (name !== undefined) {
      ctx = contextNamed(config, name, path);
      ctxBase = dirname(path);
    }
  }
  const envCreds = envCredentials(env);
  const credentials = has(flagCreds)
    ? flagCreds
    : has(envCreds)
      ? envCreds
      : ctx
        ? contextCredentials(ctx, ctxBase)
        : {};
  const caFile =
    flags.caFile ?? env.VNFM_CA_FILE ?? (ctx?.['ca-file'] ? resolve(ctxBase, ctx['ca-file']) : undefined);
  const source: ConnectionSource = flags.server
    ? 'flags'
    : env.VNFM_URL
      ? 'environment'
      : ctx
        ? `context ${ctx.name}`
        : 'default';
  return {
    server: explicitServer ?? ctx?.server ?? DEFAULT_SERVER,
    credentials,
    ...(caFile ? { caFile } : {}),
    source,
  };
}

/** A token file others can read is a token others have: said on stderr (as ssh does for keys). */
function warnIfExposed(file: string | undefined): void {
  if (!file) return;
  try {
    if (statSync(file).mode & 0o077) {
      process.stderr.write(
        `vnfm: warning: token file ${file} is accessible by group or others (chmod 600 it)\n`,
      );
    }
  } catch {
    /* reading it reports the error */
  }
}

/** The client for a connection given by `flags` (completed from the environment and config file). */
export function clientFrom(flags: ConnectionFlags): VnfmClient {
  const c = resolveConnection(flags);
  if (c.caFile) trustCaFile(c.caFile);
  warnIfExposed(c.credentials.tokenFile);
  return new VnfmClient(c.server, c.credentials);
}

/** The client for `cmd`'s connection (its own flags and the program's global ones). */
export function clientFor(cmd: Command): VnfmClient {
  return clientFrom(cmd.optsWithGlobals<ConnectionFlags>());
}

function authOf(c: ContextEntry): string {
  if (c['token-env']) return `token from $${c['token-env']}`;
  if (c['token-file']) return `token in ${c['token-file']}`;
  if (c['basic-user']) return `basic ${c['basic-user']}`;
  if (c['client-id']) return `oauth2 client ${c['client-id']}`;
  return 'none';
}

export function addContextCommand(program: Command): void {
  const context = program
    .command('context')
    .description(`named VNFM connections in the config file ($VNFM_CONFIG or ~/.config/vnfm/config.yaml)`);

  context
    .command('list')
    .description('the contexts; * marks the current one')
    .action((_o, cmd: Command) => {
      const config = readConfig(configPath());
      const current = config['current-context'];
      const columns: Column<ContextEntry>[] = [
        { header: 'CURRENT', get: (c) => (c.name === current ? '*' : '') },
        { header: 'NAME', get: (c) => c.name },
        { header: 'SERVER', get: (c) => c.server },
        { header: 'AUTH', get: authOf },
        { header: 'CA-FILE', get: (c) => c['ca-file'], wide: true },
      ];
      printList(cmd, config.contexts, columns, (c) => c.name);
    });

  context
    .command('current')
    .description('the connection the other commands use, and where it comes from')
    .action((_o, cmd: Command) => {
      const c = resolveConnection(cmd.optsWithGlobals<ConnectionFlags>());
      process.stdout.write(`${c.server} (${c.source})\n`);
    });

  context
    .command('use <name>')
    .description('make a context the current one')
    .action((name: string) => {
      const path = configPath();
      const config = readConfig(path);
      contextNamed(config, name, path);
      writeConfig(path, { ...config, 'current-context': name });
      process.stdout.write(`current context: ${name}\n`);
    });

  context
    .command('set <name>')
    .description(
      'create or change a context from the global flags (--server, one credential kind, --ca-file); the first one becomes current',
    )
    .action((name: string, _o, cmd: Command) => {
      const flags = cmd.optsWithGlobals<ConnectionFlags>();
      const path = configPath();
      const config = readConfig(path);
      const old = config.contexts.find((c) => c.name === name);
      const server = flags.server ?? old?.server;
      if (!server) throw new Error(`--server: a new context needs the VNFM's URL`);
      new VnfmClient(server, {}); // the URL checks, before anything is written
      const creds = pick(flags);
      const entry: ContextEntry = { name, server };
      // Credentials given replace the old ones whole (one kind per context); none given keeps them.
      if (has(creds)) {
        credentialKind(creds);
        for (const [flag, key] of Object.entries(CREDENTIAL_KEYS)) {
          const v = creds[flag as keyof CredentialFlags];
          if (v !== undefined) entry[key] = key === 'token-file' ? resolve(v) : v;
        }
      } else if (old) {
        for (const key of Object.values(CREDENTIAL_KEYS)) if (old[key] !== undefined) entry[key] = old[key];
      }
      const ca = flags.caFile ? resolve(flags.caFile) : old?.['ca-file'];
      if (ca) entry['ca-file'] = ca;
      const contexts = old
        ? config.contexts.map((c) => (c === old ? entry : c))
        : [...config.contexts, entry];
      writeConfig(path, { 'current-context': config['current-context'] ?? name, contexts });
      process.stdout.write(`context ${name} ${old ? 'changed' : 'created'} in ${path}\n`);
    });

  context
    .command('delete <name>')
    .description('remove a context')
    .action((name: string) => {
      const path = configPath();
      const config = readConfig(path);
      contextNamed(config, name, path);
      const current = config['current-context'] === name ? undefined : config['current-context'];
      writeConfig(path, {
        ...(current ? { 'current-context': current } : {}),
        contexts: config.contexts.filter((c) => c.name !== name),
      });
      process.stdout.write(`context ${name} deleted\n`);
    });
}
