// Master-node faults in Helm mode through the API: a wrong password, an
// unreachable master node, a host key that is not the pinned one — each ends the
// instantiate in FAILED_TEMP with a precise error that holds no secret; once the
// fault is fixed, retry completes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import {
  createInstance,
  onboardPackage,
  opOccSettled,
  registerTestbedVim,
  runOp,
  startOp,
} from '../helpers/lcm.ts';
import { fingerprint } from '../../src/ssh/session.ts';
import { freePort } from '../../testbed/lib/proc.ts';
import { freshStore } from '../helpers/stores.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

let vnfm: TestVnfm;
before(async () => {
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 60 });
});
after(() => vnfm.close());

/** A release per VDU of the sample VNFD (vdu1 → VDU1, vdu2 → VDU2): every VDU must be carried. */
const RELEASES = {
  using_helm_install_param: ['vdu1', 'vdu2'].map((r) => ({
    exthelmchart: 'false',
    helmchartfile_path: CHART_PATH,
    helmreleasename: r,
  })),
  vdu_mapping: {
    VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
    VDU2: { name: 'vdu2-app', kind: 'Deployment', helmreleasename: 'vdu2' },
  },
};

/** A Helm instantiate body on the VIM, in a namespace of its own. */
const helmBody = (vimId: string, prefix: string) => ({
  flavourId: 'helmchart',
  vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
  additionalParams: {
    namespace: `${prefix}-${randomBytes(3).toString('hex')}`,
    use_helm: true,
    ...RELEASES,
    helm_replica_values: { vdu1_aspect: 'replicaCount' },
  },
});

/** Instantiates, expects FAILED_TEMP with `detail`, lets `fix` repair the fault, retries to COMPLETED, terminates. */
async function failThenRetry(vimId: string, prefix: string, detail: RegExp, fix: () => Promise<void>) {
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  const opId = await startOp(vnfm, id, 'instantiate', helmBody(vimId, prefix));
  const failed = await opOccSettled(vnfm, opId);
  assert.equal(failed.operationState, 'FAILED_TEMP');
  assert.match(failed.error.detail, detail);
  await fix();
  assert.equal((await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/retry`)).status, 202);
  const done = await opOccSettled(vnfm, opId);
  assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
  return failed;
}

test('wrong master-node password: FAILED_TEMP naming it; after the VIM is fixed, retry completes', async () => {
  const env = await testbed();
  const node = env.sshNodes[0];
  assert.ok(node);
  const wrong = `wrong-${randomBytes(4).toString('hex')}`;
  const vimId = await registerTestbedVim(vnfm, 'helm-fault', {
    helm_info: {
      masternode_ip: [`${node.host}:${node.port}`],
      masternode_username: node.user,
      masternode_password: wrong,
    },
  });
  const failed = await failThenRetry(vimId, 'hf', /authentication failed/, async () => {
    const fix = await vnfm.request('PATCH', `/v1.0/vims/${vimId}`, {
      vim: { extra: { helm_info: { masternode_password: node.password } } },
    });
    assert.equal(fix.status, 200, JSON.stringify(fix.body));
  });
  assert.ok(!JSON.stringify(failed).includes(wrong), 'the password is not in the error');
  const logs = vnfm.logs();
  assert.ok(!logs.includes(wrong) && !logs.includes(node.password), 'no password in the log');
});

test('master node unreachable: FAILED_TEMP naming it; once it is back, retry completes', async () => {
  const env = await testbed();
  const node = env.sshNodes[0]!;
  const proxy = new TcpProxy(await freePort(), node.host, node.port); // not listening yet: refused
  try {
    const vimId = await registerTestbedVim(vnfm, 'helm-unreachable', {
      helm_info: {
        masternode_ip: [`127.0.0.1:${proxy.port}`],
        masternode_username: node.user,
        masternode_password: node.password,
      },
    });
    await failThenRetry(
      vimId,
      'hu',
      new RegExp(
        `no master node is reachable: master node 127\\.0\\.0\\.1:${proxy.port}: unreachable: .*ECONNREFUSED`,
      ),
      () => proxy.open(),
    );
  } finally {
    await proxy.cut();
  }
});

test('host key not the pinned one: FAILED_TEMP naming both; once the pin is corrected, retry completes', async () => {
  const env = await testbed();
  const [node, other] = env.sshNodes;
  assert.ok(node && other);
  const address = `${node.host}:${node.port}`;
  const fp = (key: string) => fingerprint(Buffer.from(key.split(' ')[1]!, 'base64'));
  const vimId = await registerTestbedVim(vnfm, 'helm-hostkey', {
    helm_info: {
      masternode_ip: [address],
      masternode_username: node.user,
      masternode_password: node.password,
      masternode_host_keys: { [address]: other.hostKey }, // another machine's key
    },
  });
  await failThenRetry(
    vimId,
    'hk',
    new RegExp(
      `host key of ${address.replace(/\./g, '\\.')} changed: pinned ${fp(other.hostKey).replace(/[+/]/g, '\\$&')}, presented ${fp(node.hostKey).replace(/[+/]/g, '\\$&')}`,
    ),
    async () => {
      // A changed pin is a changed trust: the password is given again with it.
      const fix = await vnfm.request('PATCH', `/v1.0/vims/${vimId}`, {
        vim: {
          extra: {
            helm_info: {
              masternode_host_keys: { [address]: node.hostKey },
              masternode_password: node.password,
            },
          },
        },
      });
      assert.equal(fix.status, 200, JSON.stringify(fix.body));
    },
  );
});

test('a master-node password given in the request overrides the VIM, and is stored sealed and shown masked', async () => {
  const env = await testbed();
  const node = env.sshNodes[0];
  assert.ok(node);
  const vimId = await registerTestbedVim(vnfm, 'helm-override', {
    helm_info: {
      masternode_ip: `${node.host}:${node.port}`,
      masternode_username: node.user,
      masternode_password: 'stale',
    },
  });
  const { vnfdId } = await onboardPackage(vnfm);
  const id = await createInstance(vnfm, vnfdId);
  const inst = await runOp(vnfm, id, 'instantiate', {
    flavourId: 'helmchart',
    vimConnectionInfo: [
      {
        id: 'c1',
        vimId,
        vimType: 'kubernetes',
        extra: { helm_info: { masternode_password: node.password } },
      },
    ],
    additionalParams: {
      namespace: `ho-${randomBytes(3).toString('hex')}`,
      use_helm: 'True',
      ...RELEASES,
    },
  });
  const shown =
    JSON.stringify(inst) + JSON.stringify((await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body);
  assert.ok(!shown.includes(node.password), 'masked in op occ and instance');
  assert.match(shown, /"masternode_password":"\*\*\*"/);
  const rows =
    JSON.stringify(await vnfm.ctx.db.selectFrom('vnf_instances').selectAll().execute()) +
    JSON.stringify(await vnfm.ctx.db.selectFrom('vnf_lcm_op_occs').selectAll().execute());
  assert.ok(!rows.includes(node.password), 'not stored in clear');
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
});
