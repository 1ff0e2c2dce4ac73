// SOL013 on the VNF instance list, on SQLite and PostgreSQL: filters on columns
// run as SQL, filters on other attributes in memory, and both page the same way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VNF_INSTANCE_ATTRIBUTES } from '../../src/api/sol013/attributes.ts';
import { assertKnownAttributes } from '../helpers/attributes.ts';
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

    /** A 400 ProblemDetails whose detail matches `detail`. */
    const rejects = async (path: string, detail: RegExp) => {
      const res = await vnfm.request('GET', path);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(res.body.title, 'Bad Request');
      assert.match(res.body.detail, detail, path);
    };
    const LIST = '/vnflcm/v1/vnf_instances';
    const OPS = '/vnflcm/v1/vnf_lcm_op_occs';

    test('filter attributes must be attributes of the resource (no prototype names)', async () => {
      for (const attr of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'noSuchAttribute']) {
        await rejects(`${LIST}${q(`(eq,${attr},x)`)}`, new RegExp(`'${attr}' is not an attribute`));
        await rejects(`${OPS}${q(`(eq,${attr},x)`)}`, new RegExp(`'${attr}' is not an attribute`));
        await rejects(`${LIST}${q(`(eq,instantiatedVnfInfo/${attr},x)`)}`, /is not an attribute/);
      }
      await rejects(`${LIST}${q('(eq,metadata/__proto__,x)')}`, /is not an attribute/);
      await rejects(`${LIST}${q('(eq,vnfInstanceName/deeper,x)')}`, /is not an attribute/);
      await rejects(`${LIST}${q('(eq,instantiatedVnfInfo,x)')}`, /is a structure/);
      await rejects(`${LIST}${q('(eq,vimConnectionInfo/accessInfo/password,x)')}`, /credentials/);
      await rejects(
        `${LIST}${q('(gt,vimConnectionInfo/extra/helm_info/masternode_password,a)')}`,
        /credentials/,
      );
      await rejects(
        `${OPS}${q('(eq,operationParams/vimConnectionInfo/interfaceInfo/token,a)')}`,
        /credentials/,
      );
      // Attributes of nested structures and free-form metadata are fine.
      assert.deepEqual(await all(q('(eq,instantiatedVnfInfo/vnfcResourceInfo/vduId,x)')), []);
      assert.deepEqual(await all(q('(eq,vimConnectionInfo/vimType,kubernetes)')), []);
      assert.deepEqual(await all(q('(eq,metadata/constructor,x)')), []);
      const ops = await vnfm.request('GET', `${OPS}${q('(eq,operationParams/flavourId,simple)')}`);
      assert.equal(ops.status, 200);
    });

    test('every attribute a listed instance has is in the hand-written attribute list', async () => {
      const res = await vnfm.request('GET', '/vnflcm/v1/vnf_instances?all_fields');
      assert.equal(res.status, 200);
      assertKnownAttributes(VNF_INSTANCE_ATTRIBUTES, res.body);
    });

    test('malformed and oversized filters are 400', async () => {
      await rejects(`${LIST}${q('eq,vnfInstanceName,x')}`, /must look like/);
      await rejects(`${LIST}${q('(eq,vnfInstanceName,x')}`, /must look like/);
      await rejects(`${LIST}${q('(eq,vnfInstanceName,x);')}`, /must look like/);
      await rejects(`${LIST}${q('(like,vnfInstanceName,x)')}`, /unknown operator/);
      await rejects(`${LIST}${q('(eq,vnfInstanceName)')}`, /no value/);
      await rejects(`${LIST}${q('(eq,,x)')}`, /names no attribute/);
      await rejects(`${LIST}${q("(eq,vnfInstanceName,'x)")}`, /unterminated quote/);
      await rejects(`${LIST}${q('(gt,vnfInstanceName,a,b)')}`, /exactly one value/);
      await rejects(`${LIST}${q('(eq,metadata//site,x)')}`, /is not an attribute/);
      await rejects(`${LIST}${q(Array(33).fill('(eq,id,x)').join(';'))}`, /more than 32 terms/);
      await rejects(`${LIST}${q(`(in,id,${Array(300).fill('x').join(',')})`)}`, /more than 256 values/);
      await rejects(`${LIST}${q(`(eq,id,${'x'.repeat(4100)})`)}`, /longer than 4096/);
      await rejects(`${LIST}?filter=(eq,id,a)&filter=(eq,id,b)`, /more than once/);
      await rejects(`${LIST}?filtr=(eq,id,a)`, /unknown query parameter 'filtr'/);
      await rejects(`${LIST}?__proto__=1`, /unknown query parameter '__proto__'/);
    });

    test('fields and exclude_fields name attributes of the resource', async () => {
      await rejects(`${LIST}?fields=metadata,nosuch`, /fields: 'nosuch' is not an attribute/);
      await rejects(`${LIST}?exclude_fields=__proto__`, /exclude_fields: '__proto__' is not an attribute/);
      await rejects(`${LIST}?exclude_fields=constructor`, /'constructor' is not an attribute/);
      await rejects(`${OPS}?fields=toString`, /'toString' is not an attribute/);
      await rejects(`${LIST}?fields=instantiatedVnfInfo/nosuch`, /is not an attribute/);
      await rejects(`${LIST}?fields=${Array(101).fill('metadata').join(',')}`, /more than 100/);
      const withMeta = await vnfm.request('GET', `${LIST}?fields=metadata/site`);
      assert.equal(withMeta.status, 200);
      assert.deepEqual(withMeta.body[0].metadata, { site: 'north' });
      const noName = await vnfm.request(
        'GET',
        `${LIST}?exclude_fields=vnfInstanceName,vimConnectionInfo/accessInfo`,
      );
      assert.equal(noName.status, 200);
      assert.equal(noName.body[0].vnfInstanceName, undefined);
      assert.ok(noName.body[0].vnfdId);
    });

    test('nextpage_opaque_marker garbage is 400', async () => {
      for (const marker of [
        'x',
        '%00',
        'MTox',
        Buffer.from('-1:abc').toString('base64url'),
        'a'.repeat(200),
      ]) {
        await rejects(
          `${LIST}?nextpage_opaque_marker=${encodeURIComponent(marker)}`,
          /nextpage_opaque_marker/,
        );
      }
      const first = await vnfm.request('GET', LIST);
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1] ?? '';
      const marker = new URL(next, 'http://x').searchParams.get('nextpage_opaque_marker') ?? '';
      await rejects(`${LIST}${q('(eq,id,x)')}&nextpage_opaque_marker=${marker}`, /another query/);
    });

    test('a page cut from the stored brief equals the instances read whole, cut by the selectors', async () => {
      // metadata is excluded by default: the default page is made from the brief column,
      // all_fields, fields=metadata and exclude_fields from the whole JSON.
      const ids = (await vnfm.request('GET', '/vnflcm/v1/vnf_instances?all_fields')).body.map(
        (i: any) => i.id,
      );
      for (const id of ids) {
        const whole = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
        const byId = async (query: string) => {
          const res = await vnfm.request('GET', `/vnflcm/v1/vnf_instances?filter=(eq,id,${id})${query}`);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal(res.body.length, 1);
          return res.body[0];
        };
        const { metadata, ...withoutDefaults } = whole;
        assert.ok(metadata?.site, 'the instance has metadata to leave out');
        assert.deepEqual(await byId(''), withoutDefaults);
        assert.deepEqual(await byId('&all_fields'), whole);
        assert.deepEqual(await byId('&fields=metadata'), whole);
        assert.deepEqual(await byId('&exclude_default'), withoutDefaults);
        // exclude_fields alone leaves out only what it names (SOL013 §5.3): read whole.
        const { vnfProvider: _p, ...withoutProvider } = whole;
        assert.deepEqual(await byId('&exclude_fields=vnfProvider'), withoutProvider);
      }
    });
  });
}
