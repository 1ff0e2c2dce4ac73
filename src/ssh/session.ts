// One SSH connection to a master node: run argv commands (each argument quoted)
// and copy files by SFTP. Host keys are checked against a pinned key when one is
// given; secrets go to the SSH library only, never to a command line or a log.
import { createHash } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { timerMs } from '../timers.ts';
import { withHandshakeSlot } from './handshake-limit.ts';
import { commandLine } from './quote.ts';
import { sshHandshake } from '../metrics/registry.ts';

export interface SshTarget {
  host: string;
  port?: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  /** Expected host key: `ssh-ed25519 AAAA…` (type and base64) or `SHA256:…` fingerprint. */
  hostKey?: string;
  readyTimeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class SshError extends Error {
  override name = 'SshError';
  /**
   * The server accepted the TCP connection and closed it before the SSH handshake, as
   * sshd does to connections beyond its MaxStartups: worth trying again shortly.
   */
  readonly dropped: boolean;
  constructor(message: string, opts: { dropped?: boolean } = {}) {
    super(message);
    this.dropped = opts.dropped ?? false;
  }
}

/** `SHA256:<base64>` fingerprint of a raw host key, as `ssh-keygen -l` prints it. */
export function fingerprint(rawKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(rawKey).digest('base64').replace(/=+$/, '')}`;
}

function hostKeyMatches(expected: string, rawKey: Buffer): boolean {
  if (expected.startsWith('SHA256:')) return expected === fingerprint(rawKey);
  const b64 = expected.trim().split(/\s+/)[1] ?? expected.trim();
  return Buffer.from(b64, 'base64').equals(rawKey);
}

/**
 * Put before every remote command line. sshd makes each session a process group of its
 * own (setsid); a watcher in it reads the channel's stdin, which this side never closes,
 * so when the channel goes — the VNFM stopped the command, or its connection died — stdin
 * ends and the watcher kills the whole group: the command, helm's children, the shell.
 * After a command that finished, the watcher's kill reaches only what the command left
 * behind. The command itself reads /dev/null.
 */
const GUARD = 'exec 3<&0 </dev/null; { cat >/dev/null; kill -KILL 0; } <&3 >/dev/null 2>&1 & exec 3<&-; ';

/** How long a stopped command's channel may take to close before the caller is told anyway. */
const STOP_WAIT_MS = 5_000;

export class SshSession {
  readonly #client: Client;
  readonly target: SshTarget;
  /** The host key the server presented, as `SHA256:…` (for pinning on first use). */
  presentedHostKey = '';
  #closed = false;
  readonly #openedAt = Date.now();
  #sock: Socket | undefined;

  private constructor(client: Client, target: SshTarget) {
    this.#client = client;
    this.target = target;
  }

  /**
   * Opens a connection, at most VNFM_SSH_MAX_HANDSHAKES at once to one server from this
   * process (src/ssh/handshake-limit.ts); `readyTimeoutMs` counts from this one's turn.
   */
  static connect(target: SshTarget): Promise<SshSession> {
    return withHandshakeSlot(`${target.host}:${target.port ?? 22}`, () => SshSession.#connectNow(target));
  }

  static #connectNow(target: SshTarget): Promise<SshSession> {
    const client = new Client();
    const session = new SshSession(client, target);
    const where = `${target.username}@${target.host}:${target.port ?? 22}`;
    return new Promise((resolve, reject) => {
      let mismatch = false;
      let tcpUp = false;
      let handshakeStarted = false;
      // ssh2 may report one failure several times; the metrics count the connection once.
      let counted = false;
      const count = (outcome: Parameters<typeof sshHandshake>[0]) => {
        if (!counted) sshHandshake(outcome);
        counted = true;
      };
      const config: ConnectConfig = {
        host: target.host,
        port: target.port ?? 22,
        username: target.username,
        readyTimeout: target.readyTimeoutMs ?? 15_000,
        hostVerifier: (key: Buffer) => {
          handshakeStarted = true;
          session.presentedHostKey = fingerprint(key);
          mismatch = target.hostKey !== undefined && !hostKeyMatches(target.hostKey, key);
          return !mismatch;
        },
      };
      if (target.password !== undefined) config.password = target.password;
      if (target.privateKey !== undefined) config.privateKey = target.privateKey;
      client.once('ready', () => {
        count('ok');
        resolve(session);
      });
      client.once('close', () => {
        session.#closed = true;
        // A server that hangs up after its banner without a protocol error gets no 'error'
        // from ssh2: settle here, or the connect (and its handshake slot) would wait forever.
        // After 'ready' or an error this changes nothing (counted once, settled once).
        const dropped = tcpUp && !handshakeStarted;
        count(dropped ? 'dropped' : 'error');
        reject(
          new SshError(`cannot connect to ${where}: the connection closed before it was ready`, { dropped }),
        );
      });
      // ssh2 may emit several errors for one failed connection (e.g. a reset before
      // the banner); all must be handled, or the process dies on the second.
      client.on('error', (err: Error & { level?: string }) => {
        if (mismatch) {
          count('host_key_mismatch');
          reject(
            new SshError(
              `host key of ${where} changed: expected ${target.hostKey}, got ${session.presentedHostKey}`,
            ),
          );
        } else if (err.level === 'client-authentication') {
          count('auth_failed');
          reject(new SshError(`authentication failed for ${where}`));
        } else {
          const dropped = tcpUp && !handshakeStarted && err.level !== 'client-timeout';
          count(dropped ? 'dropped' : 'error');
          reject(new SshError(`cannot connect to ${where}: ${err.message}`, { dropped }));
        }
      });
      // Without TCP_NODELAY every request/response exchange waits on delayed ACKs (~40-80 ms each).
      const sock = createConnection({ host: target.host, port: target.port ?? 22, noDelay: true });
      session.#sock = sock;
      sock.on('error', () => {}); // reported through the client's 'error'
      sock.once('connect', () => (tcpUp = true));
      client.connect({ ...config, sock });
    });
  }

  /** Runs argv on the remote host; each argument is quoted, so none is interpreted by its shell. */
  exec(argv: readonly string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.execRaw(commandLine(argv), opts);
  }

  /** Runs argv commands one after the other in one remote command (`a && b`), stopping at the first failure. */
  execAll(argvs: readonly (readonly string[])[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    if (argvs.length === 0) return Promise.resolve({ code: 0, stdout: '', stderr: '' });
    return this.execRaw(argvs.map((a) => commandLine(a)).join(' && '), opts);
  }

  /**
   * Runs a command line written by this program (never one built from user input unquoted),
   * guarded so that it ends with its channel (see GUARD). Past `timeoutMs` the command is
   * stopped: its process group killed (the `signal` request, which OpenSSH's sshd honours
   * except for root logins, and the guard as the channel closes), and the promise rejects
   * once the channel is gone.
   */
  execRaw(cmd: string, opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.#client.exec(`${GUARD}${cmd}`, (err, stream) => {
        if (err) return reject(new SshError(`exec on ${this.target.host}: ${err.message}`));
        let stdout = '';
        let stderr = '';
        let timedOut: SshError | undefined;
        let stopTimer: NodeJS.Timeout | undefined;
        const timer =
          opts.timeoutMs !== undefined
            ? setTimeout(() => {
                timedOut = new SshError(
                  `command on ${this.target.host} did not finish within ${opts.timeoutMs}ms; it was stopped`,
                );
                try {
                  stream.signal('KILL');
                } catch {
                  /* the channel may already be closing; the guard ends the command with it */
                }
                stream.close();
                // A server that never confirms the close must not hold the caller: the guard has acted anyway.
                stopTimer = setTimeout(() => reject(timedOut), STOP_WAIT_MS);
              }, timerMs(opts.timeoutMs))
            : undefined;
        stream.on('data', (d: Buffer) => {
          stdout += d;
        });
        stream.stderr.on('data', (d: Buffer) => {
          stderr += d;
        });
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          clearTimeout(stopTimer);
          if (timedOut) reject(timedOut);
          else resolve({ code: code ?? -1, stdout, stderr });
        });
        // stdin stays open while the command runs: its end is what tells the guard to stop it.
      });
    });
  }

  #sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) =>
      this.#client.sftp((err, sftp) =>
        err ? reject(new SshError(`sftp to ${this.target.host}: ${err.message}`)) : resolve(sftp),
      ),
    );
  }

  /** Copies a local file to the remote path by SFTP. */
  putFile(localPath: string, remotePath: string): Promise<void> {
    return this.putFiles([{ local: localPath, remote: remotePath }]);
  }

  /**
   * Copies local files by SFTP, all at once on one channel (a channel costs a round trip or two).
   * With `mode`, each file gets it once written (an existing file's mode included).
   */
  async putFiles(files: readonly { local: string; remote: string; mode?: number }[]): Promise<void> {
    if (files.length === 0) return;
    const sftp = await this.#sftp();
    const failed = (what: string) => (err: Error) =>
      new SshError(`sftp ${what} on ${this.target.host}: ${err.message}`);
    try {
      await Promise.all(
        files.map(async (f) => {
          await new Promise<void>((resolve, reject) =>
            sftp.fastPut(f.local, f.remote, (err) =>
              err ? reject(failed(`put ${f.remote}`)(err)) : resolve(),
            ),
          );
          if (f.mode !== undefined)
            await new Promise<void>((resolve, reject) =>
              sftp.chmod(f.remote, f.mode!, (err) =>
                err ? reject(failed(`chmod ${f.remote}`)(err)) : resolve(),
              ),
            );
        }),
      );
    } finally {
      sftp.end();
    }
  }

  /**
   * Writes `content` to a remote file by SFTP (secrets go this way: no command line sees
   * them). The mode is set on the open file before any byte is written, so an existing
   * file with a wider mode never holds the new content readable by others.
   */
  async writeFile(remotePath: string, content: string | Buffer, mode = 0o600): Promise<void> {
    const sftp = await this.#sftp();
    const fail = (what: string) => (err: Error) =>
      new SshError(`sftp ${what} ${remotePath} on ${this.target.host}: ${err.message}`);
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    try {
      const handle = await new Promise<Buffer>((resolve, reject) =>
        sftp.open(remotePath, 'w', { mode }, (err, h) => (err ? reject(fail('open')(err)) : resolve(h))),
      );
      try {
        await new Promise<void>((resolve, reject) =>
          sftp.fchmod(handle, mode, (err) => (err ? reject(fail('chmod')(err)) : resolve())),
        );
        let offset = 0;
        while (offset < data.length) {
          const n = Math.min(32 * 1024, data.length - offset);
          await new Promise<void>((resolve, reject) =>
            sftp.write(handle, data, offset, n, offset, (err) =>
              err ? reject(fail('write')(err)) : resolve(),
            ),
          );
          offset += n;
        }
      } finally {
        await new Promise<void>((resolve) => sftp.close(handle, () => resolve()));
      }
    } finally {
      sftp.end();
    }
  }

  /** Whether the open connection keeps the process running (an idle pooled one does not). */
  hold(hold: boolean): void {
    if (hold) this.#sock?.ref();
    else this.#sock?.unref();
  }

  /** How long ago the connection was opened. */
  get ageMs(): number {
    return Date.now() - this.#openedAt;
  }

  /** False once the connection closed or broke (a pooled one is then not lent again). */
  get usable(): boolean {
    return !this.#closed;
  }

  close(): void {
    this.#closed = true;
    this.#client.end();
  }
}
