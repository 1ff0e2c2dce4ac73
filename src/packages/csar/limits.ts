// Bounds on what a zip may make us write: an upload is untrusted input, and a
// few kilobytes of deflate can claim gigabytes.

export interface ZipLimits {
  /** Entries in the central directory, directories included. */
  maxEntries: number;
  /** Declared uncompressed size of one entry, in bytes. */
  maxEntryBytes: number;
  /** Sum of the declared uncompressed sizes, in bytes. */
  maxTotalBytes: number;
  /**
   * Uncompressed / compressed size, checked for each entry over RATIO_CHECK_MIN_BYTES
   * and for the whole archive (sums over its entries) once it is over that.
   */
  maxRatio: number;
}

const GiB = 1024 ** 3;

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 10_000,
  maxEntryBytes: 2 * GiB,
  maxTotalBytes: 4 * GiB,
  maxRatio: 200,
});

/** Small entries or archives (text, YAML) compress far beyond any sane ratio and are harmless. */
export const RATIO_CHECK_MIN_BYTES = 1024 * 1024;
