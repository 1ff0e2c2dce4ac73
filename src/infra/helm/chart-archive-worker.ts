// The worker thread that reads one chart archive (chart-archive.ts) and posts back
// what it found or why it is refused. Inflating runs here, so a hostile archive
// costs this thread's time and is stopped by its limits; the API's event loop is free.
import { parentPort, workerData } from 'node:worker_threads';
import { type ChartLimits, scanChartArchive } from './chart-archive.ts';

const { file, limits } = workerData as { file: string; limits: ChartLimits };
scanChartArchive(file, limits).then(
  (archive) => parentPort?.postMessage({ archive }),
  (e: unknown) => parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) }),
);
