// Running commands and background daemons for the testbed. Every failure names
// the step it belongs to; every wait has a deadline.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export class StepError extends Error {
  override name = 'StepError';
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a command to completion; rejects with the step name and stderr's tail on failure. */
export function run(step: string, cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 120_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.on('error', (e) => reject(new StepError(`${step}: cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else {
        const why = signal ? `killed by ${signal} (timeout?)` : `exit ${code}`;
        reject(new StepError(`${step}: ${why}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
      }
    });
    // A command may exit without reading its input; its exit status tells what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

const pidDir = (state: string) => join(state, 'pids');

/** Starts a daemon in its own process group, detached, logging to <state>/logs/<name>.log. */
export function startDaemon(state: string, name: string, cmd: string, args: string[]): number {
  mkdirSync(join(state, 'logs'), { recursive: true });
  mkdirSync(pidDir(state), { recursive: true });
  const log = openSync(join(state, 'logs', `${name}.log`), 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  if (!child.pid) throw new StepError(`start ${name}: spawn failed`);
  child.unref();
  writeFileSync(join(pidDir(state), `${name}.pid`), String(child.pid));
  return child.pid;
}

/** True while the process runs; an exited process not yet reaped (a zombie) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function daemonPids(state: string): Map<string, number> {
  const pids = new Map<string, number>();
  if (!existsSync(pidDir(state))) return pids;
  for (const f of readdirSync(pidDir(state))) {
    if (f.endsWith('.pid')) pids.set(f.slice(0, -4), Number(readFileSync(join(pidDir(state), f), 'utf8')));
  }
  return pids;
}

/** Stops every daemon of the testbed: SIGTERM to its group, SIGKILL after a grace period. */
export async function stopDaemons(state: string, graceMs = 10_000): Promise<string[]> {
  const pids = daemonPids(state);
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  for (const pid of pids.values()) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...pids.values()].some(isAlive)) await sleep(100);
  for (const pid of pids.values()) if (isAlive(pid)) signal(pid, 'SIGKILL');
  await sleep(200);
  const survivors = [...pids].filter(([, pid]) => isAlive(pid)).map(([n]) => n);
  if (survivors.length === 0) rmSync(pidDir(state), { recursive: true, force: true });
  return survivors;
}

/** Polls `check` until it returns true; the error names what was awaited and the daemon log to read. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  hint = '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(200);
  }
  throw new StepError(
    `timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (last error: ${last})` : ''}${hint ? `; ${hint}` : ''}`,
  );
}

/** A TCP port free on `host` now (the kernel's choice). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
