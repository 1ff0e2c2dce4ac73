// The real Tacker CLI (python-tackerclient 2.6.0 as an `openstack` plugin, from the
// venv testbed/scripts/python-venv.sh makes) against a VNFM, as an operator who runs
// Tacker today would drive it: `--os-auth-type none --os-endpoint <url>`, VIM
// credentials in a config file only. Each command runs as argv (no shell); its
// stdout is the CLI's JSON (`-f json`).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const run = promisify(execFile);

/** The venv's bin directory (made, or found cached, by the script scripts/test.sh runs first). */
async function venvBin(): Promise<string> {
  const { stdout } = await run('bash', ['testbed/scripts/python-venv.sh'], { timeout: 1_200_000 });
  return stdout.trim();
}

describe('python-tackerclient (openstack CLI) against the VNFM', () => {
  let vnfm: TestVnfm;
  let bin = '';
  let work = '';
  let env: NodeJS.ProcessEnv = {};

  /** Runs `openstack <args>` against the VNFM; rejects with the CLI's stderr when it fails. */
  async function openstack(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run(
        join(bin, 'openstack'),
        ['--os-auth-type', 'none', '--os-endpoint', vnfm.url, ...args],
        { env, cwd: work, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      );
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`openstack ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
    }
  }
  const openstackJson = async (...args: string[]) => JSON.parse(await openstack(...args, '-f', 'json'));

  /** A `vim register --config-file` file with the testbed's credentials, readable by its owner only. */
  async function vimConfig(name: string): Promise<string> {
    const tb = await testbed();
    const ca = readFileSync(tb.caFile, 'utf8');
    const file = join(work, `${name}.yaml`);
    const indented = ca.trim().split('\n').join('\n  ');
    writeFileSync(
      file,
      `auth_url: "${tb.apiServer}"\nproject_name: default\ntype: kubernetes\n` +
        `bearer_token: "${tb.bearerToken}"\nssl_ca_cert: |\n  ${indented}\n` +
        `extra:\n  helm_info: "{'masternode_ip': ['127.0.0.2'], 'masternode_username': 'vnfmtb', 'masternode_password': 'not-used'}"\n`,
      { mode: 0o600 },
    );
    return file;
  }

  before(async () => {
    bin = await venvBin();
    work = mkdtempSync(join(tmpdir(), 'tackerclient-'));
    // Nothing of the test process's environment (no OS_* settings, no secrets): the
    // CLI gets a PATH, a home of its own and UTF-8.
    env = { PATH: `${bin}:/usr/bin:/bin`, HOME: work, LANG: 'C.UTF-8' };
    vnfm = await startVnfm(await freshStore('sqlite'));
  });
  after(() => vnfm?.close());

  describe('vim', () => {
    const ids: Record<string, string> = {};

    test('vim register --config-file: two VIMs, REACHABLE, token masked', async () => {
      for (const name of ['site-a', 'site-b']) {
        const vim = await openstackJson(
          'vim',
          'register',
          '--config-file',
          await vimConfig(name),
          '--description',
          `${name} cluster`,
          name,
        );
        assert.equal(vim.Name ?? vim.name, name, JSON.stringify(vim));
        ids[name] = vim.ID ?? vim.id;
      }
      const b = (await vnfm.request('GET', `/v1.0/vims/${ids['site-b']}`)).body.vim;
      assert.equal(b.status, 'REACHABLE');
      assert.equal(b.auth_cred.bearer_token, '***');
      assert.doesNotMatch(vnfm.logs(), new RegExp((await testbed()).bearerToken.slice(-40)));
    });

    test('vim list: both', async () => {
      const list = await openstackJson('vim', 'list');
      assert.deepEqual(list.map((v: any) => v.Name).sort(), ['site-a', 'site-b'], JSON.stringify(list));
    });

    test('vim show by name and by id: the second VIM', async () => {
      for (const ref of ['site-b', ids['site-b'] as string]) {
        const vim = await openstackJson('vim', 'show', ref);
        assert.equal(vim.id, ids['site-b'], `vim show ${ref}: ${JSON.stringify(vim)}`);
        assert.equal(vim.name, 'site-b');
      }
    });

    test('vim set --description: only the second VIM changes', async () => {
      await openstack('vim', 'set', '--description', 'renamed b', 'site-b');
      await openstack('vim', 'set', '--description', 'again b', ids['site-b'] as string);
      const a = (await vnfm.request('GET', `/v1.0/vims/${ids['site-a']}`)).body.vim;
      const b = (await vnfm.request('GET', `/v1.0/vims/${ids['site-b']}`)).body.vim;
      assert.equal(a.description, 'site-a cluster');
      assert.equal(b.description, 'again b');
    });

    test('vim delete: only the second VIM goes', async () => {
      await openstack('vim', 'delete', 'site-b');
      const list = (await vnfm.request('GET', '/v1.0/vims')).body.vims;
      assert.deepEqual(
        list.map((v: any) => v.id),
        [ids['site-a']],
      );
    });
  });
});
