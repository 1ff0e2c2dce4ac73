// Where helm runs: on a master node over SSH, or on the VNFM host against a
// kubeconfig built from the VIM. Both take the same argv arrays from the command
// builder and offer the few file operations chart staging needs, so everything
// above this interface is written once.

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kill the command after this long (helm's own --timeout should fire first). */
  timeoutMs?: number;
}

export interface Transport {
  readonly kind: 'ssh' | 'local';
  /** Names the host in logs and errors: `master node 127.0.0.2:22` or `local helm`. */
  readonly where: string;
  /** The per-instance directory for chart files on this host (absolute). */
  instanceDir(vnfInstanceId: string): string;
  /** Runs a program (`helm`, `tar`) with arguments; each argument reaches it verbatim. */
  run(argv: readonly string[], opts?: RunOptions): Promise<ExecResult>;
  /**
   * Runs commands one after the other until one fails (over SSH in one remote command,
   * `a && b`); the result is the failing one's, or the last one's.
   */
  runAll(argvs: readonly (readonly string[])[], opts?: RunOptions): Promise<ExecResult>;
  /** Copies files of the VNFM host to this host (over SSH by SFTP, all on one channel). */
  putFiles(files: readonly { local: string; remote: string }[]): Promise<void>;
  /** Creates directories with their parents. */
  mkdirp(...dirs: string[]): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Removes a directory tree; only inside this transport's own base directory. */
  removeDir(dir: string): Promise<void>;
  /**
   * What the host answered once for `key` (helm's version), kept for later operations:
   * over SSH per node and credentials for 5 minutes, locally per prepared VIM.
   */
  remember<T>(key: string, f: () => Promise<T>): Promise<T>;
  /** Replaces the transport's secrets in text that came back from the host (defence in depth). */
  redact(text: string): string;
  close(): Promise<void>;
}

/** vnfInstanceIds become directory names: only plain names, never a path. */
export function safeDirName(id: string, what: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) || id.includes('..'))
    throw new Error(`${what} ${JSON.stringify(id)} cannot be used as a directory name`);
  return id;
}

/** Replaces each non-trivial secret in `text`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
