// The SSH pool against the testbed's master node 0: after a burst of operations at
// once, as many connections stay idle as the worker runs operations at once
// (setIdleLimit, from VNFM_WORKER_CONCURRENCY), so the next burst logs in again for none.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { registry } from '../../src/metrics/registry.ts';
import { acquire, drainPool, remember, setIdleLimit } from '../../src/ssh/pool.ts';
import { parseMetrics, sample } from '../helpers/metrics.ts';
import { testbed } from '../helpers/testbed.ts';

after(() => {
  drainPool();
  setIdleLimit(8);
});

const pooled = async (state: string) =>
  sample(parseMetrics(await registry.metrics()), 'vnfm_ssh_pool_connections', { state });

test('a burst of 12 at once leaves 12 idle with a limit of 12, and the next burst opens none', async () => {
  const n = (await testbed()).sshNodes[0]!;
  const target = { host: n.host, port: n.port, username: n.user, password: n.password, hostKey: n.hostKey };
  drainPool();
  setIdleLimit(12);
  const burst = () => Promise.all(Array.from({ length: 12 }, () => acquire(target)));
  const first = await burst();
  assert.equal(first.filter((l) => l.fresh).length, 12, 'nothing idle yet: 12 new connections');
  for (const l of first) l.release();
  assert.equal(await pooled('idle'), 12);
  const second = await burst();
  assert.equal(second.filter((l) => l.fresh).length, 0, 'all 12 reused');
  for (const l of second) l.release();
  // Beyond the limit a returned connection is closed, not kept: 6 stay idle, more than 4
  // already, so the 6 lent out are closed when returned.
  setIdleLimit(4);
  const third = await Promise.all(Array.from({ length: 6 }, () => acquire(target)));
  for (const l of third) l.release();
  assert.equal(await pooled('idle'), 6);
});

test('an ask that fails fails only its asker: one waiting on it asks again itself, and nothing is kept', async () => {
  drainPool();
  const target = { host: 'node.invalid', port: 22, username: 'u', password: 'p' };
  let fail!: (e: Error) => void;
  const first = remember(target, 'helm version', () => new Promise<string>((_, reject) => (fail = reject)));
  const waiter = remember(target, 'helm version', async () => 'v3.22.0 (asked by the waiter)');
  fail(new Error('connection lost'));
  await assert.rejects(first, /connection lost/);
  assert.equal(await waiter, 'v3.22.0 (asked by the waiter)');
  assert.equal(
    await remember(target, 'helm version', async () => 'asked anew'),
    'asked anew',
    'the failure was not kept',
  );
});
