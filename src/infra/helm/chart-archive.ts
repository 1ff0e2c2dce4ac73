// Reads a chart archive (.tgz) as a hostile one must be read: streamed through
// gunzip and a tar parser, counting the bytes really inflated, and stopping at the
// first limit crossed, so a few MB that claim GiBs cost at most the limits. Only
// Chart.yaml is kept; every other byte passes through and is dropped. This runs in
// a worker thread (chart-archive-worker.ts), never on the API's event loop.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { parse as parseYaml } from 'yaml';

export interface ChartArchive {
  /** The top directory the archive extracts to (the chart directory). */
  dir: string;
  name: string;
  version: string;
}

export interface ChartLimits {
  /** Bytes the archive may inflate to (the tar stream, headers included). */
  maxBytes: number;
  /** Size one entry may declare. */
  maxEntryBytes: number;
  /** Files and directories in the archive. */
  maxEntries: number;
  /** Inflated over compressed bytes, checked once RATIO_MIN_BYTES are inflated. */
  maxRatio: number;
  /** Wall time of the whole inspection, the worker's start included. */
  maxMillis: number;
}

const MiB = 1024 * 1024;

// Real charts are a few MB inflated (the largest public ones, CRDs included, stay
// under 20 MB); gzip of YAML and tar padding is about 5-20:1.
export const DEFAULT_CHART_LIMITS: Readonly<ChartLimits> = Object.freeze({
  maxBytes: 128 * MiB,
  maxEntryBytes: 32 * MiB,
  maxEntries: 10_000,
  maxRatio: 200,
  maxMillis: 30_000,
});

/** Below this many inflated bytes the ratio says nothing (a tiny chart compresses far). */
export const RATIO_MIN_BYTES = MiB;

export const MAX_CHART_YAML = MiB;

/** Reads `file` within `limits`; throws an Error saying what is wrong with it (which limit, if one). */
export async function scanChartArchive(file: string, limits: ChartLimits): Promise<ChartArchive> {
  const checks = new EntryChecks(limits);
  await stream(file, limits, checks);
  return checks.result();
}

/** Pipes file → gunzip → tar parser, metering both sides; settles at the end or the first problem. */
function stream(file: string, limits: ChartLimits, checks: EntryChecks): Promise<void> {
  return new Promise((resolve, reject) => {
    const input = createReadStream(file, { highWaterMark: 64 * 1024 });
    const gunzip = createGunzip();
    // zstd/brotli off: the tar parser would otherwise inflate again, unmetered.
    const parser = new Parser({ strict: true, zstd: false, brotli: false });
    let compressed = 0;
    let inflated = 0;
    let settled = false;
    const stop = (err?: Error) => {
      if (settled) return;
      settled = true;
      input.destroy();
      gunzip.destroy();
      if (err) reject(err);
      else resolve();
    };
    parser.on('entry', (entry: ReadEntry) => {
      checks.entry(entry);
      if (checks.problem) stop(new Error(checks.problem));
    });
    parser.on('error', (e: Error) => stop(new Error(`it is not a gzip tar archive: ${e.message}`)));
    parser.on('end', () => stop());
    input.on('data', (chunk) => (compressed += chunk.length));
    input.on('error', (e) => stop(new Error(`it cannot be read: ${e.message}`)));
    gunzip.on('error', (e) => stop(new Error(`it is not a gzip tar archive: ${e.message}`)));
    gunzip.on('data', (chunk: Buffer) => {
      if (settled) return;
      // A gzip inside the gzip: the tar parser would inflate it on its own.
      if (inflated === 0 && chunk[0] === 0x1f && chunk[1] === 0x8b)
        return stop(new Error('it is compressed twice (a gzip inside the gzip); a tar is expected inside'));
      inflated += chunk.length;
      if (inflated > limits.maxBytes)
        return stop(
          new Error(
            `it inflates to more than ${limits.maxBytes} bytes (the uncompressed size limit of a chart archive)`,
          ),
        );
      // `compressed` is what was read so far, at least what gunzip consumed: the
      // ratio is never overstated.
      const ratio = inflated / Math.max(compressed, 1);
      if (inflated > RATIO_MIN_BYTES && ratio > limits.maxRatio)
        return stop(
          new Error(
            `it inflates ${compressed} bytes to more than ${inflated} (ratio ${Math.round(ratio)}:1), ` +
              `over the compression ratio limit of ${limits.maxRatio}:1: a sign of an archive bomb`,
          ),
        );
      parser.write(chunk);
    });
    gunzip.on('end', () => {
      if (!settled) parser.end();
    });
    input.pipe(gunzip);
  });
}

/** What each tar entry must be; keeps the first problem, the top directory and Chart.yaml's text. */
class EntryChecks {
  problem: string | undefined;
  #limits: ChartLimits;
  #entries = 0;
  #top: string | undefined;
  #chartYaml: Buffer[] = [];
  #chartYamlBytes = 0;

  constructor(limits: ChartLimits) {
    this.#limits = limits;
  }

  entry(entry: ReadEntry): void {
    const fail = (why: string) => {
      this.problem ??= why;
      entry.resume();
    };
    const name = JSON.stringify(entry.path);
    if (++this.#entries > this.#limits.maxEntries)
      return fail(`it has more than ${this.#limits.maxEntries} entries (the entry count limit)`);
    if (entry.size > this.#limits.maxEntryBytes)
      return fail(
        `its entry ${name} declares ${entry.size} bytes, over the entry size limit of ${this.#limits.maxEntryBytes}`,
      );
    const path = entry.path.replace(/\/+$/, '');
    const segments = path.split('/');
    if (path.startsWith('/') || segments.includes('..'))
      return fail(`entry ${name} would leave its directory`);
    if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'Directory')
      return fail(`entry ${name} is a ${entry.type}, not a file or directory`);
    const first = segments[0] ?? '';
    if (this.#top === undefined) this.#top = first;
    else if (first !== this.#top) return fail(`it has more than one top directory (${this.#top}, ${first})`);
    if (segments.length === 2 && segments[1] === 'Chart.yaml' && entry.type !== 'Directory') {
      if (entry.size > MAX_CHART_YAML) return fail(`its Chart.yaml is over ${MAX_CHART_YAML} bytes`);
      entry.on('data', (d: Buffer) => {
        // Counted as inflated, not as declared: the header's size is a claim.
        this.#chartYamlBytes += d.length;
        if (this.#chartYamlBytes <= MAX_CHART_YAML) this.#chartYaml.push(d);
      });
      return;
    }
    entry.resume();
  }

  result(): ChartArchive {
    if (this.problem) throw new Error(this.problem);
    const top = this.#top;
    if (!top || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(top))
      throw new Error(`its top directory ${JSON.stringify(top ?? '')} is not a chart directory name`);
    if (this.#chartYamlBytes === 0) throw new Error(`it has no ${top}/Chart.yaml`);
    let meta: { name?: unknown; version?: unknown };
    try {
      meta = (parseYaml(Buffer.concat(this.#chartYaml).toString('utf8')) ?? {}) as typeof meta;
    } catch (e) {
      throw new Error(`its Chart.yaml is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    if (typeof meta !== 'object' || typeof meta.name !== 'string' || !meta.name)
      throw new Error('its Chart.yaml has no name');
    return { dir: top, name: meta.name, version: String(meta.version ?? '') };
  }
}
