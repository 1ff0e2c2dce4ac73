// The packages under samples/, as their READMEs use them: built by buildPackage
// (`vnfm package build`), onboarded, instantiated with the sample's own request body
// on the testbed cluster, scaled, terminated. The Helm sample runs from its package
// chart and from a chart repository served on loopback the README's way
// (`helm package`, `helm repo index`, `python3 -m http.server`); the manifest sample
// in manifest mode. Each VDU's pods are those the cluster runs.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { buildPackage } from '../../src/packages/build.ts';
import { freePort } from '../../testbed/lib/proc.ts';
import { createInstance, onboardZip, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { runningPods } from '../helpers/pods.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const execFileP = promisify(execFile);
const SAMPLES = new URL('../../samples/', import.meta.url).pathname;
const request = (sample: string, file: string) =>
  JSON.parse(readFileSync(join(SAMPLES, sample, file), 'utf8'));
const suffix = () => randomBytes(3).toString('hex');

let vnfm: TestVnfm;
let vimId = '';
const scratch = mkdtempSync(join(tmpdir(), 'samples-test-'));
const children: ChildProcess[] = [];

before(async () => {
  const env = await testbed();
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm4 });
  // helm on the VNFM host against the VIM's kubeconfig (no master nodes).
  vimId = await registerTestbedVim(vnfm, 'samples', { helm_info: { masternode_ip: [] } });
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await vnfm?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Pods of the web chart's tiers in `ns`, waited for until there are exactly these counts. */
async function webPods(ns: string, counts: { frontend: number; backend: number }) {
  const core = await kubeClient();
  for (const [tier, n] of Object.entries(counts))
    await runningPods(core, ns, `app.kubernetes.io/instance=web,app.kubernetes.io/component=${tier}`, n);
  const info = (await instanceOf(ns)).instantiatedVnfInfo;
  const byVdu = (vdu: string) => info.vnfcResourceInfo.filter((v: any) => v.vduId === vdu).length;
  // VDU1 is the backend Deployment, VDU2 the frontend (as the sample's VNFD names them).
  assert.deepEqual(
    { VDU1: byVdu('VDU1'), VDU2: byVdu('VDU2') },
    { VDU1: counts.backend, VDU2: counts.frontend },
  );
}

const instances = new Map<string, string>();
const instanceOf = async (ns: string) =>
  (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${instances.get(ns)}`)).body;

/** Creates an instance and instantiates it with the sample's request into namespace `ns`. */
async function instantiate(vnfdId: string, body: any, ns: string) {
  const id = await createInstance(vnfm, vnfdId, `sample-${ns}`);
  instances.set(ns, id);
  body.additionalParams.namespace = ns;
  await runOp(vnfm, id, 'instantiate', {
    ...body,
    vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
  });
  return id;
}

describe('samples/helm-cnf', () => {
  let vnfdId = '';
  before(async () => {
    const pkgId = await onboardZip(vnfm, await buildPackage(join(SAMPLES, 'helm-cnf')));
    const pkg = (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body;
    assert.equal(pkg.onboardingState, 'ONBOARDED');
    assert.deepEqual(
      pkg.additionalArtifacts.map((a: any) => a.artifactPath),
      ['Files/kubernetes/web-1.0.0.tgz'],
    );
    vnfdId = pkg.vnfdId;
  });

  test('instantiate.json: the package chart, two VDUs; scale the frontend; terminate', async () => {
    const ns = `helm-cnf-${suffix()}`;
    const id = await instantiate(vnfdId, request('helm-cnf', 'instantiate.json'), ns);
    await webPods(ns, { frontend: 1, backend: 1 });
    await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu2_aspect', numberOfSteps: 1 });
    await webPods(ns, { frontend: 2, backend: 1 });
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    const core = await kubeClient();
    await runningPods(core, ns, 'app.kubernetes.io/instance=web', 0);
  });

  test('instantiate-external.json: the same chart from a repository served on loopback as the README shows', async () => {
    const env = await testbed();
    // The README's steps: package the chart, index the repository, serve it.
    const repo = join(scratch, 'repo');
    const home = { PATH: process.env.PATH, HOME: scratch };
    await execFileP(
      env.helm3,
      ['package', join(SAMPLES, 'helm-cnf/Files/kubernetes/web'), '--destination', repo],
      {
        env: home,
      },
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await execFileP(env.helm3, ['repo', 'index', repo, '--url', url], { env: home });
    const server = spawn(
      'python3',
      ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', repo],
      {
        stdio: 'ignore',
      },
    );
    children.push(server);
    await eventually(
      'the chart repository to serve index.yaml',
      async () => (await fetch(`${url}/index.yaml`).catch(() => undefined))?.status,
      (s) => s === 200,
    );

    const body = request('helm-cnf', 'instantiate-external.json');
    const install = body.additionalParams.using_helm_install_param[0];
    assert.equal(install.exthelmchart, 'true');
    assert.equal(install.exthelmrepo_url, 'http://127.0.0.1:8879', 'the README serves the repository there');
    install.exthelmrepo_url = url;
    install.helmrepositoryname = `helm-cnf-samples-${suffix()}`;
    const ns = `helm-cnf-ext-${suffix()}`;
    const id = await instantiate(vnfdId, body, ns);
    await webPods(ns, { frontend: 1, backend: 1 });
    await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 2 });
    await webPods(ns, { frontend: 1, backend: 3 });
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    await runningPods(await kubeClient(), ns, 'app.kubernetes.io/instance=web', 0);
    server.kill('SIGTERM');
  });
});

describe('samples/manifest-cnf', () => {
  test('built, onboarded, instantiated in manifest mode, scaled, terminated', async () => {
    const pkgId = await onboardZip(vnfm, await buildPackage(join(SAMPLES, 'manifest-cnf')));
    const pkg = (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body;
    const ns = `manifest-cnf-${suffix()}`;
    const body = request('manifest-cnf', 'instantiate.json');
    const id = await instantiate(pkg.vnfdId, body, ns);
    const core = await kubeClient();
    const counts = async (frontend: number, backend: number) => {
      await runningPods(core, ns, 'app=frontend', frontend);
      await runningPods(core, ns, 'app=backend', backend);
      const info = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiatedVnfInfo;
      const byVdu = (vdu: string) => info.vnfcResourceInfo.filter((v: any) => v.vduId === vdu).length;
      assert.deepEqual([byVdu('VDU1'), byVdu('VDU2')], [frontend, backend]);
    };
    await counts(1, 1);
    await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'frontend_aspect', numberOfSteps: 2 });
    await counts(3, 1);
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    await runningPods(core, ns, 'app=frontend', 0);
  });
});
