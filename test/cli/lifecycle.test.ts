// The whole lifecycle of the Helm CNF sample (samples/helm-cnf) driven through bin/vnfm
// only, as an operator does it, against a real VNFM and the testbed cluster: create,
// instantiate --wait (first failing on a wrong master-node password, then op retry --wait
// after the VIM is fixed), show -o json, scale out/in, scale-to-level, heal, update,
// terminate, delete; a failing instantiate whose --wait exits 1 with the op occ's error
// and its op rollback --wait; a request the VNFM refuses (400) in one line. Exit codes
// are checked at every step; machine output is parsed with -o json / -q. The VIM and
// the package are set up with `vnfm vim register` and `vnfm package onboard` too.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type CliResult, runVnfm } from '../helpers/cli.ts';
import { runningPods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const SAMPLE = new URL('../../samples/helm-cnf/', import.meta.url).pathname;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let vnfm: TestVnfm;
let vimId = '';
let pkgId = '';
let password = '';
const scratch = mkdtempSync(join(tmpdir(), 'cli-lifecycle-'));
const ns = `cli-life-${randomBytes(3).toString('hex')}`;

before(async () => {
  const env = await testbed();
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm4 });
  const node = env.sshNodes[1];
  assert.ok(node);
  password = node.password;
  // The cluster from the testbed's kubeconfig, helm over SSH on master node 1 — with a
  // wrong password: the first instantiate fails.
  const registered = await vnfmCli(
    [
      'vim',
      'register',
      'cli-lifecycle',
      '--from-kubeconfig',
      env.kubeconfig,
      '--masternode-ip',
      `${node.host}:${node.port}`,
      '--masternode-username',
      node.user,
      '--masternode-password-env',
      'MASTER_PASSWORD',
      '-q',
    ],
    0,
    { MASTER_PASSWORD: 'not-the-password' },
  );
  vimId = registered.stdout.trim();
  assert.match(vimId, UUID);
  pkgId = (await vnfmCli(['package', 'onboard', SAMPLE, '-q'])).stdout.trim();
  assert.match(pkgId, UUID);
});
after(async () => {
  await vnfm?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** `vnfm …args` at this VNFM; its exit code must be `expect`. */
async function vnfmCli(args: string[], expect = 0, env: Record<string, string> = {}): Promise<CliResult> {
  const r = await runVnfm(args, { env: { VNFM_URL: vnfm.url, ...env } });
  assert.equal(
    r.code,
    expect,
    `vnfm ${args.join(' ')}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
  );
  return r;
}
const json = async (args: string[]): Promise<any> =>
  JSON.parse((await vnfmCli([...args, '-o', 'json'])).stdout);

/** The one line an error is: `vnfm: …` and nothing else on stderr. */
function errorLine(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('vnfm: '));
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  return lines[0] ?? '';
}

/** The sample's request body, in the namespace of this test (`edit` changes it first). */
function requestFile(name: string, edit: (body: any) => void = () => {}): string {
  const body = JSON.parse(readFileSync(join(SAMPLE, 'instantiate.json'), 'utf8'));
  edit(body);
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

/** VNFCs per VDU of the instance as `vnf show -o json` gives them; checked against the cluster's pods. */
async function vnfcs(name: string, counts: { VDU1: number; VDU2: number }): Promise<any[]> {
  const core = await kubeClient();
  await runningPods(
    core,
    ns,
    'app.kubernetes.io/instance=web,app.kubernetes.io/component=backend',
    counts.VDU1,
  );
  await runningPods(
    core,
    ns,
    'app.kubernetes.io/instance=web,app.kubernetes.io/component=frontend',
    counts.VDU2,
  );
  const shown = await json(['vnf', 'show', name]);
  const list = shown.instantiatedVnfInfo.vnfcResourceInfo as any[];
  assert.deepEqual(
    {
      VDU1: list.filter((v) => v.vduId === 'VDU1').length,
      VDU2: list.filter((v) => v.vduId === 'VDU2').length,
    },
    counts,
  );
  return list;
}

test('the Helm CNF sample, create to delete, with a failure and its retry', async () => {
  const created = await json([
    'vnf',
    'create',
    '--package',
    pkgId,
    '--name',
    'web',
    '--description',
    'sample',
  ]);
  assert.match(created.id, UUID);
  assert.equal(created.instantiationState, 'NOT_INSTANTIATED');
  assert.equal(created.vnfInstanceName, 'web');
  // The table names it too.
  assert.match(
    (await vnfmCli(['vnf', 'list'])).stdout,
    new RegExp(`^${created.id}\\s+web\\s+NOT_INSTANTIATED\\s`, 'm'),
  );

  // Instantiate: the master node refuses the password; --wait exits 1 with the op occ's error.
  const file = requestFile('instantiate.json');
  const failed = await vnfmCli(
    ['vnf', 'instantiate', 'web', '-f', file, '--vim', 'cli-lifecycle', '--namespace', ns, '--wait', '-q'],
    1,
  );
  const opId = failed.stdout.trim();
  assert.match(opId, UUID, 'the op occ id is printed before the wait');
  assert.match(
    errorLine(failed),
    new RegExp(
      `^vnfm: INSTANTIATE FAILED_TEMP: Operation failed: master node .*authentication failed .*\\(op ${opId}`,
    ),
  );
  const listed = (await vnfmCli(['op', 'list', '--vnf', 'web', '--state', 'FAILED_TEMP', '-q'])).stdout;
  assert.equal(listed, `${opId}\n`);
  const shownOp = (await vnfmCli(['op', 'show', opId])).stdout;
  assert.match(shownOp, /^STATE\s+FAILED_TEMP$/m);
  assert.match(shownOp, /^ERROR\s+Operation failed: master node .*authentication failed/m);

  // Fix the VIM, retry: the same op occ completes.
  await vnfmCli(['vim', 'update', 'cli-lifecycle', '--masternode-password-env', 'MASTER_PASSWORD'], 0, {
    MASTER_PASSWORD: password,
  });
  const retried = await vnfmCli(['op', 'retry', opId, '--wait']);
  assert.match(retried.stdout, new RegExp(`^operation ${opId} accepted; waiting`));
  assert.match(retried.stderr, /^INSTANTIATE COMPLETED in \d+s$/m);
  // Without a terminal: plain lines, no escape sequences.
  assert.ok(!retried.stderr.includes('\u001b'), retried.stderr);
  assert.match(retried.stderr, /^INSTANTIATE PROCESSING/m);

  const shown = await json(['vnf', 'show', 'web']);
  assert.equal(shown.id, created.id);
  assert.equal(shown.instantiationState, 'INSTANTIATED');
  assert.equal(shown.instantiatedVnfInfo.flavourId, 'helmchart');
  assert.deepEqual(
    shown.vimConnectionInfo.map((v: any) => v.vimId),
    [vimId],
  );
  await vnfcs('web', { VDU1: 1, VDU2: 1 });
  const table = (await vnfmCli(['vnf', 'show', created.id])).stdout;
  assert.match(table, /^STATE\s+INSTANTIATED$/m);
  assert.match(table, /^SCALE\s+vdu1_aspect=0,vdu2_aspect=0$/m);
  assert.match(table, /^VNFC\s+VDU\s+STATUS\s+WORKLOAD\s+NAMESPACE$/m);

  // Scale out and in; scale to a level and back by aspect levels.
  const out = await vnfmCli([
    'vnf',
    'scale',
    'web',
    '--aspect',
    'vdu2_aspect',
    '--out',
    '--wait',
    '-o',
    'json',
  ]);
  const scaleOp = JSON.parse(out.stdout);
  assert.equal(scaleOp.operation, 'SCALE');
  assert.equal(scaleOp.operationState, 'COMPLETED');
  await vnfcs('web', { VDU1: 1, VDU2: 2 });
  await vnfmCli(['vnf', 'scale', 'web', '--aspect', 'vdu2_aspect', '--in', '--steps', '1', '--wait']);
  await vnfcs('web', { VDU1: 1, VDU2: 1 });
  await vnfmCli(['vnf', 'scale-to-level', 'web', '--level', 'instantiation_level_2', '--wait']);
  await vnfcs('web', { VDU1: 3, VDU2: 3 });
  await vnfmCli([
    'vnf',
    'scale-to-level',
    'web',
    '--aspect-level',
    'vdu1_aspect=0',
    '--aspect-level',
    'vdu2_aspect=0',
    '--wait',
  ]);
  const before = await vnfcs('web', { VDU1: 1, VDU2: 1 });

  // Heal one pod: it is replaced.
  const victim = before.find((v) => v.vduId === 'VDU2').id;
  await vnfmCli(['vnf', 'heal', 'web', '--vnfc', victim, '--cause', 'test', '--wait']);
  const healed = await vnfcs('web', { VDU1: 1, VDU2: 1 });
  assert.ok(!healed.some((v) => v.id === victim), `${victim} replaced`);

  // Update: a MODIFY_INFO operation.
  await vnfmCli(['vnf', 'update', 'web', '--description', 'changed', '--metadata', 'team=ops', '--wait']);
  const updated = await json(['vnf', 'show', 'web']);
  assert.equal(updated.vnfInstanceDescription, 'changed');
  assert.deepEqual(updated.metadata, { team: 'ops' });

  // Every operation is listed, the failed-then-retried instantiate COMPLETED.
  const ops = await json(['op', 'list', '--vnf', created.id]);
  assert.deepEqual(
    ops.map((o: any) => `${o.operation} ${o.operationState}`),
    [
      'INSTANTIATE COMPLETED',
      'SCALE COMPLETED',
      'SCALE COMPLETED',
      'SCALE_TO_LEVEL COMPLETED',
      'SCALE_TO_LEVEL COMPLETED',
      'HEAL COMPLETED',
      'MODIFY_INFO COMPLETED',
    ],
  );

  // Terminate, delete; the instance is gone (404 in one line, exit 1).
  const term = await vnfmCli(['vnf', 'terminate', 'web', '--graceful', '--timeout', '30', '--wait']);
  assert.match(term.stderr, /^TERMINATE COMPLETED in \d+s$/m);
  assert.equal((await json(['vnf', 'show', 'web'])).instantiationState, 'NOT_INSTANTIATED');
  const deleted = await vnfmCli(['vnf', 'delete', 'web']);
  assert.equal(deleted.stdout, `VNF instance ${created.id} deleted\n`);
  const gone = await vnfmCli(['vnf', 'show', created.id], 1);
  assert.match(errorLine(gone), /^vnfm: 404 Not Found: VNF instance .* does not exist$/);
  assert.match(
    errorLine(await vnfmCli(['vnf', 'show', 'web'], 1)),
    /^vnfm: no VNF instance has the id or name 'web'$/,
  );
});

test('an instantiate that fails in the cluster: --wait exits 1 with its error, op rollback --wait exits 0', async () => {
  const id = (await vnfmCli(['vnf', 'create', '--package', pkgId, '--name', 'broken', '-q'])).stdout.trim();
  // vdu_mapping names a workload the release does not render: helm installs, then the VNFM refuses.
  const file = requestFile('broken.json', (b) => {
    b.additionalParams.vdu_mapping.VDU1.name = 'web-nothing';
  });
  const r = await vnfmCli(
    ['vnf', 'instantiate', id, '-f', file, '--vim', vimId, '--namespace', `${ns}-b`, '--wait', '-o', 'json'],
    1,
  );
  const op = JSON.parse(r.stdout);
  assert.equal(op.operationState, 'FAILED_TEMP');
  assert.match(op.error.detail, /web-nothing/);
  assert.match(
    errorLine(r),
    /^vnfm: INSTANTIATE FAILED_TEMP: Operation failed: .*release web has no Deployment "web-nothing"/,
  );

  const rb = await vnfmCli(['op', 'rollback', op.id, '--wait']);
  assert.match(rb.stderr, /^INSTANTIATE ROLLED_BACK in \d+s$/m);
  assert.equal((await json(['op', 'show', op.id])).operationState, 'ROLLED_BACK');
  // Nothing of the release is left; the instance can go.
  await runningPods(await kubeClient(), `${ns}-b`, 'app.kubernetes.io/instance=web', 0);
  await vnfmCli(['vnf', 'delete', id]);
});

test('requests the VNFM refuses, and wrong flags: one line, exit 1 (2 for usage), no op occ', async () => {
  const id = (await vnfmCli(['vnf', 'create', '--package', pkgId, '--name', 'refused', '-q'])).stdout.trim();
  const missing = await vnfmCli(
    [
      'vnf',
      'instantiate',
      id,
      '--flavour',
      'helmchart',
      '--vim',
      vimId,
      '--helm-chart',
      'Files/kubernetes/none.tgz',
      '--wait',
    ],
    1,
  );
  assert.match(
    errorLine(missing),
    /^vnfm: 400 Bad Request: .*"Files\/kubernetes\/none\.tgz" does not exist in the VNF package/,
  );
  assert.equal(missing.stdout, '');
  assert.equal((await vnfmCli(['op', 'list', '--vnf', id, '-q'])).stdout, '');
  const cases: [string[], RegExp][] = [
    [['vnf', 'scale', id, '--aspect', 'vdu1_aspect'], /^vnfm: give --out or --in$/],
    [
      ['vnf', 'scale', id, '--aspect', 'vdu1_aspect', '--out', '--steps', 'two'],
      /^vnfm: --steps: 'two' is not a whole number ≥ 1$/,
    ],
    [['vnf', 'instantiate', id, '--set', 'a=b'], /^vnfm: --set needs --helm-chart/],
    [['vnf', 'instantiate', id, '-f', join(scratch, 'none.yaml')], /^vnfm: -f .*none\.yaml: ENOENT$/],
    [['vnf', 'terminate', id, '--timeout', '5'], /^vnfm: --timeout needs --graceful$/],
    [['vnf', 'scale', id, '--aspect', 'vdu1_aspect', '--out'], /^vnfm: 409 Conflict: /],
  ];
  for (const [args, error] of cases) assert.match(errorLine(await vnfmCli(args, 1)), error, args.join(' '));
  assert.match(errorLine(await vnfmCli(['op', 'list', '--state', 'DONE'], 2)), /^vnfm: .*DONE/);
  await vnfmCli(['vnf', 'delete', id]);
});

test('lists are whole across the pages of a VNFM that pages them (Link: rel="next")', async () => {
  const paged = await startVnfm(await freshStore('sqlite'), { pageSize: 2 });
  try {
    const sample = await vnfmCli(['--server', paged.url, 'package', 'onboard', SAMPLE, '-q']);
    const ids: string[] = [];
    for (const name of ['p1', 'p2', 'p3']) {
      ids.push(
        (
          await vnfmCli([
            '--server',
            paged.url,
            'vnf',
            'create',
            '--package',
            sample.stdout.trim(),
            '--name',
            name,
            '-q',
          ])
        ).stdout.trim(),
      );
      await vnfmCli(['--server', paged.url, 'vnf', 'update', name, '--description', 'paged', '--wait']);
    }
    const page = await paged.request('GET', '/vnflcm/v1/vnf_instances');
    assert.match(page.headers.get('link') ?? '', /rel="next"/, 'the VNFM pages at 2');
    assert.equal(
      (await vnfmCli(['--server', paged.url, 'vnf', 'list', '-q'])).stdout,
      ids.map((i) => `${i}\n`).join(''),
    );
    const ops = JSON.parse((await vnfmCli(['--server', paged.url, 'op', 'list', '-o', 'json'])).stdout);
    assert.deepEqual(
      ops.map((o: any) => `${o.operation} ${o.operationState}`),
      Array(3).fill('MODIFY_INFO COMPLETED'),
    );
    for (const id of ids) await vnfmCli(['--server', paged.url, 'vnf', 'delete', id]);
  } finally {
    await paged.close();
  }
});
