// Where `vnfm vim register|update` take a VIM's fields from, besides flags: a YAML file
// in Tacker's `openstack vim register --config-file` format (read as python-tackerclient
// reads it: auth_url, project_name, type, bearer_token or username + password,
// ssl_ca_cert, extra), or a kubeconfig context (its cluster's server and CA, its user's
// token or client certificate). Both give the body of POST /v1.0/vims, fields unknown to
// the format are errors naming them.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { oneLine } from './vnfm-client.ts';

/** The `vim` object of a /v1.0/vims request, as far as a source gives it. */
export interface VimFields {
  name?: string;
  description?: string;
  type?: string;
  auth_url?: string;
  auth_cred?: Record<string, string>;
  vim_project?: { name: string };
  is_default?: boolean;
  extra?: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A file's text; the error names the flag and the file. */
export function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function yamlMapping(file: string, flag: string): Obj {
  let value: unknown;
  try {
    value = parseYaml(readText(file, flag));
  } catch (e) {
    if ((e as Error).message.startsWith(flag)) throw e;
    throw new Error(`${flag} ${file}: not YAML: ${oneLine((e as Error).message.split('\n')[0] ?? '')}`);
  }
  if (!isObj(value)) throw new Error(`${flag} ${file}: must hold a mapping`);
  return value;
}

/** The keys python-tackerclient reads from a Kubernetes VIM's config file (and `client_cert`/`client_key`, this VNFM's). */
const TACKER_KEYS = [
  'auth_url',
  'project_name',
  'type',
  'bearer_token',
  'username',
  'password',
  'ssl_ca_cert',
  'client_cert',
  'client_key',
  'extra',
] as const;
const SECRET_KEYS = ['bearer_token', 'password', 'client_key'];

/**
 * A Tacker VIM config file as the body of a registration. It holds the cluster's token:
 * one others can read is said on stderr, as Tacker's guides ask for mode 0600.
 */
export function tackerVimFile(file: string): VimFields {
  const flag = '--config-file';
  const c = yamlMapping(file, flag);
  const bad = (what: string) => new Error(`${flag} ${file}: ${what}`);
  for (const key of Object.keys(c)) {
    if (key === 'oidc_token_url' || key === 'client_id' || key === 'client_secret') {
      throw bad(
        `${key}: OpenID Connect credentials are not supported; use bearer_token or client_cert + client_key`,
      );
    }
    if (!(TACKER_KEYS as readonly string[]).includes(key)) throw bad(`unknown key '${oneLine(key, 40)}'`);
  }
  for (const key of TACKER_KEYS) {
    if (key !== 'extra' && c[key] !== undefined && typeof c[key] !== 'string')
      throw bad(`${key} must be a string`);
  }
  if (c.extra !== undefined && !isObj(c.extra)) throw bad('extra must be a mapping');
  const s = c as Record<string, string | undefined>;
  const authCred: Record<string, string> = {};
  // python-tackerclient's order: username + password, else bearer_token; then the CA.
  if (s.username !== undefined && s.password !== undefined) {
    authCred.username = s.username;
    authCred.password = s.password;
  } else if (s.username !== undefined || s.password !== undefined) {
    throw bad('username needs password (and password username)');
  } else if (s.bearer_token !== undefined) authCred.bearer_token = s.bearer_token;
  for (const key of ['client_cert', 'client_key', 'ssl_ca_cert'] as const) if (s[key]) authCred[key] = s[key];
  if (SECRET_KEYS.some((k) => c[k] !== undefined) && statSync(file).mode & 0o077) {
    process.stderr.write(
      `vnfm: warning: ${file} holds credentials and is readable by group or others (chmod 600 it)\n`,
    );
  }
  return {
    ...(s.type !== undefined ? { type: s.type } : {}),
    ...(s.auth_url !== undefined ? { auth_url: s.auth_url } : {}),
    ...(Object.keys(authCred).length ? { auth_cred: authCred } : {}),
    ...(s.project_name !== undefined ? { vim_project: { name: s.project_name } } : {}),
    ...(c.extra !== undefined ? { extra: c.extra as Obj } : {}),
  };
}

/** A kubeconfig's named list entry (`clusters`, `users`, `contexts`) by name. */
function entry(k: Obj, list: string, name: string, file: string): Obj {
  const items = Array.isArray(k[list]) ? (k[list] as unknown[]) : [];
  const found = items.find((i) => isObj(i) && i.name === name) as Obj | undefined;
  const inner = found?.[list.replace(/s$/, '')];
  if (!isObj(inner))
    throw new Error(`--from-kubeconfig ${file}: no ${list.replace(/s$/, '')} '${oneLine(name, 60)}'`);
  return inner;
}

/** `<key>-data` (base64) or `<key>` (a file, relative to the kubeconfig), as text. */
function dataOrFile(o: Obj, key: string, file: string): string | undefined {
  const data = o[`${key}-data`];
  if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
  const path = o[key];
  if (typeof path === 'string')
    return readText(resolve(dirname(file), path), `--from-kubeconfig ${file}: ${key}`);
  return undefined;
}

/**
 * A kubeconfig context as a VIM: the cluster's server (auth_url) and CA (ssl_ca_cert), the
 * user's token (token or tokenFile) or client certificate and key, the context's namespace
 * (vim_project). Exec and auth-provider users are refused: what they yield expires, and
 * the VNFM needs credentials that stay valid.
 */
export function fromKubeconfig(file: string, contextName?: string): VimFields {
  const k = yamlMapping(file, '--from-kubeconfig');
  const name = contextName ?? (typeof k['current-context'] === 'string' ? k['current-context'] : undefined);
  if (!name) throw new Error(`--from-kubeconfig ${file}: no current-context; give --kube-context`);
  const context = entry(k, 'contexts', name, file);
  const cluster = entry(k, 'clusters', String(context.cluster ?? ''), file);
  const user = entry(k, 'users', String(context.user ?? ''), file);
  if (typeof cluster.server !== 'string')
    throw new Error(`--from-kubeconfig ${file}: cluster of '${name}' has no server`);
  if (cluster['insecure-skip-tls-verify'] === true) {
    throw new Error(
      `--from-kubeconfig ${file}: context '${name}' skips TLS verification; the VNFM always verifies`,
    );
  }
  if (user.exec !== undefined || user['auth-provider'] !== undefined) {
    throw new Error(
      `--from-kubeconfig ${file}: user of '${name}' gets its token from a plugin (exec/auth-provider); give a ServiceAccount token instead (--bearer-token-env)`,
    );
  }
  const authCred: Record<string, string> = {};
  const ca = dataOrFile(cluster, 'certificate-authority', file);
  if (ca) authCred.ssl_ca_cert = ca;
  if (typeof user.token === 'string') authCred.bearer_token = user.token;
  else if (typeof user.tokenFile === 'string') {
    authCred.bearer_token = readText(
      resolve(dirname(file), user.tokenFile),
      `--from-kubeconfig ${file}: tokenFile`,
    ).trim();
  } else {
    const cert = dataOrFile(user, 'client-certificate', file);
    const key = dataOrFile(user, 'client-key', file);
    if (cert && key) Object.assign(authCred, { client_cert: cert, client_key: key });
  }
  if (!authCred.bearer_token && !authCred.client_cert) {
    throw new Error(
      `--from-kubeconfig ${file}: user of '${name}' has neither a token nor a client certificate and key`,
    );
  }
  return {
    type: 'kubernetes',
    auth_url: cluster.server,
    auth_cred: authCred,
    vim_project: { name: typeof context.namespace === 'string' ? context.namespace : 'default' },
  };
}
