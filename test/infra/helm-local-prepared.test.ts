// The local transport prepares a VIM's kubeconfig, helm homes and helm's version once
// and shares them: between operations, between operations at once, rebuilt when the
// VIM's credentials change, removed when unused and retired or when the VIM is deleted.
// No cluster needed: the commands are `cat`/`sh`, and "helm" is a script that counts
// how often it is asked its version.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HelmCli } from '../../src/infra/helm/helm-cli.ts';
import { LocalTransport, preparedKubeconfigs, removeVimHome } from '../../src/infra/helm/local-transport.ts';
import type { Vim } from '../../src/vim/model.ts';

const scratch = mkdtempSync(join(tmpdir(), 'helm-local-prepared-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

// A stand-in helm: `helm version --short` answers like helm 4 and leaves a line in a count file.
const probes = join(scratch, 'probes');
const fakeHelm = join(scratch, 'helm');
writeFileSync(fakeHelm, `#!/bin/sh\necho probe >> '${probes}'\necho v4.0.1+gabcdef\n`);
chmodSync(fakeHelm, 0o755);
const probeCount = () => (existsSync(probes) ? readFileSync(probes, 'utf8').split('\n').length - 1 : 0);

const vimOf = (id: string, token: string): Vim => ({
  id,
  name: id,
  description: '',
  type: 'kubernetes',
  authUrl: 'https://127.0.0.1:1',
  projectName: 'default',
  isDefault: false,
  status: 'REACHABLE',
  authCred: { bearer_token: token },
  extra: {},
  createdAt: new Date().toISOString(),
  updatedAt: null,
});

/** The kubeconfig helm's child process is pointed at, and what it holds. */
async function kubeconfigOf(t: LocalTransport): Promise<{ path: string; text: string }> {
  const r = await t.run(['sh', '-c', 'printf %s "$KUBECONFIG"']);
  assert.equal(r.code, 0, r.stderr);
  return { path: r.stdout, text: (await t.run(['cat', r.stdout])).stdout };
}

const open = (vim: Vim, homeDir: string) => LocalTransport.open({ vim, helmBinary: fakeHelm, homeDir });

describe('local transport: prepared once per VIM', () => {
  test('later operations reuse the kubeconfig and helm version; files 0600 in a 0700 directory', async () => {
    const home = join(scratch, 'reuse');
    const vim = vimOf('vim-reuse', 'token-one-1234');
    const before = probeCount();
    const t1 = await open(vim, home);
    const k1 = await kubeconfigOf(t1);
    const v1 = (await HelmCli.open(t1)).cmd.version;
    await t1.close();
    await t1.close(); // twice is harmless: the files stay for the next operation
    assert.ok(existsSync(k1.path), 'kept for the next operation');
    assert.equal(statSync(k1.path).mode & 0o777, 0o600);
    assert.equal(statSync(join(k1.path, '..')).mode & 0o777, 0o700);
    assert.ok(k1.text.includes('token-one-1234'));

    const t2 = await open(vim, home);
    const k2 = await kubeconfigOf(t2);
    assert.deepEqual((await HelmCli.open(t2)).cmd.version, v1);
    await t2.close();
    assert.equal(k2.path, k1.path, 'the same kubeconfig');
    assert.equal(probeCount() - before, 1, 'helm asked its version once for both operations');
    await removeVimHome(home, vim.id);
  });

  test('a VIM whose credentials changed gets a new kubeconfig; the old one goes when its last user lets go', async () => {
    const home = join(scratch, 'changed');
    const old = vimOf('vim-changed', 'token-old-1234');
    const running = await open(old, home); // an operation still running with the old credentials
    const kOld = await kubeconfigOf(running);

    const changed = { ...old, authCred: { bearer_token: 'token-new-5678' } };
    const before = probeCount();
    const t = await open(changed, home);
    const kNew = await kubeconfigOf(t);
    await HelmCli.open(t);
    assert.equal(probeCount() - before, 1, 'helm asked again with the new VIM');
    assert.notEqual(kNew.path, kOld.path);
    assert.ok(kNew.text.includes('token-new-5678'));
    assert.ok(!kNew.text.includes('token-old-1234'));
    assert.equal(t.redact('x token-new-5678 y'), 'x *** y');

    // The running operation keeps working on what it opened, until it closes.
    assert.ok((await kubeconfigOf(running)).text.includes('token-old-1234'));
    await running.close();
    assert.ok(!existsSync(kOld.path), 'the old kubeconfig removed once unused');
    assert.ok(!existsSync(join(kOld.path, '..')));
    await t.close();
    assert.ok(existsSync(kNew.path));

    // Back to the old credentials: a new kubeconfig again, never the removed one.
    const back = await open(old, home);
    const kBack = await kubeconfigOf(back);
    assert.ok(kBack.text.includes('token-old-1234'));
    assert.ok(!existsSync(kNew.path), 'the replaced one removed (unused)');
    await back.close();
    await removeVimHome(home, old.id);
  });

  test('operations at once on one VIM share one preparation and one version probe', async () => {
    const home = join(scratch, 'concurrent');
    const vim = vimOf('vim-concurrent', 'token-conc-1234');
    const before = probeCount();
    const ts = await Promise.all(Array.from({ length: 8 }, () => open(vim, home)));
    const clis = await Promise.all(ts.map((t) => HelmCli.open(t)));
    assert.equal(probeCount() - before, 1);
    assert.ok(clis.every((c) => c.cmd.version.major === 4));
    const paths = new Set((await Promise.all(ts.map(kubeconfigOf))).map((k) => k.path));
    assert.equal(paths.size, 1, 'one kubeconfig for all');
    const [path] = [...paths];
    // Some finish while others still run commands: nothing is removed under the running ones.
    await Promise.all(ts.slice(0, 4).map((t) => t.close()));
    const rs = await Promise.all(ts.slice(4).map((t) => t.run(['cat', path!])));
    assert.ok(rs.every((r) => r.code === 0 && r.stdout.includes('token-conc-1234')));
    await Promise.all(ts.slice(4).map((t) => t.close()));
    assert.equal(
      preparedKubeconfigs().filter((k) => k.kubeconfig === path)[0]?.users,
      0,
      'every operation let go',
    );
    await removeVimHome(home, vim.id);
  });

  test("removeVimHome removes the VIM's kubeconfig and homes; the next operation prepares anew", async () => {
    const home = join(scratch, 'removed');
    const a = vimOf('vim-rm-a', 'token-rm-a-1234');
    const b = vimOf('vim-rm-b', 'token-rm-b-1234');
    const ta = await open(a, home);
    const ka = await kubeconfigOf(ta);
    await ta.close();
    const tb = await open(b, home);
    const kb = await kubeconfigOf(tb);
    await tb.close();

    await removeVimHome(home, a.id);
    assert.ok(!existsSync(join(home, 'vims', 'vim-rm-a')));
    assert.ok(!preparedKubeconfigs().some((k) => k.kubeconfig === ka.path));
    assert.ok(existsSync(kb.path), "another VIM's files stay");

    const before = probeCount();
    const again = await open(a, home);
    const kAgain = await kubeconfigOf(again);
    await HelmCli.open(again);
    assert.equal(probeCount() - before, 1, 'asked again: nothing of the deleted VIM is reused');
    assert.ok(existsSync(kAgain.path));
    assert.ok(existsSync(join(home, 'vims', 'vim-rm-a', 'config')));
    await again.close();
    await removeVimHome(home, a.id);
    await removeVimHome(home, b.id);
  });

  test('files removed under it (another process deleted the VIM) are prepared again', async () => {
    const home = join(scratch, 'gone');
    const vim = vimOf('vim-gone', 'token-gone-1234');
    const t1 = await open(vim, home);
    const k1 = await kubeconfigOf(t1);
    await t1.close();
    rmSync(join(home, 'vims'), { recursive: true, force: true });
    const t2 = await open(vim, home);
    const k2 = await kubeconfigOf(t2);
    assert.notEqual(k2.path, k1.path);
    assert.ok(k2.text.includes('token-gone-1234'));
    assert.ok(existsSync(join(home, 'vims', 'vim-gone', 'data')));
    await t2.close();
    await removeVimHome(home, vim.id);
  });
});
