// A hostpool VIM body for the tests: hosts with fresh keys, each a password or a
// private key, CP addresses on loopback. No host is contacted (no MgmtDriver).
import ssh2 from 'ssh2';
import type { PoolHostSpec } from '../../src/infra/hosts/model.ts';
import type { TestVnfm } from '../helpers/vnfm.ts';

export const hostKey = () => ssh2.utils.generateKeyPairSync('ed25519').public.trim();
/** A fresh OpenSSH private key that ssh2 reads back (about 1 in 200 it generates, it cannot: drawn again). */
export function privateKey(): string {
  for (;;) {
    const key = ssh2.utils.generateKeyPairSync('ed25519').private;
    if (!(ssh2.utils.parseKey(key) instanceof Error)) return key;
  }
}

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
