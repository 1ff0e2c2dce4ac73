// /v1.0/vims against the real testbed cluster, on SQLite and on PostgreSQL:
// registration proves the credentials, secrets are masked in every answer,
// encrypted at rest and absent from the log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const MASTER_PASSWORD = 'm@ster p4ss; $(rm -rf /)';

for (const store of STORES) {
  describe(`VIM registry on ${store}`, () => {
    let vnfm: TestVnfm;
    let token = '';
    let ca = '';
    let authUrl = '';
    const body = (name: string, extra?: unknown) => ({
      vim: {
        name,
        description: 'testbed cluster',
        type: 'kubernetes',
        auth_url: authUrl,
        auth_cred: { bearer_token: token, ssl_ca_cert: ca },
        vim_project: { name: 'default' },
        is_default: false,
        extra: extra ?? {
          helm_info: {
            masternode_ip: ['127.0.0.2'],
            masternode_username: 'vnfmtb',
            masternode_password: MASTER_PASSWORD,
          },
        },
      },
    });

    before(async () => {
      const env = await testbed();
      token = env.bearerToken;
      ca = readFileSync(env.caFile, 'utf8');
      authUrl = env.apiServer;
      vnfm = await startVnfm(await freshStore(store));
    });
    after(() => vnfm.close());

    test('register: 201, Location, secrets masked, REACHABLE', async () => {
      const res = await vnfm.request('POST', '/v1.0/vims', body('site-1'));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const vim = res.body.vim;
      assert.equal(res.headers.get('location'), `/v1.0/vims/${vim.id}`);
      assert.equal(vim.status, 'REACHABLE');
      assert.equal(vim.auth_cred.bearer_token, '***');
      assert.equal(vim.auth_cred.ssl_ca_cert, ca);
      assert.equal(vim.extra.helm_info.masternode_password, '***');
      assert.deepEqual(vim.extra.helm_info.masternode_ip, ['127.0.0.2']);
      assert.deepEqual(vim.vim_project, { name: 'default' });

      const one = await vnfm.request('GET', `/v1.0/vims/${vim.id}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.vim.auth_cred.bearer_token, '***');
      const list = await vnfm.request('GET', '/v1.0/vims');
      assert.equal(list.status, 200);
      assert.ok(list.body.vims.some((v: { id: string }) => v.id === vim.id));
    });

    test('secrets are encrypted at rest and never logged', async () => {
      const rows = await vnfm.ctx.db.selectFrom('vims').selectAll().execute();
      const stored = JSON.stringify(rows);
      assert.ok(rows.length > 0);
      assert.ok(!stored.includes(token), 'token not stored in clear');
      assert.ok(!stored.includes(MASTER_PASSWORD), 'password not stored in clear');
      assert.match(rows[0]?.secrets ?? '', /^v1:/);
      const logs = vnfm.logs();
      assert.ok(logs.length > 0, 'the server logged something');
      assert.ok(!logs.includes(token) && !logs.includes(MASTER_PASSWORD), 'no secret in the log');
    });

    test('helm_info stored as a Python-style dict string is read', async () => {
      const pyDict = `{'masternode_ip': ['127.0.0.2', '127.0.0.3'], 'masternode_username': 'vnfmtb', 'masternode_password': 'x\\'y'}`;
      const res = await vnfm.request('POST', '/v1.0/vims', body('site-py', { helm_info: pyDict }));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.vim.extra.helm_info.masternode_ip, ['127.0.0.2', '127.0.0.3']);
      assert.equal(res.body.vim.extra.helm_info.masternode_password, '***');
      const vim = await import('../../src/db/queries/vims.ts').then((q) =>
        q.getVim(vnfm.ctx.db, vnfm.ctx.secrets, res.body.vim.id),
      );
      assert.equal(vim?.extra.helm_info?.masternode_password, "x'y");
    });

    test('bad token, unreachable auth_url, wrong CA: 400 naming the cause, nothing stored', async () => {
      const before = (await vnfm.request('GET', '/v1.0/vims')).body.vims.length;
      const bad = body('bad-token');
      bad.vim.auth_cred.bearer_token = 'not-a-token';
      let res = await vnfm.request('POST', '/v1.0/vims', bad);
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.match(res.body.detail, /401 Unauthorized/);
      assert.ok(!JSON.stringify(res.body).includes('not-a-token'));

      const down = body('unreachable');
      down.vim.auth_url = `https://127.0.0.1:${await freePort()}`;
      res = await vnfm.request('POST', '/v1.0/vims', down);
      assert.equal(res.status, 400);
      assert.match(res.body.detail, /unreachable: connection refused/);

      const wrongCa = body('wrong-ca');
      wrongCa.vim.auth_cred.ssl_ca_cert = readFileSync(
        new URL('../fixtures/other-ca.pem', import.meta.url),
        'utf8',
      );
      res = await vnfm.request('POST', '/v1.0/vims', wrongCa);
      assert.equal(res.status, 400);
      assert.match(res.body.detail, /TLS|certificate/);
      assert.equal((await vnfm.request('GET', '/v1.0/vims')).body.vims.length, before);
    });

    test('malformed bodies: 400 ProblemDetails', async () => {
      const cases: [unknown, RegExp][] = [
        [{}, /vim/],
        [
          { vim: { name: 'x', type: 'openstack', auth_url: authUrl, auth_cred: { bearer_token: token } } },
          /kubernetes/,
        ],
        [{ vim: { name: 'x', type: 'kubernetes', auth_url: authUrl, auth_cred: {} } }, /bearer_token/],
        [
          body('x', { helm_info: { masternode_ip: 42 } }),
          /masternode_ip:? must be (a list|an address or a list)/,
        ],
        [body('x', { helm_info: "{'masternode_ip': [" }), /helm_info is not a valid dict/],
        [
          body('x', { helm_info: { masternode_ip: ['127.0.0.2'], masternode_username: 'u' } }),
          /masternode_password/,
        ],
      ];
      for (const [payload, detail] of cases) {
        const res = await vnfm.request('POST', '/v1.0/vims', payload);
        assert.equal(res.status, 400, JSON.stringify(payload));
        assert.equal(res.body.status, 400);
        assert.match(res.body.detail, detail);
      }
    });

    test('duplicate name: 409', async () => {
      assert.equal((await vnfm.request('POST', '/v1.0/vims', body('dup'))).status, 201);
      const res = await vnfm.request('POST', '/v1.0/vims', body('dup'));
      assert.equal(res.status, 409);
      assert.match(res.body.detail, /already exists/);
    });

    test('PATCH merges and keeps masked secrets, PUT replaces, is_default is unique', async () => {
      const a = (await vnfm.request('POST', '/v1.0/vims', body('upd-a'))).body.vim;
      const b = (await vnfm.request('POST', '/v1.0/vims', body('upd-b'))).body.vim;
      let res = await vnfm.request('PATCH', `/v1.0/vims/${a.id}`, {
        vim: { description: 'patched', auth_cred: { bearer_token: '***' }, is_default: true },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.vim.description, 'patched');
      assert.equal(res.body.vim.is_default, true);
      assert.equal(res.body.vim.auth_cred.ssl_ca_cert, ca, 'PATCH keeps fields it does not name');
      res = await vnfm.request('PUT', `/v1.0/vims/${b.id}`, { vim: { name: 'upd-b2', is_default: true } });
      assert.equal(res.status, 200);
      assert.equal(res.body.vim.name, 'upd-b2');
      assert.equal((await vnfm.request('GET', `/v1.0/vims/${a.id}`)).body.vim.is_default, false);
      res = await vnfm.request('PATCH', `/v1.0/vims/${a.id}`, {
        vim: { auth_cred: { bearer_token: 'wrong' } },
      });
      assert.equal(res.status, 400, 'new credentials are checked');
      assert.equal(
        (await vnfm.request('PATCH', `/v1.0/vims/${a.id}`, { vim: { type: 'openstack' } })).status,
        400,
      );
    });

    test('DELETE: 204, then 404', async () => {
      const vim = (await vnfm.request('POST', '/v1.0/vims', body('to-delete'))).body.vim;
      assert.equal((await vnfm.request('DELETE', `/v1.0/vims/${vim.id}`)).status, 204);
      const res = await vnfm.request('GET', `/v1.0/vims/${vim.id}`);
      assert.equal(res.status, 404);
      assert.equal((await vnfm.request('DELETE', `/v1.0/vims/${vim.id}`)).status, 404);
    });
  });
}
