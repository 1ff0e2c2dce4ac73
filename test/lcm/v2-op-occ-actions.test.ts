// retry, rollback and fail through /vnflcm/v2, on op occs made FAILED_TEMP for real: the
// VIM's API server cut off (a TCP proxy in front of the testbed's) during instantiate.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { onboardPackage, registerTestbedVim } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { apiServerProxy } from '../helpers/tcp-proxy.ts';
import { createInstanceV2, opOccSettledV2, runOpV2, startOpV2, V2, v2 } from '../helpers/v2.ts';
import { startVnfm } from '../helpers/vnfm.ts';

test('FAILED_TEMP through v2: its links, then retry, rollback and fail', async () => {
  const proxy = await apiServerProxy();
  const vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 20 });
  try {
    const vimId = await registerTestbedVim(vnfm, 'v2-via-proxy', {}, `https://127.0.0.1:${proxy.port}`);
    const { vnfdId } = await onboardPackage(vnfm);
    const body = () => ({
      flavourId: 'helmchart',
      vimConnectionInfo: { v: { vimId, vimType: 'kubernetes' } },
      additionalParams: {
        namespace: `v2-act-${randomBytes(3).toString('hex')}`,
        'lcm-kubernetes-def-files': [MANIFEST_PATH],
      },
    });
    const failedInstantiate = async (id: string) => {
      await proxy.cut();
      const opId = await startOpV2(vnfm, id, 'instantiate', body());
      const failed = await opOccSettledV2(vnfm, opId);
      assert.equal(failed.operationState, 'FAILED_TEMP', JSON.stringify(failed));
      const self = `${V2}/vnf_lcm_op_occs/${opId}`;
      assert.deepEqual(failed._links, {
        self: { href: self },
        vnfInstance: { href: `${V2}/vnf_instances/${id}` },
        retry: { href: `${self}/retry` },
        rollback: { href: `${self}/rollback` },
        fail: { href: `${self}/fail` },
      });
      return opId;
    };

    // retry, once the cluster is back
    const a = await createInstanceV2(vnfm, vnfdId, 'v2-retry');
    const retried = await failedInstantiate(a);
    await proxy.open();
    const retry = await v2(vnfm, 'POST', `/vnf_lcm_op_occs/${retried}/retry`);
    assert.equal(retry.status, 202, JSON.stringify(retry.body));
    assert.equal(retry.headers.get('location'), `${V2}/vnf_lcm_op_occs/${retried}`);
    const done = await opOccSettledV2(vnfm, retried);
    assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
    await runOpV2(vnfm, a, 'terminate', { terminationType: 'FORCEFUL' });

    // rollback, with the cluster still away (nothing was created there)
    const b = await createInstanceV2(vnfm, vnfdId, 'v2-rollback');
    const rolled = await failedInstantiate(b);
    const rollback = await v2(vnfm, 'POST', `/vnf_lcm_op_occs/${rolled}/rollback`);
    assert.equal(rollback.status, 202, JSON.stringify(rollback.body));
    assert.equal((await opOccSettledV2(vnfm, rolled)).operationState, 'ROLLED_BACK');

    // fail: the answer is the op occ, FAILED, in v2's form
    const failedId = await failedInstantiate(b);
    const fail = await v2(vnfm, 'POST', `/vnf_lcm_op_occs/${failedId}/fail`);
    assert.equal(fail.status, 200, JSON.stringify(fail.body));
    assert.equal(fail.body.operationState, 'FAILED');
    assert.deepEqual(Object.keys(fail.body._links).sort(), ['self', 'vnfInstance']);
    assert.deepEqual(fail.body.operationParams.vimConnectionInfo, { v: { vimId, vimType: 'kubernetes' } });
    assert.equal((await v2(vnfm, 'DELETE', `/vnf_instances/${b}`)).status, 204);
    assert.equal((await v2(vnfm, 'DELETE', `/vnf_instances/${a}`)).status, 204);
  } finally {
    await vnfm.close();
    await proxy.cut();
  }
});
