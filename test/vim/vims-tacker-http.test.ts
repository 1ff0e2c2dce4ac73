// /v1.0/vims as Tacker's NFVO API answers it over HTTP: the `.json` format suffix on
// every route (with the same 404/405 answers as without it) and the list's attribute
// filters, which python-tackerclient relies on to find a VIM by name or id.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registerTestbedVim } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

describe('/v1.0/vims, Tacker style', () => {
  let vnfm: TestVnfm;
  let one = '';
  let two = '';
  const names = async (query: string) => {
    const res = await vnfm.request('GET', `/v1.0/vims${query}`);
    assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
    return res.body.vims.map((v: any) => v.name).sort();
  };

  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'));
    one = await registerTestbedVim(vnfm, 'one');
    two = await registerTestbedVim(vnfm, 'two');
    const res = await vnfm.request('PATCH', `/v1.0/vims/${two}`, { vim: { is_default: true } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });
  after(() => vnfm.close());

  test('the .json suffix: every method, same answers', async () => {
    assert.deepEqual(
      (await vnfm.request('GET', '/v1.0/vims.json')).body.vims.map((v: any) => v.id),
      [one, two],
    );
    const shown = await vnfm.request('GET', `/v1.0/vims/${two}.json`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.vim.id, two);
    for (const method of ['PUT', 'PATCH']) {
      const res = await vnfm.request(method, `/v1.0/vims/${one}.json`, { vim: { description: method } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.vim.description, method);
    }
    assert.equal(
      (await vnfm.request('GET', `/v1.0/vims/${two}`)).body.vim.description,
      '',
      'the other VIM is unchanged',
    );
    const missing = await vnfm.request('GET', '/v1.0/vims/no-such-vim.json');
    assert.equal(missing.status, 404);
    assert.match(missing.body.detail, /VIM no-such-vim does not exist/);
    // POST .json and DELETE .json are exercised by the CLI test (test/interop/tackerclient.test.ts).
  });

  test('the .json suffix: 405 with Allow for another method, 404 for an unknown path', async () => {
    const list = await vnfm.request('DELETE', '/v1.0/vims.json');
    assert.equal(list.status, 405, JSON.stringify(list.body));
    assert.deepEqual(list.headers.get('allow')?.split(', ').sort(), ['GET', 'HEAD', 'OPTIONS', 'POST']);
    const one_ = await vnfm.request('POST', `/v1.0/vims/${one}.json`, {});
    assert.equal(one_.status, 405, JSON.stringify(one_.body));
    assert.deepEqual(one_.headers.get('allow')?.split(', ').sort(), [
      'DELETE',
      'GET',
      'HEAD',
      'OPTIONS',
      'PATCH',
      'PUT',
    ]);
    assert.equal((await vnfm.request('GET', `/v1.0/vims/${one}/x.json`)).status, 404);
    assert.equal((await vnfm.request('GET', '/v1.0/vims.xml')).status, 404);
  });

  test('filters: id and name, repeated means any, combined means all', async () => {
    assert.deepEqual(await names(`?id=${two}`), ['two']);
    assert.deepEqual(await names(`.json?id=${one}`), ['one']);
    assert.deepEqual(await names(`?id=${one}&id=${two}`), ['one', 'two']);
    assert.deepEqual(await names('?name=two'), ['two']);
    assert.deepEqual(await names('?name=one&name=two&name=three'), ['one', 'two']);
    assert.deepEqual(await names(`?name=one&id=${two}`), []);
    assert.deepEqual(await names('?id=unknown'), []);
    assert.deepEqual(await names('?name='), []);
  });

  test('filters: other attributes of the view; fields is ignored', async () => {
    assert.deepEqual(await names('?is_default=true'), ['two']);
    assert.deepEqual(await names('?is_default=False'), ['one']);
    assert.deepEqual(await names('?type=kubernetes&status=REACHABLE'), ['one', 'two']);
    assert.deepEqual(await names('?type=openstack'), []);
    assert.deepEqual(await names('?tenant_id=default&description=PATCH'), ['one']);
    assert.deepEqual(await names('?fields=id&fields=name'), ['one', 'two']);
    const full = (await vnfm.request('GET', '/v1.0/vims?fields=id')).body.vims[0];
    assert.equal(full.auth_cred.bearer_token, '***', 'the whole view, secrets masked');
  });

  test('filters: an unknown parameter or a bad boolean is a 400 naming it', async () => {
    const unknown = await vnfm.request('GET', '/v1.0/vims?nmae=two');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.detail, /querystring\/nmae: unknown field/);
    const bad = await vnfm.request('GET', '/v1.0/vims?is_default=maybe');
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /is_default: 'maybe' is not a boolean/);
  });
});
