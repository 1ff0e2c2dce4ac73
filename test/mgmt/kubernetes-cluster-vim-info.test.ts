// helm_info for the cluster's VIM: masters' SSH addresses in VNFC order, one shared
// credential, a per-address user map only when users differ; a healed master takes
// the old one's index. The per-address map is read by the Helm CNF side too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PoolHostSpec } from '../../src/infra/hosts/model.ts';
import { resolveMasters } from '../../src/infra/helm/helm-info.ts';
import { normaliseHelmInfo } from '../../src/vim/registry.ts';
import {
  helmInfoFor,
  masterAddress,
  replaceMaster,
  SharedSecretError,
  vimConnection,
} from '../../src/mgmt/kubernetes-cluster/vim-info.ts';

const KEY = (n: number) => `SHA256:${'A'.repeat(41)}${String(n).padStart(2, '0')}`;
const host = (n: number, over: Partial<PoolHostSpec> = {}): PoolHostSpec => ({
  id: `m${n}`,
  address: `127.0.0.${n}`,
  username: 'vnfm',
  password: 'shared-secret',
  host_key: KEY(n),
  cps: { CP1: `127.0.0.${n}` },
  ...over,
});

test('masternode_ip: SSH addresses in order, :port when not 22, [v6]:port', () => {
  assert.equal(masterAddress({ address: '10.0.0.1' }), '10.0.0.1');
  assert.equal(masterAddress({ address: '10.0.0.1', port: 22 }), '10.0.0.1');
  assert.equal(masterAddress({ address: '10.0.0.1', port: 2222 }), '10.0.0.1:2222');
  assert.equal(masterAddress({ address: 'fd00::1', port: 2222 }), '[fd00::1]:2222');
  const info = helmInfoFor([host(12), host(11, { port: 2201 })]);
  assert.deepEqual(info.masternode_ip, ['127.0.0.12', '127.0.0.11:2201']);
  assert.equal(info.masternode_username, 'vnfm');
  assert.equal(info.masternode_password, 'shared-secret');
  assert.equal(info.masternode_usernames, undefined);
  assert.deepEqual(info.masternode_host_keys, { '127.0.0.12': KEY(12), '127.0.0.11:2201': KEY(11) });
});

test('masters must share one secret; different users get masternode_usernames', () => {
  assert.throws(() => helmInfoFor([host(11), host(12, { password: 'other' })]), SharedSecretError);
  assert.throws(
    () => helmInfoFor([host(11), host(12, { password: undefined, private_key: 'k' })]),
    SharedSecretError,
  );
  const info = helmInfoFor([host(11, { username: 'u11' }), host(12, { username: 'u12' })]);
  assert.equal(info.masternode_username, 'u11');
  assert.deepEqual(info.masternode_usernames, { '127.0.0.11': 'u11', '127.0.0.12': 'u12' });
});

test('a healed master takes the old address index, its pin and its user', () => {
  const info = helmInfoFor([
    host(11, { username: 'u11' }),
    host(12, { username: 'u12' }),
    host(13, { username: 'u13' }),
  ]);
  const healed0 = replaceMaster(info, '127.0.0.11', host(14, { username: 'u14' }));
  assert.deepEqual(healed0.masternode_ip, ['127.0.0.14', '127.0.0.12', '127.0.0.13']);
  assert.equal(healed0.masternode_username, 'u14');
  assert.deepEqual(healed0.masternode_usernames, {
    '127.0.0.14': 'u14',
    '127.0.0.12': 'u12',
    '127.0.0.13': 'u13',
  });
  assert.deepEqual(Object.keys(healed0.masternode_host_keys!).sort(), [
    '127.0.0.12',
    '127.0.0.13',
    '127.0.0.14',
  ]);
  assert.equal(healed0.masternode_host_keys!['127.0.0.14'], KEY(14));
  const healed1 = replaceMaster(info, '127.0.0.12', host(14, { port: 2214, username: 'u14' }));
  assert.deepEqual(healed1.masternode_ip, ['127.0.0.11', '127.0.0.14:2214', '127.0.0.13']);
  assert.equal(healed1.masternode_username, 'u11');
  // Same user everywhere: no per-address map.
  const same = replaceMaster(helmInfoFor([host(11), host(12)]), '127.0.0.12', host(14));
  assert.deepEqual(same.masternode_ip, ['127.0.0.11', '127.0.0.14']);
  assert.equal(same.masternode_usernames, undefined);
});

test('masternode_usernames: stored by the registry, used per master by the Helm side', () => {
  const info = normaliseHelmInfo(helmInfoFor([host(11, { username: 'u11' }), host(12, { username: 'u12' })]));
  const masters = resolveMasters(info, undefined);
  assert.deepEqual(
    masters.map((m) => [m.node.address, m.info.masternode_username]),
    [
      ['127.0.0.11', 'u11'],
      ['127.0.0.12', 'u12'],
    ],
  );
  // A request naming one user for all masters overrides neither map entry nor VIM secret rules.
  assert.throws(
    () => normaliseHelmInfo({ ...info, masternode_usernames: { '127.0.0.11': '-x' } }),
    /masternode_usernames/,
  );
  assert.throws(
    () => normaliseHelmInfo({ ...info, masternode_usernames: { 'a b': 'u' } }),
    /masternode_usernames/,
  );
});

test('vimConnectionInfo entry: kubernetes, authUrl, CA, helm_info masked', () => {
  const helm = helmInfoFor([host(11)]);
  const entry = vimConnection({
    id: '0123456789abcdef',
    authUrl: 'https://127.0.0.11:6443',
    authCred: { bearer_token: 'tok', ssl_ca_cert: 'PEM' },
    extra: { helm_info: helm },
  });
  assert.equal(entry.id, 'k8s-01234567');
  assert.equal(entry.vimType, 'kubernetes');
  assert.deepEqual(entry.accessInfo, { authUrl: 'https://127.0.0.11:6443' });
  assert.deepEqual(entry.interfaceInfo, { endpoint: 'https://127.0.0.11:6443', ssl_ca_cert: 'PEM' });
  assert.equal((entry.extra!.helm_info as Record<string, unknown>).masternode_password, '***');
  assert.ok(!JSON.stringify(entry).includes('tok'));
  assert.ok(!JSON.stringify(entry).includes('shared-secret'));
});
