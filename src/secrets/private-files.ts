// Files that hold secrets or data derived from them (the secret key, the SQLite
// store, package contents) are readable by the VNFM's user alone, whatever the umask.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/** Creates `dir` (and parents) if needed; `dir` itself ends mode 0700. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Creates the parent of `file` 0700 when it does not exist yet (an existing one, such
 * as /tmp, is left alone), and `file` itself 0600 (created empty when absent).
 */
export function privateFile(file: string, parent: string): void {
  if (!existsSync(parent)) privateDir(parent);
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/** Mode 0600 on each of `files` that exists (SQLite's -wal and -shm appear on first write). */
export function tightenExisting(files: readonly string[]): void {
  for (const f of files) if (existsSync(f)) chmodSync(f, 0o600);
}
