// Master-node access for Helm mode: the VIM's `extra.helm_info` merged with the
// `vimConnectionInfo[].extra.helm_info` of the instantiate request (the request
// wins field by field; pinned host keys are merged per address), and the list of
// master nodes to try in order. Operators send helm_info as JSON or, like existing
// deployments store it, as a Python-dict string; both are read.
import { badRequest } from '../../errors.ts';
import type { HelmInfo } from '../../vim/model.ts';
import { parsePythonLiteral, PythonLiteralError } from '../../vim/python-literal.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A partial helm_info from a request (any field may be left to the VIM's). */
function readHelmInfo(raw: unknown, field: string): Partial<HelmInfo> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = parsePythonLiteral(raw);
    } catch (e) {
      if (e instanceof PythonLiteralError) throw badRequest(`${field}: not a valid dict: ${e.message}`);
      throw e;
    }
  }
  if (!isObj(value)) throw badRequest(`${field}: must be an object`);
  const out: Partial<HelmInfo> = {};
  const ips = value.masternode_ip;
  if (ips !== undefined) {
    // The spec's own sample stores a single address as a string.
    const list = typeof ips === 'string' ? [ips] : ips;
    if (!Array.isArray(list) || list.some((ip) => typeof ip !== 'string' || ip.trim() === ''))
      throw badRequest(`${field}.masternode_ip: must be an address or a list of addresses`);
    out.masternode_ip = (list as string[]).map((ip) => ip.trim());
  }
  for (const k of ['masternode_username', 'masternode_password', 'masternode_private_key'] as const) {
    const v = value[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw badRequest(`${field}.${k}: must be a string`);
    out[k] = v;
  }
  const port = value.masternode_port;
  if (port !== undefined && port !== null) {
    const n = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 65535)
      throw badRequest(`${field}.masternode_port: must be an integer 1-65535`);
    out.masternode_port = n as number;
  }
  const keys = value.masternode_host_keys;
  if (keys !== undefined && keys !== null) {
    if (!isObj(keys) || Object.values(keys).some((k) => typeof k !== 'string'))
      throw badRequest(`${field}.masternode_host_keys: must map addresses to host keys`);
    out.masternode_host_keys = keys as Record<string, string>;
  }
  return out;
}

/**
 * The helm_info in effect for one instance: the VIM's, overridden field by field by
 * the request's `vimConnectionInfo[].extra.helm_info`. Undefined when neither has one.
 */
export function mergeHelmInfo(
  vimHelmInfo: HelmInfo | string | undefined,
  requestExtra: Record<string, unknown> | undefined,
): HelmInfo | undefined {
  const base = vimHelmInfo === undefined ? undefined : readHelmInfo(vimHelmInfo, 'extra.helm_info');
  const raw = requestExtra?.helm_info;
  const override =
    raw === undefined || raw === null ? undefined : readHelmInfo(raw, 'vimConnectionInfo.extra.helm_info');
  if (!base && !override) return undefined;
  const merged: HelmInfo = {
    ...base,
    ...override,
    masternode_ip: override?.masternode_ip ?? base?.masternode_ip ?? [],
  };
  if (base?.masternode_host_keys || override?.masternode_host_keys)
    merged.masternode_host_keys = { ...base?.masternode_host_keys, ...override?.masternode_host_keys };
  return merged;
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
export function masterNodes(info: HelmInfo | undefined): MasterNode[] {
  const dflt = info?.masternode_port ?? 22;
  return (info?.masternode_ip ?? []).map((address) => {
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
    if (v6) return { address, host: v6[1]!, port: v6[2] ? Number(v6[2]) : dflt };
    const v4 = /^([^:]+):(\d+)$/.exec(address);
    if (v4) return { address, host: v4[1]!, port: Number(v4[2]) };
    return { address, host: address, port: dflt };
  });
}

/** `host:port` as errors name a master node (`[v6]:port` for IPv6). */
export const nodeLabel = (n: MasterNode) =>
  n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;
