// The testbed's Kubernetes install script (test/fixtures/k8s-cluster/install_k8s_testbed.sh)
// driven over SSH the way the MgmtDriver's contract says (docs/mgmt-driver.md): copied to a
// private directory, params in a 0600 JSON file, `bash <script> <action> <params>`, result
// on the last MGMT_RESULT line. A real control plane on m11, a second master on m12, a
// kwok worker on w21, the cluster's virtual address 127.0.0.10 held by a master; then m11
// removed (the address moves to m12), and every host reset to nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect as connectTls } from 'node:tls';
import type { SshSession } from '../../src/ssh/session.ts';
import { commandLine } from '../../src/ssh/quote.ts';
import { readEnv, up } from '../../testbed/index.ts';
import type { PoolHost } from '../../testbed/lib/pool-hosts.ts';
import {
  etcdMembers,
  type KubeAccess,
  kubeRequest,
  poolHost,
  sshToPoolHost,
  stopPoolSshd,
  userProcesses,
  wipePoolHost,
} from '../helpers/pool-hosts.ts';
import { eventually } from '../helpers/wait.ts';

const SCRIPT = new URL('../fixtures/k8s-cluster/install_k8s_testbed.sh', import.meta.url).pathname;
const IDS = ['m11', 'm12', 'w21'] as const;
const VIP = '127.0.0.10';
const local = mkdtempSync(join(tmpdir(), 'vnfm-k8s-script-'));
const hosts = new Map<string, PoolHost>();
const sessions = new Map<string, SshSession>();

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  result?: Record<string, unknown>;
}

/** One action of the contract on host `id`: fresh private dir, script and params copied by SFTP. */
async function runAction(id: string, action: string, params: unknown): Promise<Outcome> {
  const host = hosts.get(id);
  const ssh = sessions.get(id);
  assert.ok(host && ssh);
  const dir = `${host.home}/.vnfm/mgmt/${randomUUID()}`;
  const mk = await ssh.exec(['mkdir', '-p', '-m', '0700', dir]);
  assert.equal(mk.code, 0, mk.stderr);
  const paramsFile = join(local, `params-${action}-${id}.json`);
  writeFileSync(paramsFile, JSON.stringify(params), { mode: 0o600 });
  await ssh.putFiles([
    { local: SCRIPT, remote: `${dir}/install_k8s_testbed.sh` },
    { local: paramsFile, remote: `${dir}/params-${action}.json` },
  ]);
  const out = await ssh.execRaw(
    `cd ${commandLine([dir])} && chmod 600 params-${action}.json && ` +
      commandLine(['bash', `${dir}/install_k8s_testbed.sh`, action, `${dir}/params-${action}.json`]),
    { timeoutMs: 400_000 },
  );
  const line = out.stdout
    .split('\n')
    .filter((l) => l.startsWith('MGMT_RESULT '))
    .at(-1);
  return {
    ...out,
    result: line ? (JSON.parse(line.slice('MGMT_RESULT '.length)) as Record<string, unknown>) : undefined,
  };
}

async function ok(id: string, action: string, params: unknown): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  const out = await runAction(id, action, params);
  assert.equal(out.code, 0, `${action} on ${id} failed: ${out.stderr.split('\n').slice(-8).join('\n')}`);
  assert.ok(out.result, `${action} on ${id}: no MGMT_RESULT line in ${JSON.stringify(out.stdout)}`);
  process.stderr.write(`# ${action} on ${id}: ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  return out.result;
}

const masterParams = (id: string) => {
  const h = hosts.get(id);
  assert.ok(h);
  return {
    node_name: `vnfc-${id}`,
    node_ip: h.address,
    cluster_ip: VIP, // the cluster's virtual address: a master holds it
    api_port: 6443,
    extra_sans: ['127.0.0.11', '127.0.0.12'],
    pod_cidr: '10.244.0.0/16',
    cluster_cidr: '10.96.0.0/16',
    proxy: {},
    service_account: { namespace: 'kube-system', name: 'vnfm-admin' },
  };
};

let access: KubeAccess;
let joinData: unknown;
const at = (address: string): KubeAccess => ({ ...access, server: `https://${address}:6443` });

async function version(a: KubeAccess): Promise<string> {
  const res = await kubeRequest(a, '/version');
  assert.equal(res.status, 200, res.body);
  return (JSON.parse(res.body) as { gitVersion: string }).gitVersion;
}

/** The subjectAltName entries of the certificate the API server on `address` presents (verified against the CA). */
function servingSans(address: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = connectTls({ host: address, port: 6443, ca: access.ca }, () => {
      const san = sock.getPeerCertificate().subjectaltname ?? '';
      sock.destroy();
      resolve(san.split(', '));
    });
    sock.on('error', reject);
  });
}

before(async () => {
  for (const id of IDS) {
    await wipePoolHost(id); // a crashed earlier run may have left a cluster behind
    const h = await poolHost(id);
    hosts.set(id, h);
    // m11 by password, the others by key: both ways the VNFM may log in.
    sessions.set(id, await sshToPoolHost(h, id === 'm11' ? 'password' : 'key'));
  }
});

after(async () => {
  for (const id of IDS) {
    await runAction(id, 'reset', {}).catch(() => undefined);
    sessions.get(id)?.close();
  }
  for (const id of IDS) await wipePoolHost(id);
});

test('init with a pod_cidr that is not a CIDR fails before anything starts', async () => {
  const out = await runAction('m11', 'init', { ...masterParams('m11'), pod_cidr: '10.0.0.0/8;touch /tmp/x' });
  assert.notEqual(out.code, 0);
  assert.match(out.stderr, /pod_cidr is not a CIDR/);
  assert.ok(!existsSync(join(hosts.get('m11')?.home ?? '', '.k8s-testbed')));
});

test('init on m11 starts a control plane on 127.0.0.11:6443: the token and CA it returns verify', async () => {
  const r = await ok('m11', 'init', masterParams('m11'));
  assert.equal(r.server, `https://${VIP}:6443`);
  assert.match(String(r.ca_cert), /^-----BEGIN CERTIFICATE-----/);
  assert.equal(typeof r.token, 'string');
  assert.equal(typeof r.join, 'object');
  access = { server: String(r.server), ca: String(r.ca_cert), token: String(r.token) };
  joinData = r.join;
  assert.match(await version(access), /^v1\./);
  assert.match(await version(at('127.0.0.11')), /^v1\./);
  // The token is the dedicated ServiceAccount's, not `default`'s.
  const claims = JSON.parse(Buffer.from(access.token.split('.')[1] ?? '', 'base64url').toString()) as {
    sub: string;
  };
  assert.equal(claims.sub, 'system:serviceaccount:kube-system:vnfm-admin');
  // cluster-admin: it may list nodes; and the master registered itself (tainted).
  const nodes = await kubeRequest(access, '/api/v1/nodes/vnfc-m11');
  assert.equal(nodes.status, 200, nodes.body);
  assert.match(nodes.body, /node-role.kubernetes.io\/control-plane/);
  // The serving certificate names the given addresses and the kubernetes Service, nothing else.
  const sans = await servingSans('127.0.0.11');
  assert.deepEqual(
    sans.filter((s) => s.startsWith('IP Address:')),
    ['IP Address:127.0.0.11', `IP Address:${VIP}`, 'IP Address:127.0.0.12', 'IP Address:10.96.0.1'],
  );
});

test('init again on m11 does not re-init: same CA and token', async () => {
  const r = await ok('m11', 'init', masterParams('m11'));
  assert.equal(r.ca_cert, access.ca);
  assert.equal(r.token, access.token);
});

test('join-info on m11 returns join data; join-master on m12 serves the same cluster, etcd has 2 members', async () => {
  const info = await ok('m11', 'join-info', {});
  assert.equal(typeof info.join, 'object');
  joinData = info.join;
  const r = await ok('m12', 'join-master', { ...masterParams('m12'), join: joinData });
  assert.deepEqual(r, {});
  assert.match(await version(at('127.0.0.12')), /^v1\./);
  assert.deepEqual(await etcdMembers('127.0.0.12'), ['vnfc-m11', 'vnfc-m12']);
  // A retry of the step changes nothing.
  assert.deepEqual(await ok('m12', 'join-master', { ...masterParams('m12'), join: joinData }), {});
  assert.deepEqual(await etcdMembers('127.0.0.11'), ['vnfc-m11', 'vnfc-m12']);
  // A host already set up refuses to become something else.
  const again = await runAction('m12', 'join-worker', {
    node_name: 'vnfc-m12',
    node_ip: '127.0.0.12',
    join: joinData,
  });
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already set up as master/);
});

test('join-worker on w21: its Node is Ready and a Deployment runs a pod on it', async () => {
  assert.deepEqual(
    await ok('w21', 'join-worker', { node_name: 'vnfc-w21', node_ip: '127.0.0.21', join: joinData }),
    {},
  );
  await eventually(
    'Node vnfc-w21 Ready',
    async () => {
      const res = await kubeRequest(access, '/api/v1/nodes/vnfc-w21');
      return res.status === 200 && /"type":"Ready","status":"True"/.test(res.body.replaceAll(/\s/g, ''));
    },
    (ready) => ready,
    120_000,
  );
  // A retry of the step changes nothing.
  assert.deepEqual(
    await ok('w21', 'join-worker', { node_name: 'vnfc-w21', node_ip: '127.0.0.21', join: joinData }),
    {},
  );
  const created = await kubeRequest(access, '/apis/apps/v1/namespaces/default/deployments', {
    method: 'POST',
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    },
  });
  assert.equal(created.status, 201, created.body);
  await eventually(
    'a Running pod of web on vnfc-w21',
    async () => {
      const res = await kubeRequest(access, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
      const { items = [] } = JSON.parse(res.body) as {
        items?: { spec: { nodeName?: string }; status: { phase?: string } }[];
      };
      return items.map((p) => `${p.spec.nodeName}/${p.status.phase}`);
    },
    (pods) => pods.includes('vnfc-w21/Running'),
    180_000,
  );
});

test('remove-node of worker w21, run on m12: its pod is evicted and its Node deleted', async () => {
  const params = { node_name: 'vnfc-w21', node_ip: '127.0.0.21', role: 'worker' };
  assert.deepEqual(await ok('m12', 'remove-node', params), {});
  const on12 = at('127.0.0.12');
  assert.equal((await kubeRequest(on12, '/api/v1/nodes/vnfc-w21')).status, 404);
  const res = await kubeRequest(on12, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
  const { items = [] } = JSON.parse(res.body) as { items?: { spec: { nodeName?: string } }[] };
  assert.deepEqual(
    items.filter((p) => p.spec.nodeName === 'vnfc-w21'),
    [],
  );
});

test('remove-node of m11, run on m12: the cluster answers on .12 and etcd has 1 member', async () => {
  const params = { node_name: 'vnfc-m11', node_ip: '127.0.0.11', role: 'master' };
  assert.deepEqual(await ok('m12', 'remove-node', params), {});
  const on12 = at('127.0.0.12');
  assert.match(await version(on12), /^v1\./);
  assert.deepEqual(await etcdMembers('127.0.0.12'), ['vnfc-m12']);
  assert.equal((await kubeRequest(on12, '/api/v1/nodes/vnfc-m11')).status, 404);
  // Done is done: a retry of the step succeeds too.
  assert.deepEqual(await ok('m12', 'remove-node', params), {});
});

test('reset on each host leaves no process of its user and no file of the cluster; reset on a clean host succeeds', async () => {
  for (const id of IDS) {
    assert.deepEqual(await ok(id, 'reset', {}), {});
    const h = hosts.get(id);
    assert.ok(h);
    for (const f of ['.k8s-testbed', '.kube', '.kwok'])
      assert.ok(!existsSync(join(h.home, f)), `${id}: ${f} left`);
    if (id === 'm11') {
      // m11 held the virtual address; the surviving master takes it over.
      await eventually(
        `the cluster on ${VIP} served by m12`,
        () => version(access).catch((e: Error) => e.message),
        (v) => v.startsWith('v1.'),
        60_000,
      );
    }
  }
  // Again, now on clean hosts.
  for (const id of IDS) assert.deepEqual(await ok(id, 'reset', {}), {});
  for (const id of IDS) {
    sessions.get(id)?.close();
    sessions.delete(id);
  }
  for (const id of IDS) {
    const h = hosts.get(id);
    assert.ok(h);
    await eventually(
      `no process of ${h.user}`,
      () => userProcesses(h.user),
      (ps) => ps === '',
      30_000,
    );
  }
  for (const id of IDS) sessions.set(id, await sshToPoolHost(hosts.get(id) as PoolHost)); // for `after`
});

test('a pool host whose sshd was stopped is down alone: the testbed stays up, and up() starts it again on its port', async () => {
  const w23 = await poolHost('w23');
  await stopPoolSshd('w23');
  await assert.rejects(sshToPoolHost(w23));
  assert.ok(readEnv(), 'the testbed still counts as up');
  const env = await up();
  assert.deepEqual(
    env.poolHosts.find((h) => h.id === 'w23'),
    w23,
  );
  const ssh = await sshToPoolHost(w23);
  ssh.close();
});
