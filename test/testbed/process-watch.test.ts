// The process watch the secret tests rely on must see what it looks for: a secret
// on a command line, and one in the environment of a child program.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { watchProcesses } from '../helpers/process-watch.ts';

test('the process watch reports a secret on a command line and in a child environment', async () => {
  const secret = `s3cret-${process.pid}-${Date.now()}`;
  const watch = watchProcesses([secret]);
  // argv[0] is the command line's first word: the secret is on it, harmlessly for sleep.
  const onLine = spawn('sleep', ['0.3'], { argv0: `sleep-${secret}` });
  const inEnv = spawn('sh', ['-c', 'sleep 0.3'], { env: { PATH: process.env.PATH, TOKEN: secret } });
  await Promise.all([once(onLine, 'exit'), once(inEnv, 'exit')]);
  const seen = watch.stop();
  assert.ok(seen.samples > 10, `${seen.samples} samples`);
  assert.ok(
    seen.leaks.some((l) => l.endsWith('command line')),
    seen.leaks.join('; '),
  );
  assert.ok(
    seen.leaks.some((l) => /\(sh\): environment$/.test(l)),
    seen.leaks.join('; '),
  );
  assert.ok(!seen.leaks.join('').includes(secret), 'the report does not repeat the secret');
});
