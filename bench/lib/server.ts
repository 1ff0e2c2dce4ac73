// `bin/vnfm serve` (or `bin/vnfm worker`) as a child process, measured from outside
// as an operator runs it: its own store and data directory, its log in a file, its
// memory and CPU read from /proc.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpClient, type TestVnfm } from '../../test/helpers/vnfm.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface VnfmProcess {
  /** The API's base URL; for a worker, its loopback /metrics, /healthz and /readyz. */
  url: string;
  pid: number;
  logFile: string;
  /** JSON in and out (a Buffer body is sent as application/zip), as the test helpers' VNFM does. */
  request: TestVnfm['request'];
  stop: () => Promise<void>;
}

export interface VnfmProcessOptions {
  database: string;
  dataDir: string;
  logFile: string;
  /** Extra VNFM_* settings, e.g. { VNFM_REFRESH_SECONDS: '0' }. */
  env?: Record<string, string>;
  logLevel?: string;
  /** Another checkout to run `bin/vnfm` from (a before/after comparison); this one by default. */
  root?: string;
  /**
   * `vnfm worker` instead of `vnfm serve`: only the LCM worker, on a PostgreSQL store
   * shared with an API server, its probes and /metrics served on a port of its own.
   */
  worker?: boolean;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  if (!address || typeof address !== 'object') throw new Error('no free port');
  return address.port;
}

export async function startVnfmProcess(opts: VnfmProcessOptions): Promise<VnfmProcess> {
  const port = await freePort();
  const out = openSync(opts.logFile, 'a');
  // bin/vnfm execs node, so the child's pid is the server's own.
  const listen = opts.worker
    ? ['worker', '--metrics-port', String(port)]
    : ['serve', '--host', '127.0.0.1', '--port', String(port)];
  const child = spawn(
    join(opts.root ?? ROOT, 'bin', 'vnfm'),
    [
      ...listen,
      ...['--database', opts.database, '--data-dir', opts.dataDir, '--log-level', opts.logLevel ?? 'info'],
    ],
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const request = httpClient(url);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      const tail = readFileSync(opts.logFile, 'utf8').split('\n').slice(-5).join('\n');
      throw new Error(`vnfm ${listen[0]} exited with ${exited}:\n${tail}`);
    }
    if ((await request('GET', '/healthz').catch(() => undefined))?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`vnfm ${listen[0]} did not answer on ${url}`);
    await sleep(100);
  }
  return {
    url,
    pid: child.pid as number,
    logFile: opts.logFile,
    request,
    stop: async () => {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/**
 * The process as test/helpers/lcm.ts expects a VNFM. Those helpers use only `url`
 * and `request`; nothing else of a TestVnfm (its in-process context) exists here.
 */
export function asHelperVnfm(p: VnfmProcess): TestVnfm {
  return { url: p.url, request: p.request } as unknown as TestVnfm;
}

function statusField(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]) * 1024;
}

/** Resident set size now, in bytes. */
export const rssBytes = (pid: number) => statusField(pid, 'VmRSS');
/** The kernel's high-water mark of the resident set (since start or resetPeakRss), in bytes. */
export const peakRssBytes = (pid: number) => statusField(pid, 'VmHWM');

/** Restarts the kernel's high-water mark at the current RSS (Linux ≥ 4.0); false if not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU seconds the process has used (clock ticks are 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
