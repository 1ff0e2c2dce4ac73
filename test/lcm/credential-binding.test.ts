// Stored credentials go only where they were registered (issue 9, items 1-4). Real
// listeners on loopback record what they receive: a TLS "Kubernetes API" the VIM is
// registered with, other TLS endpoints an attacker would move it to (one with its own
// self-signed certificate, one serving the registered certificate on another port), and
// ssh2 SSH servers posing as master nodes. Each attack must leave 0 secrets at them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { getInstance, saveInstance } from '../../src/db/queries/instances.ts';
import { requestVimConnection } from '../../src/lcm/infra-context.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, opOccSettled, startOp } from '../helpers/lcm.ts';
import {
  fakeKubeApi,
  type FakeKubeApi,
  type KeyPair,
  recordingSshServer,
  type RecordingSshServer,
  selfSigned,
} from '../helpers/listeners.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const VIM_PASSWORD = `vim-pw-${randomBytes(8).toString('hex')}`;

let vnfm: TestVnfm;
let homeTls: KeyPair;
let home: FakeKubeApi; // the cluster the VIMs are registered with
let sameCa: FakeKubeApi; // another endpoint the registered CA trusts (same certificate, other port)
let ownCa: FakeKubeApi; // an endpoint with a certificate of its own
let ownCaTls: KeyPair;
let client: KeyPair; // the VNFM's client certificate for certificate-auth VIMs
let vnfdId = '';

before(async () => {
  [homeTls, ownCaTls, client] = await Promise.all([selfSigned(), selfSigned(), selfSigned('vnfm-client')]);
  home = await fakeKubeApi(homeTls, { token: TOKEN, clientCertCn: 'vnfm-client' });
  sameCa = await fakeKubeApi(homeTls, { token: TOKEN, clientCertCn: 'vnfm-client' });
  ownCa = await fakeKubeApi(ownCaTls, { token: TOKEN, clientCertCn: 'vnfm-client' });
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 60 });
  vnfdId = (await onboardPackage(vnfm)).vnfdId;
});
after(async () => {
  await vnfm.close();
  for (const s of [home, sameCa, ownCa]) await s.close();
});

/** Nothing at all reached the attacker's TLS endpoints. */
function attackersSawNothing() {
  for (const s of [sameCa, ownCa]) {
    assert.equal(s.seen.connections, 0, `no TLS connection to ${s.url}`);
    assert.deepEqual(s.seen.requests, []);
    assert.deepEqual(s.seen.clientCerts, []);
  }
}

async function registerVim(name: string, authCred: object, extra: object = {}): Promise<any> {
  const res = await vnfm.request('POST', '/v1.0/vims', {
    vim: { name, type: 'kubernetes', auth_url: home.url, auth_cred: authCred, extra },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.vim;
}

async function expect400(method: string, path: string, body: unknown, detail: RegExp) {
  const res = await vnfm.request(method, path, body);
  assert.equal(
    res.status,
    400,
    `${method} ${path} ${JSON.stringify(body).slice(0, 300)}: ${JSON.stringify(res.body)}`,
  );
  assert.equal(res.body.status, 400);
  assert.match(res.body.detail, detail);
  return res;
}

describe('VIM token and client key stay with the endpoint they were registered for', () => {
  test('changing auth_url, ssl_ca_cert or client_cert with the secret masked or absent: 400, nothing sent', async () => {
    const vim = await registerVim(`tok-${randomBytes(3).toString('hex')}`, {
      bearer_token: TOKEN,
      ssl_ca_cert: homeTls.cert,
    });
    const path = `/v1.0/vims/${vim.id}`;
    const need = /auth_url changed: auth_cred\.bearer_token must be given again/;
    await expect400('PATCH', path, { vim: { auth_url: sameCa.url } }, need);
    await expect400(
      'PATCH',
      path,
      { vim: { auth_url: sameCa.url, auth_cred: { bearer_token: '***' } } },
      need,
    );
    await expect400('PUT', path, { vim: { auth_url: sameCa.url } }, need);
    await expect400(
      'PATCH',
      path,
      { vim: { auth_url: ownCa.url, auth_cred: { bearer_token: '***', ssl_ca_cert: ownCaTls.cert } } },
      need,
    );
    await expect400(
      'PATCH',
      path,
      { vim: { auth_cred: { ssl_ca_cert: ownCaTls.cert } } },
      /auth_cred\.ssl_ca_cert changed: auth_cred\.bearer_token must be given again/,
    );
    attackersSawNothing();
    const shown = (await vnfm.request('GET', path)).body.vim;
    assert.equal(shown.auth_url, home.url, 'nothing changed');
    assert.equal(shown.auth_cred.ssl_ca_cert, homeTls.cert);

    // Unchanged endpoint: the masked token is kept and the check goes to the registered cluster only.
    const before = home.seen.requests.length;
    const ok = await vnfm.request('PATCH', path, {
      vim: { auth_cred: { bearer_token: '***' }, description: 'x' },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(home.seen.requests.length, before + 1);
    attackersSawNothing();
  });

  test('a client certificate VIM: the client key is not used for a new endpoint or certificate', async () => {
    const vim = await registerVim(`cert-${randomBytes(3).toString('hex')}`, {
      client_cert: client.cert,
      client_key: client.key,
      ssl_ca_cert: homeTls.cert,
    });
    const path = `/v1.0/vims/${vim.id}`;
    assert.equal(vim.auth_cred.client_key, '***');
    await expect400(
      'PATCH',
      path,
      { vim: { auth_url: sameCa.url, auth_cred: { client_key: '***' } } },
      /auth_url changed: auth_cred\.client_key must be given again/,
    );
    const other = await selfSigned('someone-else');
    await expect400(
      'PATCH',
      path,
      { vim: { auth_cred: { client_cert: other.cert } } },
      // The new certificate does not match the stored key: refused either way, before any connection.
      /client_key|client_cert/,
    );
    attackersSawNothing();
  });

  test('the secret given again: the new endpoint is checked with it', async () => {
    const vim = await registerVim(`move-${randomBytes(3).toString('hex')}`, {
      bearer_token: TOKEN,
      ssl_ca_cert: homeTls.cert,
    });
    const res = await vnfm.request('PATCH', `/v1.0/vims/${vim.id}`, {
      vim: { auth_url: sameCa.url, auth_cred: { bearer_token: TOKEN } },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      sameCa.seen.requests.map((r) => r.authorization),
      [`Bearer ${TOKEN}`],
    );
    // Back to nothing seen, for the other tests' assertions.
    sameCa.seen.requests.length = 0;
    sameCa.seen.connections = 0;
  });

  test('malformed credentials: 400 naming the field, never a 500, nothing sent', async () => {
    const name = () => `bad-${randomBytes(3).toString('hex')}`;
    const post = (auth_cred: object, extra: object = {}) => ({
      vim: { name: name(), type: 'kubernetes', auth_url: ownCa.url, auth_cred, extra },
    });
    const cases: [object, RegExp][] = [
      [post({ bearer_token: 'a\r\nX-Injected: 1' }), /auth_cred\.bearer_token must be printable ASCII/],
      [post({ bearer_token: 'has space' }), /auth_cred\.bearer_token/],
      [post({ bearer_token: 'tok\u0000' }), /auth_cred\.bearer_token/],
      [post({ bearer_token: TOKEN, ssl_ca_cert: 'not a pem' }), /auth_cred\.ssl_ca_cert must be PEM/],
      [
        post({
          bearer_token: TOKEN,
          ssl_ca_cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
        }),
        /auth_cred\.ssl_ca_cert holds a PEM block that is no X\.509 certificate/,
      ],
      [post({ client_cert: 'garbage', client_key: client.key }), /auth_cred\.client_cert must be PEM/],
      [
        post({ client_cert: client.cert, client_key: 'garbage' }),
        /auth_cred\.client_key must be a PEM private key/,
      ],
      [
        post({
          client_cert: client.cert,
          client_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
        }),
        /auth_cred\.client_key is not a usable PEM private key/,
      ],
      [post({ client_cert: client.cert, client_key: homeTls.key }), /client_key does not belong to/],
    ];
    const helm = (info: unknown) =>
      post({ bearer_token: TOKEN, ssl_ca_cert: ownCaTls.cert }, { helm_info: info });
    const base = { masternode_username: 'u', masternode_password: 'p' };
    for (const ip of [
      '10.0.0.1:0',
      '10.0.0.1:65536',
      'a b',
      '-oProxyCommand=x',
      'h;id',
      '$(id)',
      '1.2.3.999',
      '[::1]:x',
    ])
      cases.push([
        helm({ ...base, masternode_ip: [ip] }),
        /extra\.helm_info\.masternode_ip: .* is not host, host:port/,
      ]);
    cases.push(
      [
        helm({
          ...base,
          masternode_ip: ['10.0.0.1'],
          masternode_host_keys: { '10.0.0.1': 'ssh-ed25519 !!' },
        }),
        /masternode_host_keys\["10\.0\.0\.1"\] must be an OpenSSH public key/,
      ],
      [
        helm({ ...base, masternode_ip: ['10.0.0.1'], masternode_host_keys: { 'a b': 'SHA256:x' } }),
        /masternode_host_keys\["a b"\]: not a master-node address/,
      ],
      [
        helm({ masternode_ip: ['10.0.0.1'], masternode_username: 'u', masternode_private_key: 'not a key' }),
        /masternode_private_key is not a private key/,
      ],
      [helm({ ...base, masternode_ip: ['10.0.0.1'], masternode_username: '-oX' }), /masternode_username/],
      [
        helm({ ...base, masternode_ip: ['10.0.0.1'], masternode_passwd: 'typo' }),
        /unknown field.*masternode_passwd|masternode_passwd: unknown field/,
      ],
      [helm({ ...base, masternode_ip: ['10.0.0.1'], masternode_password: '***' }), /'\*\*\*' is the mask/],
      [
        helm(`{'masternode_ip': ${'['.repeat(5000)}${']'.repeat(5000)}}`),
        /extra\.helm_info is not a valid dict: nested deeper than/,
      ],
      [
        // The request schema bounds the string before the parser sees it.
        helm(`{'masternode_ip': ['${'a'.repeat(100_000)}']}`),
        /extra\/helm_info: must NOT have more than 65536 characters/,
      ],
    );
    for (const [payload, detail] of cases) await expect400('POST', '/v1.0/vims', payload, detail);
    assert.equal(ownCa.seen.connections, 0, 'no cluster check was even tried');
    const logs = vnfm.logs();
    assert.ok(!logs.includes(TOKEN) && !logs.includes(client.key.split('\n')[1]!), 'no secret in the log');
  });
});

describe('master-node passwords stay with the VIM’s master nodes', () => {
  let vimMaster: RecordingSshServer; // listed by the VIM, host key pinned
  let unpinnedVimMaster: RecordingSshServer; // listed by the VIM, nothing pinned: first use records it
  let stranger: RecordingSshServer; // named only by requests
  const STRANGER_PASSWORD = `own-${randomBytes(8).toString('hex')}`;
  let vim: any;

  before(async () => {
    vimMaster = await recordingSshServer();
    unpinnedVimMaster = await recordingSshServer(VIM_PASSWORD);
    stranger = await recordingSshServer(STRANGER_PASSWORD);
    vim = await registerVim(
      `helm-${randomBytes(3).toString('hex')}`,
      { bearer_token: TOKEN, ssl_ca_cert: homeTls.cert },
      {
        helm_info: {
          masternode_ip: [vimMaster.address, unpinnedVimMaster.address],
          masternode_username: 'helm',
          masternode_password: VIM_PASSWORD,
          masternode_host_keys: { [vimMaster.address]: vimMaster.hostKey },
        },
      },
    );
  });
  after(async () => {
    for (const s of [vimMaster, unpinnedVimMaster, stranger]) await s.close();
  });

  const body = (helmInfo: unknown, vci: object = {}) => ({
    flavourId: 'helmchart',
    vimConnectionInfo: [
      {
        id: 'c1',
        vimId: vim.id,
        vimType: 'kubernetes',
        ...vci,
        ...(helmInfo ? { extra: { helm_info: helmInfo } } : {}),
      },
    ],
    additionalParams: {
      namespace: `cb-${randomBytes(3).toString('hex')}`,
      use_helm: true,
      using_helm_install_param: [
        { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'vdu1' },
      ],
      vdu_mapping: { VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' } },
    },
  });
  const opOccCount = async () => (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body.length;

  test('a request naming another master without its own password, or with "***": 400, no op occ, no connection', async () => {
    const id = await createInstance(vnfm, vnfdId);
    const path = `/vnflcm/v1/vnf_instances/${id}/instantiate`;
    const ops = await opOccCount();
    await expect400(
      'POST',
      path,
      body({ masternode_ip: [stranger.address] }),
      /is not a master node of the VIM; a request naming it must give its masternode_password/,
    );
    await expect400(
      'POST',
      path,
      body({ masternode_ip: [stranger.address], masternode_password: '***' }),
      /'\*\*\*' stands for the VIM's stored secret, which is used only for the VIM's master nodes/,
    );
    await expect400(
      'POST',
      path,
      body(`{'masternode_ip': ['${stranger.address}']}`),
      /is not a master node of the VIM/,
    );
    // A VIM master's host on another port is another service: the VIM's password does not go there either.
    await expect400(
      'POST',
      path,
      body({ masternode_ip: ['127.0.0.1'], masternode_port: stranger.port }),
      /127\.0\.0\.1:\d+ is not a master node of the VIM/,
    );
    await expect400('POST', path, body({ masternode_ip: ['10.0.0.1; id'] }), /masternode_ip: .* is not host/);
    await expect400(
      'POST',
      path,
      body({ masternode_host_keys: { [vimMaster.address]: stranger.hostKey } }),
      /the VIM pins the host key of its master node .*; a request cannot replace it/,
    );
    assert.equal(await opOccCount(), ops, 'no op occ was created');
    for (const s of [vimMaster, unpinnedVimMaster, stranger]) assert.equal(s.seen.connections, 0);
  });

  test('a request-named master with its own password gets that password only, and its host key stays out of the VIM', async () => {
    const id = await createInstance(vnfm, vnfdId);
    const opId = await startOp(
      vnfm,
      id,
      'instantiate',
      body({ masternode_ip: [stranger.address], masternode_password: STRANGER_PASSWORD }),
    );
    const op = await opOccSettled(vnfm, opId);
    assert.equal(op.operationState, 'FAILED_TEMP'); // the fake master runs no helm
    assert.ok(stranger.seen.attempts.length > 0, 'the request-named master was used');
    for (const a of stranger.seen.attempts)
      assert.notEqual(a.password, VIM_PASSWORD, 'never the VIM password');
    assert.ok(stranger.seen.attempts.some((a) => a.password === STRANGER_PASSWORD));
    assert.equal(vimMaster.seen.connections + unpinnedVimMaster.seen.connections, 0);
    const pins = (await vnfm.request('GET', `/v1.0/vims/${vim.id}`)).body.vim.extra.helm_info
      .masternode_host_keys;
    assert.deepEqual(
      Object.keys(pins),
      [vimMaster.address],
      'the stranger’s host key is not recorded in the VIM',
    );
    assert.ok(!JSON.stringify(op).includes(STRANGER_PASSWORD), 'masked in the op occ');
    await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/fail`);
  });

  test('the VIM’s extra copied from GET ("***"): the stored password reaches the VIM’s masters only', async () => {
    const shown = (await vnfm.request('GET', `/v1.0/vims/${vim.id}`)).body.vim.extra.helm_info;
    assert.equal(shown.masternode_password, '***');
    const id = await createInstance(vnfm, vnfdId);
    // Only the unpinned master: it accepts the VIM's password, so the host key it presents is recorded in the VIM.
    const opId = await startOp(
      vnfm,
      id,
      'instantiate',
      body({ ...shown, masternode_ip: [unpinnedVimMaster.address] }),
    );
    const op = await opOccSettled(vnfm, opId);
    assert.equal(op.operationState, 'FAILED_TEMP');
    assert.deepEqual(
      unpinnedVimMaster.seen.attempts.filter((a) => a.method === 'password').map((a) => a.password),
      [VIM_PASSWORD],
      '"***" resolved to the stored password, sent once',
    );
    assert.equal(stranger.seen.attempts.filter((a) => a.password === VIM_PASSWORD).length, 0);
    const pins = (await vnfm.request('GET', `/v1.0/vims/${vim.id}`)).body.vim.extra.helm_info
      .masternode_host_keys;
    assert.deepEqual(
      Object.keys(pins).sort(),
      [vimMaster.address, unpinnedVimMaster.address].sort(),
      'a VIM master is pinned on first use',
    );
    await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/fail`);
  });

  test('changing the VIM’s master nodes, their port or pins needs the master-node password again', async () => {
    const path = `/v1.0/vims/${vim.id}`;
    const before = (await vnfm.request('GET', path)).body.vim;
    const need = (what: string) =>
      new RegExp(
        `extra\\.helm_info\\.${what} changed: extra\\.helm_info\\.masternode_password must be given again`,
      );
    await expect400(
      'PATCH',
      path,
      { vim: { extra: { helm_info: { masternode_ip: [stranger.address] } } } },
      need('masternode_ip'),
    );
    await expect400(
      'PATCH',
      path,
      {
        vim: {
          extra: {
            helm_info: {
              masternode_ip: [...before.extra.helm_info.masternode_ip, stranger.address],
              masternode_password: '***',
            },
          },
        },
      },
      need('masternode_ip'),
    );
    await expect400(
      'PATCH',
      path,
      { vim: { extra: { helm_info: { masternode_ip: [`[::1]:${stranger.port}`] } } } },
      need('masternode_ip'),
    );
    await expect400(
      'PATCH',
      path,
      { vim: { extra: { helm_info: { masternode_host_keys: { [vimMaster.address]: stranger.hostKey } } } } },
      need('masternode_host_keys'),
    );
    await expect400(
      'PUT',
      path,
      { vim: { extra: { helm_info: { ...before.extra.helm_info, masternode_ip: [stranger.address] } } } },
      need('masternode_ip'),
    );
    assert.deepEqual((await vnfm.request('GET', path)).body.vim, before, 'nothing changed');
    // Removing a master, or sending the GET copy back unchanged, needs nothing.
    const same = await vnfm.request('PATCH', path, { vim: { extra: { helm_info: before.extra.helm_info } } });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    const fewer = await vnfm.request('PATCH', path, {
      vim: { extra: { helm_info: { masternode_ip: [vimMaster.address] } } },
    });
    assert.equal(fewer.status, 200, JSON.stringify(fewer.body));
    // With the password again, a new master is accepted.
    const moved = await vnfm.request('PATCH', path, {
      vim: {
        extra: {
          helm_info: {
            masternode_ip: [vimMaster.address, stranger.address],
            masternode_password: VIM_PASSWORD,
          },
        },
      },
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  });
});

describe('SOL003 accessInfo / interfaceInfo secrets', () => {
  test('sealed in the engine state, masked in op occ and instance, never matched by a filter', async () => {
    const master = await recordingSshServer();
    try {
      const vim = await registerVim(
        `acc-${randomBytes(3).toString('hex')}`,
        { bearer_token: TOKEN, ssl_ca_cert: homeTls.cert },
        {
          helm_info: {
            masternode_ip: [master.address],
            masternode_username: 'helm',
            masternode_password: VIM_PASSWORD,
          },
        },
      );
      const secret = `acc-${randomBytes(8).toString('hex')}`;
      const accessInfo = {
        username: 'admin',
        password: secret,
        bearer_token: secret,
        client_key: secret,
        nested: { token: secret },
      };
      const interfaceInfo = { endpoint: home.url, ssl_ca_cert: homeTls.cert, secret };
      const id = await createInstance(vnfm, vnfdId);
      const opId = await startOp(vnfm, id, 'instantiate', {
        flavourId: 'helmchart',
        vimConnectionInfo: [{ id: 'c1', vimId: vim.id, vimType: 'kubernetes', accessInfo, interfaceInfo }],
        additionalParams: {
          use_helm: true,
          using_helm_install_param: [
            { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'vdu1' },
          ],
          vdu_mapping: { VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' } },
        },
      });
      await opOccSettled(vnfm, opId);
      const op = (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body;
      const shownVci = op.operationParams.vimConnectionInfo[0];
      assert.deepEqual(shownVci.accessInfo, {
        username: 'admin',
        password: '***',
        bearer_token: '***',
        client_key: '***',
        nested: { token: '***' },
      });
      assert.equal(shownVci.interfaceInfo.secret, '***');
      assert.equal(shownVci.interfaceInfo.endpoint, home.url);

      // The instance as a completed instantiate leaves it (what run() stores), through the store.
      const stored = (await getInstance(vnfm.ctx.db, id))!;
      assert.equal(
        requestVimConnection(vnfm.ctx, stored.infraState)?.accessInfo?.password,
        secret,
        'kept sealed',
      );
      await saveInstance(vnfm.ctx.db, {
        ...stored.instance,
        vimConnectionInfo: [{ id: 'c1', vimId: vim.id, vimType: 'kubernetes', accessInfo, interfaceInfo }],
      });
      const inst = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      assert.equal(inst.vimConnectionInfo[0].accessInfo.password, '***');

      const rows =
        JSON.stringify(await vnfm.ctx.db.selectFrom('vnf_instances').selectAll().execute()) +
        JSON.stringify(await vnfm.ctx.db.selectFrom('vnf_lcm_op_occs').selectAll().execute());
      assert.ok(!rows.includes(secret), 'not stored in clear');

      for (const [list, attr] of [
        ['vnf_instances', 'vimConnectionInfo/accessInfo/password'],
        ['vnf_lcm_op_occs', 'operationParams/vimConnectionInfo/accessInfo/password'],
      ] as const) {
        const res = await vnfm.request(
          'GET',
          `/vnflcm/v1/${list}?filter=${encodeURIComponent(`(eq,${attr},${secret})`)}`,
        );
        assert.ok(
          res.status === 400 || (res.status === 200 && res.body.length === 0),
          `${list}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
        );
        assert.ok(!JSON.stringify(res.body).includes(secret));
      }
      await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${opId}/fail`);
    } finally {
      await master.close();
    }
  });
});
