// The testbed's lock between processes (testbed/lib/lock.ts): concurrent `up`s start the
// testbed once. Holders run one after the other, a dead holder's lock is taken over, and a
// waiter whose answer another holder already made returns it without running.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withLock } from '../../testbed/lib/lock.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'vnfm-lock-')), 'the.lock');

test('holders run one at a time', async () => {
  const dir = fresh();
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = withLock(dir, { timeoutMs: 60_000 }, async () => {
    events.push('first in');
    await gate;
    events.push('first out');
  });
  const second = withLock(dir, { timeoutMs: 60_000 }, async () => {
    events.push('second in');
  });
  // The second waits on the lock as long as the first holds it, however long that is.
  while (!events.includes('first in')) await new Promise((r) => setImmediate(r));
  release();
  await Promise.all([first, second]);
  assert.deepEqual(events, ['first in', 'first out', 'second in']);
});

test("a dead holder's lock is taken over", async () => {
  const dir = fresh();
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((r) => child.once('exit', r));
  mkdirSync(dir);
  writeFileSync(join(dir, 'pid'), String(pid));
  assert.equal(await withLock(dir, { timeoutMs: 60_000 }, async () => 'ran'), 'ran');
});

test("a waiter takes the holder's answer once it is there, without running", async () => {
  const dir = fresh();
  let answer: string | undefined;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const holder = withLock(dir, { timeoutMs: 60_000 }, async () => {
    answer = 'made by the holder';
    await gate; // still holding, as `up` does while it refreshes a running testbed
  });
  let waiterRan = false;
  const waiter = withLock(dir, { timeoutMs: 60_000, done: () => answer }, async () => {
    waiterRan = true;
    return 'made by the waiter';
  });
  assert.equal(await waiter, 'made by the holder');
  assert.equal(waiterRan, false);
  release();
  await holder;
});

test('a lock with no pid in it (a holder killed while making it) is taken over', async () => {
  const dir = fresh();
  mkdirSync(dir);
  assert.equal(await withLock(dir, { timeoutMs: 60_000 }, async () => 'ran'), 'ran');
});

test('a live holder past the deadline is an error naming it', async () => {
  const dir = fresh();
  mkdirSync(dir);
  writeFileSync(join(dir, 'pid'), String(process.pid));
  await assert.rejects(
    withLock(dir, { timeoutMs: 0 }, async () => 'ran'),
    new RegExp(`held by pid ${process.pid}`),
  );
});
