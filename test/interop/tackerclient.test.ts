// The real Tacker CLI (python-tackerclient 2.6.0 as an `openstack` plugin, from the
// venv testbed/scripts/python-venv.sh makes) against a VNFM, as an operator who runs
// Tacker today would drive it: `--os-auth-type none --os-endpoint <url>`, VIM
// credentials in a config file only. Each command runs as argv (no shell); its
// stdout is the CLI's JSON (`-f json`).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { cnfPackage, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  startOp,
} from '../helpers/lcm.ts';
import { venvBin } from '../helpers/python-venv.ts';
import { freshStore } from '../helpers/stores.ts';
import { apiServerProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const run = promisify(execFile);

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

  describe('vnf package and vnflcm: a manifest-mode CNF', () => {
    const ns = `cli-${randomBytes(3).toString('hex')}`;
    let pkgId = '';
    let vnfdId = '';
    let zip: Buffer = Buffer.alloc(0);
    let instanceId = '';
    let instantiateOpId = '';
    const pkg = async () => (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body;
    const instance = async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${instanceId}`)).body;
    /** The op occs of the instance, newest last, once the newest one of `operation` has settled. */
    const settled = (operation: string) =>
      eventually(
        `${operation} to settle`,
        async () =>
          (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body.filter(
            (o: any) => o.vnfInstanceId === instanceId && o.operation === operation,
          ),
        (ops: any[]) =>
          ops.length > 0 && ['COMPLETED', 'FAILED_TEMP', 'FAILED'].includes(ops.at(-1).operationState),
        180_000,
      );

    test('vnf package create, upload --path, list, show', async () => {
      ({ zip, vnfdId } = await cnfPackage());
      const created = await openstackJson('vnf', 'package', 'create', '--user-data', 'owner=cli');
      pkgId = created.ID;
      assert.match(pkgId, /^[0-9a-f-]{36}$/, JSON.stringify(created));
      writeFileSync(join(work, 'cnf.zip'), zip);
      await openstack('vnf', 'package', 'upload', '--path', join(work, 'cnf.zip'), pkgId);
      const done = await eventually(
        'onboarding',
        pkg,
        (p) => !['UPLOADING', 'PROCESSING'].includes(p.onboardingState),
      );
      assert.equal(done.onboardingState, 'ONBOARDED', JSON.stringify(done.onboardingFailureDetails));

      const list = await openstackJson('vnf', 'package', 'list');
      assert.deepEqual(
        list.map((p: any) => p.Id),
        [pkgId],
        JSON.stringify(list),
      );
      const shown = await openstackJson('vnf', 'package', 'show', pkgId);
      assert.equal(shown.ID ?? shown.Id, pkgId, JSON.stringify(shown));
      assert.equal(shown['VNFD ID'], vnfdId, JSON.stringify(shown));
      assert.equal(shown['Onboarding State'], 'ONBOARDED');
    });

    test('vnf package download: the uploaded bytes', async () => {
      const file = join(work, 'downloaded.zip');
      await openstack('vnf', 'package', 'download', '--file', file, pkgId);
      assert.ok(readFileSync(file).equals(zip), 'the downloaded package is the uploaded one');
    });

    test('vnflcm create, instantiate, show, list, op list, op show', async () => {
      const vimId = await registerTestbedVim(vnfm, 'cnf-site');
      const created = await openstackJson('vnflcm', 'create', '--name', 'cli-cnf', vnfdId);
      instanceId = created.ID;
      assert.equal((await instance()).vnfInstanceName, 'cli-cnf', JSON.stringify(created));

      const params = join(work, 'instantiate.json');
      writeFileSync(
        params,
        JSON.stringify({
          flavourId: 'helmchart',
          instantiationLevelId: 'instantiation_level_1',
          vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
          additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
        }),
      );
      await openstack('vnflcm', 'instantiate', instanceId, params);
      const ops = await settled('INSTANTIATE');
      instantiateOpId = ops.at(-1).id;
      assert.equal(ops.at(-1).operationState, 'COMPLETED', JSON.stringify(ops.at(-1).error));
      assert.equal((await instance()).instantiationState, 'INSTANTIATED');
      const shownInstance = await openstackJson('vnflcm', 'show', instanceId);
      assert.equal(shownInstance['Instantiation State'], 'INSTANTIATED', JSON.stringify(shownInstance));
      assert.equal(shownInstance['VNF Instance Name'], 'cli-cnf');
      const instances = await openstackJson('vnflcm', 'list');
      assert.deepEqual(
        instances.map((i: any) => i.ID),
        [instanceId],
        JSON.stringify(instances),
      );

      const list = await openstackJson('vnflcm', 'op', 'list');
      const row = list.find((o: any) => o.ID === instantiateOpId);
      assert.ok(row, JSON.stringify(list));
      assert.equal(row['Operation State'], 'COMPLETED');
      assert.equal(row.Operation, 'INSTANTIATE');
      const shown = await openstackJson('vnflcm', 'op', 'show', instantiateOpId);
      assert.equal(shown.ID, instantiateOpId, JSON.stringify(shown));
      assert.equal(shown['VNF Instance ID'], instanceId);
    });

    test('vnflcm scale out, heal', async () => {
      await openstack('vnflcm', 'scale', '--type', 'SCALE_OUT', '--aspect-id', 'vdu1_aspect', instanceId);
      const scaled = (await settled('SCALE')).at(-1);
      assert.equal(scaled.operationState, 'COMPLETED', JSON.stringify(scaled.error));
      const levels = (await instance()).instantiatedVnfInfo.scaleStatus;
      assert.equal(levels.find((l: any) => l.aspectId === 'vdu1_aspect').scaleLevel, 1);

      await openstack('vnflcm', 'heal', '--cause', 'cli test', '--', instanceId);
      const healed = (await settled('HEAL')).at(-1);
      assert.equal(healed.operationState, 'COMPLETED', JSON.stringify(healed.error));
    });

    test('vnflcm terminate --D: terminated, then deleted', async () => {
      await openstack('vnflcm', 'terminate', '--termination-type', 'FORCEFUL', '--D', instanceId);
      const ops = await settled('TERMINATE');
      assert.equal(ops.at(-1).operationState, 'COMPLETED', JSON.stringify(ops.at(-1).error));
      assert.equal((await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${instanceId}`)).status, 404);
    });

    test('vnflcm create, update, delete of an instance never instantiated', async () => {
      const id = (await openstackJson('vnflcm', 'create', '--name', 'spare', vnfdId)).ID;
      const file = join(work, 'update.json');
      writeFileSync(
        file,
        JSON.stringify({ vnfInstanceName: 'spare-renamed', vnfInstanceDescription: 'by the CLI' }),
      );
      await openstack('vnflcm', 'update', '--I', file, id);
      const modified = await eventually(
        'the update to apply',
        async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body,
        (i) => i.vnfInstanceName === 'spare-renamed',
      );
      assert.equal(modified.vnfInstanceDescription, 'by the CLI');
      await openstack('vnflcm', 'delete', id);
      assert.equal((await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).status, 404);
    });

    test('vnf package update: user data, operational state', async () => {
      const data = await openstackJson('vnf', 'package', 'update', '--user-data', 'site=lab', pkgId);
      assert.deepEqual(data['User Defined Data'], { site: 'lab' }, JSON.stringify(data));
      assert.deepEqual((await pkg()).userDefinedData, { owner: 'cli', site: 'lab' });
      const state = await openstackJson('vnf', 'package', 'update', '--operational-state', 'DISABLED', pkgId);
      assert.equal(state['Operational State'], 'DISABLED', JSON.stringify(state));
      assert.equal((await pkg()).operationalState, 'DISABLED');
    });

    test('vnflcm versions', async () => {
      const all = await openstackJson('vnflcm', 'versions');
      assert.equal(all.uriPrefix, '/vnflcm', JSON.stringify(all));
      assert.ok(
        all.apiVersions.some((v: any) => v.version.startsWith('1.')),
        JSON.stringify(all),
      );
      const v1 = await openstackJson('vnflcm', 'versions', '--major-version', '1');
      assert.equal(v1.uriPrefix, '/vnflcm/v1', JSON.stringify(v1));
    });

    test('vnf package delete (disabled, not in use)', async () => {
      await openstack('vnf', 'package', 'delete', pkgId);
      assert.equal((await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).status, 404);
    });
  });

  describe('vnflcm op retry, rollback, fail: instantiates that failed with the cluster unreachable', () => {
    let proxy: TcpProxy;
    let vimId = '';
    let vnfdId = '';
    const ns = `cli-op-${randomBytes(3).toString('hex')}`;
    /** An instance whose instantiate is FAILED_TEMP (the API server cut off); its op occ id. */
    const failedInstantiate = async (): Promise<{ id: string; opId: string }> => {
      const id = await createInstance(vnfm, vnfdId);
      await proxy.cut();
      const opId = await startOp(vnfm, id, 'instantiate', {
        flavourId: 'helmchart',
        vimConnectionInfo: [{ id: 'v', vimId, vimType: 'kubernetes' }],
        additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
      });
      assert.equal((await opOccSettled(vnfm, opId)).operationState, 'FAILED_TEMP');
      return { id, opId };
    };

    before(async () => {
      proxy = await apiServerProxy();
      vimId = await registerTestbedVim(vnfm, 'via-proxy', {}, `https://127.0.0.1:${proxy.port}`);
      vnfdId = (await onboardPackage(vnfm)).vnfdId;
    });
    after(() => proxy?.cut());

    test('vnflcm op fail: FAILED', async () => {
      const { opId } = await failedInstantiate();
      const shown = await openstackJson('vnflcm', 'op', 'fail', opId);
      assert.equal(shown['Operation State'], 'FAILED', JSON.stringify(shown));
      assert.equal((await opOccSettled(vnfm, opId)).operationState, 'FAILED');
    });

    test('vnflcm op rollback: ROLLED_BACK', async () => {
      const { id, opId } = await failedInstantiate();
      await openstack('vnflcm', 'op', 'rollback', opId);
      const rolled = await opOccSettled(vnfm, opId);
      assert.equal(rolled.operationState, 'ROLLED_BACK', JSON.stringify(rolled.error));
      await openstack('vnflcm', 'delete', id);
    });

    test('vnflcm op retry: COMPLETED once the cluster is back', async () => {
      const { id, opId } = await failedInstantiate();
      await proxy.open();
      await openstack('vnflcm', 'op', 'retry', opId);
      const done = await eventually(
        'the retried instantiate',
        async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body,
        (o) => ['COMPLETED', 'FAILED_TEMP', 'FAILED'].includes(o.operationState),
        180_000,
      );
      assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
      await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    });
  });
});
