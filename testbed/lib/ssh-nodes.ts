// SSH "master nodes": Debian's sshd, one per loopback address, each letting the
// test user in by password and by key, with helm and kubectl on PATH (node 0 runs
// helm 3, node 1 helm 4) and a kubeconfig for the testbed cluster.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { binaries } from './paths.ts';
import { freePort, portOpen, run, StepError, startDaemon, waitFor } from './proc.ts';

/**
 * The SSH test user. A testbed in another state directory (a second checkout, CI
 * beside a developer's testbed) gets its own user, so their passwords never clash.
 */
export function sshUser(state: string): string {
  return state === '/tmp/helm-vnfm-testbed'
    ? 'vnfmtb'
    : `vnfmtb-${createHash('sha256').update(state).digest('hex').slice(0, 8)}`;
}
export const SSHD = '/usr/sbin/sshd';

export interface SshNode {
  host: string;
  port: number;
  user: string;
  password: string;
  keyFile: string;
  /** The node's host public key (`ssh-ed25519 AAAA…`), for pinning. */
  hostKey: string;
  helm: 'helm3' | 'helm4';
}

export interface Account {
  uid: number;
  gid: number;
  home: string;
}

export async function ensureUser(user: string): Promise<Account> {
  if (process.getuid?.() !== 0)
    throw new StepError('ssh nodes: the testbed must run as root to create its SSH test user');
  const home = `/home/${user}`;
  try {
    await run('ssh nodes: look up test user', 'id', ['-u', user]);
  } catch {
    await run('ssh nodes: create test user', 'useradd', [
      '--create-home',
      '--home-dir',
      home,
      '--shell',
      '/bin/bash',
      user,
    ]);
  }
  const uid = Number((await run('ssh nodes: uid', 'id', ['-u', user])).trim());
  const gid = Number((await run('ssh nodes: gid', 'id', ['-g', user])).trim());
  return { uid, gid, home };
}

/** Hard link when on the same filesystem (instant), else copy; readable and executable by the test user. */
export function placeBinary(from: string, to: string): void {
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
  chmodSync(to, 0o755);
}

export function writeOwned(file: string, content: string, acct: Account, mode: number): void {
  writeFileSync(file, content, { mode });
  chmodSync(file, mode);
  chownSync(file, acct.uid, acct.gid);
}

export async function startSshNodes(state: string, kubeconfigYaml: string, count = 2): Promise<SshNode[]> {
  if (!existsSync(SSHD))
    throw new StepError(
      `ssh nodes: ${SSHD} missing (run testbed/scripts/build.sh, which installs openssh-server)`,
    );
  const user = sshUser(state);
  const acct = await ensureUser(user);
  const sshDir = join(state, 'ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o755 });
  chmodSync(state, 0o755);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory

  // The test user's password is new on every `up`; chpasswd reads it from stdin, never argv.
  const password = randomBytes(12).toString('base64url');
  await run('ssh nodes: set test user password', 'chpasswd', [], { input: `${user}:${password}\n` });

  const keyFile = await ensureClientKey(join(sshDir, 'id_ed25519'));
  for (const d of ['.ssh', '.kube']) {
    mkdirSync(join(acct.home, d), { recursive: true, mode: 0o700 });
    chownSync(join(acct.home, d), acct.uid, acct.gid);
  }
  writeOwned(join(acct.home, '.ssh', 'authorized_keys'), readFileSync(`${keyFile}.pub`, 'utf8'), acct, 0o600);
  writeOwned(join(acct.home, '.kube', 'config'), kubeconfigYaml, acct, 0o600);

  const nodes: SshNode[] = [];
  for (let i = 0; i < count; i++) {
    const host = `127.0.0.${i + 2}`;
    const helm = i % 2 === 0 ? 'helm3' : 'helm4';
    const dir = join(sshDir, `node-${i}`);
    const binDir = join(dir, 'bin');
    mkdirSync(binDir, { recursive: true, mode: 0o755 });
    placeBinary(binaries[helm], join(binDir, 'helm'));
    placeBinary(binaries.kube, join(binDir, 'kube'));
    rmSync(join(binDir, 'kubectl'), { force: true });
    symlinkSync('kube', join(binDir, 'kubectl'));
    const hostKey = await ensureHostKey(join(dir, 'ssh_host_ed25519_key'), host);
    const port = await freePort(host);
    await startSshd(state, `sshd-${i}`, {
      host,
      port,
      dir,
      user,
      setEnv: `PATH=${binDir}:/usr/local/bin:/usr/bin:/bin KUBECONFIG=${acct.home}/.kube/config`,
    });
    nodes.push({ host, port, user: user, password, keyFile, hostKey, helm });
  }
  return nodes;
}

/** An ed25519 key pair without passphrase at `file`, made once. */
async function keygen(file: string, comment: string): Promise<void> {
  if (existsSync(file)) return;
  await run(`ssh key ${comment}`, 'ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** The client key pair at `file` (made once); returns `file`. */
export async function ensureClientKey(file: string): Promise<string> {
  await keygen(file, 'helm-vnfm-testbed');
  return file;
}

/** The host key in `file` (made once), as `ssh-ed25519 AAAA…` for pinning. */
export async function ensureHostKey(file: string, comment: string): Promise<string> {
  await keygen(file, comment);
  const pub = readFileSync(`${file}.pub`, 'utf8').trim().split(' ');
  return `${pub[0]} ${pub[1]}`;
}

export interface SshdSpec {
  host: string;
  port: number;
  /** Holds the host key (ssh_host_ed25519_key), the config and the pid file. */
  dir: string;
  /** The only user let in. */
  user: string;
  /** sshd's SetEnv value: the session's environment (PATH…). */
  setEnv: string;
}

/** Starts an sshd daemon (password and key login) and waits until it accepts connections. */
export async function startSshd(state: string, name: string, spec: SshdSpec): Promise<void> {
  const { host, port, dir } = spec;
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress ${host}:${port}`,
      `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'AuthorizedKeysFile .ssh/authorized_keys',
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${spec.user}`,
      'UsePAM no',
      // The state directory lives under /tmp (world-writable), which StrictModes rejects.
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      `SetEnv ${spec.setEnv}`,
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  await run(`${name}: check sshd config`, SSHD, ['-t', '-f', config]);
  startDaemon(state, name, SSHD, ['-D', '-e', '-f', config]);
  await waitFor(
    `sshd on ${host}:${port}`,
    () => portOpen(host, port),
    15_000,
    `see ${state}/logs/${name}.log`,
  );
}
