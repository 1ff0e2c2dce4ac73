// A hostpool VIM's hosts as a register/update request gives them, parsed strictly:
// each a 400 naming the host and field, never a failure at the first SSH login.
// Secrets follow the rule of credentials.ts: '***' sent back keeps the stored one
// (same host id), and a host whose address, port, user or pinned key changes must be
// given its secret again in the same request, so that a client allowed to update the
// VIM cannot send a stored password or key to a server of its choosing.
import { isIP } from 'node:net';
import { badRequest } from '../errors.ts';
import type { PoolHostSpec } from '../infra/hosts/model.ts';
import { privateKeyProblem, validHost, validHostKey } from './helm-fields.ts';
import { MASK, POOL_HOST_LOGIN_FIELDS, SECRET_POOL_HOST_FIELDS, type VimExtra } from './model.ts';

/** Secret fields given a value (not '***') per host id. */
export type GivenHostSecrets = Map<string, Set<string>>;

const DEFAULT_SSH_PORT = 22;

function addresses(map: Record<string, string> | undefined, field: string): void {
  for (const [cpd, address] of Object.entries(map ?? {}))
    if (!isIP(address)) throw badRequest(`${field}.${cpd}: '${address.slice(0, 64)}' is not an IP address`);
}

/** One host parsed; '***' secrets taken from `stored` (the host of that id as registered). */
function readHost(raw: PoolHostSpec, stored: PoolHostSpec | undefined, field: string): PoolHostSpec {
  const host: PoolHostSpec = { ...raw, port: raw.port ?? DEFAULT_SSH_PORT };
  for (const k of SECRET_POOL_HOST_FIELDS) {
    if (host[k] !== MASK) continue;
    if (stored?.[k] === undefined)
      throw badRequest(`${field}.${k}: '${MASK}' keeps a stored secret, and host ${raw.id} has none stored`);
    host[k] = stored[k];
  }
  if (!validHost(host.address)) throw badRequest(`${field}.address: not an IP address or DNS name`);
  if (!host.password && !host.private_key) throw badRequest(`${field} needs password or private_key`);
  const keyProblem = host.private_key ? privateKeyProblem(host.private_key) : undefined;
  if (keyProblem) throw badRequest(`${field}.private_key: ${keyProblem}`);
  if (!validHostKey(host.host_key))
    throw badRequest(
      `${field}.host_key must be an OpenSSH public key line (ssh-ed25519 AAAA…) or a SHA256: fingerprint`,
    );
  addresses(host.cps, `${field}.cps`);
  return host;
}

/**
 * The extra of a hostpool VIM from a request: hosts parsed (ids unique), '***' resolved
 * against `storedHosts`, and which secrets the request itself gave.
 */
export function readPoolExtra(
  extra: Record<string, unknown> | undefined,
  storedHosts: readonly PoolHostSpec[] = [],
): { extra: VimExtra; given: GivenHostSecrets } {
  const unknown = Object.keys(extra ?? {}).filter((k) => k !== 'hosts' && k !== 'virtual_cps');
  if (unknown.length > 0)
    throw badRequest(`extra.${unknown[0]} is not a field of a hostpool VIM (hosts, virtual_cps)`);
  const rawHosts = extra?.hosts as PoolHostSpec[] | undefined;
  if (!rawHosts) throw badRequest('extra.hosts is required for a hostpool VIM');
  const stored = new Map(storedHosts.map((h) => [h.id, h]));
  const seen = new Set<string>();
  const given: GivenHostSecrets = new Map();
  const hosts = rawHosts.map((raw, i) => {
    const field = `extra.hosts[${i}]`;
    if (seen.has(raw.id)) throw badRequest(`${field}.id: '${raw.id}' is given twice`);
    seen.add(raw.id);
    given.set(
      raw.id,
      new Set(SECRET_POOL_HOST_FIELDS.filter((k) => typeof raw[k] === 'string' && raw[k] !== MASK)),
    );
    return readHost(raw, stored.get(raw.id), field);
  });
  const virtualCps = extra?.virtual_cps as Record<string, string> | undefined;
  addresses(virtualCps, 'extra.virtual_cps');
  return { extra: { hosts, ...(virtualCps ? { virtual_cps: virtualCps } : {}) }, given };
}

/** Refuses an update carrying a host's stored secret to a changed address, port, user or pinned key. */
export function requirePoolSecretsAgain(
  current: readonly PoolHostSpec[],
  next: readonly PoolHostSpec[],
  given: GivenHostSecrets,
): void {
  const before = new Map(current.map((h) => [h.id, h]));
  for (const h of next) {
    const old = before.get(h.id);
    const moved = old && POOL_HOST_LOGIN_FIELDS.find((f) => old[f] !== h[f]);
    if (!moved) continue;
    for (const k of SECRET_POOL_HOST_FIELDS)
      if (h[k] !== undefined && !given.get(h.id)?.has(k))
        throw badRequest(`host ${h.id}: ${moved} changed, so ${k} must be given again`);
  }
}

/** Fields of one VIM type the other refuses (each a clear 400 rather than silently unused). */
export function refuseForeignFields(
  type: string,
  body: { auth_url?: unknown; auth_cred?: unknown; extra?: Record<string, unknown> },
): void {
  if (type === 'hostpool') {
    for (const f of ['auth_url', 'auth_cred'] as const)
      if (body[f] !== undefined)
        throw badRequest(`${f} is not a field of a hostpool VIM: its hosts carry their own credentials`);
    return;
  }
  for (const f of ['hosts', 'virtual_cps'])
    if (body.extra?.[f] !== undefined) throw badRequest(`extra.${f} is a field of hostpool VIMs only`);
}
