// The cluster as the driver sees it: which bound hosts are masters and which workers
// (by the VDU each role's parameters name), how each logs in, what address it has in
// Kubernetes, and the facts kept between op occs (sealed in the instance store). All of
// it is checked before any SSH, so a wrong parameter never leaves a half-made cluster.
import { badRequest } from '../../errors.ts';
import type { BoundHost, PoolHostSpec } from '../../infra/hosts/model.ts';
import type { ClusterParams, NodeParams } from './params.ts';

export type Role = 'master' | 'worker';

/** A bound host as the driver uses it: its login (request password applied) and node addresses. */
export interface ClusterNode {
  role: Role;
  /** The binding, with the host's credentials as this driver logs in (pass to ctx.ssh). */
  bound: BoundHost;
  /** Kubernetes node name: `vnfc-<vnfcId>`. */
  nodeName: string;
  /** The node's address in the cluster (nic_cp_name's, else ssh_cp_name's). */
  nodeIp: string;
}

/** Facts about the cluster that outlive an op occ; sealed at rest (token, join data). */
export interface ClusterFacts {
  vimId?: string;
  server: string;
  caCert: string;
  token: string;
  /** Opaque join data of the last init/join-info (secrets). */
  join?: unknown;
}

export const nodeName = (vnfcId: string) => `vnfc-${vnfcId}`;

const field = (role: Role, f: string) => `additionalParams.k8s_cluster_installation_param.${role}_node.${f}`;

/** The host as this role logs in: the request's user must be the pool's; its password, if any, replaces the pool's secret. */
export function loginHost(b: BoundHost, p: NodeParams, role: Role): BoundHost {
  if (p.username !== undefined && p.username !== b.host.username)
    throw badRequest(
      `${field(role, 'username')} is ${JSON.stringify(p.username)}, but pool host ${b.host.id} (VNFC ${b.vnfcId}) logs in as ${JSON.stringify(b.host.username)}: the pool's user is used, so give that one or none`,
    );
  if (p.password === undefined) return b;
  const { private_key: _unused, ...rest } = b.host;
  const host: PoolHostSpec = { ...rest, password: p.password };
  return { ...b, host };
}

function node(b: BoundHost, p: NodeParams, role: Role): ClusterNode {
  const cps = b.host.cps ?? {};
  if (!Object.hasOwn(cps, p.ssh_cp_name))
    throw badRequest(
      `${field(role, 'ssh_cp_name')}: pool host ${b.host.id} (VNFC ${b.vnfcId} of ${b.vduId}) has no connection point ${p.ssh_cp_name} (it has ${Object.keys(cps).join(', ') || 'none'})`,
    );
  if (p.nic_cp_name !== undefined && !Object.hasOwn(cps, p.nic_cp_name))
    throw badRequest(
      `${field(role, 'nic_cp_name')}: pool host ${b.host.id} (VNFC ${b.vnfcId}) has no connection point ${p.nic_cp_name}`,
    );
  return {
    role,
    bound: loginHost(b, p, role),
    nodeName: nodeName(b.vnfcId),
    nodeIp: cps[p.nic_cp_name ?? p.ssh_cp_name]!,
  };
}

/** The masters and workers among `hosts`, each in binding order; a host of any other VDU is an error. */
export function clusterNodes(
  hosts: readonly BoundHost[],
  p: ClusterParams,
): { masters: ClusterNode[]; workers: ClusterNode[] } {
  const sorted = [...hosts].sort((a, b) => a.index - b.index);
  const masters: ClusterNode[] = [];
  const workers: ClusterNode[] = [];
  for (const b of sorted) {
    if (b.vduId === p.master.vduId) masters.push(node(b, p.master, 'master'));
    else if (p.worker && b.vduId === p.worker.vduId) workers.push(node(b, p.worker, 'worker'));
    else
      throw badRequest(
        `VNFC ${b.vnfcId} is of VDU ${b.vduId}, which is neither master_node's (${p.master.vduId}) nor worker_node's${p.worker ? ` (${p.worker.vduId})` : ' (no worker_node given)'}`,
      );
  }
  return { masters, workers };
}

/** One bound host as a cluster node of the role its VDU has. */
export function clusterNode(b: BoundHost, p: ClusterParams): ClusterNode {
  const { masters, workers } = clusterNodes([b], p);
  return (masters[0] ?? workers[0])!;
}

/**
 * The address clients reach the API server at: cluster_cp_name's (a VIP) when given — a
 * master host's connection point of that id, else the pool VIM's virtual CP — else the
 * first master's node IP.
 */
export function clusterIp(p: ClusterParams, masters: readonly ClusterNode[]): string {
  const first = masters[0]!;
  const cp = p.master.cluster_cp_name;
  if (cp === undefined) return first.nodeIp;
  const own = (map: Record<string, string> | undefined) =>
    map && Object.hasOwn(map, cp) ? map[cp] : undefined;
  const ip =
    masters.map((m) => own(m.bound.host.cps)).find((a) => a !== undefined) ??
    masters.map((m) => own(m.bound.virtualCps)).find((a) => a !== undefined);
  if (ip === undefined)
    throw badRequest(
      `${field('master', 'cluster_cp_name')}: neither a master's pool host nor the pool VIM's virtual_cps has a connection point ${cp} (the cluster's virtual address)`,
    );
  return ip;
}

/** `true` when `s` holds the MGMT_RESULT fields init must give, with the types they must have. */
export function initResult(r: Record<string, unknown>): {
  server: string;
  caCert: string;
  token: string;
  join: unknown;
} {
  const { server, ca_cert: caCert, token, join } = r;
  if (typeof server !== 'string' || !/^https:\/\/\S+$/.test(server))
    throw new Error('init: MGMT_RESULT has no https server URL');
  if (typeof caCert !== 'string' || !caCert.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error('init: MGMT_RESULT has no PEM ca_cert');
  if (typeof token !== 'string' || token.length < 8 || /\s/.test(token))
    throw new Error('init: MGMT_RESULT has no token');
  if (typeof join !== 'object' || join === null) throw new Error('init: MGMT_RESULT has no join object');
  return { server: server.replace(/\/+$/, ''), caCert, token, join };
}
