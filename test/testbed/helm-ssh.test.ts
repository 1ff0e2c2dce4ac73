// Smoke test of the SSH path the VNFM uses: log in to a master node (password and
// key), copy a chart by SFTP, extract it, `helm install` there, and see its pods
// Running in the cluster; on every node, so both helm 3 and helm 4 are covered.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { SshSession } from '../../src/ssh/session.ts';
import { writeChart } from '../helpers/chart.ts';
import { pods, runningPods } from '../helpers/pods.ts';
import { kubeClient, sshToNode, testbed } from '../helpers/testbed.ts';
import { eventually } from '../helpers/wait.ts';

const execFileP = promisify(execFile);

test('key login to every node reaches helm and kubectl on its PATH', async () => {
  const env = await testbed();
  for (const node of env.sshNodes) {
    const ssh = await SshSession.connect({
      host: node.host,
      port: node.port,
      username: node.user,
      privateKey: readFileSync(node.keyFile),
      hostKey: node.hostKey,
    });
    try {
      const version = await ssh.exec(['helm', 'version', '--short']);
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, node.helm === 'helm3' ? /^v3\./ : /^v4\./);
      const nodes = await ssh.exec(['kubectl', 'get', 'nodes', '-o', 'name']);
      assert.equal(nodes.code, 0, nodes.stderr);
      assert.match(nodes.stdout, /node\/kwok-node-0/);
    } finally {
      ssh.close();
    }
  }
});

test('a wrong password and a changed host key are refused', async () => {
  const node = (await testbed()).sshNodes[0];
  assert.ok(node);
  const base = { host: node.host, port: node.port, username: node.user };
  await assert.rejects(SshSession.connect({ ...base, password: 'wrong' }), /authentication failed/);
  const other = (await testbed()).sshNodes[1]?.hostKey ?? '';
  await assert.rejects(
    SshSession.connect({ ...base, password: node.password, hostKey: other }),
    /host key .* changed/,
  );
});

test('chart copied by SFTP, extracted and installed with helm on each master node', async () => {
  const env = await testbed();
  const core = await kubeClient();
  const local = mkdtempSync(join(tmpdir(), 'vnfm-ssh-'));
  const chart = writeChart(local, 'sshsmoke');
  await execFileP(env.helm3, ['package', chart, '--destination', local]);
  const tgz = join(local, 'sshsmoke-0.1.0.tgz');

  for (const [i, node] of env.sshNodes.entries()) {
    const ssh = await sshToNode(node);
    const release = `ssh-smoke-${i}`;
    const dir = `/home/${node.user}/vnfm-smoke/${release}`;
    const selector = `app.kubernetes.io/instance=${release}`;
    try {
      assert.equal((await ssh.exec(['mkdir', '-p', dir])).code, 0);
      await ssh.putFile(tgz, `${dir}/sshsmoke-0.1.0.tgz`);
      const untar = await ssh.exec(['tar', '-xzf', `${dir}/sshsmoke-0.1.0.tgz`, '-C', dir]);
      assert.equal(untar.code, 0, untar.stderr);
      const install = await ssh.exec([
        'helm',
        'install',
        release,
        `${dir}/sshsmoke`,
        '--namespace',
        'default',
        '--set',
        'replicaCount=2',
      ]);
      assert.equal(install.code, 0, install.stderr);
      await runningPods(core, 'default', selector, 2);

      const uninstall = await ssh.exec(['helm', 'uninstall', release, '--namespace', 'default']);
      assert.equal(uninstall.code, 0, uninstall.stderr);
      await eventually(
        'pods removed',
        () => pods(core, 'default', selector),
        (ps) => ps.length === 0,
      );
      assert.equal((await ssh.exec(['rm', '-rf', dir])).code, 0);
    } finally {
      ssh.close();
    }
  }
});
