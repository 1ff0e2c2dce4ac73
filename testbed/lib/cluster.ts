// The testbed's Kubernetes: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok (fake Ready nodes that run pods), each a real binary
// in its own process, plus the ServiceAccount token an operator registers as a VIM.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { binaries } from './paths.ts';
import type { Pki } from './pki.ts';
import { freePort, run, StepError, startDaemon, waitFor } from './proc.ts';

export const KWOK_NODES = ['kwok-node-0', 'kwok-node-1'];
export const VIM_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'vnfm-admin' };

export interface Cluster {
  apiServer: string;
  kubeconfig: string;
  caFile: string;
  bearerToken: string;
}

const b64 = (file: string) => readFileSync(file).toString('base64');

export function kubeconfigYaml(pki: Pki, server: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: testbed
  cluster: {server: "${server}", certificate-authority-data: "${b64(pki.caCert)}"}
users:
- name: testbed-admin
  user: {client-certificate-data: "${b64(pki.adminCert)}", client-key-data: "${b64(pki.adminKey)}"}
contexts:
- name: testbed
  context: {cluster: testbed, user: testbed-admin, namespace: default}
current-context: testbed
`;
}

function get(url: string, pki: Pki): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        timeout: 2000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const bootstrapManifest = () => `${KWOK_NODES.map(
  (name) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {kubernetes.io/hostname: ${name}, kubernetes.io/os: linux, kubernetes.io/arch: amd64, type: kwok}
spec: {}
---
`,
).join('')}apiVersion: v1
kind: ServiceAccount
metadata: {name: ${VIM_SERVICE_ACCOUNT.name}, namespace: ${VIM_SERVICE_ACCOUNT.namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${VIM_SERVICE_ACCOUNT.name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: ${VIM_SERVICE_ACCOUNT.name}, namespace: ${VIM_SERVICE_ACCOUNT.namespace}}
---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: ${VIM_SERVICE_ACCOUNT.name}-token
  namespace: ${VIM_SERVICE_ACCOUNT.namespace}
  annotations: {kubernetes.io/service-account.name: ${VIM_SERVICE_ACCOUNT.name}}
`;

export function kubectl(kubeconfig: string, step: string, args: string[], input?: string): Promise<string> {
  const cacheDir = join(dirname(kubeconfig), 'kube-cache'); // not the caller's ~/.kube
  return run(
    step,
    binaries.kube,
    ['kubectl', `--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args],
    {
      input: input ?? '',
    },
  );
}

export async function startCluster(state: string, pki: Pki): Promise<Cluster> {
  const etcdDir = join(state, 'etcd');
  rmSync(etcdDir, { recursive: true, force: true }); // a fresh cluster every `up`
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  startDaemon(state, 'etcd', binaries.etcd, [
    '--name=testbed',
    `--data-dir=${etcdDir}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=testbed=http://127.0.0.1:${etcdPeer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await waitFor(
    'etcd health',
    async () => (await fetch(`${etcdUrl}/health`)).ok,
    30_000,
    `see ${state}/logs/etcd.log`,
  );

  const apiServer = `https://127.0.0.1:${apiPort}`;
  startDaemon(state, 'kube-apiserver', binaries.kube, [
    'kube-apiserver',
    '--advertise-address=127.0.0.1',
    '--bind-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--etcd-servers=${etcdUrl}`,
    `--cert-dir=${pki.dir}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--authorization-mode=Node,RBAC',
    '--allow-privileged=true',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    '--enable-priority-and-fairness=false',
    '--endpoint-reconciler-type=none',
    '--v=0',
  ]);
  await waitFor(
    'kube-apiserver /readyz',
    async () => (await get(`${apiServer}/readyz`, pki)).status === 200,
    90_000,
    `see ${state}/logs/kube-apiserver.log`,
  );

  const kubeconfig = join(state, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(pki, apiServer), { mode: 0o600 });
  const common = [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0'];
  startDaemon(state, 'kube-controller-manager', binaries.kube, [
    'kube-controller-manager',
    ...common,
    `--service-account-private-key-file=${pki.saKey}`,
    `--root-ca-file=${pki.caCert}`,
    '--use-service-account-credentials=false',
    '--node-monitor-grace-period=60s',
    '--concurrent-deployment-syncs=10',
    '--concurrent-replicaset-syncs=10',
  ]);
  startDaemon(state, 'kube-scheduler', binaries.kube, ['kube-scheduler', ...common]);
  startDaemon(state, 'kwok', binaries.kwok, [
    `--kubeconfig=${kubeconfig}`,
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    `--config=${binaries.kwokStages}`,
    '--cidr=10.244.0.0/16',
    '--node-ip=127.0.0.1',
  ]);

  await kubectl(
    kubeconfig,
    'bootstrap nodes and VIM service account',
    ['apply', '-f', '-'],
    bootstrapManifest(),
  );
  await kubectl(kubeconfig, 'wait for Ready nodes (kwok)', [
    'wait',
    '--for=condition=Ready',
    'node',
    '--all',
    '--timeout=90s',
  ]);
  await waitFor(
    'the default ServiceAccount (kube-controller-manager)',
    async () =>
      (
        await kubectl(kubeconfig, 'get default sa', ['get', 'sa', 'default', '-n', 'default', '-o', 'name'])
      ).trim() !== '',
    60_000,
    `see ${state}/logs/kube-controller-manager.log`,
  );
  let bearerToken = '';
  await waitFor(
    'the VIM service-account token',
    async () => {
      const out = await kubectl(kubeconfig, 'read VIM token', [
        'get',
        'secret',
        `${VIM_SERVICE_ACCOUNT.name}-token`,
        '-n',
        VIM_SERVICE_ACCOUNT.namespace,
        '-o',
        'jsonpath={.data.token}',
      ]);
      bearerToken = Buffer.from(out.trim(), 'base64').toString('utf8');
      return bearerToken !== '';
    },
    60_000,
  );
  if (!bearerToken) throw new StepError('VIM token: empty');
  return { apiServer, kubeconfig, caFile: pki.caCert, bearerToken };
}
