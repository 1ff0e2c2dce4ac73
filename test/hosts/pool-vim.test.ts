// A hostpool VIM through /v1.0/vims, on SQLite and PostgreSQL: registered, shown and
// listed with every host secret masked, sealed at rest (VIM row and pool_hosts rows),
// strict about its body, '***' sent back keeps a secret, a moved host needs its secret
// again, bound hosts cannot change or go (a DIRTY one may get a new login, to be wiped), and
// a pool is never the default Kubernetes VIM.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { allocateHosts, releaseHosts, freeHost } from '../../src/db/queries/pool-hosts.ts';
import { registerTestbedVim } from '../helpers/lcm.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { hostKey, poolBody, poolHosts } from './pool-helpers.ts';

for (const store of STORES) {
  describe(`hostpool VIM on ${store}`, () => {
    let vnfm: TestVnfm;
    before(async () => {
      vnfm = await startVnfm(await freshStore(store), { worker: false });
    });
    after(() => vnfm.close());

    const hosts = poolHosts(3);
    let vimId = '';

    test('register: 201, secrets masked in POST, GET and list, port defaulted', async () => {
      const res = await vnfm.request(
        'POST',
        '/v1.0/vims',
        poolBody('pool-1', hosts, { vim_project: { name: 'p' } }),
      );
      assert.equal(res.status, 201, JSON.stringify(res.body));
      vimId = res.body.vim.id;
      for (const view of [
        res.body.vim,
        (await vnfm.request('GET', `/v1.0/vims/${vimId}`)).body.vim,
        (await vnfm.request('GET', '/v1.0/vims?type=hostpool')).body.vims.find((v: any) => v.id === vimId),
      ]) {
        assert.equal(view.type, 'hostpool');
        assert.equal(view.status, 'REACHABLE');
        assert.equal(view.auth_url, '');
        assert.deepEqual(view.auth_cred, {});
        assert.deepEqual(view.vim_project, { name: 'p' });
        assert.deepEqual(
          view.extra.hosts.map((h: any) => [h.id, h.address, h.port, h.password, h.private_key, h.host_key]),
          hosts.map((h) => [h.id, h.address, 22, h.password && '***', h.private_key && '***', h.host_key]),
        );
        assert.deepEqual(view.extra.hosts[0].cps, { CP1: '127.0.2.1' });
      }
    });

    test('secrets are sealed at rest: VIM row and pool_hosts rows, which start FREE', async () => {
      const vimRows = JSON.stringify(await vnfm.ctx.db.selectFrom('vims').selectAll().execute());
      const poolRows = await vnfm.ctx.db.selectFrom('pool_hosts').selectAll().orderBy('host_id').execute();
      assert.deepEqual(
        poolRows.map((r) => [r.host_id, r.state, r.vnf_instance_id]),
        hosts.map((h) => [h.id, 'FREE', null]),
      );
      for (const h of hosts) {
        const secret = (h.password ?? h.private_key)!;
        assert.ok(!vimRows.includes(secret), `${h.id}'s secret not in the vims row in clear`);
        assert.ok(!JSON.stringify(poolRows).includes(secret), `${h.id}'s secret not in pool_hosts in clear`);
      }
      const opened = vnfm.ctx.secrets.openJson<Record<string, string>>(poolRows[0]!.secrets);
      assert.deepEqual(opened, { password: hosts[0]!.password });
      assert.ok(!vnfm.logs().includes(hosts[0]!.password!), 'no secret in the log');
    });

    test('strict body: each mistake a 400 naming the field', async () => {
      const h = hosts[0]!;
      const cases: [string, unknown, RegExp][] = [
        ['unknown host field', [{ ...h, id: 'x1', color: 'red' }], /hosts\/0\/color: unknown field/],
        ['missing host_key', [{ ...h, id: 'x1', host_key: undefined }], /hosts\/0\/host_key: is required/],
        ['bad host_key', [{ ...h, id: 'x1', host_key: 'ssh-ed25519 nonsense' }], /hosts\[0\]\.host_key/],
        ['no secret', [{ ...h, id: 'x1', password: undefined }], /hosts\[0\] needs password or private_key/],
        ['bad private key', [{ ...h, id: 'x1', private_key: 'nope' }], /hosts\[0\]\.private_key/],
        ['duplicate id', [h, { ...h }], /hosts\[1\]\.id: 'h1' is given twice/],
        ['bad id', [{ ...h, id: '../etc' }], /hosts\/0\/id/],
        ['port', [{ ...h, id: 'x1', port: 70000 }], /hosts\/0\/port/],
        ['cp not an IP', [{ ...h, id: 'x1', cps: { CP1: 'example.com' } }], /hosts\[0\]\.cps\.CP1/],
        ['bad address', [{ ...h, id: 'x1', address: 'a b' }], /hosts\[0\]\.address/],
        ['masked new host', [{ ...h, id: 'x1', password: '***' }], /host x1 has none stored/],
      ];
      for (const [what, hs, detail] of cases) {
        const res = await vnfm.request('POST', '/v1.0/vims', poolBody(`bad-${what}`, hs as never));
        assert.equal(res.status, 400, what);
        assert.match(res.body.detail, detail, what);
      }
      for (const [field, value] of [
        ['auth_url', 'https://10.0.0.1:6443'],
        ['auth_cred', { bearer_token: 't' }],
      ] as const) {
        const res = await vnfm.request(
          'POST',
          '/v1.0/vims',
          poolBody(`bad-${field}`, hosts, { [field]: value }),
        );
        assert.equal(res.status, 400, field);
        assert.match(res.body.detail, new RegExp(`${field} is not a field of a hostpool VIM`));
      }
      const noHosts = await vnfm.request('POST', '/v1.0/vims', { vim: { name: 'empty', type: 'hostpool' } });
      assert.equal(noHosts.status, 400);
      assert.match(noHosts.body.detail, /extra\.hosts is required/);
      const helm = await vnfm.request('POST', '/v1.0/vims', {
        vim: {
          name: 'mixed',
          type: 'hostpool',
          extra: { hosts, helm_info: { masternode_ip: ['10.0.0.1'] } },
        },
      });
      assert.equal(helm.status, 400);
      assert.match(helm.body.detail, /extra\.helm_info is not a field of a hostpool VIM/);
      assert.equal(
        (await vnfm.request('GET', '/v1.0/vims?type=hostpool')).body.vims.length,
        1,
        'nothing stored',
      );
    });

    test("PUT with the masked view keeps every secret ('***' means keep)", async () => {
      const shown = (await vnfm.request('GET', `/v1.0/vims/${vimId}`)).body.vim;
      const res = await vnfm.request('PUT', `/v1.0/vims/${vimId}`, {
        vim: { description: 'renamed', extra: shown.extra },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.vim.description, 'renamed');
      const rows = await vnfm.ctx.db.selectFrom('pool_hosts').selectAll().orderBy('host_id').execute();
      for (const [i, r] of rows.entries()) {
        const h = hosts[i]!;
        const want = h.password ? { password: h.password } : { private_key: h.private_key };
        assert.deepEqual(vnfm.ctx.secrets.openJson(r.secrets), want, `${h.id} kept its secret`);
      }
    });

    test('a host moved (address, port, user, host key) needs its secret again', async () => {
      const shown = (await vnfm.request('GET', `/v1.0/vims/${vimId}`)).body.vim;
      const moves = [
        { address: '127.0.9.9' },
        { port: 2222 },
        { username: 'other' },
        { host_key: hostKey() },
      ];
      for (const move of moves) {
        const moved = shown.extra.hosts.map((h: any, i: number) => (i === 0 ? { ...h, ...move } : h));
        const res = await vnfm.request('PATCH', `/v1.0/vims/${vimId}`, { vim: { extra: { hosts: moved } } });
        assert.equal(res.status, 400, JSON.stringify(move));
        assert.match(
          res.body.detail,
          new RegExp(`host h1: ${Object.keys(move)[0]} changed, so password must be given again`),
        );
      }
      const moved = shown.extra.hosts.map((h: any, i: number) =>
        i === 0 ? { ...h, address: '127.0.9.9', password: 'n3w-pw' } : h,
      );
      const ok = await vnfm.request('PATCH', `/v1.0/vims/${vimId}`, { vim: { extra: { hosts: moved } } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.vim.extra.hosts[0].address, '127.0.9.9');
      assert.equal(ok.body.vim.extra.hosts[0].password, '***');
      const row = await vnfm.ctx.db
        .selectFrom('pool_hosts')
        .selectAll()
        .where('host_id', '=', 'h1')
        .executeTakeFirstOrThrow();
      assert.deepEqual(vnfm.ctx.secrets.openJson(row.secrets), { password: 'n3w-pw' });
    });

    test('an ALLOCATED or DIRTY host cannot be removed or changed (a DIRTY one only re-keyed or moved, its secret again); the pool cannot be deleted while in use', async () => {
      await allocateHosts(vnfm.ctx.db, vimId, 'inst-1', [{ vduId: 'VDU1', vnfcId: 'c1', index: 0 }]);
      const taken = (
        await vnfm.ctx.db
          .selectFrom('pool_hosts')
          .select(['host_id', 'state'])
          .where('state', '=', 'ALLOCATED')
          .executeTakeFirstOrThrow()
      ).host_id;
      const shown = (await vnfm.request('GET', `/v1.0/vims/${vimId}`)).body.vim;
      const without = shown.extra.hosts.filter((h: any) => h.id !== taken);
      const changed = shown.extra.hosts.map((h: any) =>
        h.id === taken ? { ...h, labels: { vdu: 'VDU9' } } : h,
      );
      // The taken host re-keyed, its secret given again (a moved host's rule).
      const secret = (({ password, private_key }) => (password ? { password } : { private_key }))(
        hosts.find((h) => h.id === taken)!,
      );
      const newKey = hostKey();
      const rekeyed = (more: object = {}) =>
        shown.extra.hosts.map((h: any) =>
          h.id === taken ? { ...h, host_key: newKey, ...secret, ...more } : h,
        );
      for (const state of ['ALLOCATED', 'DIRTY']) {
        // A DIRTY host's login may change (below); with anything else it is refused as well.
        const refused =
          state === 'ALLOCATED'
            ? [without, changed, rekeyed()]
            : [without, changed, rekeyed({ cps: { CP9: '127.0.9.1' } })];
        for (const hs of refused) {
          const res = await vnfm.request('PUT', `/v1.0/vims/${vimId}`, { vim: { extra: { hosts: hs } } });
          assert.equal(res.status, 409, `${state}: ${JSON.stringify(res.body)}`);
          assert.match(res.body.detail, new RegExp(`host ${taken} is ${state}`));
        }
        const del = await vnfm.request('DELETE', `/v1.0/vims/${vimId}`);
        assert.equal(del.status, 409);
        assert.match(del.body.detail, new RegExp(`${taken} \\(${state}\\)`));
        await releaseHosts(vnfm.ctx.db, 'inst-1');
      }
      // Nothing of the refused updates was stored.
      assert.equal((await vnfm.request('GET', `/v1.0/vims/${vimId}`)).body.vim.extra.hosts.length, 3);
      // Other hosts may still change while one is bound.
      const other = shown.extra.hosts.map((h: any) =>
        h.id !== taken ? { ...h, labels: { rack: 'r2' } } : h,
      );
      const res = await vnfm.request('PUT', `/v1.0/vims/${vimId}`, { vim: { extra: { hosts: other } } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const row = await vnfm.ctx.db
        .selectFrom('pool_hosts')
        .selectAll()
        .where('host_id', '=', taken)
        .executeTakeFirstOrThrow();
      assert.equal(row.state, 'DIRTY', 'allocation columns survive an update');
      assert.equal(row.vnfc_id, 'c1');
      // A DIRTY host whose key changed (it could not be wiped): the operator pins the new key,
      // giving its secret again; it stays DIRTY and attached, for the instance's next
      // operation to wipe it with the new key.
      const bare = shown.extra.hosts.map((h: any) => (h.id === taken ? { ...h, host_key: newKey } : h));
      const again = await vnfm.request('PATCH', `/v1.0/vims/${vimId}`, { vim: { extra: { hosts: bare } } });
      assert.equal(again.status, 400, JSON.stringify(again.body));
      assert.match(
        again.body.detail,
        new RegExp(`host ${taken}: host_key changed, so \\w+ must be given again`),
      );
      const fixed = await vnfm.request('PATCH', `/v1.0/vims/${vimId}`, {
        vim: { extra: { hosts: rekeyed() } },
      });
      assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
      const rekeyedRow = await vnfm.ctx.db
        .selectFrom('pool_hosts')
        .selectAll()
        .where('host_id', '=', taken)
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(rekeyedRow.spec).host_key, newKey);
      assert.deepEqual(vnfm.ctx.secrets.openJson(rekeyedRow.secrets), secret);
      assert.deepEqual(
        [rekeyedRow.state, rekeyedRow.vnf_instance_id, rekeyedRow.vnfc_id],
        ['DIRTY', 'inst-1', 'c1'],
        'still to be wiped, by its instance',
      );
      await freeHost(vnfm.ctx.db, vimId, taken, 'inst-1');
      assert.equal((await vnfm.request('DELETE', `/v1.0/vims/${vimId}`)).status, 204);
      assert.equal(
        (await vnfm.ctx.db.selectFrom('pool_hosts').selectAll().execute()).length,
        0,
        'its hosts went with it',
      );
    });

    test('a hostpool VIM is never the default Kubernetes VIM', async () => {
      const pool = await vnfm.request(
        'POST',
        '/v1.0/vims',
        poolBody('pool-default', poolHosts(1), { is_default: true }),
      );
      assert.equal(pool.status, 201);
      // No Kubernetes VIM is default: instantiate without a VIM finds none, the pool does not count.
      const { onboardPackage, createInstance } = await import('../helpers/lcm.ts');
      const { vnfdId } = await onboardPackage(vnfm);
      const inst = await createInstance(vnfm, vnfdId);
      const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${inst}/instantiate`, {
        flavourId: 'helmchart',
      });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.detail, /no default VIM registered/);
      // A default Kubernetes VIM stays default when a pool is registered as default.
      const k8s = await registerTestbedVim(vnfm, 'k8s-default');
      await vnfm.request('PATCH', `/v1.0/vims/${k8s}`, { vim: { is_default: true } });
      await vnfm.request(
        'POST',
        '/v1.0/vims',
        poolBody('pool-default-2', poolHosts(1), { is_default: true }),
      );
      assert.equal((await vnfm.request('GET', `/v1.0/vims/${k8s}`)).body.vim.is_default, true);
      // And a Kubernetes VIM's body refuses pool fields.
      const mixed = await vnfm.request('PATCH', `/v1.0/vims/${k8s}`, {
        vim: { extra: { hosts: poolHosts(1) } },
      });
      assert.equal(mixed.status, 400);
      assert.match(mixed.body.detail, /extra\.hosts is a field of hostpool VIMs only/);
    });
  });
}
