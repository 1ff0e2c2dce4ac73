// Helm on a Kubernetes master node over SSH (the spec's transport). Each argument
// is quoted by SshSession.exec, so request values reach helm as one literal word
// each; the password or private key goes to the SSH library only. Host keys are
// pinned: a known key (from helm_info or recorded earlier) must match, an unknown
// one is accepted and reported so the caller records it (trust on first use).
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquire, type Lease, remember } from '../../ssh/pool.ts';
import { fingerprint, SshError, SshSession, type SshTarget } from '../../ssh/session.ts';
import type { HelmInfo } from '../../vim/model.ts';
import { HelmError } from './errors.ts';
import { helmInfoPin, type MasterNode, nodeLabel } from './helm-info.ts';
import { type ExecResult, redactSecrets, type RunOptions, safeDirName, type Transport } from './transport.ts';

/** The master node could not be reached at all (refused, no route, timed out): the next one may be. */
export class MasterUnreachableError extends HelmError {
  override name = 'MasterUnreachableError';
}

export interface SshTransportOptions {
  node: MasterNode;
  info: HelmInfo;
  /** Pinned host key for this node (`ssh-ed25519 AAAA…` or `SHA256:…`); absent: trust on first use. */
  hostKey?: string;
  /** Directory under the user's home holding `<vnfInstanceId>/` chart directories. */
  remoteDir: string;
  readyTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** Backoffs before each new attempt when sshd dropped the connection before the handshake. */
const DROP_BACKOFF_MS = [100, 250, 500, 1000, 2000];

/** A failed connection as the error an operator reads: login, host key, unreachable (try the next node). */
function connectError(
  e: unknown,
  where: string,
  node: MasterNode,
  username: string,
  hostKey: string | undefined,
  secrets: (string | undefined)[],
): HelmError {
  const msg = redactSecrets(e instanceof Error ? e.message : String(e), secrets);
  if (e instanceof SshError && msg.startsWith('authentication failed'))
    return new HelmError(`${where}: authentication failed for user ${JSON.stringify(username)}`);
  if (e instanceof SshError && msg.startsWith('host key of')) {
    const presented = /got (\S+)$/.exec(msg)?.[1] ?? 'an unknown key';
    return new HelmError(
      `${where}: host key of ${nodeLabel(node)} changed: pinned ${shownKey(hostKey ?? '')}, presented ${presented}`,
    );
  }
  if (e instanceof SshError && msg.startsWith('cannot connect to'))
    return new MasterUnreachableError(
      `${where}: unreachable: ${msg.replace(/^cannot connect to \S+: /, '')}`,
    );
  return new HelmError(`${where}: ${msg}`);
}

/**
 * SshSession.connect, tried again when the server dropped the connection before the
 * handshake: sshd does that to connections beyond MaxStartups (10 by default), which
 * several operations starting at once reach. Anything else fails at once.
 */
async function connectAgainIfDropped(target: SshTarget): Promise<SshSession> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await SshSession.connect(target);
    } catch (e) {
      const backoff = DROP_BACKOFF_MS[attempt];
      if (!(e instanceof SshError && e.dropped) || backoff === undefined) throw e;
      await sleep(backoff * (0.5 + Math.random()));
    }
  }
}

/** A pinned key shown as its fingerprint, as `ssh-keygen -l` and the presented key are. */
function shownKey(key: string): string {
  if (key.startsWith('SHA256:')) return key;
  const b64 = key.trim().split(/\s+/)[1] ?? key.trim();
  return fingerprint(Buffer.from(b64, 'base64'));
}

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly where: string;
  readonly node: MasterNode;
  /** The host key the node presented (`SHA256:…`), to be recorded when it was not pinned. */
  readonly presentedHostKey: string;
  readonly #session: SshSession;
  readonly #lease: Lease;
  readonly #base: string;
  readonly #secrets: (string | undefined)[];
  readonly #target: SshTarget;

  private constructor(
    lease: Lease,
    target: SshTarget,
    node: MasterNode,
    base: string,
    secrets: (string | undefined)[],
  ) {
    const session = lease.session;
    this.#target = target;
    this.#lease = lease;
    this.#session = session;
    this.node = node;
    this.where = `master node ${nodeLabel(node)}`;
    this.presentedHostKey = session.presentedHostKey;
    this.#base = base;
    this.#secrets = secrets;
  }

  static async connect(opts: SshTransportOptions): Promise<SshTransport> {
    const { node, info } = opts;
    const where = `master node ${nodeLabel(node)}`;
    const username = info.masternode_username;
    if (!username) throw new HelmError(`${where}: helm_info has no masternode_username`);
    if (!info.masternode_password && !info.masternode_private_key)
      throw new HelmError(`${where}: helm_info has neither masternode_password nor masternode_private_key`);
    const secrets = [info.masternode_password, info.masternode_private_key];
    const target: SshTarget = {
      host: node.host,
      port: node.port,
      username,
      ...(info.masternode_password !== undefined ? { password: info.masternode_password } : {}),
      ...(info.masternode_private_key !== undefined ? { privateKey: info.masternode_private_key } : {}),
      ...(opts.hostKey !== undefined ? { hostKey: opts.hostKey } : {}),
      readyTimeoutMs: opts.readyTimeoutMs ?? 15_000,
    };
    for (;;) {
      let lease: Lease;
      try {
        lease = await acquire(target, connectAgainIfDropped);
      } catch (e) {
        throw connectError(e, where, node, username, opts.hostKey, secrets);
      }
      // Chart directories live under the login user's home; its path is needed for SFTP and helm
      // alike. Asked on every lease: on a reused connection it also proves the connection alive.
      let home;
      try {
        home = await lease.session.exec(['printenv', 'HOME'], { timeoutMs: 30_000 });
      } catch (e) {
        lease.session.close();
        lease.release();
        if (!lease.fresh) continue; // a pooled connection that died meanwhile: a new one
        throw new HelmError(`${where}: ${redactSecrets((e as Error).message, secrets)}`);
      }
      const dir = home.stdout.trim();
      if (home.code !== 0 || !dir.startsWith('/')) {
        lease.release();
        throw new HelmError(`${where}: cannot find the home directory of ${JSON.stringify(username)}`);
      }
      return new SshTransport(lease, target, node, posix.join(dir, opts.remoteDir), secrets);
    }
  }

  instanceDir(vnfInstanceId: string): string {
    return posix.join(this.#base, safeDirName(vnfInstanceId, 'VNF instance id'));
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
    try {
      return await this.#session.exec(argv, { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    } catch (e) {
      throw new HelmError(`${this.where}: ${this.redact(e instanceof Error ? e.message : String(e))}`);
    }
  }

  async runAll(argvs: readonly (readonly string[])[], opts: RunOptions = {}): Promise<ExecResult> {
    try {
      return await this.#session.execAll(argvs, { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    } catch (e) {
      throw new HelmError(`${this.where}: ${this.redact(e instanceof Error ? e.message : String(e))}`);
    }
  }

  async putFiles(files: readonly { local: string; remote: string }[]): Promise<void> {
    try {
      const inside = files.map((f) => ({ local: f.local, remote: this.#inside(f.remote) }));
      await this.#session.putFiles(inside);
    } catch (e) {
      if (e instanceof HelmError) throw e;
      throw new HelmError(`${this.where}: ${this.redact(e instanceof Error ? e.message : String(e))}`);
    }
  }

  async mkdirp(...dirs: string[]): Promise<void> {
    if (dirs.length === 0) return;
    await this.#check(
      ['mkdir', '-p', '--', ...dirs.map((d) => this.#inside(d))],
      `cannot create ${dirs.join(', ')}`,
    );
  }

  async exists(path: string): Promise<boolean> {
    return (await this.run(['test', '-e', path])).code === 0;
  }

  async removeDir(dir: string): Promise<void> {
    await this.#check(['rm', '-rf', '--', this.#inside(dir)], `cannot remove ${dir}`);
  }

  redact(text: string): string {
    return redactSecrets(text, this.#secrets);
  }

  /** Asked once per node and credentials, whichever connection asks (src/ssh/pool.ts). */
  remember<T>(key: string, f: () => Promise<T>): Promise<T> {
    return remember(this.#target, key, f);
  }

  /** Gives the connection back to the pool, for the next operation on this node. */
  async close(): Promise<void> {
    this.#lease.release();
  }

  async #check(argv: string[], what: string): Promise<void> {
    const r = await this.run(argv);
    if (r.code !== 0) throw new HelmError(`${this.where}: ${what}: ${this.redact(r.stderr.trim())}`);
  }

  /** Writes and removals stay under the base directory, whatever a path says. */
  #inside(p: string): string {
    const abs = posix.resolve(this.#base, p);
    if (!abs.startsWith(`${this.#base}/`))
      throw new HelmError(`${this.where}: refusing to write outside ${this.#base}: ${abs}`);
    return abs;
  }
}

/**
 * Connects to the first reachable master node, in the order given. Only an
 * unreachable node moves on to the next: a refused login or a changed host key is
 * an error to fix, not to route around. Pins: helm_info's masternode_host_keys
 * first, then keys recorded by earlier operations.
 */
export async function connectFirstReachable(
  nodes: MasterNode[],
  /** One helm_info for all nodes, or each node's own (its credentials and pin: helm-info.ts resolveMasters). */
  infoOf: HelmInfo | ((node: MasterNode) => HelmInfo),
  recorded: Record<string, string>,
  opts: { remoteDir: string; readyTimeoutMs?: number; onUnreachable?: (err: HelmError) => void },
): Promise<SshTransport> {
  if (nodes.length === 0) throw new HelmError('helm_info lists no master node (masternode_ip is empty)');
  const failures: string[] = [];
  for (const node of nodes) {
    const info = typeof infoOf === 'function' ? infoOf(node) : infoOf;
    const hostKey = pinnedKey(node, info, recorded);
    try {
      return await SshTransport.connect({
        node,
        info,
        remoteDir: opts.remoteDir,
        ...(hostKey !== undefined ? { hostKey } : {}),
        ...(opts.readyTimeoutMs !== undefined ? { readyTimeoutMs: opts.readyTimeoutMs } : {}),
      });
    } catch (e) {
      if (!(e instanceof MasterUnreachableError)) throw e;
      opts.onUnreachable?.(e);
      failures.push(e.message);
    }
  }
  throw new HelmError(`no master node is reachable: ${failures.join('; ')}`);
}

/** The key a node must present: helm_info's pin for its address (or host), else the one recorded earlier. */
export function pinnedKey(
  node: MasterNode,
  info: HelmInfo,
  recorded: Record<string, string>,
): string | undefined {
  return helmInfoPin(node, info) ?? recorded[node.address];
}
