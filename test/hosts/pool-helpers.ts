// A hostpool VIM body for the tests: hosts with fresh keys, each a password or a
// private key, CP addresses on loopback. No host is contacted (no MgmtDriver).
import ssh2 from 'ssh2';
import type { PoolHostSpec } from '../../src/infra/hosts/model.ts';
import type { TestVnfm } from '../helpers/vnfm.ts';

/**
 * A fresh ed25519 key pair whose both halves ssh2 reads back: about 1 in 200 that ssh2
 * generates carries a 31-byte key (a leading zero byte dropped) and is malformed.
 */
function keyPair(): { public: string; private: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    const pub = ssh2.utils.parseKey(pair.public);
    if (!(pub instanceof Error) && !(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

export const hostKey = () => keyPair().public.trim();
export const privateKey = () => keyPair().private;

/** n hosts `h1..hn`; odd ones log in by password, even ones by key. */
export function poolHosts(
  n: number,
  labels: (i: number) => Record<string, string> | undefined = () => undefined,
) {
  return Array.from({ length: n }, (_, k): PoolHostSpec => {
    const i = k + 1;
    const l = labels(i);
    return {
      id: `h${i}`,
      address: `127.0.1.${i}`,
      username: 'vnf',
      ...(i % 2 === 1 ? { password: `pw-${i}-s3cret` } : { private_key: privateKey() }),
      host_key: hostKey(),
      cps: { CP1: `127.0.2.${i}` },
      ...(l ? { labels: l } : {}),
    };
  });
}

export function poolBody(name: string, hosts: PoolHostSpec[], more: Record<string, unknown> = {}) {
  return { vim: { name, type: 'hostpool', description: 'pre-provisioned hosts', extra: { hosts }, ...more } };
}

export async function registerPool(vnfm: TestVnfm, name: string, hosts: PoolHostSpec[]): Promise<string> {
  const res = await vnfm.request('POST', '/v1.0/vims', poolBody(name, hosts));
  if (res.status !== 201) throw new Error(`pool registration: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.vim.id;
}
