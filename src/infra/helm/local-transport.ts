// Helm on the VNFM host, for VIMs without master nodes (or when configured so).
// The cluster credentials go into a kubeconfig written 0600 in a private temp
// directory, removed on close; helm's cache, config and data homes are kept per
// VIM under the configured base directory, so repositories of one cluster never
// leak into another's. The child gets only the environment helm needs: no token
// or password is ever an argument or an inherited variable.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { timerMs } from '../../timers.ts';
import { kubeconfigYamlForVim } from '../../vim/kubeconfig.ts';
import type { Vim } from '../../vim/model.ts';
import { HelmError } from './errors.ts';
import { type ExecResult, redactSecrets, type RunOptions, safeDirName, type Transport } from './transport.ts';

export interface LocalTransportOptions {
  vim: Vim;
  /** The helm binary (a path, or a name looked up on PATH). */
  helmBinary: string;
  /** Base directory: `vims/<vim>/` holds helm's homes, `instances/<id>/` the chart files. */
  homeDir: string;
}

// Proxies are how helm reaches chart repositories from a VNFM behind one; nothing else is inherited.
const PASSED_ENV = ['PATH', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 64 * 1024 * 1024; // `helm get manifest` of a large chart

/** A VIM id as a directory name: itself when plain, else a digest (never a path). */
function vimDir(id: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && !id.includes('..')
    ? id
    : createHash('sha256').update(id).digest('hex').slice(0, 32);
}

/** Where the local transport keeps a VIM's helm homes (repositories, cache, plugins). */
const vimHome = (homeDir: string, vimId: string) => join(resolve(homeDir), 'vims', vimDir(vimId));

/** Removes a VIM's helm homes: called when the VIM is deleted, so no repository of it lingers. */
export async function removeVimHome(homeDir: string, vimId: string): Promise<void> {
  await rm(vimHome(homeDir, vimId), { recursive: true, force: true });
}

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly where = 'local helm';
  readonly #helm: string;
  readonly #base: string;
  readonly #private: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #secrets: (string | undefined)[];

  private constructor(
    helm: string,
    base: string,
    privateDir: string,
    env: NodeJS.ProcessEnv,
    secrets: (string | undefined)[],
  ) {
    this.#helm = helm;
    this.#base = base;
    this.#private = privateDir;
    this.#env = env;
    this.#secrets = secrets;
  }

  static async open(opts: LocalTransportOptions): Promise<LocalTransport> {
    const base = resolve(opts.homeDir);
    const homes = vimHome(base, opts.vim.id);
    for (const d of ['cache', 'config', 'data'])
      await mkdir(join(homes, d), { recursive: true, mode: 0o700 });
    // mkdtemp creates the directory 0700: only this process's user can reach the kubeconfig.
    const privateDir = await mkdtemp(join(tmpdir(), 'vnfm-helm-'));
    const kubeconfig = join(privateDir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYamlForVim(opts.vim), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = {};
    for (const k of PASSED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
    Object.assign(env, {
      HOME: privateDir,
      KUBECONFIG: kubeconfig,
      HELM_CACHE_HOME: join(homes, 'cache'),
      HELM_CONFIG_HOME: join(homes, 'config'),
      HELM_DATA_HOME: join(homes, 'data'),
    });
    const cred = opts.vim.authCred;
    return new LocalTransport(opts.helmBinary, base, privateDir, env, [
      cred.bearer_token,
      cred.password,
      cred.client_key,
    ]);
  }

  instanceDir(vnfInstanceId: string): string {
    return join(this.#base, 'instances', safeDirName(vnfInstanceId, 'VNF instance id'));
  }

  /**
   * Runs the program in a process group of its own; past the timeout the whole group is
   * killed (helm and anything it started), and the promise settles once it has exited.
   */
  run(argv: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
    const [program, ...args] = argv;
    if (program === undefined) throw new Error('empty command');
    const file = program === 'helm' ? this.#helm : program;
    const timeoutMs = timerMs(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return new Promise((resolvePromise, reject) => {
      const child = spawn(file, args, {
        env: this.#env,
        cwd: this.#private,
        detached: true, // its own process group, so a kill reaches helm's children too
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let stopped: HelmError | undefined;
      const stop = (why: HelmError) => {
        stopped ??= why;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const collect = (into: Buffer[]) => (d: Buffer) => {
        size += d.length;
        if (size > MAX_OUTPUT)
          stop(
            new HelmError(`${this.where}: ${program} ${args[0] ?? ''} printed more than ${MAX_OUTPUT} bytes`),
          );
        else into.push(d);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      const timer = setTimeout(
        () =>
          stop(
            new HelmError(
              `${this.where}: ${program} ${args[0] ?? ''} did not finish within ${timeoutMs}ms; it was stopped`,
            ),
          ),
        timeoutMs,
      );
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (e.code === 'ENOENT')
          return reject(new HelmError(`${this.where}: program ${JSON.stringify(file)} not found`));
        reject(new HelmError(`${this.where}: cannot run ${program}: ${this.redact(e.message)}`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (stopped) return reject(stopped);
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (code === null)
          return reject(new HelmError(`${this.where}: ${program} ${args[0] ?? ''} was killed by ${signal}`));
        resolvePromise({ code, stdout, stderr });
      });
    });
  }

  async runAll(argvs: readonly (readonly string[])[], opts: RunOptions = {}): Promise<ExecResult> {
    let last: ExecResult = { code: 0, stdout: '', stderr: '' };
    for (const argv of argvs) {
      last = await this.run(argv, opts);
      if (last.code !== 0) break;
    }
    return last;
  }

  async putFiles(files: readonly { local: string; remote: string }[]): Promise<void> {
    await Promise.all(files.map((f) => copyFile(f.local, this.#inside(f.remote))));
  }

  async mkdirp(...dirs: string[]): Promise<void> {
    for (const dir of dirs) await mkdir(this.#inside(dir), { recursive: true, mode: 0o700 });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  }

  async removeDir(dir: string): Promise<void> {
    await rm(this.#inside(dir), { recursive: true, force: true });
  }

  remember<T>(_key: string, f: () => Promise<T>): Promise<T> {
    return f(); // one transport per operation: nothing outlives it
  }

  redact(text: string): string {
    return redactSecrets(text, this.#secrets);
  }

  async close(): Promise<void> {
    await rm(this.#private, { recursive: true, force: true });
  }

  /** Writes stay under the base directory, whatever a path says. */
  #inside(p: string): string {
    const abs = resolve(p);
    const rel = relative(this.#base, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
      throw new HelmError(`${this.where}: refusing to write outside ${this.#base}: ${abs}`);
    return abs;
  }
}
