// The notifications of an operation that fails, on the testbed (its VIM's API server cut
// off behind a TCP proxy): FAILED_TEMP is a RESULT with the op occ's error; a rollback is
// ROLLING_BACK (START) then ROLLED_BACK (RESULT); a retry once the cluster is back is
// PROCESSING (START) then COMPLETED (RESULT). In order, schema-valid, no id twice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, opOccSettled, registerTestbedVim, startOp } from '../helpers/lcm.ts';
import { assertValidAndUnique, created, deleted, line, posted } from '../helpers/notifications.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { apiServerProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

let vnfm: TestVnfm;
let receiver: Receiver;
let proxy: TcpProxy;
before(async () => {
  receiver = await startReceiver();
  proxy = await apiServerProxy();
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 20 });
});
after(async () => {
  await vnfm.close();
  await proxy.cut();
  await receiver.close();
});

test('a failed operation: FAILED_TEMP with its error, rollback, retry — each state notified in order', async () => {
  const sub = await vnfm.request('POST', '/vnflcm/v1/subscriptions', { callbackUri: `${receiver.url}/n` });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const vimId = await registerTestbedVim(vnfm, 'notify-cut', {}, `https://127.0.0.1:${proxy.port}`);
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId, 'failing');
  const body = {
    flavourId: 'helmchart',
    vimConnectionInfo: [{ id: 'v', vimId, vimType: 'kubernetes' }],
    additionalParams: {
      namespace: `nfail-${randomBytes(3).toString('hex')}`,
      'lcm-kubernetes-def-files': [MANIFEST_PATH],
    },
  };
  const settled = async (opId: string, state: string) => {
    const o = await opOccSettled(vnfm, opId);
    assert.equal(o.operationState, state, JSON.stringify(o.error));
    return o;
  };
  const act = async (opId: string, action: 'retry' | 'rollback') =>
    assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/${action}`)).status, 202);

  await proxy.cut();
  const first = await startOp(vnfm, id, 'instantiate', body);
  const failed = await settled(first, 'FAILED_TEMP');
  await act(first, 'rollback');
  await settled(first, 'ROLLED_BACK');
  const second = await startOp(vnfm, id, 'instantiate', body);
  await settled(second, 'FAILED_TEMP');
  await proxy.open();
  await act(second, 'retry');
  await settled(second, 'COMPLETED');
  const terminate = await startOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  await settled(terminate, 'COMPLETED');
  assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);

  const op = (opId: string, operation: string, ...states: string[]) =>
    states.map((s) => `${id} ${operation} ${s} ${opId}`);
  const expected = [
    created(id),
    ...op(first, 'INSTANTIATE', 'STARTING START', 'PROCESSING START', 'FAILED_TEMP RESULT'),
    ...op(first, 'INSTANTIATE', 'ROLLING_BACK START', 'ROLLED_BACK RESULT'),
    ...op(second, 'INSTANTIATE', 'STARTING START', 'PROCESSING START', 'FAILED_TEMP RESULT'),
    ...op(second, 'INSTANTIATE', 'PROCESSING START', 'COMPLETED RESULT'),
    ...op(terminate, 'TERMINATE', 'STARTING START', 'PROCESSING START', 'COMPLETED RESULT'),
    deleted(id),
  ];
  await eventually(
    'every notification delivered',
    async () => vnfm.ctx.db.selectFrom('notification_outbox').select('state').execute(),
    (rows) => rows.length === expected.length && rows.every((r) => r.state === 'DELIVERED'),
  );
  const got = posted(receiver);
  assert.deepEqual(got.map(line), expected);
  assertValidAndUnique(got);
  // SOL003 §5.5.2.17: error only on a FAILED_TEMP (or FAILED, ROLLED_BACK) result, as the op occ had it.
  for (const n of got.filter((m) => m.operationState === 'FAILED_TEMP')) {
    assert.equal(n.error?.status, 500, JSON.stringify(n.error));
    assert.match(n.error.detail, /ECONNREFUSED|connect|unreachable/i);
  }
  assert.deepEqual(
    got.find((m) => m.vnfLcmOpOccId === first && m.operationState === 'FAILED_TEMP').error,
    failed.error,
  );
  for (const n of got.filter((m) => m.notificationStatus === 'START' || m.operationState === 'COMPLETED'))
    assert.equal(n.error, undefined, `${line(n)}: no error`);
});
