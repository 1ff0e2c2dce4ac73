// A lock between processes on this machine: a directory made atomically, holding the
// holder's pid. Several test runs may start the testbed at once (a fresh machine, or
// helpers beside each other); without it each would start its own daemons on the
// same addresses. A holder that died leaves a stale lock, which the next taker removes.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const answer = opts.done?.();
      if (answer !== undefined) return answer;
      const holder = Number(readPid(dir));
      // No pid yet: its holder is between mkdir and the write; a dead holder's lock is stale.
      if (holder > 0 && !isAlive(holder)) {
        rmSync(dir, { recursive: true, force: true });
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
