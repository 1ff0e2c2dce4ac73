// /vnflcm/v2/subscriptions beside /vnflcm/v1's: each API lists, reads and deletes only its
// own; the receiver check and every notification to a v2 subscription carry
// `Version: 2.0.0` and `_links` under /vnflcm/v2, while a v1 subscription's stay v1's,
// for the same instance and op occ (made here through v2).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { onboardPackage } from '../helpers/lcm.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { createInstanceV2, runOpV2, V2, v2 } from '../helpers/v2.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

describe('/vnflcm/v2 subscriptions and notifications', () => {
  let vnfm: TestVnfm;
  let r1: Receiver;
  let r2: Receiver;
  let vnfdId = '';
  before(async () => {
    [r1, r2] = [await startReceiver(), await startReceiver()];
    vnfm = await startVnfm(await freshStore('sqlite'));
    vnfdId = (await onboardPackage(vnfm)).vnfdId;
  });
  after(async () => {
    await vnfm.close();
    await r1.close();
    await r2.close();
  });

  const posts = (r: Receiver) =>
    r.requests.filter((q) => q.method === 'POST').map((q) => ({ ...q, json: JSON.parse(q.body) }));

  test('v1 and v2 subscriptions side by side, each notified in its own API shape', async () => {
    const s1 = await vnfm.request('POST', '/vnflcm/v1/subscriptions', { callbackUri: `${r1.url}/n` });
    assert.equal(s1.status, 201, JSON.stringify(s1.body));
    const body = { callbackUri: `${r2.url}/n`, verbosity: 'FULL' };
    const s2 = await v2(vnfm, 'POST', '/subscriptions', body);
    assert.equal(s2.status, 201, JSON.stringify(s2.body));
    assert.equal(s2.headers.get('location'), `${V2}/subscriptions/${s2.body.id}`);
    assert.deepEqual(s2.body._links, { self: { href: `${V2}/subscriptions/${s2.body.id}` } });
    const check = r2.requests.find((q) => q.method === 'GET');
    assert.equal(check?.headers.version, '2.0.0', 'the receiver check says v2');
    assert.equal(r1.requests.find((q) => q.method === 'GET')?.headers.version, '1.3.0');
    // An identical one: 303 to it, under v2.
    const again = await fetch(`${vnfm.url}${V2}/subscriptions`, {
      method: 'POST',
      redirect: 'manual', // the test client's fetch would follow the 303
      headers: { 'content-type': 'application/json', version: '2.0.0' },
      body: JSON.stringify(body),
    });
    await again.body?.cancel();
    assert.equal(again.status, 303);
    assert.equal(again.headers.get('location'), `${V2}/subscriptions/${s2.body.id}`);

    // Each API has only its own.
    assert.deepEqual(
      (await v2(vnfm, 'GET', '/subscriptions')).body.map((s: any) => s.id),
      [s2.body.id],
    );
    assert.deepEqual(
      (await vnfm.request('GET', '/vnflcm/v1/subscriptions')).body.map((s: any) => s.id),
      [s1.body.id],
    );
    assert.equal((await v2(vnfm, 'GET', `/subscriptions/${s1.body.id}`)).status, 404);
    assert.equal((await vnfm.request('GET', `/vnflcm/v1/subscriptions/${s2.body.id}`)).status, 404);
    assert.equal((await v2(vnfm, 'GET', `/subscriptions/${s2.body.id}`)).body.callbackUri, `${r2.url}/n`);

    // Strict, and v3's operation types.
    for (const bad of [
      { callbackUri: `${r2.url}/x`, verbosity: 'SHORT' },
      { callbackUri: `${r2.url}/x`, filter: { operationTypes: ['NOPE'] } },
      { callbackUri: `${r2.url}/x`, extra: 1 },
    ]) {
      const res = await v2(vnfm, 'POST', '/subscriptions', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    const upgrades = { callbackUri: `${r2.url}/upgrades`, filter: { operationTypes: ['CHANGE_VNFPKG'] } };
    const s3 = await v2(vnfm, 'POST', '/subscriptions', upgrades);
    assert.equal(s3.status, 201, JSON.stringify(s3.body));
    assert.equal(
      (await vnfm.request('POST', '/vnflcm/v1/subscriptions', upgrades)).status,
      400,
      'not in v2.6.1',
    );
    assert.equal((await v2(vnfm, 'DELETE', `/subscriptions/${s3.body.id}`)).status, 204);
    assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/subscriptions/${s2.body.id}`)).status, 404);

    // One instance and one op occ, through v2; each receiver hears of them in its API's shape.
    const id = await createInstanceV2(vnfm, vnfdId, 'notified-v2');
    const op = await runOpV2(vnfm, id, null, { vnfInstanceName: 'renamed' });
    const done = (r: Receiver) =>
      posts(r).some((p) => p.json.vnfLcmOpOccId === op.id && p.json.operationState === 'COMPLETED');
    await eventually(
      'both receivers told of the COMPLETED op occ',
      async () => done(r1) && done(r2),
      Boolean,
    );

    for (const [r, base, version, subscriptionId] of [
      [r1, '/vnflcm/v1', '1.3.0', s1.body.id],
      [r2, V2, '2.0.0', s2.body.id],
    ] as const) {
      const got = posts(r);
      assert.ok(got.every((p) => p.headers.version === version && p.json.subscriptionId === subscriptionId));
      const created = got.find((p) => p.json.notificationType === 'VnfIdentifierCreationNotification');
      assert.equal(created?.json.vnfInstanceId, id);
      assert.equal(created?.json._links.vnfInstance.href, `${base}/vnf_instances/${id}`);
      assert.equal(created?.json._links.subscription.href, `${base}/subscriptions/${subscriptionId}`);
      const completed = got.find(
        (p) => p.json.vnfLcmOpOccId === op.id && p.json.operationState === 'COMPLETED',
      );
      assert.equal(completed?.json.operation, 'MODIFY_INFO');
      assert.equal(completed?.json._links.vnfLcmOpOcc.href, `${base}/vnf_lcm_op_occs/${op.id}`);
    }

    assert.equal((await v2(vnfm, 'DELETE', `/subscriptions/${s2.body.id}`)).status, 204);
    assert.equal((await v2(vnfm, 'GET', `/subscriptions/${s2.body.id}`)).status, 404);
  });
});
