// The process watch the secret tests rely on must see what it looks for: a secret
// on a command line, and one in the environment of a child program. The children
// live until the watch has seen them, so a loaded machine only makes this slower.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { watchProcesses, type WatchReport } from '../helpers/process-watch.ts';

test('the process watch reports a secret on a command line and in a child environment', async () => {
  const secret = `s3cret-${process.pid}-${Date.now()}`;
  const watch = watchProcesses([secret]);
  // argv[0] is the command line's first word: the secret is on it, harmlessly for sleep.
  // Each in its own process group, so the kill below also ends sh's sleep.
  const opts = { stdio: 'ignore', detached: true } as const;
  const onLine = spawn('sleep', ['600'], { ...opts, argv0: `sleep-${secret}` });
  const inEnv = spawn('sh', ['-c', 'sleep 600; :'], {
    ...opts,
    env: { PATH: process.env.PATH, TOKEN: secret },
  });
  const bothSeen = (r: WatchReport) =>
    r.leaks.some((l) => l.endsWith('command line')) && r.leaks.some((l) => /\(sh\): environment$/.test(l));
  try {
    await watch.until(bothSeen);
  } finally {
    const exits = [once(onLine, 'exit'), once(inEnv, 'exit')];
    for (const child of [onLine, inEnv]) process.kill(-child.pid!, 'SIGKILL');
    await Promise.all(exits);
  }
  const seen = watch.stop();
  assert.ok(bothSeen(seen), seen.leaks.join('; '));
  assert.ok(seen.programs.has('sleep'), 'the watch lists the programs it saw');
  assert.ok(!seen.leaks.join('').includes(secret), 'the report does not repeat the secret');
});
