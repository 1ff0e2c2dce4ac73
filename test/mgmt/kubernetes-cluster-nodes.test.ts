// The cluster's address (clusterIp): cluster_cp_name names a connection point of a master
// host, else a virtual CP of the pool VIM (extra.virtual_cps, carried on each BoundHost);
// neither is a 400 naming the field, before any SSH.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProblemError } from '../../src/errors.ts';
import type { BoundHost } from '../../src/infra/hosts/model.ts';
import { clusterIp, clusterNodes } from '../../src/mgmt/kubernetes-cluster/cluster.ts';
import type { ClusterParams } from '../../src/mgmt/kubernetes-cluster/params.ts';

const params = (cluster_cp_name?: string): ClusterParams => ({
  script_path: 'Scripts/install_k8s_cluster.sh',
  master: { vduId: 'masterNode', ssh_cp_name: 'CP1', ...(cluster_cp_name ? { cluster_cp_name } : {}) },
});

const master = (i: number, cps: Record<string, string>, virtualCps?: Record<string, string>): BoundHost => ({
  vnfcId: `c${i}`,
  vduId: 'masterNode',
  index: i,
  state: 'ALLOCATED',
  host: { id: `m${i}`, address: `127.0.0.${i}`, username: 'k8s', password: 'pw', host_key: 'SHA256:x', cps },
  ...(virtualCps ? { virtualCps } : {}),
});

const ip = (p: ClusterParams, hosts: BoundHost[]) => clusterIp(p, clusterNodes(hosts, p).masters);

test('without cluster_cp_name: the first master node IP', () => {
  assert.equal(ip(params(), [master(1, { CP1: '10.0.0.1' }), master(2, { CP1: '10.0.0.2' })]), '10.0.0.1');
});

test("cluster_cp_name naming the pool's virtual CP resolves to its address", () => {
  const pool = { vrrp_CP: '127.0.0.10' };
  const hosts = [master(1, { CP1: '10.0.0.1' }, pool), master(2, { CP1: '10.0.0.2' }, pool)];
  assert.equal(ip(params('vrrp_CP'), hosts), '127.0.0.10');
});

test("a master host's own connection point of that id comes before the pool's virtual CP", () => {
  const pool = { vrrp_CP: '127.0.0.10' };
  const hosts = [
    master(1, { CP1: '10.0.0.1' }, pool),
    master(2, { CP1: '10.0.0.2', vrrp_CP: '10.0.0.99' }, pool),
  ];
  assert.equal(ip(params('vrrp_CP'), hosts), '10.0.0.99');
});

test('a cluster_cp_name neither a master host nor the pool has is a 400 naming the field', () => {
  const hosts = [master(1, { CP1: '10.0.0.1' }, { other_CP: '127.0.0.10' })];
  for (const cp of ['vrrp_CP', 'constructor', 'toString'])
    assert.throws(
      () => ip(params(cp), hosts),
      (e: unknown) =>
        e instanceof ProblemError &&
        e.status === 400 &&
        /master_node\.cluster_cp_name: neither a master's pool host nor the pool VIM's virtual_cps/.test(
          e.message,
        ),
      cp,
    );
});
