// Helm on the VNFM host, for VIMs without master nodes (or when configured so).
// The cluster credentials go into a kubeconfig written 0600 in a private 0700
// directory; helm's cache, config and data homes are kept per VIM under the
// configured base directory, so repositories of one cluster never leak into
// another's. The child gets only the environment helm needs: no token or password
// is ever an argument or an inherited variable.
//
// What an operation needs before its first helm command — the directories, the
// kubeconfig, helm's version — is prepared once per VIM and shared by every
// operation on it, at once or later (raw helm pays none of it per command). It is
// found again only under the same VIM id, base directory, helm binary and
// connection data (a digest of auth_url and the credentials): a VIM whose token or
// certificate changed gets a new kubeconfig, and the old one is removed as soon as
// no running operation uses it. Also removed: after IDLE_MS unused, when the VIM
// is deleted (removeVimHome), when the process exits. Past MAX_AGE_MS it is
// prepared again, so a helm binary replaced in place is asked its version again.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
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
/** A VIM's prepared files unused this long are removed (the credentials do not sit on disk for nothing). */
const IDLE_MS = 5 * 60_000;
/** Prepared files older than this are prepared again for the next operation (as the SSH pool's MAX_AGE_MS). */
const MAX_AGE_MS = 5 * 60_000;

/** A VIM id as a directory name: itself when plain, else a digest (never a path). */
function vimDir(id: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && !id.includes('..')
    ? id
    : createHash('sha256').update(id).digest('hex').slice(0, 32);
}

/** Where the local transport keeps a VIM's helm homes (repositories, cache, plugins) and its kubeconfig. */
const vimHome = (homeDir: string, vimId: string) => join(resolve(homeDir), 'vims', vimDir(vimId));

/** What a VIM's operations share: its private directory with the kubeconfig, helm's environment, helm's answers. */
interface Prepared {
  /** resolve(homeDir), VIM id, helm binary. */
  key: string;
  /** Of the connection data the kubeconfig was written from. */
  digest: string;
  /** 0700, holds the kubeconfig (0600); helm's HOME and working directory. */
  dir: string;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  secrets: (string | undefined)[];
  /** Answers of the host remembered for later operations (helm's version). */
  memo: Map<string, Promise<unknown>>;
  born: number;
  /** Operations holding it now. */
  users: number;
  /** No longer handed out; its directory goes when its last user lets go. */
  retired: boolean;
  idle: NodeJS.Timeout | undefined;
  removed: Promise<void> | undefined;
}

const prepared = new Map<string, Promise<Prepared>>();
/** Every entry not yet removed, for the removal at process exit. */
const live = new Set<Prepared>();

process.once('exit', () => {
  for (const e of live) rmSync(e.dir, { recursive: true, force: true });
});

const keyOf = (homeDir: string, vimId: string, helm: string) =>
  JSON.stringify([resolve(homeDir), vimId, helm]);

/** The connection data the kubeconfig is made of (as the Kubernetes client cache keys it). */
const digestOf = (vim: Vim) =>
  createHash('sha256')
    .update(JSON.stringify([vim.authUrl, vim.authCred]))
    .digest('hex');

async function prepare(opts: LocalTransportOptions, key: string, digest: string): Promise<Prepared> {
  const homes = vimHome(opts.homeDir, opts.vim.id);
  for (const d of ['cache', 'config', 'data']) await mkdir(join(homes, d), { recursive: true, mode: 0o700 });
  // mkdtemp creates the directory 0700: only this process's user can reach the kubeconfig. It
  // lies under the VIM's home, so deleting the VIM removes even what a crashed process left.
  const dir = await mkdtemp(join(homes, 'kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  try {
    await writeFile(kubeconfig, kubeconfigYamlForVim(opts.vim), { mode: 0o600 });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const env: NodeJS.ProcessEnv = {};
  for (const k of PASSED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
  Object.assign(env, {
    HOME: dir,
    KUBECONFIG: kubeconfig,
    HELM_CACHE_HOME: join(homes, 'cache'),
    HELM_CONFIG_HOME: join(homes, 'config'),
    HELM_DATA_HOME: join(homes, 'data'),
  });
  const cred = opts.vim.authCred;
  const e: Prepared = {
    key,
    digest,
    dir,
    kubeconfig,
    env,
    secrets: [cred.bearer_token, cred.password, cred.client_key],
    memo: new Map(),
    born: Date.now(),
    users: 0,
    retired: false,
    idle: undefined,
    removed: undefined,
  };
  live.add(e);
  return e;
}

const present = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** The VIM's prepared files, made now if there are none usable; the caller holds them until release(). */
async function acquire(opts: LocalTransportOptions): Promise<Prepared> {
  const key = keyOf(opts.homeDir, opts.vim.id, opts.helmBinary);
  const digest = digestOf(opts.vim);
  for (;;) {
    let p = prepared.get(key);
    if (!p) {
      // Set before anything is awaited: concurrent operations on the VIM share this one.
      const made = prepare(opts, key, digest);
      prepared.set(key, made);
      made.catch(() => {
        if (prepared.get(key) === made) prepared.delete(key);
      });
      p = made;
    }
    const e = await p;
    // Its files may be gone under it: the VIM deleted (and made again) through another process.
    const usable = e.digest === digest && Date.now() - e.born < MAX_AGE_MS && (await present(e.kubeconfig));
    if (usable && !e.retired) {
      e.users++;
      clearTimeout(e.idle);
      e.idle = undefined;
      return e;
    }
    if (prepared.get(key) === p) prepared.delete(key);
    if (!usable) await retire(e);
    // The next round prepares anew, or joins what a concurrent operation started meanwhile.
  }
}

/** No longer handed out; its files are removed now if unused, else by its last user. */
function retire(e: Prepared): Promise<void> {
  e.retired = true;
  clearTimeout(e.idle);
  e.idle = undefined;
  return e.users === 0 ? remove(e) : Promise.resolve();
}

function remove(e: Prepared): Promise<void> {
  e.removed ??= rm(e.dir, { recursive: true, force: true }).finally(() => live.delete(e));
  return e.removed;
}

async function release(e: Prepared): Promise<void> {
  e.users--;
  if (e.users > 0) return;
  if (e.retired) return remove(e);
  e.idle = setTimeout(() => {
    void prepared.get(e.key)?.then((cur) => {
      if (cur === e) prepared.delete(e.key);
    });
    void retire(e);
  }, IDLE_MS);
  e.idle.unref(); // never what keeps the process alive
}

/**
 * Removes a VIM's helm homes and its prepared kubeconfigs: called when the VIM is deleted,
 * so no repository or credential of it lingers.
 */
export async function removeVimHome(homeDir: string, vimId: string): Promise<void> {
  const home = vimHome(homeDir, vimId);
  for (const e of live) {
    if (!e.dir.startsWith(home + '/')) continue;
    if (prepared.has(e.key)) prepared.delete(e.key);
    await retire(e);
  }
  await rm(home, { recursive: true, force: true });
}

/** What is prepared now (for tests): the kubeconfig of each entry still handed out or in use. */
export function preparedKubeconfigs(): { kubeconfig: string; users: number; retired: boolean }[] {
  return [...live].map((e) => ({ kubeconfig: e.kubeconfig, users: e.users, retired: e.retired }));
}

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly where = 'local helm';
  readonly #helm: string;
  readonly #base: string;
  readonly #entry: Prepared;
  #closed = false;

  private constructor(helm: string, base: string, entry: Prepared) {
    this.#helm = helm;
    this.#base = base;
    this.#entry = entry;
  }

  /** One per operation, light: the VIM's prepared files are shared (close() lets go of them). */
  static async open(opts: LocalTransportOptions): Promise<LocalTransport> {
    return new LocalTransport(opts.helmBinary, resolve(opts.homeDir), await acquire(opts));
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
        env: this.#entry.env,
        cwd: this.#entry.dir,
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

  /** Kept with the VIM's prepared files: every operation on the VIM within MAX_AGE_MS shares the answer. */
  remember<T>(key: string, f: () => Promise<T>): Promise<T> {
    const memo = this.#entry.memo;
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = f();
      memo.set(key, p);
      // A failed probe is not remembered: the next operation asks again.
      p.catch(() => {
        if (memo.get(key) === p) memo.delete(key);
      });
    }
    return p;
  }

  redact(text: string): string {
    return redactSecrets(text, this.#entry.secrets);
  }

  /** Lets go of the VIM's prepared files (kept for the next operation; removed once retired and unused). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await release(this.#entry);
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
