// k8s_cluster_installation_param: the spec's sample body is accepted as sent; every
// value that would reach a host as something else is a 400 naming its field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProblemError } from '../../src/errors.ts';
import { parseClusterParams, requestSecrets, validCidr } from '../../src/mgmt/kubernetes-cluster/params.ts';
import { kubernetesCluster } from '../../src/mgmt/kubernetes-cluster/index.ts';
import { loadVnfd } from '../../src/packages/vnfd/index.ts';
import { ENTRY_DEFINITIONS, SAMPLE_DIR } from '../../samples/kubernetes-cluster/build.ts';

const flavour = loadVnfd(SAMPLE_DIR, ENTRY_DEFINITIONS).flavours[0]!;

/** The spec's sample (helmchart-k8s-vim.txt), script path adapted to the sample package. */
const specSample = () => ({
  script_path: 'Scripts/install_k8s_cluster.sh',
  vim_name: 'kubernetes_vim_all_param',
  master_node: {
    aspect_id: 'master_instance',
    ssh_cp_name: 'CP1',
    username: 'ubuntu',
    password: 'ubuntu',
    pod_cidr: '192.168.3.0/16',
    cluster_cidr: '10.199.187.0/24',
    cluster_cp_name: 'vrrp_CP',
  },
  worker_node: { aspect_id: 'worker_instance', ssh_cp_name: 'CP2', username: 'ubuntu', password: 'ubuntu' },
  proxy: {
    http_proxy: 'http://user1:password1@host1:port1',
    https_proxy: 'https://user2:password2@host2:port2',
    no_proxy: '192.168.10.0/24,10.0.0.1',
  },
  helm_installation_script_path: 'Scripts/install_helm.sh',
});

const parse = (p: unknown) => parseClusterParams(flavour, { k8s_cluster_installation_param: p });

function refused(p: unknown, field: RegExp) {
  assert.throws(
    () => parse(p),
    (e: unknown) => e instanceof ProblemError && e.status === 400 && field.test(e.message),
  );
}

test('the spec sample is accepted; aspect ids resolve to the VDUs they scale', () => {
  const p = parse(specSample());
  assert.equal(p.master.vduId, 'masterNode');
  assert.equal(p.worker?.vduId, 'workerNode');
  assert.equal(p.master.pod_cidr, '192.168.3.0/16');
  assert.equal(p.master.cluster_cp_name, 'vrrp_CP');
  assert.equal(p.helm_installation_script_path, 'Scripts/install_helm.sh');
  // The driver's validate is this parse.
  assert.doesNotThrow(() =>
    kubernetesCluster.validate!(flavour, { k8s_cluster_installation_param: specSample() }),
  );
});

test('the request sample of samples/kubernetes-cluster is accepted', async () => {
  const { readFileSync } = await import('node:fs');
  const body = JSON.parse(readFileSync(`${SAMPLE_DIR}/requests/instantiate.json`, 'utf8'));
  // The one placeholder an operator fills in: the archive's checksum.
  body.additionalParams.k8s_cluster_installation_param.helm_archive.sha256 = '0'.repeat(64);
  const p = parseClusterParams(flavour, body.additionalParams);
  assert.equal(p.helm_archive?.path.startsWith('/'), true);
});

test("Tacker's proxy.k8s_node_cidr (the nodes' network, for no_proxy) is accepted and kept in proxy", () => {
  const p = parse({ ...specSample(), proxy: { ...specSample().proxy, k8s_node_cidr: '10.10.0.0/24' } });
  assert.equal(p.proxy?.k8s_node_cidr, '10.10.0.0/24');
  assert.equal(p.proxy?.no_proxy, '192.168.10.0/24,10.0.0.1');
});

test('an injected CIDR, and CIDRs out of range, are refused naming the field', () => {
  for (const bad of [
    '10.0.0.0/8;touch /tmp/x',
    '10.0.0.0/33',
    '10.0.0/8',
    '10.0.0.0',
    '$(id)/8',
    '10.0.0.0/08',
    'fd00::/129',
  ]) {
    refused(
      { ...specSample(), master_node: { ...specSample().master_node, pod_cidr: bad } },
      /master_node\.pod_cidr/,
    );
    refused(
      { ...specSample(), proxy: { ...specSample().proxy, k8s_node_cidr: bad } },
      /proxy\.k8s_node_cidr/,
    );
  }
  refused(
    { ...specSample(), master_node: { ...specSample().master_node, cluster_cidr: '1.2.3.4/8 ' } },
    /cluster_cidr/,
  );
  assert.ok(validCidr('fd00:10::/64'));
});

test('script paths stay inside the package', () => {
  refused({ ...specSample(), script_path: '../../etc/passwd' }, /script_path.*'\.\.'/);
  refused({ ...specSample(), script_path: '/bin/sh' }, /script_path.*absolute/);
  refused(
    { ...specSample(), helm_installation_script_path: 'Scripts/../../x' },
    /helm_installation_script_path/,
  );
  assert.equal(
    parse({ ...specSample(), script_path: './Scripts//install_k8s_cluster.sh' }).script_path,
    'Scripts/install_k8s_cluster.sh',
  );
});

test('unknown fields, wrong types, unbounded strings and unknown aspects are refused', () => {
  refused({ ...specSample(), extra: 1 }, /k8s_cluster_installation_param/);
  refused(
    { ...specSample(), master_node: { ...specSample().master_node, ssh_cp_name: 'CP1; rm -rf /' } },
    /master_node\.ssh_cp_name/,
  );
  refused({ ...specSample(), vim_name: 'x'.repeat(256) }, /vim_name/);
  refused({ ...specSample(), vim_name: 'a\nb' }, /vim_name/);
  refused(
    { ...specSample(), master_node: { ...specSample().master_node, username: '-oProxyCommand=x' } },
    /master_node\.username/,
  );
  refused(
    { ...specSample(), master_node: { ...specSample().master_node, aspect_id: 'nope' } },
    /master_node\.aspect_id.*no scaling aspect/,
  );
  refused({ ...specSample(), worker_node: { ssh_cp_name: 'CP2' } }, /worker_node needs aspect_id or vdu_id/);
  refused(
    { ...specSample(), worker_node: { ...specSample().worker_node, aspect_id: 'master_instance' } },
    /same VDU/,
  );
  refused({ ...specSample(), proxy: { http_proxy: 'http://h:1/$(id)' } }, /proxy\.http_proxy/);
  refused({ ...specSample(), proxy: { http_proxy: 'ftp://h' } }, /proxy\.http_proxy/);
  refused(
    { ...specSample(), helm_archive: { path: 'relative.tgz', sha256: 'a'.repeat(64) } },
    /helm_archive\.path/,
  );
  refused({ ...specSample(), helm_archive: { path: '/x.tgz', sha256: 'abc' } }, /helm_archive\.sha256/);
  refused({ script_path: 'Scripts/install_k8s_cluster.sh' }, /master_node/);
  assert.throws(() => parseClusterParams(flavour, {}), /k8s_cluster_installation_param is required/);
});

test('a refusal never quotes a password', () => {
  const secret = 'pa55-word-never-shown';
  try {
    parse({ ...specSample(), master_node: { ...specSample().master_node, password: secret, extra: secret } });
    assert.fail('accepted');
  } catch (e) {
    assert.ok(!(e as Error).message.includes(secret));
  }
});

test('requestSecrets: node passwords and proxy passwords (as written and decoded)', () => {
  const p = parse({ ...specSample(), proxy: { http_proxy: 'http://u:p%40ss@h:3128' } });
  assert.deepEqual(new Set(requestSecrets(p)), new Set(['ubuntu', 'p%40ss', 'p@ss']));
});
