// Running the package's install scripts on pool hosts, as docs/mgmt-driver.md's contract
// says: the script's package directory staged (hash-verified) into a private per-op-occ
// directory, each step's parameters in a 0600 file (secrets never on a command line),
// `bash <script> <action> <params file>` run there, success by exit code, the result from
// the MGMT_RESULT line, and a failure reported with a redacted tail of the output.
import { readdir } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { BoundHost } from '../../infra/hosts/model.ts';
import { redactSecrets } from '../../infra/helm/transport.ts';
import { type HookContext, type HostShell, RemoteCommandFailed } from '../driver.ts';
import { outputTail, parseResultLine, ResultLineError } from './result.ts';

/** The base of everything the driver stages on a host (`~/.vnfm/mgmt`). */
export const MGMT_DIR = ['.vnfm', 'mgmt'] as const;
/** Package directories hold a few scripts and archives; more files than this is a mistake. */
const MAX_STAGED_FILES = 200;

/** `~/.vnfm/mgmt/<opOccId>` on a host. */
export const stageDir = (shell: HostShell, opOccId: string) => posix.join(shell.home, ...MGMT_DIR, opOccId);

/** Package-relative paths of the files under a package directory (recursive, sorted). */
async function filesUnder(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
  if (files.length > MAX_STAGED_FILES)
    throw new Error(
      `package directory ${dir} holds more than ${MAX_STAGED_FILES} files; scripts are staged with their whole directory`,
    );
  return files;
}

/**
 * The files staged with a script: every file of its package directory the manifest hashes,
 * each re-verified. The script itself must be hashed; other files the package does not
 * hash are left behind (a script may ship only what the package vouches for).
 */
export async function scriptFiles(
  ctx: HookContext,
  scriptPath: string,
): Promise<{ path: string; data: Buffer }[]> {
  const dir = posix.dirname(scriptPath);
  const out = [{ path: scriptPath, data: await ctx.verifiedFile(scriptPath) }];
  for (const path of await filesUnder(ctx.packageRoot, dir)) {
    if (path === scriptPath) continue;
    let data: Buffer;
    try {
      data = await ctx.verifiedFile(path);
    } catch (e) {
      if (isUnlisted(e)) continue;
      throw e;
    }
    out.push({ path, data });
  }
  return out;
}

/** Whether verifiedFile refused a file because the manifest does not list it (as opposed to: it changed). */
const isUnlisted = (e: unknown) =>
  e instanceof Error && /not (listed|hashed|declared)|unlisted|no (hash|digest)/i.test(e.message);

/**
 * Stages the scripts' directories into `~/.vnfm/mgmt/<opOccId>/` (0700): a script at
 * `Scripts/x.sh` lands at `<dir>/x.sh`, its siblings beside it. Returns the directory.
 */
export async function stageScripts(
  shell: HostShell,
  opOccId: string,
  files: readonly { path: string; data: Buffer }[],
  baseDirs: readonly string[],
): Promise<string> {
  const dir = stageDir(shell, opOccId);
  const targets = files.map((f) => {
    const base = baseDirs.find((b) => f.path === b || f.path.startsWith(`${b}/`) || b === '.');
    const rel = base === undefined || base === '.' ? f.path : f.path.slice(base.length + 1);
    return { remote: posix.join(dir, rel), data: f.data };
  });
  const dirs = new Set([posix.join(shell.home, '.vnfm'), posix.join(shell.home, ...MGMT_DIR), dir]);
  for (const t of targets) dirs.add(posix.dirname(t.remote));
  await expectOk(shell, 'stage', ['install', '-d', '-m', '0700', '--', ...[...dirs].sort()], []);
  for (const t of targets) await shell.writeFile(t.remote, t.data, 0o700);
  return dir;
}

/** The remote path a staged script has. */
export const stagedScript = (dir: string, scriptPath: string) => posix.join(dir, posix.basename(scriptPath));

/** Runs argv; a non-zero exit is a RemoteCommandFailed naming `step`. */
export async function expectOk(
  shell: HostShell,
  step: string,
  argv: readonly string[],
  secrets: readonly string[],
  timeoutMs?: number,
): Promise<string> {
  const res = await execOn(shell, step, argv, secrets, timeoutMs);
  if (res.code !== 0)
    throw new RemoteCommandFailed(
      step,
      shell.host.host.id,
      res.code,
      outputTail(res.stdout, res.stderr, secrets),
    );
  return res.stdout;
}

async function execOn(
  shell: HostShell,
  step: string,
  argv: readonly string[],
  secrets: readonly string[],
  timeoutMs?: number,
) {
  try {
    return await shell.exec(argv, timeoutMs !== undefined ? { timeoutMs } : {});
  } catch (e) {
    // SSH dropped, timed out, host key changed: named by step and host, never quoting a secret.
    const msg = redactSecrets(e instanceof Error ? e.message : String(e), secrets);
    const err = new Error(`${step} on host ${shell.host.host.id}: ${msg}`);
    err.name = e instanceof Error ? e.name : 'Error';
    throw err;
  }
}

export interface ScriptRun {
  shell: HostShell;
  /** The staging directory (stageScripts). */
  dir: string;
  /** Package-relative script path. */
  script: string;
  action: string;
  params: Record<string, unknown>;
  /** Names the step in errors (`k8s.init`, `helm.install:<vnfc>`). */
  step: string;
  /** Every secret the output might echo. */
  secrets: readonly string[];
  timeoutMs: number;
}

/** One action of an install script; returns its MGMT_RESULT object. The params file is removed afterwards. */
export async function runScript(r: ScriptRun): Promise<Record<string, unknown>> {
  const paramsFile = posix.join(r.dir, `params-${r.action}.json`);
  await r.shell.writeFile(paramsFile, JSON.stringify(r.params), 0o600);
  try {
    // The working directory is the staging directory; every value is an argument of its own.
    const argv = [
      'sh',
      '-c',
      'cd "$1" && exec bash "$2" "$3" "$4"',
      'sh',
      r.dir,
      stagedScript(r.dir, r.script),
      r.action,
      paramsFile,
    ];
    const res = await execOn(r.shell, r.step, argv, r.secrets, r.timeoutMs);
    const tail = () => outputTail(res.stdout, res.stderr, r.secrets);
    if (res.code !== 0) throw new RemoteCommandFailed(r.step, r.shell.host.host.id, res.code, tail());
    try {
      return parseResultLine(res.stdout);
    } catch (e) {
      if (!(e instanceof ResultLineError)) throw e;
      throw new RemoteCommandFailed(r.step, r.shell.host.host.id, 0, `${e.message}\n${tail()}`);
    }
  } finally {
    await r.shell.exec(['rm', '-f', '--', paramsFile]).catch(() => undefined);
  }
}

/** One shell per host for the length of a hook, closed together. */
export class Shells {
  readonly #ctx: Pick<HookContext, 'ssh'>;
  readonly #open = new Map<string, Promise<HostShell>>();
  constructor(ctx: Pick<HookContext, 'ssh'>) {
    this.#ctx = ctx;
  }
  get(host: BoundHost): Promise<HostShell> {
    const key = `${host.vnfcId}|${host.host.id}`;
    let s = this.#open.get(key);
    if (!s) {
      s = this.#ctx.ssh(host);
      this.#open.set(key, s);
      s.catch(() => this.#open.delete(key));
    }
    return s;
  }
  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.allSettled(all.map(async (s) => (await s).close()));
  }
}
