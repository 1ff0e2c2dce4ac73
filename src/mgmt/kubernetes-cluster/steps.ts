// The cluster's script actions as journaled steps (docs/mgmt-driver.md's tables):
// init on the first master, join data from a running master, joins, node removal,
// Helm install, and the checks from the VNFM that what the VIM will hold works.
import { checkCluster } from '../../vim/cluster-check.ts';
import { type ClusterFacts, type ClusterNode, clusterIp, initResult } from './cluster.ts';
import { API_PORT, type ClusterOp, SERVICE_ACCOUNT } from './ops.ts';

/** Every address a master's serving certificate must name: the masters' node IPs and SSH addresses, and the cluster IP. */
function extraSans(op: ClusterOp, masters: readonly ClusterNode[]): string[] {
  const all = [clusterIp(op.p, masters), ...masters.flatMap((m) => [m.nodeIp, m.bound.host.address])];
  return [...new Set(all)];
}

/** The request's proxy, for every node's init or join (each node's containerd and kubelet use it). */
const proxy = (op: ClusterOp) => (op.p.proxy ? { proxy: op.p.proxy } : {});

/** `init` on the first master (once per op occ). */
export async function init(
  op: ClusterOp,
  masters: readonly ClusterNode[],
  stepPrefix = '',
): Promise<ClusterFacts> {
  const first = masters[0]!;
  const m = op.p.master;
  const raw = await op.action(
    first,
    'k8s',
    'init',
    {
      node_name: first.nodeName,
      node_ip: first.nodeIp,
      cluster_ip: clusterIp(op.p, masters),
      api_port: API_PORT,
      extra_sans: extraSans(op, masters),
      ...(m.pod_cidr !== undefined ? { pod_cidr: m.pod_cidr } : {}),
      ...(m.cluster_cidr !== undefined ? { cluster_cidr: m.cluster_cidr } : {}),
      ...proxy(op),
      service_account: SERVICE_ACCOUNT,
    },
    `${stepPrefix}k8s.init`,
  );
  const r = initResult(raw);
  op.addSecrets([r.token, r.join]);
  return { server: r.server, caCert: r.caCert, token: r.token, join: r.join };
}

/** Fresh join data from a running master (once per op occ). */
export async function joinInfo(op: ClusterOp, master: ClusterNode, stepPrefix = ''): Promise<unknown> {
  const r = await op.action(master, 'k8s', 'join-info', {}, `${stepPrefix}k8s.join-info`);
  if (typeof r.join !== 'object' || r.join === null)
    throw new Error('join-info: MGMT_RESULT has no join object');
  op.addSecrets([r.join]);
  return r.join;
}

export async function joinMaster(
  op: ClusterOp,
  node: ClusterNode,
  masters: readonly ClusterNode[],
  join: unknown,
  stepPrefix = '',
): Promise<void> {
  await op.action(
    node,
    'k8s',
    'join-master',
    {
      node_name: node.nodeName,
      node_ip: node.nodeIp,
      cluster_ip: clusterIp(op.p, masters),
      api_port: API_PORT,
      extra_sans: extraSans(op, masters),
      ...proxy(op),
      join,
    },
    `${stepPrefix}k8s.join-master:${node.bound.vnfcId}`,
  );
}

export async function joinWorker(
  op: ClusterOp,
  node: ClusterNode,
  join: unknown,
  stepPrefix = '',
): Promise<void> {
  await op.action(
    node,
    'k8s',
    'join-worker',
    { node_name: node.nodeName, node_ip: node.nodeIp, ...proxy(op), join },
    `${stepPrefix}k8s.join-worker:${node.bound.vnfcId}`,
  );
}

/** Drains and deletes `gone` from the cluster, run on master `on` (for a master: its etcd member too). */
export async function removeNode(op: ClusterOp, on: ClusterNode, gone: ClusterNode): Promise<void> {
  await op.action(
    on,
    'k8s',
    'remove-node',
    { node_name: gone.nodeName, node_ip: gone.nodeIp, role: gone.role },
    `k8s.remove-node:${gone.bound.vnfcId}`,
  );
}

/** The Helm script's `install` on a master (helm_archive passed when the request gives one). */
export async function helmInstall(op: ClusterOp, node: ClusterNode, stepPrefix = ''): Promise<void> {
  await op.action(
    node,
    'helm',
    'install',
    op.p.helm_archive ? { helm_archive: op.p.helm_archive } : {},
    `${stepPrefix}helm.install:${node.bound.vnfcId}`,
  );
}

/** The VNFM's own checks: the API server answers /version with the token and CA, helm runs on each master. */
export async function verify(
  op: ClusterOp,
  facts: ClusterFacts,
  masters: readonly ClusterNode[],
): Promise<void> {
  try {
    await checkCluster(facts.server, { bearer_token: facts.token, ssl_ca_cert: facts.caCert });
  } catch (e) {
    throw new Error(`the new cluster's API server fails the VNFM's check: ${(e as Error).message}`);
  }
  if (!op.p.helm_installation_script_path) return;
  for (const m of masters)
    await op.run(m, `helm version:${m.bound.vnfcId}`, ['helm', 'version', '--short'], 60_000);
}

/** The whole install on freshly bound hosts: init, joins, Helm; returns the cluster's facts. */
export async function install(
  op: ClusterOp,
  masters: readonly ClusterNode[],
  workers: readonly ClusterNode[],
  stepPrefix = '',
): Promise<ClusterFacts> {
  for (const n of [...masters, ...workers]) await op.staged(n);
  const facts = await init(op, masters, stepPrefix);
  for (const m of masters.slice(1)) await joinMaster(op, m, masters, facts.join, stepPrefix);
  for (const w of workers) await joinWorker(op, w, facts.join, stepPrefix);
  if (op.p.helm_installation_script_path) for (const m of masters) await helmInstall(op, m, stepPrefix);
  await verify(op, facts, masters);
  return facts;
}
