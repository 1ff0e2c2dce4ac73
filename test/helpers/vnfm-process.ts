// The VNFM as a separate process (`vnfm serve` or `vnfm worker`), for tests that kill it
// or run several: its stdout kept for the test, and every one started killed at the end.
import { type ChildProcess, spawn } from 'node:child_process';
import { httpClient, type TestVnfm } from './vnfm.ts';
import { eventually } from './wait.ts';

const vnfmBin = new URL('../../bin/vnfm', import.meta.url).pathname;

export interface VnfmProcess {
  child: ChildProcess;
  out: () => string;
  /** SIGKILL, resolved once the process has exited. */
  kill: () => Promise<void>;
}

const started = new Set<ChildProcess>();

/** Kills every process started here that still runs (a test file's `after`). */
export function killAll(): void {
  for (const c of started) c.kill('SIGKILL');
}

export function startVnfmProcess(args: string[], env: NodeJS.ProcessEnv): VnfmProcess {
  let out = '';
  const child = spawn(vnfmBin, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    out += d;
  });
  started.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => started.delete(child));
  return {
    child,
    out: () => out,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `vnfm serve` on `port`, once it answers /healthz, with a client like a TestVnfm's (no ctx). */
export async function serveProcess(
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<VnfmProcess & { vnfm: TestVnfm }> {
  const p = startVnfmProcess(['serve', '--port', String(port)], env);
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    'vnfm to listen',
    () => {
      if (p.child.exitCode !== null)
        throw new Error(`vnfm serve exited (${p.child.exitCode}) before it listened`);
      return fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
    },
    Boolean,
    30_000,
  );
  const vnfm = { url, request: httpClient(url), logs: p.out, close: async () => {}, ctx: undefined as never };
  return { ...p, vnfm };
}

/** `vnfm worker` on `database` (sharing `dataDir` with the API server), once it has started. */
export async function workerProcess(
  database: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<VnfmProcess> {
  const worker = startVnfmProcess(['worker'], {
    VNFM_DATABASE: database,
    VNFM_DATA_DIR: dataDir,
    VNFM_LOG_LEVEL: 'info',
    ...env,
  });
  await eventually(
    'the worker to start',
    async () => worker.out(),
    (out) => out.includes('worker started'),
  );
  return worker;
}
