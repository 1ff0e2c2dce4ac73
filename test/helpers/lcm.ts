// Steps every LCM test takes: register the testbed cluster as a VIM, onboard a
// package, create an instance, run an operation and wait for its op occ.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cnfPackage, type CnfPackageOptions } from './cnf-package.ts';
import { runningPods } from './pods.ts';
import { kubeClient, testbed } from './testbed.ts';
import type { TestVnfm } from './vnfm.ts';
import { eventually } from './wait.ts';

/** Registers the testbed cluster as a VIM; `authUrl` reaches the same API server another way (a TcpProxy). */
export async function registerTestbedVim(
  vnfm: TestVnfm,
  name: string,
  extra: object = {},
  authUrl?: string,
): Promise<string> {
  const env = await testbed();
  const res = await vnfm.request('POST', '/v1.0/vims', {
    vim: {
      name,
      type: 'kubernetes',
      auth_url: authUrl ?? env.apiServer,
      auth_cred: { bearer_token: env.bearerToken, ssl_ca_cert: readFileSync(env.caFile, 'utf8') },
      vim_project: { name: 'default' },
      extra,
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.vim.id;
}

export async function onboardPackage(
  vnfm: TestVnfm,
  opts: CnfPackageOptions = {},
): Promise<{ pkgId: string; vnfdId: string }> {
  const { zip, vnfdId } = await cnfPackage(opts);
  return { pkgId: await onboardZip(vnfm, zip), vnfdId };
}

/** Creates a package (or takes the CREATED package `pkgId`), uploads `zip`, waits for ONBOARDED; returns the package id. */
export async function onboardZip(vnfm: TestVnfm, zip: Buffer, pkgId?: string): Promise<string> {
  const pkg = pkgId ? { id: pkgId } : (await vnfm.request('POST', '/vnfpkgm/v1/vnf_packages', {})).body;
  assert.equal(
    (await vnfm.request('PUT', `/vnfpkgm/v1/vnf_packages/${pkg.id}/package_content`, zip)).status,
    202,
  );
  const done = await eventually(
    'onboarding',
    async () => (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkg.id}`)).body,
    (p) => p.onboardingState !== 'PROCESSING' && p.onboardingState !== 'UPLOADING',
  );
  assert.equal(done.onboardingState, 'ONBOARDED', JSON.stringify(done.onboardingFailureDetails));
  return pkg.id;
}

export async function createInstance(vnfm: TestVnfm, vnfdId: string, name = 'cnf'): Promise<string> {
  const res = await vnfm.request('POST', '/vnflcm/v1/vnf_instances', { vnfdId, vnfInstanceName: name });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

/** POSTs an LCM request, asserts 202 + Location, returns the op occ id. */
export async function startOp(vnfm: TestVnfm, instanceId: string, op: string, body: object): Promise<string> {
  const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${instanceId}/${op}`, body);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const location = res.headers.get('location') ?? '';
  assert.match(location, /^\/vnflcm\/v1\/vnf_lcm_op_occs\/[0-9a-f-]+$/);
  return location.split('/').pop() as string;
}

export async function opOccSettled(vnfm: TestVnfm, opId: string, timeoutMs = 120_000): Promise<any> {
  return eventually(
    `op occ ${opId} to settle`,
    async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body,
    (o) => ['COMPLETED', 'FAILED_TEMP', 'FAILED', 'ROLLED_BACK'].includes(o.operationState),
    timeoutMs,
  );
}

export async function runOp(
  vnfm: TestVnfm,
  instanceId: string,
  op: string,
  body: object,
  expect = 'COMPLETED',
) {
  const opId = await startOp(vnfm, instanceId, op, body);
  const done = await opOccSettled(vnfm, opId);
  assert.equal(done.operationState, expect, JSON.stringify(done.error));
  return done;
}

/**
 * Waits until each VDU's release runs `counts[vdu]` Running pods (label
 * app.kubernetes.io/instance=<release>), then asserts that the instance's
 * vnfcResourceInfo names exactly those pods; returns its instantiatedVnfInfo.
 */
export async function vnfcsMatchCluster(
  vnfm: TestVnfm,
  instanceId: string,
  namespace: string,
  counts: Record<string, number>,
  releaseOf: (vduId: string) => string,
): Promise<any> {
  const core = await kubeClient();
  const live = new Map<string, string[]>();
  for (const [vdu, n] of Object.entries(counts)) {
    const running = await runningPods(core, namespace, `app.kubernetes.io/instance=${releaseOf(vdu)}`, n);
    live.set(vdu, running.map((p) => p.name).sort());
  }
  const info = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${instanceId}`)).body.instantiatedVnfInfo;
  for (const [vdu, names] of live) {
    const recorded = info.vnfcResourceInfo.filter((v: any) => v.vduId === vdu).map((v: any) => v.id);
    assert.deepEqual(recorded.sort(), names, `${vdu}: vnfcResourceInfo = live pods`);
  }
  return info;
}
