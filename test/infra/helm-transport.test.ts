// The two places helm runs, against the real testbed: SSH master nodes (helm 3 on
// node 0, helm 4 on node 1; password and key login, host-key pinning and trust on
// first use, failover past an unreachable master, precise refusals) and the local
// binary (private kubeconfig, per-VIM helm homes, nothing secret in its
// environment beyond the kubeconfig file). Plus helm_info resolution.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ProblemError } from '../../src/errors.ts';
import { HelmCommands, parseHelmVersion } from '../../src/infra/helm/commands.ts';
import { HelmCli } from '../../src/infra/helm/helm-cli.ts';
import { HelmError } from '../../src/infra/helm/errors.ts';
import { masterNodes, resolveMasters } from '../../src/infra/helm/helm-info.ts';
import { LocalTransport, removeVimHome } from '../../src/infra/helm/local-transport.ts';
import { connectFirstReachable, SshTransport } from '../../src/infra/helm/ssh-transport.ts';
import { registry } from '../../src/metrics/registry.ts';
import { drainPool } from '../../src/ssh/pool.ts';
import { fingerprint } from '../../src/ssh/session.ts';
import type { HelmInfo, Vim } from '../../src/vim/model.ts';
import { freePort } from '../../testbed/lib/proc.ts';
import { parseMetrics, sample } from '../helpers/metrics.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { testbed } from '../helpers/testbed.ts';

const scratch = mkdtempSync(join(tmpdir(), 'helm-transport-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function node(i: number) {
  const n = (await testbed()).sshNodes[i];
  assert.ok(n, `testbed SSH node ${i}`);
  return n;
}

async function info(i: number, extra: Partial<HelmInfo> = {}): Promise<HelmInfo> {
  const n = await node(i);
  return {
    masternode_ip: [`${n.host}:${n.port}`],
    masternode_username: n.user,
    masternode_password: n.password,
    ...extra,
  };
}

const keyFingerprint = (key: string) => fingerprint(Buffer.from(key.split(' ')[1] ?? '', 'base64'));

describe('helm_info', () => {
  test("request extra gives its own credentials for the VIM's masters; Python-dict strings read", () => {
    // The credential rule in full (request-named masters, '***', pins): test/vim/master-access.test.ts.
    const vim: HelmInfo = {
      masternode_ip: ['10.0.0.1'],
      masternode_username: 'helm',
      masternode_password: 'vim-secret',
      masternode_host_keys: { '10.0.0.1': 'SHA256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
    };
    assert.deepEqual(resolveMasters(vim, "{'masternode_password': 'req-secret'}"), [
      {
        node: { address: '10.0.0.1', host: '10.0.0.1', port: 22 },
        vimMaster: true,
        info: {
          masternode_ip: ['10.0.0.1'],
          masternode_username: 'helm',
          masternode_port: 22,
          masternode_password: 'req-secret',
          masternode_host_keys: { '10.0.0.1': 'SHA256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
        },
      },
    ]);
    assert.deepEqual(resolveMasters(undefined, undefined), []);
    assert.throws(
      () => resolveMasters(vim, { masternode_port: 'x' }),
      (e: unknown) =>
        e instanceof ProblemError && /vimConnectionInfo\.extra\.helm_info\.masternode_port/.test(e.message),
    );
  });

  test('master node addresses with and without ports', () => {
    assert.deepEqual(
      masterNodes({
        masternode_ip: ['10.0.0.1', '10.0.0.2:2222', '[fd00::1]:2200', 'fd00::2'],
        masternode_port: 22,
      }),
      [
        { address: '10.0.0.1', host: '10.0.0.1', port: 22 },
        { address: '10.0.0.2:2222', host: '10.0.0.2', port: 2222 },
        { address: '[fd00::1]:2200', host: 'fd00::1', port: 2200 },
        { address: 'fd00::2', host: 'fd00::2', port: 22 },
      ],
    );
  });
});

describe('SSH transport', () => {
  for (const i of [0, 1]) {
    test(`node ${i}: password login, helm ${i === 0 ? 3 : 4}, file operations under ~/vnfm`, async () => {
      const n = await node(i);
      const t = await connectFirstReachable(
        masterNodes(await info(i)),
        await info(i),
        {},
        { remoteDir: 'vnfm' },
      );
      try {
        assert.equal(t.where, `master node ${n.host}:${n.port}`);
        // Trust on first use: the presented key is reported for recording.
        assert.equal(t.presentedHostKey, keyFingerprint(n.hostKey));
        const v = parseHelmVersion(
          (await t.run(new HelmCommands(parseHelmVersion('v3.0')).versionShort())).stdout,
        );
        assert.equal(v.major, i === 0 ? 3 : 4);
        const dir = t.instanceDir(`transport-test-${i}`);
        assert.equal(dir, `/home/${n.user}/vnfm/transport-test-${i}`);
        await t.mkdirp(`${dir}/sub`, `${dir}/sub 2`);
        const local = join(scratch, `f${i}`);
        writeFileSync(local, "it's $(here)");
        const local2 = join(scratch, `g${i}`);
        writeFileSync(local2, 'second; `x`');
        await t.putFiles([
          { local, remote: `${dir}/sub/it's $(here)` },
          { local: local2, remote: `${dir}/sub 2/b` },
        ]);
        const cat = await t.run(['cat', `${dir}/sub/it's $(here)`]);
        assert.equal(cat.stdout, "it's $(here)");
        // runAll: one remote command, each argument quoted, stopping at the first failure.
        const both = await t.runAll([
          ['cat', `${dir}/sub 2/b`],
          ['echo', '$(id) && false'],
        ]);
        assert.deepEqual([both.code, both.stdout], [0, 'second; `x`$(id) && false\n']);
        const stopped = await t.runAll([['false'], ['touch', `${dir}/not-made`]]);
        assert.notEqual(stopped.code, 0);
        assert.equal(await t.exists(`${dir}/not-made`), false);
        await assert.rejects(t.putFiles([{ local, remote: '/tmp/outside' }]), /refusing to write outside/);
        assert.equal(await t.exists(`${dir}/sub`), true);
        await assert.rejects(t.removeDir('/tmp'), /refusing to write outside/);
        await assert.rejects(t.removeDir(`${dir}/../..`), /refusing to write outside/);
        await t.removeDir(dir);
        assert.equal(await t.exists(dir), false);
      } finally {
        await t.close();
      }
    });
  }

  test('key login with the pinned host key', async () => {
    const n = await node(1);
    const i = await info(1, {
      masternode_password: undefined,
      masternode_private_key: readFileSync(n.keyFile, 'utf8'),
      masternode_host_keys: { [`${n.host}:${n.port}`]: n.hostKey },
    });
    delete i.masternode_password;
    const t = await connectFirstReachable(masterNodes(i), i, {}, { remoteDir: 'vnfm' });
    assert.equal((await t.run(['true'])).code, 0);
    await t.close();
  });

  test('first master unreachable: the second is used', async () => {
    const n = await node(0);
    const i = await info(0);
    // Nothing listens on 127.0.0.9 (loopback, refused at once).
    i.masternode_ip = [`127.0.0.9:${n.port}`, `${n.host}:${n.port}`];
    const skipped: string[] = [];
    const t = await connectFirstReachable(
      masterNodes(i),
      i,
      {},
      {
        remoteDir: 'vnfm',
        onUnreachable: (e) => skipped.push(e.message),
      },
    );
    assert.equal(t.node.address, `${n.host}:${n.port}`);
    assert.match(
      skipped[0] ?? '',
      new RegExp(`^master node 127\\.0\\.0\\.9:${n.port}: unreachable: .*ECONNREFUSED`),
    );
    await t.close();
    i.masternode_ip = [`127.0.0.9:${n.port}`];
    await assert.rejects(
      connectFirstReachable(masterNodes(i), i, {}, { remoteDir: 'vnfm' }),
      /^HelmError: no master node is reachable: master node 127\.0\.0\.9:\d+: unreachable/,
    );
  });

  test('operations starting at once on new connections to one node ask its helm version once', async () => {
    drainPool();
    const versions = async () =>
      sample(parseMetrics(await registry.metrics()), 'vnfm_helm_command_duration_seconds_count', {
        subcommand: 'version',
        transport: 'ssh',
      });
    const before = await versions();
    const i = await info(1);
    // Four at once: none is idle in the pool, so each opens a connection of its own.
    const ts = await Promise.all(
      Array.from({ length: 4 }, () => connectFirstReachable(masterNodes(i), i, {}, { remoteDir: 'vnfm' })),
    );
    assert.ok(ts.every((t) => t instanceof SshTransport));
    const clis = await Promise.all(ts.map((t) => HelmCli.open(t)));
    assert.ok(clis.every((c) => c.cmd.version.major === 4));
    for (const t of ts) await t.close();
    assert.equal((await versions()) - before, 1, 'one helm version for four new connections');
    drainPool();
  });

  test('connections sshd drops before the handshake (beyond MaxStartups) are tried again; idle ones reused', async () => {
    const n = await node(0);
    const proxy = new TcpProxy(await freePort(), n.host, n.port);
    await proxy.open();
    try {
      const i = await info(0);
      i.masternode_ip = [`127.0.0.1:${proxy.port}`];
      const dropped = async () =>
        sample(parseMetrics(await registry.metrics()), 'vnfm_ssh_handshakes_total', { outcome: 'dropped' });
      const droppedBefore = await dropped();
      proxy.dropNext(2);
      const t = await connectFirstReachable(masterNodes(i), i, {}, { remoteDir: 'vnfm' });
      assert.equal((await t.run(['true'])).code, 0);
      await t.close();
      assert.equal(proxy.accepted, 3);
      // Counted apart from other failures: an operator sees sshd's MaxStartups at work.
      assert.equal((await dropped()) - droppedBefore, 2, 'two handshakes counted as dropped');
      // The next operation reuses that connection (idle in the pool): no new handshake.
      const again = await connectFirstReachable(masterNodes(i), i, {}, { remoteDir: 'vnfm' });
      assert.equal((await again.run(['true'])).code, 0);
      await again.close();
      assert.equal(proxy.accepted, 3, 'the pooled connection was reused');
      // Other credentials never get it: a new connection, checked with them.
      await assert.rejects(
        connectFirstReachable(
          masterNodes(i),
          { ...i, masternode_password: 'Wr0ng-Pa55word' },
          {},
          {
            remoteDir: 'vnfm',
          },
        ),
        /authentication failed/,
      );
      assert.equal(proxy.accepted, 4);
      // A pooled connection that died meanwhile is replaced, not used.
      await proxy.cut();
      await proxy.open();
      const replaced = await connectFirstReachable(masterNodes(i), i, {}, { remoteDir: 'vnfm' });
      assert.equal((await replaced.run(['true'])).code, 0);
      await replaced.close();
      assert.equal(proxy.accepted, 5);
      // A node that drops every connection is unreachable after a few tries, not forever.
      drainPool();
      proxy.accepted = 0;
      proxy.dropNext(1000);
      await assert.rejects(
        connectFirstReachable(masterNodes(i), i, {}, { remoteDir: 'vnfm' }),
        /^HelmError: no master node is reachable: master node 127\.0\.0\.1:\d+: unreachable/,
      );
      assert.equal(proxy.accepted, 6);
    } finally {
      await proxy.cut();
    }
  });

  test('wrong password: precise error, no failover, password not in it', async () => {
    const n0 = await node(0);
    const n1 = await node(1);
    const i = await info(0, { masternode_password: 'Wr0ng-Pa55word' });
    i.masternode_ip = [`${n0.host}:${n0.port}`, `${n1.host}:${n1.port}`];
    await assert.rejects(
      connectFirstReachable(masterNodes(i), i, {}, { remoteDir: 'vnfm' }),
      (e: unknown) => {
        assert.ok(e instanceof HelmError);
        assert.equal(
          e.message,
          `master node 127.0.0.2:${n0.port}: authentication failed for user "${n0.user}"`,
        );
        assert.ok(!e.message.includes('Wr0ng'));
        return true;
      },
    );
  });

  test('host key changed (recorded pin differs): precise error naming both fingerprints', async () => {
    const n0 = await node(0);
    const n1 = await node(1);
    const i = await info(0);
    await assert.rejects(
      connectFirstReachable(
        masterNodes(i),
        i,
        { [`${n0.host}:${n0.port}`]: n1.hostKey },
        { remoteDir: 'vnfm' },
      ),
      (e: unknown) => {
        assert.ok(e instanceof HelmError);
        assert.equal(
          e.message,
          `master node 127.0.0.2:${n0.port}: host key of 127.0.0.2:${n0.port} changed: pinned ${keyFingerprint(n1.hostKey)}, presented ${keyFingerprint(n0.hostKey)}`,
        );
        return true;
      },
    );
    // A pin in helm_info wins over a recorded one.
    const t = await connectFirstReachable(
      masterNodes(i),
      { ...i, masternode_host_keys: { [`${n0.host}:${n0.port}`]: keyFingerprint(n0.hostKey) } },
      { [`${n0.host}:${n0.port}`]: n1.hostKey },
      { remoteDir: 'vnfm' },
    );
    await t.close();
  });

  test('SshTransport.connect refuses helm_info without credentials', async () => {
    const i = await info(0);
    delete i.masternode_password;
    await assert.rejects(
      SshTransport.connect({ node: masterNodes(i)[0]!, info: i, remoteDir: 'vnfm' }),
      /neither masternode_password nor masternode_private_key/,
    );
  });
});

describe('local transport', () => {
  for (const major of ['helm3', 'helm4'] as const) {
    test(`${major}: private kubeconfig, per-VIM helm homes, minimal environment`, async () => {
      const env = await testbed();
      const vim: Vim = {
        id: 'vim-local-test',
        name: 'local',
        description: '',
        type: 'kubernetes',
        authUrl: env.apiServer,
        projectName: 'default',
        isDefault: false,
        status: 'REACHABLE',
        authCred: { bearer_token: env.bearerToken, ssl_ca_cert: readFileSync(env.caFile, 'utf8') },
        extra: {},
        createdAt: new Date().toISOString(),
        updatedAt: null,
      };
      const home = join(scratch, major);
      const t = await LocalTransport.open({ vim, helmBinary: env[major], homeDir: home });
      let kubeconfig = '';
      try {
        const v = parseHelmVersion((await t.run(['helm', 'version', '--short'])).stdout);
        assert.equal(v.major, major === 'helm3' ? 3 : 4);
        const helmEnv = (await t.run(['helm', 'env'])).stdout;
        assert.match(helmEnv, new RegExp(`HELM_CONFIG_HOME="${home}/vims/vim-local-test/config"`));
        assert.match(helmEnv, new RegExp(`HELM_DATA_HOME="${home}/vims/vim-local-test/data"`));
        // The child's environment: the token only inside the kubeconfig file.
        const printed = (await t.run(['env'])).stdout;
        kubeconfig = /^KUBECONFIG=(.+)$/m.exec(printed)?.[1] ?? '';
        assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);
        assert.equal(statSync(join(kubeconfig, '..')).mode & 0o777, 0o700);
        assert.ok(readFileSync(kubeconfig, 'utf8').includes(env.bearerToken));
        assert.ok(!printed.includes(env.bearerToken), 'token not in the environment');
        assert.deepEqual(
          printed
            .trim()
            .split('\n')
            .map((l) => l.split('=')[0])
            .sort(),
          ['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME', 'HOME', 'KUBECONFIG', 'PATH'],
        );
        const list = await t.run(['helm', 'list', '-A', '-o', 'json']);
        assert.equal(list.code, 0, list.stderr);
        assert.equal(t.redact(`x ${env.bearerToken} y`), 'x *** y');
        assert.equal(t.instanceDir('abc'), join(home, 'instances', 'abc'));
        assert.throws(() => t.instanceDir('../x'), /cannot be used as a directory name/);
        await assert.rejects(t.removeDir(home), /refusing to write outside/);
      } finally {
        await t.close();
      }
      // Kept for the VIM's next operation (test/infra/helm-local-prepared.test.ts); deleting the VIM removes it.
      assert.ok(statSync(kubeconfig).isFile(), 'kubeconfig kept after close');
      await removeVimHome(home, vim.id);
      assert.throws(() => statSync(kubeconfig), /ENOENT/, 'kubeconfig removed with the VIM');
    });
  }
});
