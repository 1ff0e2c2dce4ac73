// The Kubernetes-cluster VNF end to end on the testbed's pool hosts (issue 11's
// acceptance): the sample package, its Kubernetes script swapped for the testbed's
// (a real etcd + kube-apiserver + controllers + kwok per host), the built-in
// kubernetes-cluster MgmtDriver. Instantiate 2 masters + 1 worker → the VIM with both
// masters and a token that works → a Helm CNF over SSH on it → heal master 0 → the CNF
// scales through the healed master (masternode_ip[0] is the new host) → accept refusals,
// worker scale out / heal / scale in → whole-VNF heal keeps the VIM id → terminate the
// CNF → terminate the cluster: VIM gone, hosts FREE and clean. Then faults: a script
// failing once (FAILED_TEMP, retry: no second init, one VIM; the only master cannot be
// healed), a worker's sshd down (FAILED_TEMP, retry), a changed host key (FAILED_TEMP,
// nothing run there; that host is never wiped with an unverified key, until the operator
// pins its real key and the rollback runs again), rollback (no VIM, hosts FREE and clean).
// The VIP test takes the cluster's address from the pool VIM's virtual_cps.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { poolHostStates } from '../../src/db/queries/pool-hosts.ts';
import { getVim } from '../../src/db/queries/vims.ts';
import type { PoolHostSpec } from '../../src/infra/hosts/model.ts';
import type { PoolHost } from '../../testbed/lib/pool-hosts.ts';
import { buildPackage, HELM_SCRIPT, K8S_SCRIPT } from '../../samples/kubernetes-cluster/build.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, onboardZip, opOccSettled, startOp } from '../helpers/lcm.ts';
import {
  kubeRequest,
  sshToPoolHost,
  startPoolSshd,
  stopPoolSshd,
  userProcesses,
  wipePoolHost,
} from '../helpers/pool-hosts.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const DRIVERS = { 'mgmt-drivers-kubernetes': 'kubernetes-cluster' };
const TESTBED_SCRIPT = new URL('../fixtures/k8s-cluster/install_k8s_testbed.sh', import.meta.url).pathname;
/** A cluster install takes minutes on the loaded 2-core machine: an upper bound, never a wait. */
const OP_TIMEOUT_MS = 900_000;

/** The pool as the operator registers it: each host restricted to its VDU, its CP the SSH address. */
function poolSpec(h: PoolHost, over: Partial<PoolHostSpec> = {}): PoolHostSpec {
  const master = h.role === 'master';
  return {
    id: h.id,
    address: h.address,
    port: h.port,
    username: h.user,
    password: h.password,
    host_key: h.hostKey,
    cps: { [master ? 'CP1' : 'CP2']: h.address },
    labels: { vdu: master ? 'masterNode' : 'workerNode' },
    ...over,
  };
}

async function registerPool(
  vnfm: TestVnfm,
  name: string,
  hosts: PoolHostSpec[],
  virtualCps?: Record<string, string>,
): Promise<string> {
  const extra = { hosts, ...(virtualCps ? { virtual_cps: virtualCps } : {}) };
  const res = await vnfm.request('POST', '/v1.0/vims', {
    vim: { name, type: 'hostpool', description: 'testbed pool hosts', extra },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.vim.id;
}

/** Onboards the sample cluster package with `files` swapped in; returns its vnfdId. */
async function onboardCluster(vnfm: TestVnfm, files: Record<string, string | Buffer>): Promise<string> {
  const vnfdId = randomUUID();
  await onboardZip(vnfm, await buildPackage({ vnfdId, files }));
  return vnfdId;
}

async function clusterRequest(poolVimId: string, level: string, vimName: string, master: object = {}) {
  const env = await testbed();
  return {
    flavourId: 'simple',
    instantiationLevelId: level,
    vimConnectionInfo: [{ id: 'pool', vimId: poolVimId, vimType: 'openstack' }],
    additionalParams: {
      k8s_cluster_installation_param: {
        script_path: K8S_SCRIPT,
        vim_name: vimName,
        master_node: { aspect_id: 'master_instance', ssh_cp_name: 'CP1', ...master },
        worker_node: { aspect_id: 'worker_instance', ssh_cp_name: 'CP2' },
        helm_installation_script_path: HELM_SCRIPT,
        helm_archive: { path: env.helmArchive.path, sha256: env.helmArchive.sha256 },
      },
    },
  };
}

const runLong = async (vnfm: TestVnfm, id: string, op: string, body: object, expect = 'COMPLETED') => {
  const opId = await startOp(vnfm, id, op, body);
  const done = await opOccSettled(vnfm, opId, OP_TIMEOUT_MS);
  assert.equal(done.operationState, expect, JSON.stringify(done.error));
  return done;
};

const instance = async (vnfm: TestVnfm, id: string) =>
  (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;

/**
 * A master's masternode_ip entry as the VNFM writes it: the address, with `:port` when the
 * testbed's sshd is not on 22 (it takes another port when 22 is in use on that address).
 */
const sshEntry = (h: PoolHost) => (h.port === 22 ? h.address : `${h.address}:${h.port}`);

/** The instance's VNFCs of a VDU in binding order (masternode_ip's), with the pool host each is on. */
async function vnfcs(
  vnfm: TestVnfm,
  poolVimId: string,
  id: string,
  vdu: string,
): Promise<{ id: string; host: PoolHost }[]> {
  const env = await testbed();
  const info = (await instance(vnfm, id)).instantiatedVnfInfo;
  const order = new Map(
    (await poolHostStates(vnfm.ctx.db, poolVimId)).map((r) => [r.vnfc_id, r.bind_index ?? 0]),
  );
  return info.vnfcResourceInfo
    .filter((v: any) => v.vduId === vdu)
    .sort((a: any, b: any) => order.get(a.id)! - order.get(b.id)!)
    .map((v: any) => ({ id: v.id, host: env.poolHosts.find((h) => h.id === v.computeResource.resourceId)! }));
}

async function kubeAccess(vnfm: TestVnfm, vimId: string) {
  const vim = await getVim(vnfm.ctx.db, vnfm.ctx.secrets, vimId);
  assert.ok(vim, `VIM ${vimId} exists`);
  return { server: vim.authUrl, ca: vim.authCred.ssl_ca_cert!, token: vim.authCred.bearer_token! };
}

async function remote(host: PoolHost, argv: string[]) {
  const ssh = await sshToPoolHost(host);
  try {
    return await ssh.exec(argv);
  } finally {
    ssh.close();
  }
}

/** What the cluster install, Helm and the VNFM left on a host: its home holds only .ssh, no daemon runs. */
async function assertClean(host: PoolHost) {
  const ls = await remote(host, ['ls', '-A', host.home]);
  assert.deepEqual(ls.stdout.split('\n').filter(Boolean), ['.ssh'], `home of ${host.id} after release`);
  // A zombie (`<defunct>`) holds nothing but its pid until init reaps it.
  const daemons = (await userProcesses(host.user))
    .split('\n')
    .filter((l) => /etcd|kube|kwok|helm/.test(l) && !l.includes('<defunct>'));
  assert.deepEqual(daemons, [], `no daemon left on ${host.id}`);
}

const vimView = async (vnfm: TestVnfm, id: string) => vnfm.request('GET', `/v1.0/vims/${id}`);

const fresh = async () => {
  const env = await testbed();
  for (const h of env.poolHosts) await wipePoolHost(h.id);
};

describe('Kubernetes-cluster VNF on pool hosts, with a Helm CNF on it', { timeout: 3 * 3600_000 }, () => {
  let vnfm: TestVnfm;
  let poolVimId = '';
  let clusterId = '';
  let cnfId = '';
  let vimId = '';
  let masters: { id: string; host: PoolHost }[] = [];

  before(async () => {
    await fresh();
    vnfm = await startVnfm(await freshStore('sqlite'), { mgmtDrivers: DRIVERS });
    const env = await testbed();
    poolVimId = await registerPool(
      vnfm,
      'pool',
      env.poolHosts.map((h) => poolSpec(h)),
    );
    const vnfdId = await onboardCluster(vnfm, { [K8S_SCRIPT]: readFileSync(TESTBED_SCRIPT) });
    clusterId = await createInstance(vnfm, vnfdId, 'k8s-cluster');
  });
  after(async () => {
    await vnfm.close();
    await fresh();
  });

  test('instantiate 2 masters + 1 worker: a VIM with both masters, a token that works, Helm on each master', async () => {
    const t0 = Date.now();
    await runLong(
      vnfm,
      clusterId,
      'instantiate',
      await clusterRequest(poolVimId, 'instantiation_level_2', 'k8s-e2e'),
    );
    process.stderr.write(`# cluster instantiate: ${((Date.now() - t0) / 1000).toFixed(0)}s\n`);
    const inst = await instance(vnfm, clusterId);
    assert.equal(inst.vimConnectionInfo[0].id, 'pool', 'the pool entry stays first');
    const k8s = inst.vimConnectionInfo.filter((v: any) => v.vimType === 'kubernetes');
    assert.equal(k8s.length, 1);
    vimId = k8s[0].vimId;
    masters = await vnfcs(vnfm, poolVimId, clusterId, 'masterNode');
    const workers = await vnfcs(vnfm, poolVimId, clusterId, 'workerNode');
    assert.equal(masters.length, 2);
    assert.equal(workers.length, 1);

    const vim = (await vimView(vnfm, vimId)).body.vim;
    assert.equal(vim.name, 'k8s-e2e');
    assert.deepEqual(
      vim.extra.helm_info.masternode_ip,
      masters.map((m) => sshEntry(m.host)),
    );
    assert.equal(vim.extra.helm_info.masternode_password, '***');
    assert.equal(vim.auth_cred.bearer_token, '***');
    assert.equal(k8s[0].extra.helm_info.masternode_password, '***');

    const access = await kubeAccess(vnfm, vimId);
    const nodes = await kubeRequest(access, '/api/v1/nodes');
    assert.equal(nodes.status, 200, nodes.body);
    const names = (JSON.parse(nodes.body).items as any[]).map((n) => n.metadata.name).sort();
    assert.deepEqual(names, [...masters, ...workers].map((v) => `vnfc-${v.id}`).sort());
    for (const m of masters) {
      const v = await remote(m.host, ['helm', 'version', '--short']);
      assert.equal(v.code, 0, v.stderr);
    }
    // The token, the hosts' password and the join data's private keys (journaled) are sealed wherever stored.
    const journal = await sql<{ output: string }>`SELECT output FROM mgmt_journal`.execute(vnfm.ctx.db);
    const joinSecrets = journal.rows
      .map((r) => vnfm.ctx.secrets.openJson<{ v?: { join?: Record<string, unknown> } }>(r.output).v?.join)
      .flatMap((j) => Object.values(j ?? {}))
      .filter((v): v is string => typeof v === 'string' && v.includes('PRIVATE KEY'))
      .flatMap((pem) => pem.split('\n').filter((line) => line.length >= 40)); // the base64 body lines
    assert.ok(joinSecrets.length > 0, 'init journaled its join data');
    for (const table of ['vims', 'vnf_instances', 'vnf_lcm_op_occs', 'mgmt_journal', 'pool_hosts']) {
      const rows = JSON.stringify((await sql`SELECT * FROM ${sql.table(table)}`.execute(vnfm.ctx.db)).rows);
      for (const secret of [access.token, masters[0]!.host.password, ...joinSecrets])
        assert.ok(!rows.includes(secret), `a secret in the clear in ${table}`);
    }
    const logs = vnfm.logs();
    assert.ok(!logs.includes(access.token), 'the token is never logged');
    assert.ok(!logs.includes(masters[0]!.host.password), 'the hosts password is never logged');
  });

  test('a Helm CNF instantiates on the new VIM over SSH to its first master', async () => {
    const { vnfdId } = await onboardPackage(vnfm);
    cnfId = await createInstance(vnfm, vnfdId, 'cnf-on-cluster');
    await runLong(vnfm, cnfId, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
      additionalParams: {
        namespace: 'default',
        use_helm: 'true',
        using_helm_install_param: [
          {
            exthelmchart: 'false',
            helmchartfile_path: CHART_PATH,
            helmreleasename: 'vdu1',
            helmparameter: [],
          },
          {
            exthelmchart: 'false',
            helmchartfile_path: CHART_PATH,
            helmreleasename: 'vdu2',
            helmparameter: [],
          },
        ],
        helm_replica_values: { vdu1_aspect: 'replicaCount', vdu2_aspect: 'replicaCount' },
        vdu_mapping: {
          VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
          VDU2: { name: 'vdu2-app', kind: 'Deployment', helmreleasename: 'vdu2' },
        },
      },
    });
    const list = await remote(masters[0]!.host, ['helm', 'list', '-n', 'default', '-o', 'json']);
    assert.deepEqual((JSON.parse(list.stdout) as any[]).map((r) => r.name).sort(), ['vdu1', 'vdu2']);
  });

  test('heal master 0: a spare takes index 0 of masternode_ip, the VIM keeps its id, Helm state restored', async () => {
    const old = masters[0]!;
    await runLong(vnfm, clusterId, 'heal', { vnfcInstanceId: [old.id], cause: 'e2e: master 0' });
    const now = await vnfcs(vnfm, poolVimId, clusterId, 'masterNode');
    const healed = now.find((m) => m.id === old.id)!;
    assert.notEqual(healed.host.id, old.host.id, 'the VNFC is on another host');
    const vim = (await vimView(vnfm, vimId)).body.vim;
    assert.equal(vim.id, vimId);
    assert.deepEqual(vim.extra.helm_info.masternode_ip, [sshEntry(healed.host), sshEntry(masters[1]!.host)]);
    assert.equal(vim.extra.helm_info.masternode_host_keys[sshEntry(healed.host)], healed.host.hostKey);
    assert.equal(vim.extra.helm_info.masternode_host_keys[sshEntry(old.host)], undefined);
    const entry = (await instance(vnfm, clusterId)).vimConnectionInfo.find((v: any) => v.vimId === vimId);
    assert.equal(entry.extra.helm_info.masternode_ip[0], sshEntry(healed.host));
    // The chart directories the CNF driver keeps, copied from the survivor through the VNFM.
    const charts = await remote(healed.host, ['ls', `${healed.host.home}/vnfm/${cnfId}`]);
    assert.equal(charts.code, 0, charts.stderr);
    const access = await kubeAccess(vnfm, vimId);
    const nodes = await kubeRequest(access, '/api/v1/nodes');
    assert.equal(nodes.status, 200, nodes.body);
    assert.equal((JSON.parse(nodes.body).items as any[]).length, 3);
    masters = [healed, masters[1]!];
  });

  test('the CNF scales out through the healed master', async () => {
    await runLong(vnfm, cnfId, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
    const values = await remote(masters[0]!.host, [
      'helm',
      'get',
      'values',
      'vdu1',
      '-n',
      'default',
      '-o',
      'json',
    ]);
    assert.equal(values.code, 0, values.stderr);
    assert.equal(JSON.parse(values.stdout).replicaCount, 2);
  });

  test('refused at accept: scaling the master aspect (400), healing every master at once (409)', async () => {
    const scale = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${clusterId}/scale`, {
      type: 'SCALE_OUT',
      aspectId: 'master_instance',
      numberOfSteps: 1,
    });
    assert.equal(scale.status, 400, JSON.stringify(scale.body));
    assert.match(scale.body.detail, /master/);
    const heal = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${clusterId}/heal`, {
      vnfcInstanceId: masters.map((m) => m.id),
    });
    assert.equal(heal.status, 409, JSON.stringify(heal.body));
  });

  test('workers: scale out joins one, heal rejoins it on a spare, scale in removes it; helm_info unchanged', async () => {
    const access = async () => kubeAccess(vnfm, vimId);
    const nodeNames = async () =>
      (JSON.parse((await kubeRequest(await access(), '/api/v1/nodes')).body).items as any[])
        .map((n) => n.metadata.name)
        .sort();
    const helmInfo = async () => (await vimView(vnfm, vimId)).body.vim.extra.helm_info;
    const before = await helmInfo();
    await runLong(vnfm, clusterId, 'scale', {
      type: 'SCALE_OUT',
      aspectId: 'worker_instance',
      numberOfSteps: 1,
    });
    let workers = await vnfcs(vnfm, poolVimId, clusterId, 'workerNode');
    assert.equal(workers.length, 2);
    assert.ok((await nodeNames()).includes(`vnfc-${workers[1]!.id}`));
    const added = workers[1]!;
    await runLong(vnfm, clusterId, 'heal', { vnfcInstanceId: [added.id] });
    workers = await vnfcs(vnfm, poolVimId, clusterId, 'workerNode');
    const moved = workers.find((w) => w.id === added.id)!;
    assert.notEqual(moved.host.id, added.host.id);
    assert.ok((await nodeNames()).includes(`vnfc-${added.id}`));
    await assertClean(added.host);
    await runLong(vnfm, clusterId, 'scale', {
      type: 'SCALE_IN',
      aspectId: 'worker_instance',
      numberOfSteps: 1,
    });
    workers = await vnfcs(vnfm, poolVimId, clusterId, 'workerNode');
    assert.equal(workers.length, 1);
    assert.ok(!(await nodeNames()).includes(`vnfc-${added.id}`));
    await assertClean(moved.host);
    assert.deepEqual(await helmInfo(), before);
  });

  test('whole-VNF heal: refused while the CNF uses the VIM, forced it rebuilds the cluster under the same VIM id', async () => {
    const refused = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${clusterId}/heal`, {});
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    const before = await kubeAccess(vnfm, vimId);
    await runLong(vnfm, clusterId, 'heal', { additionalParams: { force: true } });
    const vim = (await vimView(vnfm, vimId)).body.vim;
    assert.equal(vim.status, 'REACHABLE');
    const now = await kubeAccess(vnfm, vimId);
    assert.notEqual(now.ca, before.ca, 'a new cluster, a new CA');
    const ok = await kubeRequest(now, '/api/v1/nodes');
    assert.equal(ok.status, 200, ok.body);
    const stale = await kubeRequest({ ...now, token: before.token }, '/api/v1/nodes');
    assert.equal(stale.status, 401, 'the new cluster refuses the old token');
    masters = await vnfcs(vnfm, poolVimId, clusterId, 'masterNode');
    assert.deepEqual(
      vim.extra.helm_info.masternode_ip,
      masters.map((m) => sshEntry(m.host)),
    );
  });

  test('terminate: refused while the CNF uses the VIM; then CNF, then cluster: VIM gone, hosts FREE and clean', async () => {
    const refused = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${clusterId}/terminate`, {
      terminationType: 'FORCEFUL',
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    await runLong(vnfm, cnfId, 'terminate', { terminationType: 'FORCEFUL' });
    assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${cnfId}`)).status, 204);
    await runLong(vnfm, clusterId, 'terminate', { terminationType: 'FORCEFUL' });
    assert.equal((await vimView(vnfm, vimId)).status, 404);
    const inst = await instance(vnfm, clusterId);
    assert.ok(!(inst.vimConnectionInfo ?? []).some((v: any) => v.vimId === vimId));
    const states = await poolHostStates(vnfm.ctx.db, poolVimId);
    assert.deepEqual(
      states.map((s) => s.state),
      states.map(() => 'FREE'),
    );
    for (const h of (await testbed()).poolHosts) await assertClean(h);
  });
});

describe(
  'Kubernetes-cluster VNF behind a virtual address (cluster_cp_name)',
  { timeout: 3 * 3600_000 },
  () => {
    const VIP = '127.0.0.10';
    let vnfm: TestVnfm;
    let poolVimId = '';
    let clusterId = '';

    before(async () => {
      await fresh();
      vnfm = await startVnfm(await freshStore('sqlite'), { mgmtDrivers: DRIVERS });
      const env = await testbed();
      // The pool VIM holds the VIP as a virtual CP under the cpd id cluster_cp_name names
      // (no host lists it: it belongs to whichever master holds it).
      const hosts = env.poolHosts
        .filter((h) => ['m11', 'm12', 'm13', 'w21'].includes(h.id))
        .map((h) => poolSpec(h));
      poolVimId = await registerPool(vnfm, 'pool-vip', hosts, { vip_CP: VIP });
      const vnfdId = await onboardCluster(vnfm, { [K8S_SCRIPT]: readFileSync(TESTBED_SCRIPT) });
      clusterId = await createInstance(vnfm, vnfdId, 'k8s-vip');
    });
    after(async () => {
      await vnfm.close();
      await fresh();
    });

    test('the VIM names the VIP; healing the master holding it keeps auth_url, and the token still works', async () => {
      const body = await clusterRequest(poolVimId, 'instantiation_level_2', 'k8s-vip', {
        cluster_cp_name: 'vip_CP',
      });
      await runLong(vnfm, clusterId, 'instantiate', body);
      const vimId = (await instance(vnfm, clusterId)).vimConnectionInfo.find(
        (v: any) => v.vimType === 'kubernetes',
      ).vimId;
      assert.equal((await vimView(vnfm, vimId)).body.vim.auth_url, `https://${VIP}:6443`);
      const masters = await vnfcs(vnfm, poolVimId, clusterId, 'masterNode');
      await runLong(vnfm, clusterId, 'heal', { vnfcInstanceId: [masters[0]!.id] });
      const vim = (await vimView(vnfm, vimId)).body.vim;
      assert.equal(vim.auth_url, `https://${VIP}:6443`);
      const healed = (await vnfcs(vnfm, poolVimId, clusterId, 'masterNode'))[0]!;
      assert.equal(vim.extra.helm_info.masternode_ip[0], sshEntry(healed.host));
      const nodes = await kubeRequest(await kubeAccess(vnfm, vimId), '/api/v1/nodes');
      assert.equal(nodes.status, 200, nodes.body);
      await runLong(vnfm, clusterId, 'terminate', { terminationType: 'FORCEFUL' });
      for (const h of (await testbed()).poolHosts) await assertClean(h);
    });
  },
);

/** A Kubernetes script that wraps the testbed's: counts inits, and fails join-worker (once, or always). */
type Fault = 'once' | 'always' | { nodeIp: string };
/** When the wrapper's join-worker fails: the first time on each host, always, or always on one node. */
const faultTest = (mode: Fault) =>
  mode === 'once'
    ? '[ ! -e "$HOME/.fault-fired" ]'
    : mode === 'always'
      ? 'true'
      : `grep -qF '"node_ip":"${mode.nodeIp}"' "$2"`;

const wrapper = (mode: Fault) => `#!/usr/bin/env bash
# Test wrapper around install_k8s_testbed.sh: records each init, fails join-worker when
# ${faultTest(mode)} (printing the join data's secrets, which the VNFM must redact).
set -euo pipefail
here=$(cd -- "$(dirname -- "\${BASH_SOURCE[0]}")" && pwd)
# Each init and join records the proxy its params carry.
case "$1" in init | join-master | join-worker)
  python3 -c 'import json,sys; print(sys.argv[2], json.dumps(json.load(open(sys.argv[1])).get("proxy"), sort_keys=True, separators=(",", ":")))' "$2" "$1" >>"$HOME/.fault-proxy" ;;
esac
case "$1" in
  init) echo init >>"$HOME/.fault-inits" ;;
  join-worker)
    if ${faultTest(mode)}; then
      : >"$HOME/.fault-fired"
      python3 -c 'import json,sys; [print("injected failure, join secret", v, file=sys.stderr) for v in json.load(open(sys.argv[1]))["join"].values() if isinstance(v, str) and len(v) >= 16]' "$2" || true
      exit 1
    fi ;;
  reset) rm -f "$HOME/.fault-inits" "$HOME/.fault-fired" "$HOME/.fault-proxy" ;;
esac
exec bash "$here/install_k8s_testbed.sh" "$@"
`;

describe('Kubernetes-cluster VNF faults', { timeout: 3 * 3600_000 }, () => {
  let vnfm: TestVnfm;
  let env: Awaited<ReturnType<typeof testbed>>;
  const host = (id: string) => env.poolHosts.find((h) => h.id === id)!;

  /** A one-master, one-worker cluster VNF on a pool of its own, instantiated: FAILED_TEMP expected. */
  async function failedInstantiate(
    name: string,
    hosts: PoolHostSpec[],
    files: Record<string, string | Buffer>,
    more: object = {},
  ) {
    const pool = await registerPool(vnfm, `pool-${name}`, hosts);
    const id = await createInstance(vnfm, await onboardCluster(vnfm, files), name);
    const body = await clusterRequest(pool, 'instantiation_level_1', name);
    Object.assign(body.additionalParams.k8s_cluster_installation_param, more);
    const failed = await runLong(vnfm, id, 'instantiate', body, 'FAILED_TEMP');
    return { pool, id, failed, detail: String(failed.error?.detail ?? '') };
  }
  /** The testbed's Kubernetes script behind a fault-injecting wrapper. */
  const wrapped = (mode: Fault) => ({
    [K8S_SCRIPT]: wrapper(mode),
    'Scripts/install_k8s_testbed.sh': readFileSync(TESTBED_SCRIPT),
  });
  const testbedScript = () => ({ [K8S_SCRIPT]: readFileSync(TESTBED_SCRIPT) });

  before(async () => {
    env = await testbed();
    await fresh();
    vnfm = await startVnfm(await freshStore('sqlite'), { mgmtDrivers: DRIVERS });
  });
  after(async () => {
    await vnfm.close();
    await fresh();
  });

  test('a script failing once: FAILED_TEMP naming step, host and exit code, secrets redacted; retry completes with one init and one VIM; every node got the proxy', async () => {
    const proxy = { no_proxy: '10.0.0.1', k8s_node_cidr: '10.10.0.0/24' };
    const { failed, detail, id } = await failedInstantiate(
      'k8s-once',
      [poolSpec(host('m11')), poolSpec(host('w21'))],
      wrapped('once'),
      { proxy },
    );
    assert.match(detail, /k8s\.join-worker/);
    assert.match(detail, /w21/);
    assert.match(detail, /exited 1/);
    const printed = detail.split('\n').filter((l) => l.startsWith('injected failure, join secret '));
    assert.ok(printed.length > 0, detail);
    for (const l of printed) assert.equal(l, 'injected failure, join secret ***');
    const retry = await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failed.id}/retry`);
    assert.equal(retry.status, 202);
    const done = await opOccSettled(vnfm, failed.id, OP_TIMEOUT_MS);
    assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
    const inits = await remote(host('m11'), ['cat', `${host('m11').home}/.fault-inits`]);
    assert.deepEqual(inits.stdout.trim().split('\n'), ['init'], 'init ran once');
    // The request's proxy reached the init and each join (the failed one and its retry).
    const sent = JSON.stringify(proxy, Object.keys(proxy).sort());
    const proxies = async (h: string) =>
      (await remote(host(h), ['cat', `${host(h).home}/.fault-proxy`])).stdout.trim().split('\n');
    assert.deepEqual(await proxies('m11'), [`init ${sent}`]);
    assert.deepEqual(await proxies('w21'), [`join-worker ${sent}`, `join-worker ${sent}`]);
    const vims = (await vnfm.request('GET', '/v1.0/vims')).body.vims.filter(
      (v: any) => v.name === 'k8s-once',
    );
    assert.equal(vims.length, 1);
    const master = (await instance(vnfm, id)).instantiatedVnfInfo.vnfcResourceInfo.find(
      (v: any) => v.vduId === 'masterNode',
    );
    const only = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/heal`, {
      vnfcInstanceId: [master.id],
    });
    assert.equal(only.status, 409, JSON.stringify(only.body));
    assert.match(only.body.detail, /only master/);
    await runLong(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    for (const h of ['m11', 'w21']) await assertClean(host(h));
  });

  test('a worker host unreachable over SSH: FAILED_TEMP naming it; back up, retry completes', async () => {
    await stopPoolSshd('w22');
    let run;
    try {
      run = await failedInstantiate(
        'k8s-down',
        [poolSpec(host('m14')), poolSpec(host('w22'))],
        testbedScript(),
      );
    } finally {
      await startPoolSshd('w22');
    }
    const { failed, id } = run;
    assert.match(run.detail, /w22|127\.0\.0\.22/);
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failed.id}/retry`)).status, 202);
    const done = await opOccSettled(vnfm, failed.id, OP_TIMEOUT_MS);
    assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
    await runLong(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    for (const h of ['m14', 'w22']) await assertClean(host(h));
  });

  test('a changed host key: FAILED_TEMP before anything runs there; rollback leaves that host DIRTY, the other FREE; the key fixed, rollback again wipes it', async () => {
    const hosts = [poolSpec(host('m12')), poolSpec(host('w22'), { host_key: host('w23').hostKey })];
    const { pool, failed, detail } = await failedInstantiate('k8s-key', hosts, testbedScript());
    assert.match(detail, /host key .*changed/);
    const ls = await remote(host('w22'), ['ls', '-A', host('w22').home]);
    assert.deepEqual(ls.stdout.split('\n').filter(Boolean), ['.ssh'], 'nothing ran on w22');
    // Rollback wipes m12; w22 cannot be wiped without trusting a key that changed: it stays
    // DIRTY (never handed out again) and the rollback is FAILED_TEMP naming why.
    assert.equal(
      (await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failed.id}/rollback`)).status,
      202,
    );
    const rolled = await opOccSettled(vnfm, failed.id, OP_TIMEOUT_MS);
    assert.equal(rolled.operationState, 'FAILED_TEMP');
    assert.match(String(rolled.error?.detail), /host key .*changed/);
    const states = Object.fromEntries(
      (await poolHostStates(vnfm.ctx.db, pool)).map((r) => [r.host_id, r.state]),
    );
    assert.deepEqual(states, { m12: 'FREE', w22: 'DIRTY' });
    await assertClean(host('m12'));
    const vims = (await vnfm.request('GET', '/v1.0/vims')).body.vims.filter((v: any) => v.name === 'k8s-key');
    assert.equal(vims.length, 0);
    // The operator checks the host out of band and pins its real key, giving its password
    // again (a changed login needs the secret again); w22 stays DIRTY until wiped.
    const shown = (await vimView(vnfm, pool)).body.vim;
    const hostsFixed = shown.extra.hosts.map((h: any) =>
      h.id === 'w22' ? { ...h, host_key: host('w22').hostKey, password: host('w22').password } : h,
    );
    const fixed = await vnfm.request('PATCH', `/v1.0/vims/${pool}`, {
      vim: { extra: { hosts: hostsFixed } },
    });
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    const dirty = (await poolHostStates(vnfm.ctx.db, pool)).find((r) => r.host_id === 'w22');
    assert.equal(dirty?.state, 'DIRTY');
    // The rollback again: it wipes w22 with the new key, and frees it.
    assert.equal(
      (await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failed.id}/rollback`)).status,
      202,
    );
    const done = await opOccSettled(vnfm, failed.id, OP_TIMEOUT_MS);
    assert.equal(done.operationState, 'ROLLED_BACK', JSON.stringify(done.error));
    const freed = Object.fromEntries(
      (await poolHostStates(vnfm.ctx.db, pool)).map((r) => [r.host_id, [r.state, r.vnf_instance_id]]),
    );
    assert.deepEqual(freed, { m12: ['FREE', null], w22: ['FREE', null] });
    await assertClean(host('w22'));
  });

  test('scale out failing on its second worker: FAILED_TEMP; rollback removes the first from the cluster, both hosts FREE and clean', async () => {
    const pool = await registerPool(
      vnfm,
      'pool-scale',
      ['m11', 'w21', 'w22', 'w23'].map((h) => poolSpec(host(h))),
    );
    const id = await createInstance(
      vnfm,
      await onboardCluster(vnfm, wrapped({ nodeIp: host('w23').address })),
      'k8s-scale',
    );
    await runLong(vnfm, id, 'instantiate', await clusterRequest(pool, 'instantiation_level_1', 'k8s-scale'));
    const vimId = (await instance(vnfm, id)).vimConnectionInfo.find(
      (v: any) => v.vimType === 'kubernetes',
    ).vimId;
    const nodes = async () =>
      (JSON.parse((await kubeRequest(await kubeAccess(vnfm, vimId), '/api/v1/nodes')).body).items as any[])
        .map((n) => n.metadata.name)
        .sort();
    const before = await nodes();
    const failed = await runLong(
      vnfm,
      id,
      'scale',
      { type: 'SCALE_OUT', aspectId: 'worker_instance', numberOfSteps: 2 },
      'FAILED_TEMP',
    );
    assert.match(String(failed.error?.detail), /k8s\.join-worker.* on host w23 exited 1/);
    assert.equal((await nodes()).length, before.length + 1, 'w22 joined before w23 failed');
    assert.equal(
      (await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failed.id}/rollback`)).status,
      202,
    );
    const done = await opOccSettled(vnfm, failed.id, OP_TIMEOUT_MS);
    assert.equal(done.operationState, 'ROLLED_BACK', JSON.stringify(done.error));
    assert.deepEqual(await nodes(), before, 'the worker that joined is gone from the cluster again');
    const states = Object.fromEntries(
      (await poolHostStates(vnfm.ctx.db, pool)).map((r) => [r.host_id, r.state]),
    );
    assert.deepEqual(states, { m11: 'ALLOCATED', w21: 'ALLOCATED', w22: 'FREE', w23: 'FREE' });
    for (const h of ['w22', 'w23']) await assertClean(host(h));
    await runLong(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    for (const h of ['m11', 'w21']) await assertClean(host(h));
  });

  test('rollback after a failing join: no VIM, every host FREE and clean', async () => {
    const { pool, failed } = await failedInstantiate(
      'k8s-rollback',
      [poolSpec(host('m13')), poolSpec(host('w23'))],
      wrapped('always'),
    );
    assert.equal(
      (await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failed.id}/rollback`)).status,
      202,
    );
    const done = await opOccSettled(vnfm, failed.id, OP_TIMEOUT_MS);
    assert.equal(done.operationState, 'ROLLED_BACK', JSON.stringify(done.error));
    const vims = (await vnfm.request('GET', '/v1.0/vims')).body.vims.filter(
      (v: any) => v.name === 'k8s-rollback',
    );
    assert.equal(vims.length, 0);
    const states = await poolHostStates(vnfm.ctx.db, pool);
    assert.deepEqual(
      states.map((s) => s.state),
      ['FREE', 'FREE'],
    );
    for (const h of ['m13', 'w23']) await assertClean(host(h));
  });
});
