// Polling with a deadline, for state that the cluster reaches asynchronously.
import { setTimeout as sleep } from 'node:timers/promises';

export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (done(last)) return last;
    await sleep(250);
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${JSON.stringify(last)}`,
  );
}
