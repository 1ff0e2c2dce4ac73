// The VIM as the VNFM holds it (a Kubernetes cluster, or a pool of pre-provisioned
// SSH hosts: src/infra/hosts), and the split of its fields into what may be shown and
// what is secret. One place decides which fields are secrets.
import type { PoolHostSpec } from '../infra/hosts/model.ts';

export interface HelmInfo {
  masternode_ip: string[];
  masternode_username?: string;
  /** Per-address user names, for masters that log in as different users (else masternode_username). */
  masternode_usernames?: Record<string, string>;
  masternode_password?: string;
  masternode_private_key?: string;
  masternode_port?: number;
  /** Host keys pinned per master-node address (`ssh-ed25519 AAAA…` or `SHA256:…`). */
  masternode_host_keys?: Record<string, string>;
}

export interface KubeAuthCred {
  bearer_token?: string;
  ssl_ca_cert?: string;
  client_cert?: string;
  client_key?: string;
  username?: string;
  password?: string;
}

export interface VimExtra {
  helm_info?: HelmInfo;
  /** hostpool VIMs: the hosts (secrets included here; split out at storage). */
  hosts?: PoolHostSpec[];
  /** hostpool VIMs: virtual (VRRP) connection point addresses by cpd id. */
  virtual_cps?: Record<string, string>;
  [key: string]: unknown;
}

export interface Vim {
  id: string;
  name: string;
  description: string;
  /** A hostpool VIM has no API endpoint: authUrl is '' and authCred {}. */
  type: 'kubernetes' | 'hostpool';
  authUrl: string;
  projectName: string;
  isDefault: boolean;
  status: 'REACHABLE' | 'UNREACHABLE';
  authCred: KubeAuthCred;
  extra: VimExtra;
  /** Given in a request's vimConnectionInfo, not registered (vim/inline.ts): helm runs on the VNFM host. */
  inline?: boolean;
  createdAt: string;
  updatedAt: string | null;
}

export const SECRET_AUTH_CRED_FIELDS = ['bearer_token', 'client_key', 'password'] as const;
export const SECRET_HELM_INFO_FIELDS = ['masternode_password', 'masternode_private_key'] as const;
export const SECRET_POOL_HOST_FIELDS = ['password', 'private_key'] as const;
/** A pool host's login: where (and to whom) its secret goes; a change needs the secret again. */
export const POOL_HOST_LOGIN_FIELDS = ['address', 'port', 'username', 'host_key'] as const;
type PoolHostSecrets = Partial<Pick<PoolHostSpec, (typeof SECRET_POOL_HOST_FIELDS)[number]>>;
export const MASK = '***';

/**
 * The one rule for which keys of operator-given objects hold secrets (VIM auth_cred, helm_info,
 * SOL003 vimConnectionInfo accessInfo/interfaceInfo/extra): a key whose name, case, `_` and `-`
 * ignored, ends with one of these. Both VIM field lists above satisfy it (test/vim asserts so).
 */
const SECRET_KEY_ENDINGS = [
  'password',
  'passwd',
  'passphrase',
  'token',
  'secret',
  'privatekey',
  'clientkey',
  'apikey',
  'credential',
  'credentials',
];

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return k === 'key' || SECRET_KEY_ENDINGS.some((e) => k.endsWith(e));
}

/** A PEM private key is a secret under any key name. */
const looksLikePrivateKey = (v: unknown) => typeof v === 'string' && /PRIVATE KEY-----/.test(v);

/** A deep copy with every secret value (by isSecretKey, or a PEM private key anywhere) replaced by MASK. */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (looksLikePrivateKey(value)) return MASK as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      v !== null && v !== undefined && isSecretKey(k) ? MASK : maskSecrets(v),
    ]),
  ) as T;
}

export interface VimSecrets {
  auth_cred: Partial<Pick<KubeAuthCred, (typeof SECRET_AUTH_CRED_FIELDS)[number]>>;
  helm_info: Partial<Pick<HelmInfo, (typeof SECRET_HELM_INFO_FIELDS)[number]>>;
  /** hostpool VIMs: each host's secrets by host id. */
  hosts?: Record<string, PoolHostSecrets>;
}

function pick<T extends object, K extends keyof T>(
  obj: T,
  keys: readonly K[],
): [Partial<Pick<T, K>>, Omit<T, K>] {
  const picked: Partial<Pick<T, K>> = {};
  const rest = { ...obj };
  for (const k of keys) {
    if (obj[k] !== undefined) picked[k] = obj[k];
    delete rest[k];
  }
  return [picked, rest];
}

/** Splits the secret fields out of credentials and extra (for storage). */
export function splitSecrets(authCred: KubeAuthCred, extra: VimExtra) {
  const [credSecrets, credPublic] = pick(authCred, SECRET_AUTH_CRED_FIELDS);
  let extraPublic: VimExtra = extra;
  let helmSecrets: VimSecrets['helm_info'] = {};
  if (extra.helm_info) {
    const [s, rest] = pick(extra.helm_info, SECRET_HELM_INFO_FIELDS);
    helmSecrets = s;
    extraPublic = { ...extra, helm_info: rest as HelmInfo };
  }
  const secrets: VimSecrets = { auth_cred: credSecrets, helm_info: helmSecrets };
  if (extra.hosts) {
    const split = extra.hosts.map((h) => pick(h, SECRET_POOL_HOST_FIELDS));
    secrets.hosts = Object.fromEntries(extra.hosts.map((h, i) => [h.id, split[i]![0]]));
    extraPublic = { ...extraPublic, hosts: split.map(([, rest]) => rest as PoolHostSpec) };
  }
  return { authCredPublic: credPublic as KubeAuthCred, extraPublic, secrets };
}

/** Puts stored secrets back (for use by drivers, never for responses). */
export function joinSecrets(authCredPublic: KubeAuthCred, extraPublic: VimExtra, secrets: VimSecrets) {
  const authCred = { ...authCredPublic, ...secrets.auth_cred };
  let extra: VimExtra = extraPublic.helm_info
    ? { ...extraPublic, helm_info: { ...extraPublic.helm_info, ...secrets.helm_info } }
    : extraPublic;
  if (extraPublic.hosts)
    extra = { ...extra, hosts: extraPublic.hosts.map((h) => ({ ...h, ...secrets.hosts?.[h.id] })) };
  return { authCred, extra };
}

/** The VIM as the API shows it (Tacker's NFVO shape), every secret masked. */
export function vimView(vim: Vim) {
  const { authCredPublic, extraPublic, secrets } = splitSecrets(vim.authCred, vim.extra);
  const maskAll = (o: object) => Object.fromEntries(Object.keys(o).map((k) => [k, MASK]));
  let extra = extraPublic.helm_info
    ? { ...extraPublic, helm_info: { ...extraPublic.helm_info, ...maskAll(secrets.helm_info) } }
    : extraPublic;
  if (extraPublic.hosts)
    extra = {
      ...extra,
      hosts: extraPublic.hosts.map((h) => ({ ...h, ...maskAll(secrets.hosts?.[h.id] ?? {}) })),
    };
  return {
    id: vim.id,
    name: vim.name,
    description: vim.description,
    type: vim.type,
    tenant_id: vim.projectName,
    auth_url: vim.authUrl,
    auth_cred: { ...authCredPublic, ...maskAll(secrets.auth_cred) },
    vim_project: { name: vim.projectName },
    placement_attr: { regions: [] as string[] },
    is_default: vim.isDefault,
    status: vim.status,
    extra,
    created_at: vim.createdAt,
    updated_at: vim.updatedAt,
  };
}
