// SOL013 on the VNF instance list, on SQLite and PostgreSQL: filters on columns
// run as SQL, filters on other attributes in memory, and both page the same way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { onboardPackage } from '../helpers/lcm.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

for (const store of STORES) {
  describe(`instance list on ${store}`, () => {
    let vnfm: TestVnfm;
    before(async () => {
      vnfm = await startVnfm(await freshStore(store), { pageSize: 2, worker: false });
      const { vnfdId } = await onboardPackage(vnfm);
      for (const [name, site] of [
        ['edge-a', 'north'],
        ['edge-b', 'south'],
        ['core_1', 'north'],
        ["o'brien", 'north'],
        ['core%2', 'south'],
      ]) {
        const res = await vnfm.request('POST', '/vnflcm/v1/vnf_instances', {
          vnfdId,
          vnfInstanceName: name,
          metadata: { site },
        });
        assert.equal(res.status, 201);
      }
    });
    after(() => vnfm.close());

    /** Follows Link headers; returns every name, in order. */
    const all = async (query: string) => {
      const names: string[] = [];
      let next: string | undefined = `/vnflcm/v1/vnf_instances${query}`;
      while (next) {
        const res = await vnfm.request('GET', next);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.ok(res.body.length <= 2);
        names.push(...res.body.map((i: any) => i.vnfInstanceName));
        next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      }
      return names;
    };
    const q = (f: string) => `?filter=${encodeURIComponent(f)}`;

    test('column filters (SQL) with paging', async () => {
      assert.deepEqual(await all(''), ['edge-a', 'edge-b', 'core_1', "o'brien", 'core%2']);
      assert.deepEqual(await all(q('(eq,vnfInstanceName,edge-a,core_1)')), ['edge-a', 'core_1']);
      assert.deepEqual(await all(q('(neq,vnfInstanceName,edge-a)')), [
        'edge-b',
        'core_1',
        "o'brien",
        'core%2',
      ]);
      assert.deepEqual(await all(q('(cont,vnfInstanceName,edge)')), ['edge-a', 'edge-b']);
      assert.deepEqual(await all(q('(cont,vnfInstanceName,%)')), ['core%2'], '% is literal');
      assert.deepEqual(await all(q('(cont,vnfInstanceName,_)')), ['core_1'], '_ is literal');
      assert.deepEqual(await all(q("(eq,vnfInstanceName,'o''brien')")), ["o'brien"]);
      assert.deepEqual(await all(q('(gte,vnfInstanceName,edge-b)')), ['edge-b', "o'brien"]);
      assert.deepEqual(await all(q('(eq,vnfProductName,Sample CNF);(ncont,vnfInstanceName,core)')), [
        'edge-a',
        'edge-b',
        "o'brien",
      ]);
    });

    test('filters on other attributes (in memory) page the same way', async () => {
      assert.deepEqual(await all(q('(eq,metadata/site,north)')), ['edge-a', 'core_1', "o'brien"]);
      assert.deepEqual(await all(q('(eq,metadata/site,north);(cont,vnfInstanceName,e)')), [
        'edge-a',
        'core_1',
        "o'brien",
      ]);
      const res = await vnfm.request(
        'GET',
        `/vnflcm/v1/vnf_instances${q('(eq,metadata/site,north)')}&nextpage_opaque_marker=x`,
      );
      assert.equal(res.status, 400);
    });
  });
}
