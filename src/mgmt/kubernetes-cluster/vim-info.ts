// The Kubernetes VIM the driver registers for its cluster and the instance's
// vimConnectionInfo entry for it. helm_info lists the masters' SSH addresses in VNFC
// order (the Helm CNF driver runs helm on masternode_ip[0] and copies charts to every
// listed master); a healed master's replacement takes the old address's index.
import { isIPv6 } from 'node:net';
import type { PoolHostSpec } from '../../infra/hosts/model.ts';
import type { VimConnectionInfo } from '../../lcm/model.ts';
import { type HelmInfo, maskSecrets, type Vim } from '../../vim/model.ts';

/** A master's entry in masternode_ip: its SSH address, with `:port` when the port is not 22. */
export function masterAddress(host: Pick<PoolHostSpec, 'address' | 'port'>): string {
  const port = host.port ?? 22;
  if (port === 22) return host.address;
  return isIPv6(host.address) ? `[${host.address}]:${port}` : `${host.address}:${port}`;
}

export class SharedSecretError extends Error {
  override name = 'SharedSecretError';
}

/**
 * helm_info for masters as they log in (pool host, with the request's password if it gave
 * one). helm_info holds one credential for all masters, so they must share it; user names
 * may differ (then `masternode_usernames` maps each address to its user).
 */
export function helmInfoFor(masters: readonly PoolHostSpec[]): HelmInfo {
  if (masters.length === 0) throw new Error('helm_info needs at least one master');
  const first = masters[0]!;
  const differs = masters.find(
    (m) =>
      (m.password ?? '') !== (first.password ?? '') || (m.private_key ?? '') !== (first.private_key ?? ''),
  );
  if (differs)
    throw new SharedSecretError(
      `masters ${first.id} and ${differs.id} log in with different passwords or keys; helm_info holds one credential for all masters of a cluster, so give the masters' pool hosts one shared secret (or master_node.password)`,
    );
  const addresses = masters.map(masterAddress);
  const users = new Set(masters.map((m) => m.username));
  return {
    masternode_ip: addresses,
    masternode_username: first.username,
    ...(users.size > 1
      ? { masternode_usernames: Object.fromEntries(masters.map((m, i) => [addresses[i]!, m.username])) }
      : {}),
    ...(first.password !== undefined ? { masternode_password: first.password } : {}),
    ...(first.private_key !== undefined ? { masternode_private_key: first.private_key } : {}),
    masternode_host_keys: Object.fromEntries(masters.map((m, i) => [addresses[i]!, m.host_key])),
  };
}

/**
 * helm_info after master `before` was replaced by `after`: `after` takes `before`'s index
 * in masternode_ip (index 0 is where helm runs), its pin and user replace `before`'s.
 * A `before` that is not listed (helm_info from an older run) appends `after`.
 */
export function replaceMaster(info: HelmInfo, before: string, after: PoolHostSpec): HelmInfo {
  const addr = masterAddress(after);
  const index = info.masternode_ip.indexOf(before);
  const ips = [...info.masternode_ip];
  if (index >= 0) ips[index] = addr;
  else ips.push(addr);
  const keys = { ...(info.masternode_host_keys ?? {}) };
  delete keys[before];
  keys[addr] = after.host_key;
  const out: HelmInfo = { ...info, masternode_ip: ips, masternode_host_keys: keys };
  const users = { ...(info.masternode_usernames ?? {}) };
  delete users[before];
  if (info.masternode_usernames || after.username !== info.masternode_username) {
    for (const ip of ips) users[ip] ??= info.masternode_username ?? after.username;
    users[addr] = after.username;
    out.masternode_usernames = users;
  }
  if (index === 0) out.masternode_username = after.username;
  if (out.masternode_usernames && new Set(Object.values(out.masternode_usernames)).size === 1) {
    out.masternode_username = Object.values(out.masternode_usernames)[0]!;
    delete out.masternode_usernames;
  }
  return out;
}

/** The instance's vimConnectionInfo entry for the cluster's VIM (secrets masked: consumers read the VIM). */
export function vimConnection(vim: Pick<Vim, 'id' | 'authUrl' | 'authCred' | 'extra'>): VimConnectionInfo {
  return {
    id: connectionId(vim.id),
    vimId: vim.id,
    vimType: 'kubernetes',
    accessInfo: { authUrl: vim.authUrl },
    interfaceInfo: {
      endpoint: vim.authUrl,
      ...(vim.authCred.ssl_ca_cert ? { ssl_ca_cert: vim.authCred.ssl_ca_cert } : {}),
    },
    ...(vim.extra.helm_info ? { extra: { helm_info: maskSecrets(vim.extra.helm_info) } } : {}),
  };
}

/** The id of the instance's vimConnectionInfo entry for VIM `vimId` (stable across heal). */
export const connectionId = (vimId: string) => `k8s-${vimId.slice(0, 8)}`;
