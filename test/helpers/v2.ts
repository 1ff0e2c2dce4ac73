// Requests to /vnflcm/v2 as its clients send them (Version: 2.0.0), and the op occ waits
// of test/helpers/lcm.ts through v2.
import assert from 'node:assert/strict';
import type { TestVnfm } from './vnfm.ts';
import { eventually } from './wait.ts';

export const V2 = '/vnflcm/v2';
export const V2_HEADERS = { version: '2.0.0' };

export const v2 = (vnfm: TestVnfm, method: string, path: string, body?: unknown) =>
  vnfm.request(method, `${V2}${path}`, body, V2_HEADERS);

export async function createInstanceV2(vnfm: TestVnfm, vnfdId: string, name = 'cnf-v2'): Promise<string> {
  const res = await v2(vnfm, 'POST', '/vnf_instances', { vnfdId, vnfInstanceName: name });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.headers.get('location'), `${V2}/vnf_instances/${res.body.id}`);
  return res.body.id;
}

/** POSTs a v2 task (or PATCHes), asserts 202 + a Location under /vnflcm/v2, returns the op occ id. */
export async function startOpV2(
  vnfm: TestVnfm,
  instanceId: string,
  op: string | null,
  body: object,
): Promise<string> {
  const res = op
    ? await v2(vnfm, 'POST', `/vnf_instances/${instanceId}/${op}`, body)
    : await v2(vnfm, 'PATCH', `/vnf_instances/${instanceId}`, body);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const location = res.headers.get('location') ?? '';
  assert.match(location, /^\/vnflcm\/v2\/vnf_lcm_op_occs\/[0-9a-f-]+$/);
  return location.split('/').pop() as string;
}

export async function opOccSettledV2(vnfm: TestVnfm, opId: string, timeoutMs = 120_000): Promise<any> {
  return eventually(
    `op occ ${opId} to settle`,
    async () => (await v2(vnfm, 'GET', `/vnf_lcm_op_occs/${opId}`)).body,
    (o) => ['COMPLETED', 'FAILED_TEMP', 'FAILED', 'ROLLED_BACK'].includes(o.operationState),
    timeoutMs,
  );
}

export async function runOpV2(vnfm: TestVnfm, instanceId: string, op: string | null, body: object) {
  const done = await opOccSettledV2(vnfm, await startOpV2(vnfm, instanceId, op, body));
  assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
  return done;
}
