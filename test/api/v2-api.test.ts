// /vnflcm/v2 without a cluster: Version negotiation as the reference VNFM answers its v2
// clients, the instance resources (create, list with SOL013 filter / selectors / paging,
// show, PATCH, delete) and one instance seen through v1 and v2, and the strict request
// schemas (each unknown or misshapen field a 400 ProblemDetails naming it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { onboardPackage, registerTestbedVim } from '../helpers/lcm.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { createInstanceV2, opOccSettledV2, runOpV2, startOpV2, V2, v2 } from '../helpers/v2.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const isProblem = (res: { status: number; body: any; headers: Headers }, status: number) => {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.detail, 'string');
};

for (const store of STORES) {
  describe(`/vnflcm/v2 resources on ${store}`, () => {
    let vnfm: TestVnfm;
    let vnfdId = '';
    let vimId = '';
    before(async () => {
      vnfm = await startVnfm(await freshStore(store), { pageSize: 2 });
      vnfdId = (await onboardPackage(vnfm)).vnfdId;
      vimId = await registerTestbedVim(vnfm, `v2-${store}`);
    });
    after(() => vnfm.close());

    test('Version: required under /vnflcm/v2, major 2 only; api_versions list both majors', async () => {
      const path = `${V2}/vnf_instances`;
      const missing = await vnfm.request('GET', path);
      isProblem(missing, 400);
      assert.match(missing.body.detail, /'Version' header is missing/);
      assert.equal(missing.headers.get('version'), '2.0.0');
      isProblem(await vnfm.request('GET', path, undefined, { version: 'garbage' }), 400);
      isProblem(await vnfm.request('GET', path, undefined, { version: '2.0' }), 400);
      const v1 = await vnfm.request('GET', path, undefined, { version: '1.3.0' });
      isProblem(v1, 406);
      assert.match(v1.body.detail, /1\.3\.0 is not supported by \/vnflcm\/v2 \(this is 2\.0\.0\)/);
      for (const version of ['2.0.0', '2.1.0', '2.0.0-impl:example.com:vnfm:1']) {
        const ok = await vnfm.request('GET', path, undefined, { version });
        assert.equal(ok.status, 200, `${version}: ${JSON.stringify(ok.body)}`);
        assert.equal(ok.headers.get('version'), '2.0.0');
      }
      // v1 keeps its own rule: no Version is fine, 2.0.0 is another major.
      assert.equal((await vnfm.request('GET', '/vnflcm/v1/vnf_instances')).status, 200);
      isProblem(await vnfm.request('GET', '/vnflcm/v1/vnf_instances', undefined, { version: '2.0.0' }), 406);

      for (const asked of [undefined, '2.0.0', '1.3.0', 'garbage']) {
        const headers: Record<string, string> = asked ? { version: asked } : {};
        const own = await vnfm.request('GET', `${V2}/api_versions`, undefined, headers);
        assert.equal(own.status, 200, `${asked}`);
        assert.deepEqual(own.body, {
          uriPrefix: V2,
          apiVersions: [{ version: '2.0.0', isDeprecated: false }],
        });
        assert.equal(own.headers.get('version'), '2.0.0');
        const root = await vnfm.request('GET', '/vnflcm/api_versions', undefined, headers);
        assert.deepEqual(root.body, {
          uriPrefix: '/vnflcm',
          apiVersions: [
            { version: '1.3.0', isDeprecated: false },
            { version: '2.0.0', isDeprecated: false },
          ],
        });
      }
      const nope = await v2(vnfm, 'GET', '/vnf_instances/nope');
      isProblem(nope, 404);
      assert.equal(nope.headers.get('version'), '2.0.0');
    });

    test('the OpenAPI document has the v2 routes, each asking for Version', async () => {
      const doc = (await vnfm.request('GET', '/openapi.json')).body;
      const v2Paths = Object.keys(doc.paths).filter((p) => p.startsWith(`${V2}/`));
      assert.ok(v2Paths.length >= 11, v2Paths.join(', '));
      for (const path of v2Paths.filter((p) => !p.endsWith('/api_versions'))) {
        for (const [method, op] of Object.entries<any>(doc.paths[path])) {
          const version = op.parameters?.find((x: any) => x.in === 'header' && x.name === 'version');
          assert.equal(version?.required, true, `${method} ${path}`);
        }
      }
      const heal = doc.paths[`${V2}/vnf_instances/{id}/heal`].post;
      assert.match(heal.summary, /vnfcInfo id/);
      const instantiate = doc.paths[`${V2}/vnf_instances/{id}/instantiate`].post;
      const vci = instantiate.requestBody.content['application/json'].schema.properties.vimConnectionInfo;
      assert.equal(vci.type, 'object', 'a map');
      assert.equal(vci.additionalProperties.properties.id, undefined, 'entries without id');
    });

    test('create, show, list, PATCH, delete; the same instance through v1 and v2', async () => {
      const id = await createInstanceV2(vnfm, vnfdId, 'v2-one');
      const shown = await v2(vnfm, 'GET', `/vnf_instances/${id}`);
      assert.equal(shown.status, 200);
      assert.equal(shown.body.instantiationState, 'NOT_INSTANTIATED');
      assert.equal(shown.body.vnfdId, vnfdId);
      assert.equal(shown.body.vnfPkgId, undefined, 'not a SOL003 attribute');
      assert.deepEqual(shown.body._links, {
        self: { href: `${V2}/vnf_instances/${id}` },
        instantiate: { href: `${V2}/vnf_instances/${id}/instantiate` },
      });
      const viaV1 = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      assert.equal(viaV1.id, id);
      assert.equal(viaV1._links.self.href, `/vnflcm/v1/vnf_instances/${id}`);
      // And one made through v1 is listed through v2.
      const v1Made = await vnfm.request('POST', '/vnflcm/v1/vnf_instances', {
        vnfdId,
        vnfInstanceName: 'v1-one',
      });
      assert.equal(v1Made.status, 201);
      const third = await createInstanceV2(vnfm, vnfdId, 'v2-two');

      // SOL013 filter, selectors and paging (page size 2 here).
      const page1 = await v2(vnfm, 'GET', '/vnf_instances');
      assert.equal(page1.status, 200);
      assert.equal(page1.body.length, 2);
      const next = /<([^>]+)>;\s*rel="next"/.exec(page1.headers.get('link') ?? '')?.[1];
      assert.ok(next, 'a Link to the next page');
      const page2 = await vnfm.request(
        'GET',
        new URL(next, vnfm.url).pathname + new URL(next, vnfm.url).search,
        undefined,
        { version: '2.0.0' },
      );
      assert.deepEqual(
        [...page1.body, ...page2.body].map((i: any) => i.id).sort(),
        [id, v1Made.body.id, third].sort(),
      );
      const named = await v2(
        vnfm,
        'GET',
        '/vnf_instances?filter=(eq,vnfInstanceName,v1-one)&fields=vnfInstanceName',
      );
      assert.deepEqual(
        named.body.map((i: any) => [i.id, i.vnfInstanceName, i._links.self.href]),
        [[v1Made.body.id, 'v1-one', `${V2}/vnf_instances/${v1Made.body.id}`]],
      );
      isProblem(await v2(vnfm, 'GET', '/vnf_instances?filter=(eq,nope,1)'), 400);
      isProblem(
        await v2(vnfm, 'GET', '/vnf_instances?filter=(eq,vimConnectionInfo/vim1/accessInfo/bearer_token,x)'),
        400,
      );
      assert.equal(
        (await v2(vnfm, 'GET', '/vnf_instances?filter=(eq,vimConnectionInfo/vim1/vimType,kubernetes)'))
          .status,
        200,
        'a map entry by any key',
      );

      // PATCH (MODIFY_INFO) through v2, read back through v1.
      const op = await runOpV2(vnfm, id, null, {
        vnfInstanceName: 'renamed',
        metadata: { tier: 'gold' },
      });
      assert.equal(op.operation, 'MODIFY_INFO');
      assert.equal(op._links.self.href, `${V2}/vnf_lcm_op_occs/${op.id}`);
      assert.equal(op._links.vnfInstance.href, `${V2}/vnf_instances/${id}`);
      const afterPatch = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      assert.equal(afterPatch.vnfInstanceName, 'renamed');
      assert.deepEqual(afterPatch.metadata, { tier: 'gold' });
      // The op occ is the same one through v1.
      const opV1 = (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${op.id}`)).body;
      assert.equal(opV1.operationState, 'COMPLETED');
      assert.equal(opV1._links.self.href, `/vnflcm/v1/vnf_lcm_op_occs/${op.id}`);
      const listed = await v2(vnfm, 'GET', `/vnf_lcm_op_occs?filter=(eq,vnfInstanceId,${id})&all_fields`);
      assert.deepEqual(
        listed.body.map((o: any) => [o.id, o.operationParams.vnfInstanceName]),
        [[op.id, 'renamed']],
      );

      for (const i of [id, v1Made.body.id, third]) {
        const del = await v2(vnfm, 'DELETE', `/vnf_instances/${i}`);
        assert.equal(del.status, 204);
      }
      isProblem(await v2(vnfm, 'GET', `/vnf_instances/${id}`), 404);
      isProblem(await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${third}`), 404);
    });

    test('a PATCH of vimConnectionInfo is a map by id; the engine sees entries with that id', async () => {
      const id = await createInstanceV2(vnfm, vnfdId, 'v2-patch-vim');
      // NOT_INSTANTIATED: the entry is added (v1's rule), shown as a map through v2 and a list through v1.
      const opId = await startOpV2(vnfm, id, null, {
        vimConnectionInfo: { site1: { vimId, vimType: 'kubernetes' } },
      });
      const done = await opOccSettledV2(vnfm, opId);
      assert.equal(done.operationState, 'COMPLETED', JSON.stringify(done.error));
      const viaV2 = (await v2(vnfm, 'GET', `/vnf_instances/${id}`)).body;
      assert.deepEqual(viaV2.vimConnectionInfo, { site1: { vimId, vimType: 'kubernetes' } });
      const viaV1 = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      assert.deepEqual(viaV1.vimConnectionInfo, [{ id: 'site1', vimId, vimType: 'kubernetes' }]);
      assert.deepEqual(done.operationParams.vimConnectionInfo, { site1: { vimId, vimType: 'kubernetes' } });
      assert.equal((await v2(vnfm, 'DELETE', `/vnf_instances/${id}`)).status, 204);
    });

    test('strict request schemas: unknown or misshapen fields are 400s naming them', async () => {
      const id = await createInstanceV2(vnfm, vnfdId, 'v2-strict');
      const vim = { vimId, vimType: 'kubernetes' };
      const cases: [string, string, object, RegExp][] = [
        ['POST', '/vnf_instances', { vnfdId, vnfInstanceNam: 'typo' }, /vnfInstanceNam/],
        [
          'POST',
          `/vnf_instances/${id}/instantiate`,
          { flavourId: 'helmchart', vimConnectionInfo: [{ id: 'vim1', ...vim }] },
          /vimConnectionInfo/,
        ],
        [
          'POST',
          `/vnf_instances/${id}/instantiate`,
          { flavourId: 'helmchart', vimConnectionInfo: { vim1: { id: 'vim1', ...vim } } },
          /id/,
        ],
        [
          'POST',
          `/vnf_instances/${id}/instantiate`,
          { flavourId: 'helmchart', vimConnectionInfo: { vim1: { vimId } } },
          /vimType/,
        ],
        [
          'POST',
          `/vnf_instances/${id}/instantiate`,
          { flavourId: 'helmchart', vimConnectionInfo: { '': vim } },
          /vimConnectionInfo/,
        ],
        [
          'POST',
          `/vnf_instances/${id}/instantiate`,
          { flavourId: 'helmchart', additionalParams: { nope: 1 } },
          /nope/,
        ],
        ['POST', `/vnf_instances/${id}/instantiate`, { flavourId: 'x'.repeat(256) }, /flavourId/],
        ['POST', `/vnf_instances/${id}/heal`, { vnfcInstanceIds: ['x'] }, /vnfcInstanceIds/],
        ['POST', `/vnf_instances/${id}/heal`, { additionalParams: { all: 'yes' } }, /all/],
        ['POST', `/vnf_instances/${id}/scale`, { type: 'SCALE_UP', aspectId: 'vdu1_aspect' }, /type/],
        ['POST', `/vnf_instances/${id}/terminate`, { terminationType: 'FORCEFUL', extra: 1 }, /extra/],
        ['PATCH', `/vnf_instances/${id}`, { vnfPkgId: 'x' }, /vnfPkgId/],
        ['PATCH', `/vnf_instances/${id}`, { vimConnectionInfo: [{ id: 'a', ...vim }] }, /vimConnectionInfo/],
      ];
      for (const [method, path, body, detail] of cases) {
        const res = await v2(vnfm, method, path, body);
        isProblem(res, 400);
        assert.match(res.body.detail, detail, `${method} ${path} ${JSON.stringify(body)}`);
      }
      // A heal of a NOT_INSTANTIATED instance is the engine's 409, as through v1.
      isProblem(await v2(vnfm, 'POST', `/vnf_instances/${id}/heal`, { vnfcInstanceId: ['VDU1-x'] }), 409);
      isProblem(
        await v2(vnfm, 'POST', `/vnf_instances/nope/scale`, { type: 'SCALE_OUT', aspectId: 'a' }),
        404,
      );
      isProblem(await v2(vnfm, 'POST', `/vnf_lcm_op_occs/nope/retry`), 404);
      assert.equal((await v2(vnfm, 'DELETE', `/vnf_instances/${id}`)).status, 204);
    });
  });
}
