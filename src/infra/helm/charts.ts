// Getting a chart where helm runs. A package chart is checked on the VNFM first
// (a gzip tar of plain files under one top directory with a Chart.yaml, nothing
// that could write outside the directory it is extracted to, read within limits in
// a worker thread: chart-archive.ts), then copied to the
// host and extracted there with `tar -xzf`, one directory per release, so two
// releases of differently versioned charts with the same name never collide. A
// repository chart needs its repository registered with `helm repo add`.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, posix } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ChartArchive, type ChartLimits, DEFAULT_CHART_LIMITS } from './chart-archive.ts';
import { HelmError } from './errors.ts';
import type { HelmCli } from './helm-cli.ts';

export { type ChartArchive, type ChartLimits, DEFAULT_CHART_LIMITS } from './chart-archive.ts';

// Inspections at once; more wait their turn, so a burst of requests naming charts
// cannot start a thread each.
const MAX_READERS = Math.max(1, Math.min(2, availableParallelism()));
// Heap of a reader: Chart.yaml (1 MiB at most) and its YAML parse fit well within it.
const READER_HEAP_MB = 128;
let readers = 0;
const waiting: (() => void)[] = [];

// Package files never change once onboarded, so a chart read once (validation, then
// the operation) is not read again while it is the same file.
const known = new Map<string, ChartArchive>();
const KNOWN_MAX = 256;

/**
 * Reads and checks a chart archive off the event loop, in a worker thread, within
 * `limits`; throws an Error saying what is wrong with it (naming the limit crossed).
 */
export async function inspectChartArchive(
  file: string,
  limits: ChartLimits = DEFAULT_CHART_LIMITS,
): Promise<ChartArchive> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`it cannot be read (${e.code ?? e.message})`);
  });
  if (!st.isFile()) throw new Error('it is not a regular file');
  const key = JSON.stringify([file, st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs, limits]);
  const hit = known.get(key);
  if (hit) return { ...hit };
  await acquireReader();
  try {
    const archive = await readInWorker(file, limits);
    if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value as string);
    known.set(key, archive);
    return { ...archive };
  } finally {
    releaseReader();
  }
}

/** Chart archives being read now (in worker threads): for health and tests. */
export const activeChartReaders = (): number => readers;

async function acquireReader(): Promise<void> {
  if (readers < MAX_READERS) {
    readers++;
    return;
  }
  await new Promise<void>((go) => waiting.push(go)); // the slot is handed over as is
}

function releaseReader(): void {
  const next = waiting.shift();
  if (next) next();
  else readers--;
}

function readInWorker(file: string, limits: ChartLimits): Promise<ChartArchive> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./chart-archive-worker.ts', import.meta.url), {
      workerData: { file, limits },
      resourceLimits: { maxOldGenerationSizeMb: READER_HEAP_MB },
    });
    let settled = false;
    const settle = (err: Error | undefined, archive?: ChartArchive) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Ends the thread at once: whatever it still holds goes with it.
      void worker.terminate();
      if (err) reject(err);
      else resolve(archive!);
    };
    const timer = setTimeout(
      () => settle(new Error(`reading it took more than ${limits.maxMillis} ms (the time limit)`)),
      limits.maxMillis,
    );
    worker.once('message', (m: { archive?: ChartArchive; error?: string }) =>
      settle(m.archive ? undefined : new Error(m.error ?? 'the chart reader answered nothing'), m.archive),
    );
    worker.once('error', (e: Error & { code?: string }) =>
      settle(
        new Error(
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `reading it needed more than ${READER_HEAP_MB} MB of heap (the memory limit)`
            : `the chart reader failed: ${e.message}`,
        ),
      ),
    );
    worker.once('exit', (code) => settle(new Error(`the chart reader stopped (exit code ${code})`)));
  });
}

export interface ChartToStage {
  release: string;
  /** The archive in the extracted package. */
  file: string;
  archive: ChartArchive;
}

/**
 * Copies package charts to `<instanceDir>/<release>/` on the host and extracts them;
 * returns each release's chart directory there. However many releases: one mkdir, the
 * copies at once on one SFTP channel, one remote command extracting them all.
 * Repeating it overwrites with the same files.
 */
export async function stageCharts(
  cli: HelmCli,
  vnfInstanceId: string,
  charts: readonly ChartToStage[],
): Promise<Map<string, string>> {
  const t = cli.transport;
  const out = new Map<string, string>();
  if (charts.length === 0) return out;
  const plan = charts.map((c) => {
    const dir = posix.join(t.instanceDir(vnfInstanceId), c.release);
    return { ...c, dir, remote: posix.join(dir, basename(c.file)) };
  });
  await t.mkdirp(...plan.map((c) => c.dir));
  await t.putFiles(plan.map((c) => ({ local: c.file, remote: c.remote })));
  const r = await t.runAll(plan.map((c) => ['tar', '-xzf', c.remote, '-C', c.dir]));
  if (r.code !== 0) {
    const names = plan.map((c) => basename(c.file)).join(', ');
    throw new HelmError(`${t.where}: extracting ${names} failed: ${t.redact(r.stderr.trim())}`);
  }
  for (const c of plan) out.set(c.release, posix.join(c.dir, c.archive.dir));
  return out;
}

/** The chart directory of a release on the host, if its extracted chart is there. */
export async function stagedChart(
  cli: HelmCli,
  vnfInstanceId: string,
  release: string,
  archive: Pick<ChartArchive, 'dir'>,
): Promise<string | undefined> {
  const dir = posix.join(cli.transport.instanceDir(vnfInstanceId), release, archive.dir);
  return (await cli.transport.exists(posix.join(dir, 'Chart.yaml'))) ? dir : undefined;
}

/**
 * `helm repo add` on the host. Adding the same name and URL again is a no-op in helm
 * that keeps the index it downloaded then, so with `refresh` the index is updated
 * (`helm repo update`): a chart version published since is found (instantiate; a
 * scale pins the deployed version and needs no refresh). A name already registered
 * with another URL is refused rather than overwritten, since another instance may use it.
 */
export async function addRepo(
  cli: HelmCli,
  name: string,
  url: string,
  opts: { refresh: boolean },
): Promise<void> {
  const r = await cli.tryRun(cli.cmd.repoAdd(name, url), 120_000);
  if (r.code === 0) {
    if (opts.refresh && /already exists with the same configuration/.test(r.stdout))
      await cli.run(cli.cmd.repoUpdate(name), `helm repo update ${name}`, 120_000);
    return;
  }
  const msg = cli.transport.redact(r.stderr.trim().split('\n').at(-1) ?? '');
  if (/already exists/.test(msg))
    throw new HelmError(
      `${cli.where}: helm repository ${JSON.stringify(name)} is already registered with another URL than ${url}`,
    );
  throw new HelmError(`${cli.where}: helm repo add ${name} ${url} failed: ${msg}`);
}

/** `helm repo remove`; a repository that is not registered counts as removed. */
export async function removeRepo(cli: HelmCli, name: string): Promise<void> {
  const r = await cli.tryRun(cli.cmd.repoRemove(name));
  if (r.code === 0 || /no repo named|no repositories configured/.test(r.stderr)) return;
  throw new HelmError(
    `${cli.where}: helm repo remove ${name} failed: ${cli.transport.redact(r.stderr.trim())}`,
  );
}
