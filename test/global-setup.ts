// node:test global setup: brings the testbed up once for the whole run and takes
// it down afterwards, unless it was already up (a developer's own testbed).
import { down, ensureUp } from '../testbed/index.ts';

let startedHere = false;

export async function globalSetup(): Promise<void> {
  ({ started: startedHere } = await ensureUp((m) => process.stderr.write(`[testbed] ${m}\n`)));
}

export async function globalTeardown(): Promise<void> {
  if (startedHere) await down();
}
