// The fields of helm_info read strictly, one parser each, shared by VIM registration
// (src/vim/registry.ts) and instantiate requests (src/infra/helm/helm-info.ts): a value
// that would only fail later on the master node — or reach it as something else — is
// refused here with a 400 naming the field.
import { isIPv4, isIPv6 } from 'node:net';
import ssh2 from 'ssh2';
import { badRequest } from '../errors.ts';
import { fingerprint } from '../ssh/session.ts';
import { type HelmInfo, MASK } from './model.ts';
import { parsePythonLiteral, PythonLiteralError } from './python-literal.ts';

type Obj = Record<string, unknown>;
// ssh2 is CommonJS; Node sees `utils` only on its default export.
const { utils } = ssh2;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const HELM_INFO_KEYS = [
  'masternode_ip',
  'masternode_username',
  'masternode_usernames',
  'masternode_password',
  'masternode_private_key',
  'masternode_port',
  'masternode_host_keys',
];
const MAX_MASTERS = 16;
const MAX_SECRET_LENGTH = 16 * 1024;
const DNS_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DNS_NAME = new RegExp(`^(?=.{1,253}$)${DNS_LABEL}(?:\\.${DNS_LABEL})*\\.?$`);

/** Whether text holds a C0 control character or DEL. */
const hasControl = (text: string) =>
  [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** A master-node host: IPv4, IPv6, or a DNS name (so never a space, a shell character or a leading '-'). */
export function validHost(host: string): boolean {
  if (isIPv4(host) || isIPv6(host)) return true;
  if (/^[\d.]+$/.test(host)) return false; // looks numeric but is no IPv4 address (e.g. 1.2.3.999)
  return DNS_NAME.test(host);
}

function parsePort(text: string): number | undefined {
  if (!/^[1-9]\d{0,4}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

/**
 * One masternode_ip entry: `host`, `host:port`, `[v6]`, `[v6]:port` (or a bare IPv6 address,
 * as the spec's samples write it). Undefined when it is none of these.
 */
export function parseMasterAddress(entry: string): { host: string; port?: number } | undefined {
  const v6 = /^\[([^\]]+)\](?::([^:]+))?$/.exec(entry);
  if (v6) {
    const port = v6[2] === undefined ? undefined : parsePort(v6[2]);
    if (!isIPv6(v6[1]!) || (v6[2] !== undefined && port === undefined)) return undefined;
    return { host: v6[1]!, ...(port !== undefined ? { port } : {}) };
  }
  if (isIPv6(entry)) return { host: entry };
  const hp = /^([^:]+):([^:]+)$/.exec(entry);
  if (hp) {
    const port = parsePort(hp[2]!);
    return port !== undefined && validHost(hp[1]!) ? { host: hp[1]!, port } : undefined;
  }
  return validHost(entry) ? { host: entry } : undefined;
}

/** A pinned host key: an OpenSSH public key line (`ssh-ed25519 AAAA… [comment]`) or a `SHA256:…` fingerprint. */
export function validHostKey(key: string): boolean {
  if (/^SHA256:[A-Za-z0-9+/]{43}$/.test(key)) return true;
  if (key.length > 16 * 1024 || hasControl(key)) return false;
  const parsed = utils.parseKey(key);
  return !(parsed instanceof Error) && !Array.isArray(parsed) && !parsed.isPrivateKey();
}

/** A pin as its `SHA256:` fingerprint, so that a key line and its fingerprint compare equal. */
export function pinFingerprint(key: string): string {
  if (key.startsWith('SHA256:')) return key;
  return fingerprint(Buffer.from(key.trim().split(/\s+/)[1] ?? '', 'base64'));
}

/** Why a private key cannot be used for SSH login (undefined: it can). Never quotes the key. */
export function privateKeyProblem(key: string): string | undefined {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error)
    return `not a private key ssh can use (${parsed.message.replace(/:.*$/s, '')})`;
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!first?.isPrivateKey()) return 'a public key, not a private key';
  return undefined;
}

const validUserName = (user: unknown): user is string =>
  typeof user === 'string' && /^[^\s-]\S{0,255}$/.test(user) && !hasControl(user);

/** Reads helm_info given as an object or as a Python-dict string (how Tacker stores it). */
function helmInfoObject(raw: unknown, field: string): Obj {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = parsePythonLiteral(raw);
    } catch (e) {
      if (e instanceof PythonLiteralError) throw badRequest(`${field} is not a valid dict: ${e.message}`);
      throw e;
    }
  }
  if (!isObj(value)) throw badRequest(`${field} must be an object`);
  const unknown = Object.keys(value).filter((k) => !HELM_INFO_KEYS.includes(k));
  if (unknown.length > 0)
    throw badRequest(
      `${field}: unknown field(s) ${unknown.join(', ')} (known: ${HELM_INFO_KEYS.join(', ')})`,
    );
  return value;
}

function readSecret(v: unknown, name: string, allowMask: boolean): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw badRequest(`${name} must be a non-empty string`);
  if (v.length > MAX_SECRET_LENGTH)
    throw badRequest(`${name} is longer than ${MAX_SECRET_LENGTH} characters`);
  if (v === MASK && !allowMask)
    throw badRequest(`${name}: '${MASK}' is the mask the VNFM shows, not a value; give the secret`);
  return v;
}

/**
 * A helm_info, each field it has parsed strictly (any may be missing: a request leaves
 * fields to the VIM). `allowMask`: a secret may be '***' (a request copying the VIM's
 * masked extra; helm-info.ts resolves it), else '***' is refused.
 */
export function readHelmInfo(raw: unknown, field: string, allowMask: boolean): Partial<HelmInfo> {
  const value = helmInfoObject(raw, field);
  const out: Partial<HelmInfo> = {};
  const ips = value.masternode_ip;
  if (ips !== undefined && ips !== null) {
    // The spec's own sample stores a single address as a string.
    const list = typeof ips === 'string' ? [ips] : ips;
    if (!Array.isArray(list) || list.some((ip) => typeof ip !== 'string'))
      throw badRequest(`${field}.masternode_ip must be a list of addresses`);
    if (list.length > MAX_MASTERS)
      throw badRequest(`${field}.masternode_ip lists more than ${MAX_MASTERS} nodes`);
    for (const ip of list as string[]) {
      if (!parseMasterAddress(ip))
        throw badRequest(
          `${field}.masternode_ip: ${JSON.stringify(ip.slice(0, 100))} is not host, host:port or [IPv6]:port (port 1-65535)`,
        );
    }
    out.masternode_ip = list as string[];
  }
  const user = value.masternode_username;
  if (user !== undefined && user !== null) {
    if (!validUserName(user))
      throw badRequest(`${field}.masternode_username must be a user name (no spaces, no leading '-')`);
    out.masternode_username = user;
  }
  const users = value.masternode_usernames;
  if (users !== undefined && users !== null) {
    if (!isObj(users)) throw badRequest(`${field}.masternode_usernames must map addresses to user names`);
    for (const [address, name] of Object.entries(users)) {
      const where = `${field}.masternode_usernames[${JSON.stringify(address.slice(0, 100))}]`;
      if (!parseMasterAddress(address)) throw badRequest(`${where}: not a master-node address`);
      if (!validUserName(name)) throw badRequest(`${where} must be a user name (no spaces, no leading '-')`);
    }
    out.masternode_usernames = users as Record<string, string>;
  }
  const password = readSecret(value.masternode_password, `${field}.masternode_password`, allowMask);
  if (password !== undefined) out.masternode_password = password;
  const key = readSecret(value.masternode_private_key, `${field}.masternode_private_key`, allowMask);
  if (key !== undefined) {
    const problem = key === MASK ? undefined : privateKeyProblem(key);
    if (problem) throw badRequest(`${field}.masternode_private_key is ${problem}`);
    out.masternode_private_key = key;
  }
  const port = value.masternode_port;
  if (port !== undefined && port !== null) {
    const n =
      typeof port === 'string' ? parsePort(port) : Number.isInteger(port) ? (port as number) : undefined;
    if (n === undefined || n < 1 || n > 65535)
      throw badRequest(`${field}.masternode_port must be an integer 1-65535`);
    out.masternode_port = n;
  }
  const pins = value.masternode_host_keys;
  if (pins !== undefined && pins !== null) {
    if (!isObj(pins)) throw badRequest(`${field}.masternode_host_keys must map addresses to host keys`);
    for (const [address, pin] of Object.entries(pins)) {
      const name = `${field}.masternode_host_keys[${JSON.stringify(address.slice(0, 100))}]`;
      if (!parseMasterAddress(address)) throw badRequest(`${name}: not a master-node address`);
      if (typeof pin !== 'string' || !validHostKey(pin))
        throw badRequest(
          `${name} must be an OpenSSH public key line (ssh-ed25519 AAAA…) or a SHA256: fingerprint`,
        );
    }
    out.masternode_host_keys = pins as Record<string, string>;
  }
  return out;
}

export interface MasterNode {
  /** The entry as masternode_ip lists it (the key of masternode_host_keys and of recorded keys). */
  address: string;
  host: string;
  port: number;
}

/**
 * The master nodes in masternode_ip order. An entry may carry its own port
 * (`10.0.0.1:2222`, `[fd00::1]:2222`); otherwise masternode_port, or 22.
 */
export function masterNodes(info: Partial<HelmInfo> | undefined): MasterNode[] {
  const dflt = info?.masternode_port ?? 22;
  return (info?.masternode_ip ?? []).map((address) => {
    const parsed = parseMasterAddress(address);
    if (!parsed)
      throw badRequest(`helm_info.masternode_ip: ${JSON.stringify(address)} is not a master-node address`);
    return { address, host: parsed.host, port: parsed.port ?? dflt };
  });
}

/** `host:port` as errors name a master node (`[v6]:port` for IPv6). */
export const nodeLabel = (n: MasterNode) =>
  n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;

/** The machine and port a node is, however its entry is written. */
export const masterIdentity = (n: MasterNode) => `${n.host.toLowerCase()}|${n.port}`;

/** The key helm_info pins for a node, by its masternode_ip entry or its host. */
export function helmInfoPin(
  node: MasterNode,
  info: Pick<Partial<HelmInfo>, 'masternode_host_keys'>,
): string | undefined {
  const pins = info.masternode_host_keys ?? {};
  return Object.hasOwn(pins, node.address)
    ? pins[node.address]
    : Object.hasOwn(pins, node.host)
      ? pins[node.host]
      : undefined;
}
