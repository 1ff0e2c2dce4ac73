// The storage quota for all packages together (setting packageQuotaBytes): the
// uploaded zips and the extracted contents as they lie under <dataDir>/packages.
// An upload may not grow past what is left, and an onboarding reserves what its
// zip declares (extraction never writes more: extract.ts counts) before a byte is
// extracted. Checks are serialised within a process; several processes on shared
// storage each check against the disk (docs/operations.md).
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PackageStorage } from './storage.ts';

export class QuotaError extends Error {
  override name = 'QuotaError';
}

export class PackageQuota {
  readonly limitBytes: number;
  readonly #storage: PackageStorage;
  /** Packages being written, and the bytes each may reach (more than is on disk yet). */
  readonly #held = new Map<string, number>();
  #turn: Promise<unknown> = Promise.resolve();

  constructor(storage: PackageStorage, limitBytes: number) {
    this.#storage = storage;
    this.limitBytes = limitBytes;
  }

  /** The quota as messages name it: the setting, its environment variable and its value. */
  get described(): string {
    return `the storage quota for all packages (packageQuotaBytes, VNFM_PACKAGE_QUOTA_BYTES: ${this.limitBytes} bytes)`;
  }

  /** Bytes the packages other than `id` occupy or hold, and those of `id` on disk. */
  async used(id: string): Promise<{ others: number; own: number }> {
    let others = 0;
    let own = 0;
    const ids = await readdir(this.#storage.root).catch(() => [] as string[]);
    for (const other of new Set([...ids, ...this.#held.keys()])) {
      const disk = await diskBytes(this.#storage.dir(other));
      if (other === id) own = disk;
      else others += Math.max(disk, this.#held.get(other) ?? 0);
    }
    return { others, own };
  }

  /** Bytes package `id` may still add, now. */
  async room(id: string): Promise<number> {
    return this.#serialised(async () => {
      const { others, own } = await this.used(id);
      return Math.max(0, this.limitBytes - others - own);
    });
  }

  /** Records how far an upload of `id` has grown, so that other packages count it. */
  track(id: string, bytes: number): void {
    this.#held.set(id, Math.max(bytes, this.#held.get(id) ?? 0));
  }

  /**
   * Reserves `bytes` more for `id` on top of its files on disk now; QuotaError naming
   * the quota when they do not fit. `what` says what needs them, for the message.
   */
  reserve(id: string, bytes: number, what: string): Promise<void> {
    return this.#serialised(async () => {
      const { others, own } = await this.used(id);
      const left = this.limitBytes - others - own;
      if (bytes > left) {
        throw new QuotaError(
          `${what} needs ${bytes} bytes, but ${this.described} has ${Math.max(0, left)} left; ` +
            `delete packages or raise the quota`,
        );
      }
      this.#held.set(id, own + bytes);
    });
  }

  /** `id` is no longer being written: its files on disk are what it occupies. */
  release(id: string): void {
    this.#held.delete(id);
  }

  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(fn, fn);
    this.#turn = run.catch(() => undefined);
    return run;
  }
}

/** Apparent size of the regular files under `dir` (0 when it does not exist). */
async function diskBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) {
    if (!e.isFile()) continue;
    const st = await lstat(join(e.parentPath, e.name)).catch(() => undefined);
    total += st?.size ?? 0;
  }
  return total;
}

// One quota per packages directory in a process, so every request path (API,
// start-up recovery) serialises its checks through the same one.
const quotas = new Map<string, PackageQuota>();

/** The process's quota for `storage`'s packages directory, at `limitBytes`. */
export function packageQuota(storage: PackageStorage, limitBytes: number): PackageQuota {
  const key = `${resolve(storage.root)}\0${limitBytes}`;
  let quota = quotas.get(key);
  if (!quota) quotas.set(key, (quota = new PackageQuota(storage, limitBytes)));
  return quota;
}
