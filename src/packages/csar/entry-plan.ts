// Judges a zip from its central directory alone, before a byte is written: each
// entry's name, type and declared sizes, and the totals. What passes is a plan of
// plain files and directories, each with a safe relative path.
import { resolve, sep } from 'node:path';
import { getFileNameLowLevel, type Entry } from 'yauzl';
import { CsarError, q } from './errors.ts';
import { RATIO_CHECK_MIN_BYTES, type ZipLimits } from './limits.ts';
import { unsafePathReason } from './paths.ts';

export interface PlannedEntry {
  entry: Entry;
  /** Posix path relative to the extraction root, without a trailing '/'. */
  path: string;
  isDirectory: boolean;
  /** Declared uncompressed size. */
  size: number;
}

// Unix file types in the high 16 bits of externalFileAttributes (st_mode layout).
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

const STORED = 0;
const DEFLATED = 8;

/** The plan for `entries`, extracted under `root`; CsarError on the first entry that may not be. */
export function planEntries(entries: readonly Entry[], limits: ZipLimits, root: string): PlannedEntry[] {
  if (entries.length > limits.maxEntries) {
    throw new CsarError(
      'ZIP_TOO_LARGE',
      `the zip has ${entries.length} entries; the limit is ${limits.maxEntries}`,
    );
  }
  const kinds = new Map<string, 'file' | 'dir'>();
  let total = 0;
  const plan: PlannedEntry[] = [];
  for (const entry of entries) {
    const planned = planEntry(entry, limits, root);
    claimPath(kinds, planned);
    total += planned.size;
    if (total > limits.maxTotalBytes) {
      throw new CsarError(
        'ZIP_TOO_LARGE',
        `the entries up to ${q(entryName(entry))} declare ${total} bytes uncompressed in total; ` +
          `the limit is ${limits.maxTotalBytes}`,
      );
    }
    plan.push(planned);
  }
  refuseArchiveRatio(plan, total, limits);
  return plan;
}

/**
 * The ratio over the whole archive: entries each too small for the per-entry check
 * (thousands of 1 MiB runs of zeros) add up to the same bomb as one large entry.
 */
function refuseArchiveRatio(plan: readonly PlannedEntry[], total: number, limits: ZipLimits): void {
  let packed = 0;
  for (const p of plan) if (!p.isDirectory) packed += p.entry.compressedSize;
  const ratio = total / Math.max(packed, 1);
  if (total > RATIO_CHECK_MIN_BYTES && ratio > limits.maxRatio) {
    throw new CsarError(
      'ZIP_TOO_LARGE',
      `the zip's ${plan.length} entries would inflate ${packed} bytes to ${total} in total ` +
        `(ratio ${Math.round(ratio)}:1); the limit for the whole archive is ${limits.maxRatio}:1, a sign of a zip bomb`,
    );
  }
}

/** The entry's name as stored (UTF-8 or CP437), backslashes kept so they can be refused. */
export function entryName(entry: Entry): string {
  return getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
}

function planEntry(entry: Entry, limits: ZipLimits, root: string): PlannedEntry {
  const name = entryName(entry);
  const unsafe = (reason: string) =>
    new CsarError('ZIP_UNSAFE_PATH', `zip entry ${q(name)} has an unsafe name: ${reason}`);

  const reason = unsafePathReason(name);
  if (reason) throw unsafe(reason);
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  const isDirectory = name.endsWith('/') || type === S_IFDIR;
  const path = name.endsWith('/') ? name.slice(0, -1) : name;
  // Refused rather than normalised: two spellings of one path would let a package
  // show a checker one file and a reader another.
  if (path.split('/').some((s) => s === '' || s === '.')) throw unsafe("it has an empty or '.' segment");
  const base = resolve(root);
  if (!resolve(base, path).startsWith(base + sep))
    throw unsafe('it resolves outside the extraction directory');

  // Type bits are trusted whenever present: tools on any host set them for links.
  if (type === S_IFLNK) {
    throw new CsarError(
      'ZIP_SYMLINK',
      `zip entry ${q(name)} is a symbolic link; only files and directories are allowed`,
    );
  }
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    throw new CsarError(
      'ZIP_SPECIAL_FILE',
      `zip entry ${q(name)} is a special file (mode 0o${type.toString(8)}); only files and directories are allowed`,
    );
  }
  if (type === S_IFREG && name.endsWith('/')) {
    throw new CsarError('ZIP_INVALID', `zip entry ${q(name)} ends with '/' but is marked as a regular file`);
  }

  if (entry.isEncrypted()) throw new CsarError('ZIP_INVALID', `zip entry ${q(name)} is encrypted`);
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    throw new CsarError(
      'ZIP_INVALID',
      `zip entry ${q(name)} uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are supported`,
    );
  }

  const size = entry.uncompressedSize;
  if (isDirectory) {
    if (size !== 0) {
      throw new CsarError(
        'ZIP_INVALID',
        `zip entry ${q(name)} is a directory but declares ${size} bytes of content`,
      );
    }
    return { entry, path, isDirectory, size };
  }
  if (entry.compressionMethod === STORED && entry.compressedSize !== size) {
    throw new CsarError(
      'ZIP_SIZE_MISMATCH',
      `zip entry ${q(name)} is stored uncompressed but declares ${size} bytes with ${entry.compressedSize} bytes of data`,
    );
  }
  if (size > limits.maxEntryBytes) {
    throw new CsarError(
      'ZIP_TOO_LARGE',
      `zip entry ${q(name)} declares ${size} bytes uncompressed; the limit per entry is ${limits.maxEntryBytes}`,
    );
  }
  const ratio = size / Math.max(entry.compressedSize, 1);
  if (size > RATIO_CHECK_MIN_BYTES && ratio > limits.maxRatio) {
    throw new CsarError(
      'ZIP_TOO_LARGE',
      `zip entry ${q(name)} would inflate ${entry.compressedSize} bytes to ${size} ` +
        `(ratio ${Math.round(ratio)}:1); the limit is ${limits.maxRatio}:1, a sign of a zip bomb`,
    );
  }
  return { entry, path, isDirectory, size };
}

/** Records `planned` in `kinds`; refuses a path used twice, or used as both file and directory. */
function claimPath(kinds: Map<string, 'file' | 'dir'>, planned: PlannedEntry): void {
  const name = q(entryName(planned.entry));
  const segments = planned.path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const parent = segments.slice(0, i).join('/');
    if (kinds.get(parent) === 'file') {
      throw new CsarError('ZIP_INVALID', `zip entry ${name} lies under ${q(parent)}, which is a file entry`);
    }
    kinds.set(parent, 'dir');
  }
  const previous = kinds.get(planned.path);
  if (planned.isDirectory) {
    if (previous === 'file') {
      throw new CsarError(
        'ZIP_INVALID',
        `zip entry ${name} is a directory, but a file entry has the same path`,
      );
    }
    kinds.set(planned.path, 'dir');
    return;
  }
  if (previous === 'file') throw new CsarError('ZIP_INVALID', `zip entry ${name} appears twice`);
  if (previous === 'dir') {
    throw new CsarError(
      'ZIP_INVALID',
      `zip entry ${name} is a file, but other entries use it as a directory`,
    );
  }
  kinds.set(planned.path, 'file');
}
