// Configuration of MgmtDrivers: VNFM_MGMT_DRIVERS / --mgmt-drivers pairs, parsed by
// loadConfig (a bad pair is a one-line ConfigError) and resolved against the registry
// when the context is built (an unknown driver id is a ConfigError naming the known ones).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { ConfigError, fromEnv, loadConfig } from '../../src/config.ts';
import { mgmtRegistry } from '../../src/mgmt/registry.ts';
import { TestDriver } from './test-driver.ts';

describe('MgmtDriver configuration', () => {
  test('none enabled by default', () => {
    assert.deepEqual(loadConfig().mgmtDrivers, {});
    assert.equal(mgmtRegistry(loadConfig().mgmtDrivers).artifacts.size, 0);
  });

  test('artifact=driver pairs from the environment, a flag overriding it', () => {
    const env = fromEnv({ VNFM_MGMT_DRIVERS: ' mgmt-drivers-kubernetes = kubernetes-cluster , other=x ' });
    assert.deepEqual(loadConfig(env).mgmtDrivers, {
      'mgmt-drivers-kubernetes': 'kubernetes-cluster',
      other: 'x',
    });
    assert.deepEqual(loadConfig(env, { mgmtDrivers: 'a=b' }).mgmtDrivers, { a: 'b' });
  });

  test('a malformed pair or an artifact named twice: one-line ConfigError', () => {
    for (const bad of ['kubernetes', 'a=b=c', 'a=b,a=c', 'a b=c']) {
      assert.throws(
        () => loadConfig({ mgmtDrivers: bad }),
        (e: Error) => e instanceof ConfigError && !e.message.includes('\n') && /MgmtDrivers/.test(e.message),
        bad,
      );
    }
  });

  test('the kubernetes-cluster driver is built in; an unknown id names the known ones', () => {
    const reg = mgmtRegistry({ 'mgmt-drivers-kubernetes': 'kubernetes-cluster' });
    assert.equal(reg.artifacts.get('mgmt-drivers-kubernetes')?.id, 'kubernetes-cluster');
    assert.throws(
      () => mgmtRegistry({ k: 'kubernetes' }),
      (e: Error) =>
        e instanceof ConfigError &&
        /artifact 'k' names unknown driver 'kubernetes'.*kubernetes-cluster/.test(e.message),
    );
    // Drivers registered beside the built-in ones are known to every instance, enabled or not.
    const extra = mgmtRegistry({}, [new TestDriver().driver]);
    assert.ok(extra.drivers.has('test-driver'));
    assert.equal(extra.artifacts.size, 0);
  });

  test('vnfm serve with an unknown driver id exits with one line on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnfm-cfg-'));
    const run = promisify(execFile);
    const res = await run(
      process.execPath,
      ['src/cli/main.ts', 'serve', '--mgmt-drivers', 'a=nope', '--data-dir', dir],
      {
        env: { ...process.env, VNFM_DATABASE: `sqlite:${join(dir, 'db.sqlite')}`, VNFM_PORT: '0' },
      },
    ).then(
      () => assert.fail('vnfm serve started'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(res.code, 1);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /^vnfm: configuration: MgmtDrivers: artifact 'a' names unknown driver 'nope'/);
  });
});
