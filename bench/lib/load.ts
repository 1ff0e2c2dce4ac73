// A small HTTP load generator (no autocannon in this project): `connections`
// keep-alive connections, each sending GETs back to back for a fixed time, paths
// taken round-robin from a list. It runs in a child process of its own, so the
// server process is measured alone and the two do not share an event loop.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { percentile } from './report.ts';

export interface LoadSpec {
  /** http://host:port */
  url: string;
  paths: string[];
  connections: number;
  durationMs: number;
  /** Answers before this are not counted (connections opened, JIT warm). */
  warmupMs: number;
}

export interface LoadResult {
  requests: number;
  /** Answers other than 200, and failed requests. */
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const CHILD_FLAG = '--load-child';

/** Runs `spec` in a child process and returns what it measured. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = fork(import.meta.filename, [CHILD_FLAG], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    child.send(spec);
  });
}

function get(agent: Agent, url: URL, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ agent, host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', () => resolve(0));
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

async function generate(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const until = measureFrom + spec.durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const connection = async () => {
    while (performance.now() < until) {
      const path = spec.paths[next++ % spec.paths.length] as string;
      const t0 = performance.now();
      const status = await get(agent, url, path);
      const t1 = performance.now();
      // Counted by when the answer came: slow answers started in the warm-up still count.
      if (t1 < measureFrom || t1 > until) continue;
      latencies.push(t1 - t0);
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, connection));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / (spec.durationMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
  };
}

if (process.argv.includes(CHILD_FLAG)) {
  process.once('message', (spec) => {
    void generate(spec as LoadSpec).then((result) => process.send?.(result, () => process.exit(0)));
  });
}
