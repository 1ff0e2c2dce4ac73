// Runs the real `bin/vnfm` as a child process, as an operator's shell does: its exit
// code, stdout and stderr. (Reconstructed by the lifecycle helper after it overwrote the
// core helper's version of this file by mistake: same exports, runVnfm and vnfmOk.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const VNFM_BIN = new URL('../../bin/vnfm', import.meta.url).pathname;
/** Generous bound: only ends a hung run. */
const BOUND_MS = 300_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Written to the command's stdin (else stdin is /dev/null). */
  input?: string;
  /** The working directory (default this process's). */
  cwd?: string;
}

/** The CLI's own environment variables: the test process's are not passed on (a test gives its own). */
const CLI_ENV = [
  'VNFM_URL',
  'VNFM_CONTEXT',
  'VNFM_TOKEN',
  'VNFM_TOKEN_FILE',
  'VNFM_BASIC_USER',
  'VNFM_BASIC_PASSWORD',
  'VNFM_CLIENT_ID',
  'VNFM_CLIENT_SECRET',
  'VNFM_CA_FILE',
];

/**
 * The environment of one run: this process's without the CLI's own variables, a config
 * file path of its own (an empty directory: no operator's ~/.config/vnfm leaks into a
 * test) unless the test gives VNFM_CONFIG, then the test's variables.
 */
function runEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of CLI_ENV) delete env[k];
  env.VNFM_CONFIG = join(mkdtempSync(join(tmpdir(), 'vnfm-cli-')), 'config.yaml');
  return { ...env, ...extra };
}

export function runVnfm(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(VNFM_BIN, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: runEnv(opts.env),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const bound = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `vnfm ${args.join(' ')}: no exit within ${BOUND_MS} ms; stdout: ${stdout}; stderr: ${stderr}`,
        ),
      );
    }, BOUND_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(bound);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `vnfm --server <url> …args`, which must exit 0: its stdout parsed when it is JSON
 * (`-o json`), else as text.
 */
export async function vnfmOk(url: string, args: string[], opts: RunOptions = {}): Promise<any> {
  const r = await runVnfm(['--server', url, ...args], opts);
  assert.equal(r.code, 0, `vnfm ${args.join(' ')}: exit ${r.code}; stderr: ${r.stderr}`);
  try {
    return JSON.parse(r.stdout);
  } catch {
    return r.stdout;
  }
}
