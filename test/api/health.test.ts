// The server as an operator starts it: the `vnfm serve` process, a SQLite file
// store, /healthz over real HTTP; and bad settings end in one clear line.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { eventually } from '../helpers/wait.ts';

const vnfm = new URL('../../bin/vnfm', import.meta.url).pathname;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

test('vnfm serve answers GET /healthz with 200 JSON and creates its SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-health-'));
  const port = await freePort();
  const db = join(dir, 'store', 'vnfm.sqlite');
  const child = spawn(
    vnfm,
    ['serve', '--port', String(port), '--database', `sqlite:${db}`, '--log-level', 'warn'],
    {
      stdio: 'inherit',
    },
  );
  children.push(child);
  const res = await eventually(
    'the server to listen',
    () => fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined),
    (r) => r !== undefined,
    120_000,
  );
  assert.ok(res);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as { status: string; database: string };
  assert.equal(body.status, 'ok');
  assert.equal(body.database, 'ok');
  assert.ok(existsSync(db), 'the SQLite file exists');

  const missing = await fetch(`http://127.0.0.1:${port}/no/such/route`);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);

  child.kill('SIGTERM');
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0, 'SIGTERM shuts down cleanly');
});

test('invalid settings fail with one line naming the setting', () => {
  for (const [args, pattern] of [
    [['serve', '--port', '99999'], /^vnfm: configuration: port must be an integer 0-65535, got '99999'\n$/],
    [
      ['serve', '--database', 'mysql://x'],
      /^vnfm: configuration: database must be 'sqlite:<path>' or 'postgres:\/\/…'/,
    ],
    [['serve', '--log-level', 'loud'], /^vnfm: configuration: log level must be one of/],
  ] as const) {
    const r = spawnSync(vnfm, args, { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
