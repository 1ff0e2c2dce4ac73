// A lock between processes on this machine: a directory holding the holder's pid,
// renamed into place. Several test runs may start the testbed at once (a fresh machine,
// or helpers beside each other); without it each would start its own daemons on the
// same addresses. A holder that died leaves a stale lock, which the next taker removes.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, StepError } from './proc.ts';

/**
 * Runs `fn` holding lock directory `dir`. While another live process holds it, waits,
 * asking `done` each time whether that process's work already gives the answer.
 */
export async function withLock<T>(
  dir: string,
  opts: { timeoutMs: number; done?: () => T | undefined; waiting?: () => void },
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let told = false;
  for (;;) {
    // The lock appears with its holder's pid in one step (a directory renamed into place,
    // refused while the lock exists), so no lock is ever seen without one.
    const tmp = `${dir}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    writeFileSync(join(tmp, 'pid'), String(process.pid));
    try {
      renameSync(tmp, dir);
      break;
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (!['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      const answer = opts.done?.();
      if (answer !== undefined) return answer;
      const holder = Number(readPid(dir));
      // A dead holder's lock is stale (read again just before, so that of two waiters the
      // second does not remove the lock the first has just taken over).
      if (!(holder > 0) || !isAlive(holder)) {
        if (readPid(dir) === String(holder || '')) rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StepError(`${dir} held by pid ${holder} for ${opts.timeoutMs / 60_000} minutes`);
      }
      if (!told) opts.waiting?.();
      told = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readPid(dir: string): string {
  try {
    return readFileSync(join(dir, 'pid'), 'utf8');
  } catch {
    return '';
  }
}
