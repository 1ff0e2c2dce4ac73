// VNFM configuration: defaults, then environment (VNFM_*), then explicit overrides
// (CLI flags). Invalid values fail fast with one line naming the setting.

export interface Config {
  host: string;
  port: number;
  /** `sqlite:<path>` (the embedded default; `:memory:` for a throwaway store) or `postgres://…`. */
  database: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Package contents and, by default, the secret key live here (shared storage when scaled out). */
  dataDir: string;
  /**
   * File holding the base64 AES-256 key that encrypts secrets at rest. Default
   * `<dataDir>/secret.key`, created on first start for the embedded store; with
   * PostgreSQL every VNFM process must be given the same key.
   */
  secretKeyFile: string;
  /** Items per page of a list answer (SOL013 paging). */
  pageSize: number;
  /** Deadline for the cluster waits of one LCM operation step. */
  lcmTimeoutSeconds: number;
  /** Run the LCM worker inside the server (the embedded default); off for API-only processes. */
  embeddedWorker: boolean;
  /** LCM operations one worker runs at once. */
  workerConcurrency: number;
  /** SSH handshakes in flight at once from this process to one master node (sshd's MaxStartups caps them). */
  sshMaxHandshakes: number;
  /** helm binary for the local transport (no master nodes in the VIM's helm_info). */
  helmBinary: string;
  /** How often idle instances' vnfcResourceInfo is re-read from their clusters (0: never). */
  refreshSeconds: number;
  /** Bytes all VNF packages together may occupy in `<dataDir>/packages` (zips and extracted files). */
  packageQuotaBytes: number;
  /**
   * MgmtDrivers enabled: VNFD artifact name → built-in driver id (src/mgmt/registry.ts).
   * Empty by default: a VNFD naming any artifact in interfaces.Vnflcm is then refused.
   */
  mgmtDrivers: Record<string, string>;
  /** `vnfm worker` only: serve /metrics, /readyz and /healthz on 127.0.0.1 at this port (0: not at all). */
  metricsPort: number;
  /** YAML/JSON file of OAuth 2.0 clients (client_id, secret_hash, scopes); see docs/security.md. */
  authClientsFile: string;
  /** The same text as the file, from VNFM_AUTH_CLIENTS (environment only, never a flag). */
  authClients: string;
  /** Clients' credentials accepted as HTTP Basic on the API as well (lab use). */
  authBasic: boolean;
  /** `iss` of the tokens the VNFM issues. */
  authIssuer: string;
  /** `aud` the VNFM issues and requires of every token, its own and an external issuer's. */
  authAudience: string;
  /** Lifetime of an issued access token. */
  authTokenTtlSeconds: number;
  /** An external authorization server whose tokens are accepted: its `iss` and JWKS URL. */
  authExternalIssuer: string;
  authExternalJwksUrl: string;
  /** PEM server certificate (chain) and key: HTTPS instead of HTTP; re-read on SIGHUP. */
  tlsCert: string;
  tlsKey: string;
  /** PEM CA bundle: clients must present a certificate it signed (mTLS). */
  tlsClientCa: string;
  /**
   * The VNFM's URL as receivers reach it (`https://vnfm.example.net:9890`): links in
   * notifications are made absolute with it. Empty: they stay relative URIs.
   */
  publicUrl: string;
  /** A notification not delivered within this age is given up (EXPIRED). */
  notifyMaxAgeSeconds: number;
  /** First delay before a failed notification is sent again; doubled per attempt up to `notifyRetryMaxMs`. */
  notifyRetryBaseMs: number;
  notifyRetryMaxMs: number;
  /** Upper bound of one POST to a receiver. */
  notifyTimeoutMs: number;
  /** How often the outbox is read when nothing woke the delivery loop (rows written by other processes). */
  notifyPollMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const DEFAULT_CONFIG: Config = {
  host: '127.0.0.1',
  port: 9890,
  database: 'sqlite:data/vnfm.sqlite',
  logLevel: 'info',
  dataDir: 'data',
  secretKeyFile: '',
  pageSize: 100,
  lcmTimeoutSeconds: 300,
  embeddedWorker: true,
  workerConcurrency: 8,
  sshMaxHandshakes: 4,
  helmBinary: 'helm',
  refreshSeconds: 15,
  packageQuotaBytes: 20 * 1024 ** 3,
  mgmtDrivers: {},
  metricsPort: 0,
  authClientsFile: '',
  authClients: '',
  authBasic: false,
  authIssuer: 'helm-vnfm',
  authAudience: 'helm-vnfm',
  authTokenTtlSeconds: 3600,
  authExternalIssuer: '',
  authExternalJwksUrl: '',
  tlsCert: '',
  tlsKey: '',
  tlsClientCa: '',
  publicUrl: '',
  notifyMaxAgeSeconds: 86_400,
  notifyRetryBaseMs: 1000,
  notifyRetryMaxMs: 300_000,
  notifyTimeoutMs: 10_000,
  notifyPollMs: 500,
};

export type ConfigInput = {
  [K in keyof Config]?: string | number | boolean | undefined | (K extends 'mgmtDrivers' ? Config[K] : never);
};

function parsePort(value: string | number | boolean): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`port must be an integer 0-65535, got '${value}'`);
  }
  return n;
}

function parseInteger(what: string, value: unknown, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${what} must be ${min}-${max}, got '${value}'`);
  return n;
}

const BYTE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A byte count: an integer, or one with a binary unit (`512MiB`, `20G`, `1TiB`). */
function parseBytes(what: string, value: unknown): number {
  const m = /^\s*(\d+)\s*(?:([kmgt])(?:i?b)?)?\s*$/i.exec(String(value));
  const n = m ? Number(m[1]) * (BYTE_UNITS[(m[2] ?? '').toLowerCase()] ?? NaN) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ConfigError(
      `${what} must be a positive number of bytes (e.g. 21474836480 or 20GiB), got '${value}'`,
    );
  return n;
}

const ARTIFACT_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * `artifact=driver` pairs, comma-separated (`mgmt-drivers-kubernetes=kubernetes-cluster`);
 * that the driver ids exist is checked against the registry when the context is built.
 */
export function parseMgmtDrivers(value: unknown): Record<string, string> {
  if (typeof value === 'object' && value !== null) return { ...(value as Record<string, string>) };
  const out: Record<string, string> = {};
  for (const pair of String(value ?? '').split(',')) {
    if (!pair.trim()) continue;
    const m = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(pair);
    if (!m || !ARTIFACT_NAME.test(m[1]!) || !ARTIFACT_NAME.test(m[2]!))
      throw new ConfigError(
        `MgmtDrivers must be artifact=driver pairs separated by ',', got '${pair.trim()}'`,
      );
    if (out[m[1]!] !== undefined) throw new ConfigError(`MgmtDrivers name artifact '${m[1]}' twice`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

function parsePageSize(value: string | number | boolean): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new ConfigError(`page size must be 1-10000, got '${value}'`);
  return n;
}

function parseLogLevel(value: string): Config['logLevel'] {
  const found = LOG_LEVELS.find((l) => l === value);
  if (!found) throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got '${value}'`);
  return found;
}

function parseDatabase(value: string): string {
  if (value.startsWith('sqlite:') && value.length > 'sqlite:'.length) return value;
  if (/^postgres(ql)?:\/\/./.test(value)) return value;
  throw new ConfigError(`database must be 'sqlite:<path>' or 'postgres://…', got '${redactUrl(value)}'`);
}

export function fromEnv(env: NodeJS.ProcessEnv = process.env): ConfigInput {
  return {
    host: env.VNFM_HOST,
    port: env.VNFM_PORT,
    database: env.VNFM_DATABASE,
    logLevel: env.VNFM_LOG_LEVEL,
    dataDir: env.VNFM_DATA_DIR,
    secretKeyFile: env.VNFM_SECRET_KEY_FILE,
    pageSize: env.VNFM_PAGE_SIZE,
    lcmTimeoutSeconds: env.VNFM_LCM_TIMEOUT_SECONDS,
    embeddedWorker: env.VNFM_EMBEDDED_WORKER,
    workerConcurrency: env.VNFM_WORKER_CONCURRENCY,
    sshMaxHandshakes: env.VNFM_SSH_MAX_HANDSHAKES,
    helmBinary: env.VNFM_HELM_BINARY,
    refreshSeconds: env.VNFM_REFRESH_SECONDS,
    packageQuotaBytes: env.VNFM_PACKAGE_QUOTA_BYTES,
    mgmtDrivers: env.VNFM_MGMT_DRIVERS,
    metricsPort: env.VNFM_METRICS_PORT,
    authClientsFile: env.VNFM_AUTH_CLIENTS_FILE,
    authClients: env.VNFM_AUTH_CLIENTS,
    authBasic: env.VNFM_AUTH_BASIC,
    authIssuer: env.VNFM_AUTH_ISSUER,
    authAudience: env.VNFM_AUTH_AUDIENCE,
    authTokenTtlSeconds: env.VNFM_AUTH_TOKEN_TTL_SECONDS,
    authExternalIssuer: env.VNFM_AUTH_EXTERNAL_ISSUER,
    authExternalJwksUrl: env.VNFM_AUTH_EXTERNAL_JWKS_URL,
    tlsCert: env.VNFM_TLS_CERT,
    tlsKey: env.VNFM_TLS_KEY,
    tlsClientCa: env.VNFM_TLS_CLIENT_CA,
    publicUrl: env.VNFM_PUBLIC_URL,
    notifyMaxAgeSeconds: env.VNFM_NOTIFY_MAX_AGE_SECONDS,
    notifyRetryBaseMs: env.VNFM_NOTIFY_RETRY_BASE_MS,
    notifyRetryMaxMs: env.VNFM_NOTIFY_RETRY_MAX_MS,
    notifyTimeoutMs: env.VNFM_NOTIFY_TIMEOUT_MS,
    notifyPollMs: env.VNFM_NOTIFY_POLL_MS,
  };
}

/** Merges layers left to right (later wins) and validates the result. */
export function loadConfig(...layers: ConfigInput[]): Config {
  const merged: ConfigInput = { ...DEFAULT_CONFIG };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined && v !== '') (merged as Record<string, unknown>)[k] = v;
    }
  }
  const config: Config = {
    host: String(merged.host),
    port: parsePort(merged.port ?? DEFAULT_CONFIG.port),
    database: parseDatabase(String(merged.database)),
    logLevel: parseLogLevel(String(merged.logLevel)),
    dataDir: String(merged.dataDir),
    secretKeyFile: String(merged.secretKeyFile ?? '') || `${String(merged.dataDir)}/secret.key`,
    pageSize: parsePageSize(merged.pageSize ?? DEFAULT_CONFIG.pageSize),
    lcmTimeoutSeconds: parseInteger('LCM timeout seconds', merged.lcmTimeoutSeconds, 1, 86_400),
    embeddedWorker: String(merged.embeddedWorker) !== 'false',
    workerConcurrency: parseInteger('worker concurrency', merged.workerConcurrency, 1, 256),
    sshMaxHandshakes: parseInteger('SSH max handshakes', merged.sshMaxHandshakes, 1, 64),
    helmBinary: String(merged.helmBinary),
    refreshSeconds: parseInteger('refresh seconds', merged.refreshSeconds, 0, 86_400),
    packageQuotaBytes: parseBytes('package quota', merged.packageQuotaBytes),
    mgmtDrivers: parseMgmtDrivers(merged.mgmtDrivers),
    metricsPort: parsePort(merged.metricsPort ?? 0),
    authClientsFile: String(merged.authClientsFile ?? ''),
    authClients: String(merged.authClients ?? ''),
    authBasic: parseBoolean('auth basic', merged.authBasic),
    authIssuer: String(merged.authIssuer),
    authAudience: String(merged.authAudience),
    authTokenTtlSeconds: parseInteger('auth token TTL seconds', merged.authTokenTtlSeconds, 60, 86_400),
    authExternalIssuer: String(merged.authExternalIssuer ?? ''),
    authExternalJwksUrl: String(merged.authExternalJwksUrl ?? ''),
    tlsCert: String(merged.tlsCert ?? ''),
    tlsKey: String(merged.tlsKey ?? ''),
    tlsClientCa: String(merged.tlsClientCa ?? ''),
    publicUrl: parsePublicUrl(String(merged.publicUrl ?? '')),
    notifyMaxAgeSeconds: parseInteger(
      'notification max age seconds',
      merged.notifyMaxAgeSeconds,
      1,
      30 * 86_400,
    ),
    notifyRetryBaseMs: parseInteger('notification retry base ms', merged.notifyRetryBaseMs, 10, 3_600_000),
    notifyRetryMaxMs: parseInteger('notification retry max ms', merged.notifyRetryMaxMs, 10, 86_400_000),
    notifyTimeoutMs: parseInteger('notification timeout ms', merged.notifyTimeoutMs, 100, 300_000),
    notifyPollMs: parseInteger('notification poll ms', merged.notifyPollMs, 10, 60_000),
  };
  checkSecurity(config);
  return config;
}

/** An http(s) origin, optionally with a path prefix (a reverse proxy's), no trailing slash, query or user info. */
function parsePublicUrl(value: string): string {
  if (!value) return '';
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (
    !u ||
    !/^https?:$/.test(u.protocol) ||
    u.username ||
    u.password ||
    u.search ||
    u.hash ||
    value.length > 2048
  )
    throw new ConfigError(`the public URL must be http(s)://host[:port][/prefix], got '${redactUrl(value)}'`);
  return value.replace(/\/+$/, '');
}

function parseBoolean(what: string, value: unknown): boolean {
  const v = String(value).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${what} must be true or false, got '${value}'`);
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}

/** Whether the configuration turns API authentication on (clients or an external issuer). */
export const authConfigured = (c: Config) =>
  Boolean(c.authClientsFile || c.authClients || c.authExternalIssuer);

/**
 * Safe by default: an API without authentication listens on loopback only. Checked
 * by `serve` alone, so a worker sharing the API servers' environment starts anyway.
 */
export function checkBindAddress(c: Config): void {
  if (!authConfigured(c) && !isLoopback(c.host))
    throw new ConfigError(
      `refusing to serve on ${c.host} without authentication: set VNFM_AUTH_CLIENTS_FILE (--auth-clients) or VNFM_AUTH_EXTERNAL_ISSUER with VNFM_AUTH_EXTERNAL_JWKS_URL (docs/security.md), or bind to 127.0.0.1`,
    );
}

/** TLS and an external issuer come complete. */
function checkSecurity(c: Config): void {
  if (Boolean(c.authExternalIssuer) !== Boolean(c.authExternalJwksUrl))
    throw new ConfigError(
      'an external token issuer needs both VNFM_AUTH_EXTERNAL_ISSUER and VNFM_AUTH_EXTERNAL_JWKS_URL',
    );
  if (c.authExternalJwksUrl && !/^https?:\/\/./.test(c.authExternalJwksUrl))
    throw new ConfigError(`the external JWKS URL must be http(s)://…, got '${c.authExternalJwksUrl}'`);
  if (Boolean(c.tlsCert) !== Boolean(c.tlsKey))
    throw new ConfigError('TLS needs both a certificate (--tls-cert) and its key (--tls-key)');
  if (c.notifyRetryMaxMs < c.notifyRetryBaseMs)
    throw new ConfigError(
      `the notification retry maximum (${c.notifyRetryMaxMs} ms) is below its base (${c.notifyRetryBaseMs} ms)`,
    );
  if (c.tlsClientCa && !c.tlsCert)
    throw new ConfigError(
      'client certificate verification (--tls-client-ca) needs TLS (--tls-cert, --tls-key)',
    );
}

/** A URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
