// A whole Helm CNF lifecycle on the testbed (create, instantiate, scale out, scale in,
// heal, terminate, delete) with two subscriptions on loopback receivers: one without a
// filter gets exactly the creation, STARTING → PROCESSING → COMPLETED of every operation
// and the deletion, in that order, with the right fields (affectedVnfcs = the change of
// the instance's vnfcResourceInfo); one filtered to SCALE op occ notifications gets only
// the scale operations'. Every body is valid against the ETSI schema, no id twice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  assertValidAndUnique,
  completedOp,
  created,
  deleted,
  helmInstantiateBody,
  line,
  posted,
} from '../helpers/notifications.ts';
import { createInstance, onboardPackage, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

let vnfm: TestVnfm;
let all: Receiver;
let scale: Receiver;
before(async () => {
  const env = await testbed();
  [all, scale] = [await startReceiver(), await startReceiver()];
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm4 });
});
after(async () => {
  await vnfm.close();
  await all.close();
  await scale.close();
});

async function subscribe(receiver: Receiver, filter?: object): Promise<string> {
  const res = await vnfm.request('POST', '/vnflcm/v1/subscriptions', {
    callbackUri: `${receiver.url}/notifications`,
    ...(filter ? { filter } : {}),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

const ids = (vnfcs: { id: string }[]) => vnfcs.map((v) => v.id).sort();

test('a Helm CNF lifecycle: every notification, in order, with the right fields, to each subscription', async () => {
  const allId = await subscribe(all);
  const scaleId = await subscribe(scale, {
    notificationTypes: ['VnfLcmOperationOccurrenceNotification'],
    operationTypes: ['SCALE'],
  });
  const vimId = await registerTestbedVim(vnfm, 'notify-helm', { helm_info: { masternode_ip: [] } });
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId, 'notified');
  const vnfcs = async (): Promise<{ id: string }[]> =>
    (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiatedVnfInfo
      ?.vnfcResourceInfo ?? [];

  /** Each operation run, with the VNFCs it added and removed as the instance shows them. */
  const ran: { id: string; operation: string; added: string[]; removed: string[] }[] = [];
  const run = async (op: string, body: object) => {
    const before = ids(await vnfcs());
    const done = await runOp(vnfm, id, op, body);
    const now = ids(await vnfcs());
    ran.push({
      id: done.id,
      operation: done.operation,
      added: now.filter((v) => !before.includes(v)),
      removed: before.filter((v) => !now.includes(v)),
    });
  };
  const ns = `notify-${randomBytes(3).toString('hex')}`;
  await run('instantiate', helmInstantiateBody(vimId, ns));
  await run('scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
  await run('scale', { type: 'SCALE_IN', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
  const victim = (await vnfcs()).find((v: any) => v.vduId === 'VDU2')!.id;
  await run('heal', { vnfcInstanceId: [victim] });
  await run('terminate', { terminationType: 'FORCEFUL' });
  assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${id}`)).status, 204);
  for (const op of ran)
    assert.ok(
      op.added.length + op.removed.length > 0,
      `${op.operation} changed VNFCs (a test that can fail)`,
    );

  const expectAll = [created(id), ...ran.flatMap((op) => completedOp(id, op)), deleted(id)];
  const scaleOps = ran.filter((op) => op.operation === 'SCALE');
  const expectScale = scaleOps.flatMap((op) => completedOp(id, op));
  await eventually(
    'every notification delivered',
    async () => vnfm.ctx.db.selectFrom('notification_outbox').select(['state']).execute(),
    (rows) =>
      rows.length === expectAll.length + expectScale.length && rows.every((r) => r.state === 'DELIVERED'),
    120_000,
  );

  const gotAll = posted(all);
  const gotScale = posted(scale);
  assert.deepEqual(gotAll.map(line), expectAll, 'the unfiltered subscription: everything, in order');
  assert.deepEqual(gotScale.map(line), expectScale, 'the SCALE subscription: the scale operations only');
  assertValidAndUnique([...gotAll, ...gotScale]);
  const times = gotAll.map((n) => Date.parse(n.timeStamp));
  assert.deepEqual(
    times,
    [...times].sort((x, y) => x - y),
    'timeStamps in the order of the changes',
  );
  for (const [got, subId] of [
    [gotAll, allId],
    [gotScale, scaleId],
  ] as const) {
    for (const n of got) {
      assert.equal(n.subscriptionId, subId);
      assert.equal(n._links.subscription.href, `/vnflcm/v1/subscriptions/${subId}`);
      assert.equal(n._links.vnfInstance.href, `/vnflcm/v1/vnf_instances/${id}`);
    }
  }
  // affectedVnfcs: on results only, exactly the VNFCs the operation added and removed.
  for (const n of [...gotAll, ...gotScale]) {
    if (n.notificationType !== 'VnfLcmOperationOccurrenceNotification') continue;
    assert.equal(n._links.vnfLcmOpOcc.href, `/vnflcm/v1/vnf_lcm_op_occs/${n.vnfLcmOpOccId}`);
    assert.equal(n.isAutomaticInvocation, false);
    if (n.notificationStatus === 'START') {
      assert.equal(n.affectedVnfcs, undefined, `${n.operationState} carries no affectedVnfcs`);
      continue;
    }
    const op = ran.find((o) => o.id === n.vnfLcmOpOccId)!;
    const of = (type: string) =>
      n.affectedVnfcs
        .filter((v: any) => v.changeType === type)
        .map((v: any) => v.id)
        .sort();
    assert.deepEqual(of('ADDED'), op.added, `${op.operation}: ADDED`);
    assert.deepEqual(of('REMOVED'), op.removed, `${op.operation}: REMOVED`);
    assert.equal(
      n.affectedVnfcs.length,
      op.added.length + op.removed.length,
      `${op.operation}: nothing else`,
    );
  }
});
