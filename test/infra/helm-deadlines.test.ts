// Deadlines of Helm mode: a timer never gets a duration it cannot hold (2^31 ms and up
// fire at once), helm's own --timeout is always below the VNFM's deadline for that
// command, and a command the VNFM gives up on is stopped — locally with its process
// group, over SSH on the testbed's real sshd (checked with ps on the node) both when
// the deadline passes and when the connection dies. A VIM's local helm homes go with it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { HelmCommands, helmTimeoutSeconds, runTimeoutMs } from '../../src/infra/helm/commands.ts';
import { LocalTransport, removeVimHome } from '../../src/infra/helm/local-transport.ts';
import { SshTransport } from '../../src/infra/helm/ssh-transport.ts';
import { masterNodes } from '../../src/infra/helm/helm-info.ts';
import { drainPool } from '../../src/ssh/pool.ts';
import { MAX_TIMER_MS, msUntil, timerMs } from '../../src/timers.ts';
import type { Vim } from '../../src/vim/model.ts';
import { sshToNode, testbed } from '../helpers/testbed.ts';
import { eventually } from '../helpers/wait.ts';

const execFileP = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'helm-deadlines-'));
after(() => {
  drainPool();
  rmSync(scratch, { recursive: true, force: true });
});

/** A VIM for the local transport that never reaches a cluster (the commands run here are no helm). */
const offlineVim = (id: string): Vim => ({
  id,
  name: id,
  description: '',
  type: 'kubernetes',
  authUrl: 'https://127.0.0.1:1',
  projectName: 'default',
  isDefault: false,
  status: 'REACHABLE',
  authCred: { bearer_token: 'offline-token' },
  extra: {},
  createdAt: new Date().toISOString(),
  updatedAt: null,
});

/** A `sleep` duration no other process on the machine uses, so ps finds only ours. */
const marker = () => `${randomInt(100_000, 999_999)}.${randomInt(1000, 9999)}`;

async function localSleepers(m: string): Promise<string[]> {
  const r = await execFileP('ps', ['-eo', 'pid=,args=']);
  return r.stdout.split('\n').filter((l) => l.includes(`sleep ${m}`));
}

describe('timer durations', () => {
  test('clamped to what a Node timer holds; NaN refused', () => {
    assert.equal(MAX_TIMER_MS, 2 ** 31 - 1);
    assert.equal(timerMs(2 ** 31 * 1000), MAX_TIMER_MS); // gracefulTerminationTimeout 2^31 s
    assert.equal(timerMs(2 ** 31), MAX_TIMER_MS);
    assert.equal(timerMs(Number.POSITIVE_INFINITY), MAX_TIMER_MS);
    assert.equal(timerMs(-5), 0);
    assert.equal(timerMs(1.2), 2);
    assert.throws(() => timerMs(Number.NaN), RangeError);
    assert.equal(msUntil(Date.now() + 2 ** 40), MAX_TIMER_MS);
  });

  test('a clamped huge timeout does not fire at once (an unclamped one does)', async () => {
    let clampedFired = false;
    let rawFired = false;
    const clamped = setTimeout(() => (clampedFired = true), timerMs(2 ** 31 * 1000));
    await new Promise<void>((resolve) => {
      // Node warns (TimeoutOverflowWarning) and fires this one after 1 ms: the bug being fixed.
      const listener = () => {};
      process.on('warning', listener);
      setTimeout(() => {
        rawFired = true;
        process.off('warning', listener);
        resolve();
      }, 2 ** 31);
    });
    assert.ok(rawFired);
    assert.equal(clampedFired, false);
    clearTimeout(clamped);
  });

  test("helm's --timeout is always below the VNFM's deadline for the command, and both fit a timer", () => {
    for (const s of [0, 1, 7, 60, 300, 3600, 86_400, 2 ** 31, 2 ** 53, Number.POSITIVE_INFINITY]) {
      const helmMs = helmTimeoutSeconds({ timeoutSeconds: s }) * 1000;
      const vnfmMs = runTimeoutMs({ timeoutSeconds: s });
      assert.ok(helmMs >= 1000, `${s}: helm gets at least 1 s`);
      assert.ok(vnfmMs > helmMs, `${s}: VNFM deadline ${vnfmMs} after helm's ${helmMs}`);
      assert.ok(vnfmMs - helmMs >= 5000 && vnfmMs - helmMs <= 60_000, `${s}: slack of 5..60 s`);
      assert.ok(vnfmMs <= MAX_TIMER_MS, `${s}: fits a timer`);
    }
    const cmd = new HelmCommands({ major: 3, minor: 22, patch: 0, text: 'v3.22.0' });
    const argv = cmd.uninstall({ release: 'r', wait: { timeoutSeconds: 2 ** 31 } });
    const t = argv[argv.indexOf('--timeout') + 1]!;
    assert.ok(Number(t.replace(/s$/, '')) * 1000 < MAX_TIMER_MS, t);
  });
});

describe('local transport', () => {
  test('a command past its deadline is killed with its whole process group', async () => {
    const t = await LocalTransport.open({
      vim: offlineVim('vim-deadline'),
      helmBinary: 'helm',
      homeDir: join(scratch, 'local'),
    });
    const m = marker();
    try {
      // A child and a grandchild (the backgrounded sleep): both must go.
      await assert.rejects(
        t.run(['sh', '-c', `sleep ${m} & sleep ${m}`], { timeoutMs: 300 }),
        /local helm: sh -c did not finish within 300ms; it was stopped/,
      );
      await eventually(
        'no sleep left',
        () => localSleepers(m),
        (l) => l.length === 0,
      );
      // A finished command is unaffected: its exit status and output.
      const r = await t.run(['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 2 ** 31 * 1000 });
      assert.deepEqual(r, { code: 3, stdout: 'out\n', stderr: 'err\n' });
    } finally {
      await t.close();
    }
  });

  test("removeVimHome removes that VIM's helm homes only", async () => {
    const home = join(scratch, 'homes');
    for (const id of ['vim-a', 'vim-b'])
      await (await LocalTransport.open({ vim: offlineVim(id), helmBinary: 'helm', homeDir: home })).close();
    assert.ok(existsSync(join(home, 'vims', 'vim-a', 'config')));
    await removeVimHome(home, 'vim-a');
    assert.ok(!existsSync(join(home, 'vims', 'vim-a')));
    assert.ok(existsSync(join(home, 'vims', 'vim-b', 'config')));
    await removeVimHome(home, 'vim-a'); // already gone: fine
  });
});

describe('SSH transport on the real sshd', () => {
  async function connect() {
    const n = (await testbed()).sshNodes[0]!;
    const info = {
      masternode_ip: [`${n.host}:${n.port}`],
      masternode_username: n.user,
      masternode_password: n.password,
    };
    const [node] = masterNodes(info);
    return { n, t: await SshTransport.connect({ node: node!, info, hostKey: n.hostKey, remoteDir: 'vnfm' }) };
  }

  /** The node's processes whose command line holds `m`, seen from a session of its own. */
  async function remoteSleepers(m: string): Promise<string[]> {
    const n = (await testbed()).sshNodes[0]!;
    const s = await sshToNode(n);
    try {
      const r = await s.exec(['ps', '-u', n.user, '-o', 'pid=,args=']);
      // The sleep processes themselves (the shell running them names them too).
      return r.stdout
        .split('\n')
        .filter((l) => new RegExp(`^\\s*\\d+ sleep ${m.replace('.', '\\.')}$`).test(l));
    } finally {
      s.close();
    }
  }

  test('a command past its deadline is stopped on the node: no process left', async () => {
    const { t } = await connect();
    const m = marker();
    try {
      await assert.rejects(
        t.run(['sh', '-c', `sleep ${m} & sleep ${m}`], { timeoutMs: 500 }),
        /did not finish within 500ms; it was stopped/,
      );
      await eventually(
        'no sleep left on the node',
        () => remoteSleepers(m),
        (l) => l.length === 0,
      );
      // The connection stays usable for the next command, with exit status and output intact.
      const r = await t.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.deepEqual(r, { code: 3, stdout: 'out\n', stderr: 'err\n' });
    } finally {
      await t.close();
    }
  });

  test('the connection dying ends the command too (the guard, without any signal)', async () => {
    const n = (await testbed()).sshNodes[0]!;
    const s = await sshToNode(n);
    const m = marker();
    const running = s.exec(['sleep', m]).catch(() => undefined);
    try {
      await eventually(
        'sleep running on the node',
        () => remoteSleepers(m),
        (l) => l.length === 1,
      );
    } finally {
      s.close();
    }
    await running;
    await eventually(
      'no sleep left on the node',
      () => remoteSleepers(m),
      (l) => l.length === 0,
    );
  });
});
