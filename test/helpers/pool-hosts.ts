// Test access to the testbed's pool hosts (testbed/lib/pool-hosts.ts) and to the
// clusters the install script starts on them: SSH as a host's user, the Kubernetes
// API with a bearer token and a CA, etcd's member list, the user's processes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { promisify } from 'node:util';
import { SshSession } from '../../src/ssh/session.ts';
import { stateDir } from '../../testbed/lib/paths.ts';
import { type PoolHost, poolSshdPid, resetPoolHost, revivePoolSshd } from '../../testbed/lib/pool-hosts.ts';
import { isAlive } from '../../testbed/lib/proc.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { testbed } from './testbed.ts';

const execFileP = promisify(execFile);

export async function poolHost(id: string): Promise<PoolHost> {
  const host = (await testbed()).poolHosts.find((h) => h.id === id);
  if (!host) throw new Error(`no pool host ${id} in the testbed env`);
  return host;
}

/** An SSH session as the host's user, host key pinned; by key unless `password` is asked for. */
export function sshToPoolHost(host: PoolHost, auth: 'key' | 'password' = 'key'): Promise<SshSession> {
  return SshSession.connect({
    host: host.address,
    port: host.port,
    username: host.user,
    hostKey: host.hostKey,
    ...(auth === 'key' ? { privateKey: readFileSync(host.keyFile) } : { password: host.password }),
  });
}

/** Back to a fresh machine: no process of its user, an empty home but `.ssh`. */
export function wipePoolHost(id: string): Promise<void> {
  return resetPoolHost(stateDir, id);
}

/** Takes host `id` off the network: its sshd (the listener; open sessions stay) is killed. */
export async function stopPoolSshd(id: string): Promise<void> {
  const pid = poolSshdPid(stateDir, id);
  if (pid === undefined) throw new Error(`no sshd of pool host ${id}`);
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

/** Starts host `id`'s sshd again (same port and host key); `up` does it too. */
export async function startPoolSshd(id: string): Promise<void> {
  await revivePoolSshd(stateDir, await poolHost(id));
}

/** PIDs and command lines of the host user's processes (none: ''). */
export async function userProcesses(user: string): Promise<string> {
  try {
    return (await execFileP('pgrep', ['-a', '-u', user])).stdout.trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

export interface KubeAccess {
  server: string;
  ca: string;
  token: string;
}

/** One request to a Kubernetes API server, TLS verified against `ca`, bearer token auth. */
export function kubeRequest(
  access: KubeAccess,
  path: string,
  opts: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: string }> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${access.server}${path}`,
      {
        method: opts.method ?? 'GET',
        ca: access.ca,
        agent: false,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${access.token}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
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
    req.end(payload);
  });
}

/** Names of the etcd members, asked of the etcd listening on `address` (v3 HTTP gateway). */
export async function etcdMembers(address: string): Promise<string[]> {
  const res = await fetch(`http://${address}:2379/v3/cluster/member/list`, { method: 'POST', body: '{}' });
  if (!res.ok) throw new Error(`etcd member list on ${address}: HTTP ${res.status}`);
  const { members = [] } = (await res.json()) as { members?: { name?: string }[] };
  return members.map((m) => m.name ?? '').sort();
}
