// Extracts an untrusted zip to disk, one entry at a time and streamed, after the
// whole central directory has passed the checks of entry-plan.ts. On any failure
// what was written is removed, so a rejected package leaves nothing behind.
import { createWriteStream } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openPromise, type Entry, type ZipFile } from 'yauzl';
import { clearDestDir, prepareDestDir } from './dest-dir.ts';
import { entryGuard, type InflateBudget } from './entry-guard.ts';
import { entryName, planEntries, type PlannedEntry } from './entry-plan.ts';
import { CsarError, q } from './errors.ts';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './limits.ts';

export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './limits.ts';

/**
 * Called with the bytes the planned entries declare in total, before any is written;
 * throws to refuse them (the packages' storage quota).
 */
export type AdmitExtraction = (declaredBytes: number) => Promise<void>;

export interface ExtractedFile {
  /** Posix path relative to the extraction directory. */
  path: string;
  size: number;
}

/**
 * Extracts `zipPath` into `destDir` (created if missing, else it must be empty)
 * and lists the regular files written. CsarError when the zip breaks a rule.
 */
export async function extractZip(
  zipPath: string,
  destDir: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<ExtractedFile[]> {
  const created = await prepareDestDir(destDir);
  try {
    return await extractPrepared(zipPath, destDir, limits);
  } catch (err) {
    await clearDestDir(destDir, created);
    throw err;
  }
}

/** extractZip without the directory handling: `destDir` exists and is empty; the caller cleans up. */
export async function extractPrepared(
  zipPath: string,
  destDir: string,
  limits: ZipLimits,
  admit?: AdmitExtraction,
): Promise<ExtractedFile[]> {
  // The real path, so the containment checks compare like with like.
  const root = await realpath(destDir);
  const zip = await openZip(zipPath);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new CsarError(
        'ZIP_TOO_LARGE',
        `the zip has ${zip.entryCount} entries; the limit is ${limits.maxEntries}`,
      );
    }
    const plan = planEntries(await readCentralDirectory(zip, zipPath), limits, root);
    const declared = plan.reduce((n, p) => n + p.size, 0);
    await admit?.(declared);
    // Every inflated byte is counted against what the entries declare together.
    const budget: InflateBudget = { inflated: 0, maxBytes: Math.min(declared, limits.maxTotalBytes) };
    const files: ExtractedFile[] = [];
    for (const planned of plan) {
      const target = join(root, planned.path);
      if (planned.isDirectory) {
        await mkdir(target, { recursive: true, mode: 0o755 });
        continue;
      }
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      await writeEntry(zip, planned, target, budget);
      files.push({ path: planned.path, size: planned.size });
    }
    return files;
  } finally {
    zip.close();
  }
}

async function openZip(zipPath: string): Promise<ZipFile> {
  let zip: ZipFile;
  try {
    zip = await openPromise(zipPath, {
      lazyEntries: true,
      // Closed by us: entries are all read before any is extracted.
      autoClose: false,
      // Names are decoded in entry-plan.ts, so that unsafe ones fail as CsarErrors
      // with our codes instead of yauzl's generic errors.
      decodeStrings: false,
      // Sizes are checked by entry-guard.ts, which counts every inflated byte;
      // yauzl's own check would pre-empt it with an untyped error.
      validateEntrySizes: false,
    });
  } catch (err) {
    if (isSystemError(err)) throw err;
    throw new CsarError('ZIP_INVALID', `${q(basename(zipPath))} is not a zip file: ${message(err)}`, {
      cause: err,
    });
  }
  // yauzl reports a failure to close the file as an 'error' event, which unheard
  // would crash the process; by then everything that matters has been reported
  // through eachEntry() or the entry streams.
  zip.on('error', () => {});
  return zip;
}

async function readCentralDirectory(zip: ZipFile, zipPath: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  try {
    for await (const entry of zip.eachEntry()) entries.push(entry);
  } catch (err) {
    if (isSystemError(err)) throw err;
    const after = entries.at(-1);
    const where = after ? ` after entry ${q(entryName(after))}` : '';
    throw new CsarError(
      'ZIP_INVALID',
      `${q(basename(zipPath))} has a corrupt central directory${where}: ${message(err)}`,
      { cause: err },
    );
  }
  return entries;
}

async function writeEntry(
  zip: ZipFile,
  planned: PlannedEntry,
  target: string,
  budget: InflateBudget,
): Promise<void> {
  const name = entryName(planned.entry);
  let data: Readable;
  try {
    data = await zip.openReadStreamPromise(planned.entry);
  } catch (err) {
    if (isSystemError(err)) throw err;
    throw new CsarError('ZIP_INVALID', `zip entry ${q(name)} cannot be read: ${message(err)}`, {
      cause: err,
    });
  }
  try {
    await pipeline(
      data,
      entryGuard(name, planned.size, planned.entry.crc32, budget),
      // 'wx': never write through anything already at the target. Archive
      // permissions are ignored: nothing extracted is executable.
      createWriteStream(target, { flags: 'wx', mode: 0o644 }),
    );
  } catch (err) {
    if (err instanceof CsarError || isSystemError(err)) throw err;
    throw new CsarError('ZIP_INVALID', `zip entry ${q(name)} is corrupt: ${message(err)}`, { cause: err });
  }
}

/** A failure of this host (ENOENT, ENOSPC, EACCES…), not of the zip: passed on as is. */
function isSystemError(err: unknown): boolean {
  return err instanceof Error && 'syscall' in err;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
