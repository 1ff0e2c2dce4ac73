// Helm mode through the API when helm outlives its deadline, when there is nothing
// to undo, and when a VDU has no workload: a terminate whose `helm uninstall` the
// VNFM stops ends FAILED_TEMP with no helm left on the master node, and its retry
// finishes the job; an instantiate that never reached its master rolls back at once;
// an instantiate whose releases carry no workload for a VDU fails naming both; a
// VIM's local helm homes go with the VIM.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import * as tar from 'tar';
import { writeChart } from '../helpers/chart.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import { releaseHistory } from '../helpers/helm-driver.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  startOp,
} from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { sshToNode, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';
import { freePort } from '../../testbed/lib/proc.ts';
import { KWOK_NODES } from '../../testbed/lib/cluster.ts';

const execFileP = promisify(execFile);
/** Small, so that helm's --timeout (about this) and the VNFM's deadline (5 s later) are short. */
const LCM_TIMEOUT_S = 20;
const dataDir = mkdtempSync(join(tmpdir(), 'helm-deadlines-data-'));

let vnfm: TestVnfm;
before(async () => {
  vnfm = await startVnfm(await freshStore('sqlite'), {
    lcmTimeoutSeconds: LCM_TIMEOUT_S,
    dataDir,
    helmBinary: (await testbed()).helm3,
  });
});
after(async () => {
  await vnfm.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const kubectl = async (...args: string[]) => {
  const env = await testbed();
  return execFileP(join(env.binDir, 'kubectl'), ['--kubeconfig', env.kubeconfig, ...args]);
};

/**
 * The tests' chart plus, when `block` is set, what keeps `helm uninstall --wait` busy past
 * twice its --timeout: a ConfigMap held by a finalizer (the wait for deletion runs out its
 * --timeout) and then a post-delete hook Job whose pod needs a node label nobody has (the
 * hook runs out another --timeout). Removing the finalizer and labelling a node unblock both.
 */
async function blockingChart(): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  try {
    const chart = writeChart(dir, 'app');
    writeFileSync(
      join(chart, 'templates', 'block.yaml'),
      `{{- if .Values.block }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-held
  finalizers: [vnfm.test/held]
data: {held: "true"}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-post-delete
  annotations: {helm.sh/hook: post-delete}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {vnfm.test/post-delete: {{ .Values.block | quote }}}
      containers: [{name: hook, image: busybox}]
{{- end }}
`,
    );
    const out = join(dir, 'chart.tgz');
    await tar.c({ gzip: true, cwd: dir, file: out, portable: true }, ['app']);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Helm instantiate body with a release per VDU of the sample VNFD (vdu1 → VDU1, vdu2 → VDU2). */
function body(vimId: string, namespace: string, opts: { vdu1Params?: string[]; only1?: boolean } = {}) {
  const releases = opts.only1 ? ['vdu1'] : ['vdu1', 'vdu2'];
  return {
    flavourId: 'helmchart',
    vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
    additionalParams: {
      namespace,
      use_helm: true,
      using_helm_install_param: releases.map((r) => ({
        exthelmchart: 'false',
        helmchartfile_path: CHART_PATH,
        helmreleasename: r,
        ...(r === 'vdu1' && opts.vdu1Params ? { helmparameter: opts.vdu1Params } : {}),
      })),
      helm_replica_values: Object.fromEntries(releases.map((r) => [`${r}_aspect`, 'replicaCount'])),
      vdu_mapping: Object.fromEntries(
        releases.map((r) => [r.toUpperCase(), { name: `${r}-app`, kind: 'Deployment', helmreleasename: r }]),
      ),
    },
  };
}

const ns = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

async function sshVim(name: string): Promise<string> {
  const node = (await testbed()).sshNodes[0]!; // helm 3
  return registerTestbedVim(vnfm, name, {
    helm_info: {
      masternode_ip: [`${node.host}:${node.port}`],
      masternode_username: node.user,
      masternode_password: node.password,
    },
  });
}

/** The helm processes on master node 0 that work in `namespace`. */
async function helmOnNode(namespace: string): Promise<string[]> {
  const node = (await testbed()).sshNodes[0]!;
  const s = await sshToNode(node);
  try {
    const r = await s.exec(['ps', '-u', node.user, '-o', 'pid=,args=']);
    return r.stdout
      .split('\n')
      .filter((l) => l.includes(namespace) && /\bhelm\b/.test(l) && !/\bps\b/.test(l));
  } finally {
    s.close();
  }
}

test('terminate whose helm uninstall outlives the deadline: stopped, FAILED_TEMP, nothing left running; retry completes', async () => {
  const env = await testbed();
  const chart = await blockingChart();
  const { vnfdId } = await onboardPackage(vnfm, { edit: (files) => files.set(CHART_PATH, chart) });
  const vimId = await sshVim('deadline-terminate');
  const namespace = ns('dt');
  const nonce = randomBytes(4).toString('hex');
  const id = await createInstance(vnfm, vnfdId);
  await runOp(vnfm, id, 'instantiate', body(vimId, namespace, { vdu1Params: [`block=${nonce}`] }));

  const opId = await startOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  // helm is really busy on the node meanwhile.
  await eventually(
    'helm uninstall running on the node',
    () => helmOnNode(namespace),
    (l) => l.some((x) => x.includes('uninstall')),
  );
  const failed = await opOccSettled(vnfm, opId);
  assert.equal(failed.operationState, 'FAILED_TEMP');
  assert.match(
    failed.error.detail,
    /master node 127\.0\.0\.2:\d+: command on 127\.0\.0\.2 did not finish within \d+ms; it was stopped \(release vdu1 is still there, uninstalling\)/,
  );
  assert.deepEqual(await helmOnNode(namespace), [], 'no helm left on the master node');
  // The instance still says what exists: vdu1 (uninstalling) and vdu2.
  const inst = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
  assert.equal(inst.instantiationState, 'INSTANTIATED');

  // Unblock: the finalizer off, a node for the hook's pod.
  const node = KWOK_NODES[0]!;
  await kubectl(
    'patch',
    'configmap',
    'vdu1-held',
    '-n',
    namespace,
    '--type=merge',
    '-p',
    '{"metadata":{"finalizers":null}}',
  );
  await kubectl('label', 'node', node, `vnfm.test/post-delete=${nonce}`);
  try {
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/retry`)).status, 202);
    const done = await opOccSettled(vnfm, opId);
    assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
  } finally {
    await kubectl('label', 'node', node, 'vnfm.test/post-delete-');
  }
  const after = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
  assert.equal(after.instantiationState, 'NOT_INSTANTIATED');
  assert.equal(await releaseHistory(env, 'vdu1', namespace), undefined);
  assert.equal(await releaseHistory(env, 'vdu2', namespace), undefined);
  await kubectl('delete', 'namespace', namespace, '--wait=false');
});

test('instantiate that never reached its master (unreachable): rollback completes at once, DELETE works', async () => {
  const env = await testbed();
  const node = env.sshNodes[0]!;
  const proxy = new TcpProxy(await freePort(), node.host, node.port); // never listening: refused
  const vimId = await registerTestbedVim(vnfm, 'deadline-unreachable', {
    helm_info: {
      masternode_ip: [`127.0.0.1:${proxy.port}`],
      masternode_username: node.user,
      masternode_password: node.password,
    },
  });
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  const opId = await startOp(vnfm, id, 'instantiate', body(vimId, ns('du')));
  const failed = await opOccSettled(vnfm, opId);
  assert.equal(failed.operationState, 'FAILED_TEMP');
  assert.match(failed.error.detail, /no master node is reachable/);
  assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/rollback`)).status, 202);
  const rolled = await opOccSettled(vnfm, opId);
  assert.equal(rolled.operationState, 'ROLLED_BACK', JSON.stringify(rolled.error));
  assert.equal(proxy.accepted, 0);
  assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
});

test('a VDU no workload of the releases carries: FAILED_TEMP naming it and what the releases carry; rollback removes them', async () => {
  const env = await testbed();
  const vimId = await sshVim('deadline-vdu');
  const namespace = ns('dv');
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  const opId = await startOp(vnfm, id, 'instantiate', body(vimId, namespace, { only1: true }));
  const failed = await opOccSettled(vnfm, opId);
  assert.equal(failed.operationState, 'FAILED_TEMP');
  assert.match(
    failed.error.detail,
    /VDU VDU2: no workload of the releases is named "vdu2-app" \(its properties\.name\) and vdu_mapping has no entry for it \(the releases have Deployment "vdu1-app" of release vdu1\)/,
  );
  assert.ok((await releaseHistory(env, 'vdu1', namespace))?.length, 'installed before the check');
  assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/rollback`)).status, 202);
  const rolled = await opOccSettled(vnfm, opId);
  assert.equal(rolled.operationState, 'ROLLED_BACK', JSON.stringify(rolled.error));
  assert.equal(await releaseHistory(env, 'vdu1', namespace), undefined);
  assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
});

test('deleting a local-transport VIM removes its helm homes', async () => {
  const vimId = await registerTestbedVim(vnfm, 'deadline-local'); // no helm_info: helm runs here
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  await runOp(vnfm, id, 'instantiate', body(vimId, ns('dl')));
  const home = join(dataDir, 'helm', 'vims', vimId);
  assert.ok(existsSync(join(home, 'config')), 'the VIM has local helm homes');
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
  assert.equal((await vnfm.request('DELETE', `/v1.0/vims/${vimId}`)).status, 204);
  assert.ok(!existsSync(home), 'helm homes removed with the VIM');
});
