// Pool hosts for the Kubernetes-cluster VNF: one Debian sshd per loopback address
// (masters 127.0.0.11-.14, .14 the spare; workers 127.0.0.21-.23), each with its own
// Unix user, home and host key, as separate machines would have. The cluster install
// script runs a real control plane there as that user, from a shared bin directory of
// the testbed's binaries; helm is not on PATH (the package's Helm script installs it
// into ~/.local/bin), but a helm release archive is at hand for "offline" installs.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaries, versions } from './paths.ts';
import { daemonPids, freePort, isAlive, portOpen, run, StepError, startDaemon, waitFor } from './proc.ts';
import {
  SSHD,
  ensureClientKey,
  ensureHostKey,
  ensureUser,
  placeBinary,
  startSshd,
  writeOwned,
} from './ssh-nodes.ts';

export type PoolRole = 'master' | 'worker';

export interface PoolHost {
  /** `m11`, `m12`… `w21`…: the role's letter and the address's last byte. */
  id: string;
  address: string;
  port: number;
  user: string;
  password: string;
  /** The client private key every pool host authorizes. */
  keyFile: string;
  /** The host's public key (`ssh-ed25519 AAAA…`), for pinning. */
  hostKey: string;
  role: PoolRole;
  home: string;
}

export interface HelmArchive {
  /** `helm-<version>-linux-amd64.tar.gz` (upstream layout: `linux-amd64/helm`), world-readable. */
  path: string;
  sha256: string;
}

export interface Pool {
  poolHosts: PoolHost[];
  helmArchive: HelmArchive;
}

export const POOL_LAYOUT: readonly { id: string; address: string; role: PoolRole }[] = [
  { id: 'm11', address: '127.0.0.11', role: 'master' },
  { id: 'm12', address: '127.0.0.12', role: 'master' },
  { id: 'm13', address: '127.0.0.13', role: 'master' },
  { id: 'm14', address: '127.0.0.14', role: 'master' },
  { id: 'w21', address: '127.0.0.21', role: 'worker' },
  { id: 'w22', address: '127.0.0.22', role: 'worker' },
  { id: 'w23', address: '127.0.0.23', role: 'worker' },
];

/** The Unix user of pool host `id` (`vnfmh11`); a non-default state directory gets a suffix, like sshUser(). */
export function poolUser(state: string, id: string): string {
  const base = `vnfmh${id.slice(1)}`;
  return state === '/tmp/helm-vnfm-testbed'
    ? base
    : `${base}-${createHash('sha256').update(state).digest('hex').slice(0, 8)}`;
}

const poolDir = (state: string) => join(state, 'pool');
const sshdName = (id: string) => `pool-sshd-${id}`;
export const isPoolSshd = (daemon: string) => daemon.startsWith('pool-sshd-');

/** Port 22 of `address` when nothing holds it, else a free one. */
function sshPort(address: string): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(freePort(address)));
    srv.listen(22, address, () => srv.close(() => resolve(22)));
  });
}

/** The binaries the cluster script needs, shared read-only by every pool host. */
function poolBin(state: string): { bin: string } {
  const bin = join(poolDir(state), 'bin');
  mkdirSync(bin, { recursive: true, mode: 0o755 });
  placeBinary(binaries.kube, join(bin, 'kube'));
  for (const name of ['kubectl', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    rmSync(join(bin, name), { force: true });
    symlinkSync('kube', join(bin, name));
  }
  placeBinary(binaries.etcd, join(bin, 'etcd'));
  placeBinary(binaries.kwok, join(bin, 'kwok'));
  // The script finds the stages beside kwok: <bin>/../share/kwok/stages.yaml.
  const share = join(poolDir(state), 'share', 'kwok');
  mkdirSync(share, { recursive: true, mode: 0o755 });
  copyFileSync(binaries.kwokStages, join(share, 'stages.yaml'));
  chmodSync(join(share, 'stages.yaml'), 0o644);
  return { bin };
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** helm 3's release archive as get.helm.sh lays it out, made once from the cached binary. */
async function helmArchive(state: string): Promise<HelmArchive> {
  const dist = join(poolDir(state), 'dist');
  mkdirSync(dist, { recursive: true, mode: 0o755 });
  const path = join(dist, `helm-${versions.helm3}-linux-amd64.tar.gz`);
  if (!existsSync(path)) {
    const tmp = mkdtempSync(join(dist, '.build-'));
    try {
      mkdirSync(join(tmp, 'linux-amd64'), { mode: 0o755 });
      placeBinary(binaries.helm3, join(tmp, 'linux-amd64', 'helm'));
      await run('pool: helm archive', 'tar', [
        '-C',
        tmp,
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '-czf',
        join(tmp, 'out.tar.gz'),
        'linux-amd64',
      ]);
      await run('pool: place helm archive', 'mv', [join(tmp, 'out.tar.gz'), path]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  await run('pool: helm archive mode', 'chmod', ['0644', path]);
  return { path, sha256: await sha256File(path) };
}

/** Starts every pool host's sshd (new password each time); the daemons join the testbed's pid set. */
export async function startPoolHosts(state: string): Promise<Pool> {
  const dir = poolDir(state);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const { bin } = poolBin(state);
  const archive = await helmArchive(state);
  const keyFile = await ensureClientKey(join(dir, 'id_ed25519'));
  const authorized = readFileSync(`${keyFile}.pub`, 'utf8');
  const password = randomBytes(12).toString('base64url');

  const hosts: PoolHost[] = [];
  const accounts = [];
  for (const h of POOL_LAYOUT) {
    const user = poolUser(state, h.id);
    const acct = await ensureUser(user);
    await resetPoolHost(state, h.id); // a fresh machine: nothing left of an earlier testbed's clusters
    await run(`pool ${h.id}: home mode`, 'chmod', ['0700', acct.home]); // hosts don't read each other's files
    mkdirSync(join(acct.home, '.ssh'), { recursive: true, mode: 0o700 });
    await run(`pool ${h.id}: own .ssh`, 'chown', [`${acct.uid}:${acct.gid}`, join(acct.home, '.ssh')]);
    writeOwned(join(acct.home, '.ssh', 'authorized_keys'), authorized, acct, 0o600);
    accounts.push({ h, user, acct });
  }
  // One chpasswd for all: the password arrives on stdin, never in argv.
  await run('pool: set passwords', 'chpasswd', [], {
    input: accounts.map((a) => `${a.user}:${password}\n`).join(''),
  });
  for (const { h, user, acct } of accounts) {
    const hostDir = join(dir, h.id);
    mkdirSync(hostDir, { recursive: true, mode: 0o755 });
    const hostKey = await ensureHostKey(join(hostDir, 'ssh_host_ed25519_key'), `${h.id} ${h.address}`);
    const port = await sshPort(h.address);
    await startSshd(state, sshdName(h.id), {
      host: h.address,
      port,
      dir: hostDir,
      user,
      setEnv: `PATH=${acct.home}/.local/bin:${bin}:/usr/local/bin:/usr/bin:/bin`,
    });
    hosts.push({
      id: h.id,
      address: h.address,
      port,
      user,
      password,
      keyFile,
      hostKey,
      role: h.role,
      home: acct.home,
    });
  }
  return { poolHosts: hosts, helmArchive: archive };
}

/** The pid of pool host `id`'s sshd (a test may stop it to take the host off the network). */
export function poolSshdPid(state: string, id: string): number | undefined {
  return daemonPids(state).get(sshdName(id));
}

/** Starts pool host `host`'s sshd again, on its port with its key, unless it runs. */
export async function revivePoolSshd(state: string, host: PoolHost): Promise<void> {
  const pid = poolSshdPid(state, host.id);
  if (pid !== undefined && isAlive(pid)) return;
  const dir = join(poolDir(state), host.id);
  startDaemon(state, sshdName(host.id), SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')]);
  await waitFor(
    `sshd on ${host.address}:${host.port}`,
    () => portOpen(host.address, host.port),
    15_000,
    `see ${state}/logs/${sshdName(host.id)}.log`,
  );
}

/**
 * Stops the pool hosts' sshd daemons and forgets them, leaving the rest of the testbed
 * running: a failed start of the pool must not make the whole testbed look down.
 */
export async function stopPoolSshd(state: string): Promise<void> {
  for (const [name, pid] of daemonPids(state)) {
    if (!isPoolSshd(name)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    rmSync(join(state, 'pids', `${name}.pid`), { force: true });
  }
}

async function userExists(user: string): Promise<boolean> {
  return run('pool: look up user', 'id', ['-u', user]).then(
    () => true,
    () => false,
  );
}

const hasProcesses = (user: string) =>
  run('pool: processes', 'pgrep', ['-u', user]).then(
    () => true,
    () => false,
  );

/** SIGKILLs every process of a pool user (the cluster script's detached daemons too) and waits until none is left. */
async function killUser(user: string): Promise<void> {
  if (!(await userExists(user))) return;
  const deadline = Date.now() + 15_000;
  while (await hasProcesses(user)) {
    if (Date.now() > deadline) throw new StepError(`pool: processes of ${user} survive SIGKILL`);
    await run('pool: kill user processes', 'pkill', ['-KILL', '-u', user]).catch(() => {});
    await sleep(100);
  }
}

/** Stops every process of every pool user (for `down`); their sshd daemons are the testbed's own. */
export async function killPoolUsers(state: string): Promise<void> {
  for (const h of POOL_LAYOUT) await killUser(poolUser(state, h.id));
}

/**
 * Puts pool host `id` back to a fresh machine's state, for tests: kills its user's
 * processes and empties its home except `.ssh`.
 */
export async function resetPoolHost(state: string, id: string): Promise<void> {
  if (!POOL_LAYOUT.some((h) => h.id === id)) throw new StepError(`pool: no host ${id}`);
  const user = poolUser(state, id);
  await killUser(user);
  const home = `/home/${user}`;
  if (!existsSync(home)) return;
  for (const entry of await readdir(home)) {
    if (entry !== '.ssh') rmSync(join(home, entry), { recursive: true, force: true });
  }
}
