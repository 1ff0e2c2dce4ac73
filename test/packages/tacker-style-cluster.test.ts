// A Kubernetes-cluster VNF package written the way Tacker's mgmt_driver samples are
// (test/fixtures/tacker-style-cluster: TOSCA.meta, a top VNFD importing the SOL001 types,
// a types file and two flavour files — simple and HA — with Vnflcm hooks naming the
// Python artifact `mgmt-drivers-kubernetes`, Scripts/, UserData/, BaseHOT/) and the
// requests Tacker's users send for it: the package onboards, its VNFD reads as they
// expect, and Tacker's instantiate (extVirtualLinks, lcm-operation-user-data,
// k8s_cluster_installation_param, vimType "openstack"), scale and heal bodies are
// accepted. No host is ever contacted: the pool has no host a worker may take, so the
// instantiate fails at allocation, before any SSH, and its rollback binds nothing.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { poolHostStates } from '../../src/db/queries/pool-hosts.ts';
import { HOOKS } from '../../src/mgmt/driver.ts';
import { kubernetesCluster } from '../../src/mgmt/kubernetes-cluster/index.ts';
import { loadVnfd, vduReplicas } from '../../src/packages/vnfd/index.ts';
import { createInstance, onboardZip, opOccSettled, registerTestbedVim, startOp } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { buildZip } from '../helpers/zip.ts';
import { hostKey } from '../hosts/pool-helpers.ts';

const DIR = fileURLToPath(new URL('../fixtures/tacker-style-cluster/', import.meta.url));
const ENTRY = 'Definitions/cluster_vnf_top.vnfd.yaml';
const VNFD_ID = '0f6b3a52-8d4e-4c1b-9e27-5a3c8b1d7e40';
const ARTIFACT = 'mgmt-drivers-kubernetes';
/** The hooks Tacker's sample names (terminate_start is not among them). */
const TACKER_HOOKS = [
  'instantiate_end',
  'terminate_end',
  'heal_start',
  'heal_end',
  'scale_start',
  'scale_end',
];
// Secrets of the request and the pool: none may appear unmasked in any view.
const NODE_PASSWORD = 'cluster-Node-pw-7c1';
const PROXY_PASSWORD = 'proxy-Pw-93d';
const POOL_PASSWORD = 'pool-host-pw-5e2';

function fixtureFiles(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(DIR, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const path = relative(DIR, join(e.parentPath, e.name)).split(sep).join('/');
      out.set(path, readFileSync(join(DIR, path)));
    }
  return out;
}

/** The k8s_cluster_installation_param of Tacker's user guide, as its users fill it in. */
const clusterParam = (proxy: Record<string, string> = {}) => ({
  script_path: 'Scripts/install_k8s_cluster.sh',
  vim_name: 'kubernetes_vim_tacker_style',
  master_node: {
    aspect_id: 'master_instance',
    ssh_cp_name: 'masterNode_CP1',
    nic_cp_name: 'masterNode_CP1',
    username: 'ubuntu',
    password: NODE_PASSWORD,
    pod_cidr: '192.168.3.0/16',
    cluster_cidr: '10.199.187.0/24',
    cluster_cp_name: 'masterNode_CP1',
  },
  worker_node: {
    aspect_id: 'worker_instance',
    ssh_cp_name: 'workerNode_CP2',
    nic_cp_name: 'workerNode_CP2',
    username: 'ubuntu',
    password: NODE_PASSWORD,
  },
  proxy: {
    http_proxy: `http://user1:${PROXY_PASSWORD}@host1:port1`,
    https_proxy: `https://user2:${PROXY_PASSWORD}@host2:port2`,
    no_proxy: '192.168.246.0/24,10.0.0.1',
    ...proxy,
  },
  helm_installation_script_path: 'Scripts/install_helm.sh',
});

/** Tacker's instantiate body for the cluster VNF: the pool VIM named with vimType "openstack". */
const tackerInstantiate = (vimId: string, proxy: Record<string, string> = {}) => ({
  flavourId: 'simple',
  vimConnectionInfo: [{ id: randomUUID(), vimId, vimType: 'openstack' }],
  additionalParams: {
    k8s_cluster_installation_param: clusterParam(proxy),
    'lcm-operation-user-data': './UserData/k8s_cluster_user_data.py',
    'lcm-operation-user-data-class': 'KubernetesClusterUserData',
  },
  extVirtualLinks: [
    {
      id: 'net0_master',
      resourceId: randomUUID(),
      extCps: [{ cpdId: 'masterNode_CP1', cpConfig: [{ linkPortId: randomUUID() }] }],
    },
    {
      id: 'net0_worker',
      resourceId: randomUUID(),
      extCps: [
        {
          cpdId: 'workerNode_CP2',
          cpConfig: [
            {
              cpProtocolData: [
                {
                  layerProtocol: 'IP_OVER_ETHERNET',
                  ipOverEthernet: { ipAddresses: [{ type: 'IPV4', fixedAddresses: ['10.10.0.21'] }] },
                },
              ],
            },
          ],
        },
      ],
      extLinkPorts: [
        {
          id: 'port-w1',
          resourceHandle: { resourceId: randomUUID(), vimLevelResourceType: 'OS::Neutron::Port' },
        },
      ],
    },
  ],
});

test('TOSCA.meta hashes every script, user-data and image file with its SHA-256', () => {
  const files = fixtureFiles();
  const meta = files.get('TOSCA-Metadata/TOSCA.meta')!.toString('utf8');
  assert.match(meta, new RegExp(`^Entry-Definitions: ${ENTRY}$`, 'm'));
  const blocks = [
    ...meta.matchAll(/^Name: (.+)\nContent-Type: .+\nAlgorithm: SHA-256\nHash: ([0-9a-f]{64})$/gm),
  ];
  const named = new Map(blocks.map((m) => [m[1]!, m[2]!]));
  const expected = [...files.keys()].filter((p) => /^(Scripts|UserData|Files)\//.test(p)).sort();
  assert.deepEqual([...named.keys()].sort(), expected);
  for (const [path, hash] of named)
    assert.equal(createHash('sha256').update(files.get(path)!).digest('hex'), hash, path);
});

test('the VNFD reads as Tacker users expect: VDUs, aspects, levels and the Vnflcm hooks of both flavours', () => {
  const vnfd = loadVnfd(DIR, ENTRY);
  assert.equal(vnfd.vnfdId, VNFD_ID);
  assert.equal(vnfd.vnfNodeType, 'example.k8s.ClusterVNF');
  assert.deepEqual(
    vnfd.flavours.map((f) => f.flavourId),
    ['simple', 'complex'],
  );
  const expected = {
    simple: { masters: [1, 3], profile: [1, 3] },
    complex: { masters: [3, 5], profile: [3, 5] },
  } as const;
  for (const f of vnfd.flavours) {
    const want = expected[f.flavourId as keyof typeof expected];
    // The VirtualBlockStorage, CPs and the internal VL are not VDUs.
    assert.deepEqual(
      f.vdus.map((v) => [v.id, v.kind]),
      [
        ['masterNode', 'Compute'],
        ['workerNode', 'Compute'],
      ],
    );
    const master = f.vdus.find((v) => v.id === 'masterNode')!;
    assert.deepEqual(
      [master.vduProfile.minNumberOfInstances, master.vduProfile.maxNumberOfInstances],
      want.profile,
    );
    assert.equal(master.initialDelta, want.masters[0]);
    assert.deepEqual(
      f.aspects.map((a) => [a.id, a.stepDeltas, a.vduDeltas]),
      [
        ['master_instance', ['delta_1'], { masterNode: { delta_1: 1 } }],
        ['worker_instance', ['delta_1'], { workerNode: { delta_1: 1 } }],
      ],
    );
    assert.equal(f.defaultLevel, 'instantiation_level_1');
    assert.deepEqual(
      f.instantiationLevels.map((l) => [l.id, l.scaleInfo]),
      [
        ['instantiation_level_1', { master_instance: 0, worker_instance: 0 }],
        ['instantiation_level_2', { master_instance: 2, worker_instance: 2 }],
      ],
    );
    assert.deepEqual(
      ['instantiation_level_1', 'instantiation_level_2'].map((l) => [
        vduReplicas(f, 'masterNode', l),
        vduReplicas(f, 'workerNode', l),
      ]),
      [
        [want.masters[0], 1],
        [want.masters[1], 3],
      ],
    );
    assert.deepEqual(Object.keys(f.lcmInterfaces).sort(), [...TACKER_HOOKS].sort());
    for (const [hook, op] of Object.entries(f.lcmInterfaces)) {
      assert.ok((HOOKS as readonly string[]).includes(hook), hook);
      assert.ok(Object.hasOwn(kubernetesCluster.hooks, hook), `the driver implements ${hook}`);
      assert.deepEqual(op, {
        implementation: ARTIFACT,
        artifact: { file: 'Scripts/kubernetes_mgmt.py', type: 'tosca.artifacts.Implementation.Python' },
      });
    }
  }
});

describe('Tacker-style cluster VNF over the API (SQLite, no host contacted)', () => {
  let vnfm: TestVnfm;
  let poolId = '';
  let instanceId = '';
  let failedOp = '';

  const views = async () =>
    JSON.stringify([
      (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body,
      (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${instanceId}`)).body,
      (await vnfm.request('GET', '/vnflcm/v1/vnf_instances')).body,
      (await vnfm.request('GET', `/v1.0/vims/${poolId}`)).body,
    ]);
  const hostStates = async () =>
    Object.fromEntries((await poolHostStates(vnfm.ctx.db, poolId)).map((r) => [r.host_id, r.state]));

  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), {
      mgmtDrivers: { [ARTIFACT]: 'kubernetes-cluster' },
      lcmTimeoutSeconds: 60,
    });
    const files = fixtureFiles();
    const zip = await buildZip([...files].map(([name, data]) => ({ name, data })));
    const pkgId = await onboardZip(vnfm, zip);
    const info = (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body;
    assert.equal(info.vnfdId, VNFD_ID);
    // One master host only, at an address nothing listens on: a worker finds no host.
    const res = await vnfm.request('POST', '/v1.0/vims', {
      vim: {
        name: 'tacker-style-pool',
        type: 'hostpool',
        extra: {
          hosts: [
            {
              id: 'm1',
              address: '192.0.2.11',
              username: 'ubuntu',
              password: POOL_PASSWORD,
              host_key: hostKey(),
              cps: { masterNode_CP1: '192.0.2.11' },
              labels: { vdu: 'masterNode' },
            },
          ],
        },
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    poolId = res.body.vim.id;
    instanceId = await createInstance(vnfm, VNFD_ID, 'tacker-style-cluster');
  });
  after(() => vnfm.close());

  test("Tacker's instantiate body is accepted (202) and fails at allocation, before any SSH", async () => {
    failedOp = await startOp(vnfm, instanceId, 'instantiate', tackerInstantiate(poolId));
    const done = await opOccSettled(vnfm, failedOp);
    assert.equal(done.operationState, 'FAILED_TEMP', JSON.stringify(done));
    assert.match(done.error.detail, /0 available; nothing was bound/);
    assert.match(done.error.detail, /VDU workerNode/);
    assert.deepEqual(await hostStates(), { m1: 'FREE' });
    // The request is recorded as sent, its secrets masked.
    const p = done.operationParams;
    assert.equal(p.vimConnectionInfo[0].vimType, 'openstack');
    assert.deepEqual(
      p.extVirtualLinks.map((l: any) => l.extCps[0].cpdId),
      ['masterNode_CP1', 'workerNode_CP2'],
    );
    assert.equal(p.additionalParams['lcm-operation-user-data-class'], 'KubernetesClusterUserData');
    const k8s = p.additionalParams.k8s_cluster_installation_param;
    assert.equal(k8s.master_node.password, '***');
    assert.equal(k8s.worker_node.password, '***');
    const seen = await views();
    for (const secret of [NODE_PASSWORD, PROXY_PASSWORD, POOL_PASSWORD])
      assert.ok(!seen.includes(secret), `${secret} appears in a view`);
  });

  test("Tacker's scale and heal bodies pass their schemas (409: the instantiate is FAILED_TEMP, not a 400)", async () => {
    const bodies: [string, object][] = [
      ['scale', { type: 'SCALE_OUT', aspectId: 'worker_instance', numberOfSteps: 1, additionalParams: {} }],
      ['scale', { type: 'SCALE_IN', aspectId: 'worker_instance', numberOfSteps: 1 }],
      ['heal', { vnfcInstanceId: [randomUUID()] }],
      ['heal', { vnfcInstanceId: [] }],
      ['heal', {}],
      ['heal', { cause: 'master node lost', additionalParams: { force: true } }],
    ];
    for (const [op, body] of bodies) {
      const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${instanceId}/${op}`, body);
      assert.equal(res.status, 409, `${op} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    }
  });

  test('rollback of the failed instantiate: ROLLED_BACK, nothing bound, no VIM registered', async () => {
    const res = await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failedOp}/rollback`);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const done = await opOccSettled(vnfm, failedOp);
    assert.equal(done.operationState, 'ROLLED_BACK', JSON.stringify(done.error));
    assert.deepEqual(await hostStates(), { m1: 'FREE' });
    const inst = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${instanceId}`)).body;
    assert.equal(inst.instantiationState, 'NOT_INSTANTIATED');
    const vims = (await vnfm.request('GET', '/v1.0/vims')).body.vims;
    assert.deepEqual(
      vims.map((v: any) => v.name),
      ['tacker-style-pool'],
    );
  });

  test("Tacker's HA body (complex flavour, cluster_cp_name vip_CP, no CIDRs) is accepted and fails at allocation", async () => {
    const ha = await createInstance(vnfm, VNFD_ID, 'tacker-style-ha');
    const body = tackerInstantiate(poolId);
    body.flavourId = 'complex';
    const k8s = body.additionalParams.k8s_cluster_installation_param as any;
    k8s.vim_name = 'kubernetes_vim_complex';
    k8s.master_node.cluster_cp_name = 'vip_CP';
    delete k8s.master_node.pod_cidr;
    delete k8s.master_node.cluster_cidr;
    const op = await startOp(vnfm, ha, 'instantiate', body);
    const done = await opOccSettled(vnfm, op);
    assert.equal(done.operationState, 'FAILED_TEMP', JSON.stringify(done));
    // Three masters wanted, one master host in the pool: nothing bound.
    assert.match(done.error.detail, /3 FREE host\(s\) eligible for VDU masterNode needed, 1 available/);
    assert.deepEqual(await hostStates(), { m1: 'FREE' });
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${op}/rollback`)).status, 202);
    assert.equal((await opOccSettled(vnfm, op)).operationState, 'ROLLED_BACK');
    assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${ha}`)).status, 204);
  });

  test('extVirtualLinks on a Kubernetes VIM are refused (400 naming the field), nothing started', async () => {
    // The testbed's cluster (its API server, not a pool host).
    const k8sVim = await registerTestbedVim(vnfm, 'testbed-cluster');
    const body = {
      ...tackerInstantiate(k8sVim),
      vimConnectionInfo: [{ id: 'v', vimId: k8sVim, vimType: 'kubernetes' }],
    };
    const before = (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body.length;
    const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${instanceId}/instantiate`, body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.detail, /^extVirtualLinks: VIM .* is a Kubernetes VIM/);
    assert.equal((await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body.length, before);
  });

  test("Tacker's proxy.k8s_node_cidr is accepted", async () => {
    // 202 (startOp asserts it), past the parameter checks: it fails at allocation like the body without it.
    const op = await startOp(
      vnfm,
      instanceId,
      'instantiate',
      tackerInstantiate(poolId, { k8s_node_cidr: '10.10.0.0/24' }),
    );
    const done = await opOccSettled(vnfm, op);
    assert.equal(done.operationState, 'FAILED_TEMP', JSON.stringify(done));
    assert.match(done.error.detail, /0 available; nothing was bound/);
    assert.equal(
      done.operationParams.additionalParams.k8s_cluster_installation_param.proxy.k8s_node_cidr,
      '10.10.0.0/24',
    );
  });
});
