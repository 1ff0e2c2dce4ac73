// The SOL003 answers Fastify serialises with the response schemas made from the model
// (src/api/schemas/responses.ts): byte for byte what JSON.stringify of the route's
// object gives (nothing dropped, coerced or added: extensions, nulls and attributes the
// model does not name kept), whatever the attribute selectors left, and valid against
// the ETSI schemas. On SQLite and PostgreSQL, over the real HTTP server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { instanceView, opOccView } from '../../src/api/vnflcm.ts';
import { insertInstance } from '../../src/db/queries/instances.ts';
import { insertOpOcc } from '../../src/db/queries/op-occs.ts';
import { insertPackage } from '../../src/db/queries/packages.ts';
import type { VnfInstance, VnfLcmOpOcc } from '../../src/lcm/model.ts';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const validInstance = etsiValidator('sol003-vnflcm-v2.6.1/vnfInstance.schema.json');
const validInstances = etsiValidator('sol003-vnflcm-v2.6.1/vnfInstances.schema.json');
const validOpOcc = etsiValidator('sol003-vnflcm-v2.6.1/VnfLcmOpOcc.schema.json');
const validOpOccs = etsiValidator('sol003-vnflcm-v2.6.1/VnfLcmOpOccs.schema.json');

/** What JSON.stringify makes of a value: the answer without a response schema. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

function fullInstance(vnfPkgId: string, vnfdId: string): VnfInstance {
  const id = randomUUID();
  return {
    id,
    vnfInstanceName: 'cnf-full',
    vnfInstanceDescription: 'with every part the engine writes',
    vnfdId,
    vnfProvider: 'Company',
    vnfProductName: 'Sample CNF',
    vnfSoftwareVersion: '1.0',
    vnfdVersion: '1.0',
    vnfPkgId,
    vnfConfigurableProperties: { isAutoscaleEnabled: false, nested: { list: [1, 'two', null] } },
    vimConnectionInfo: [
      {
        id: 'vim1',
        vimId: randomUUID(),
        vimType: 'kubernetes',
        interfaceInfo: { endpoint: 'https://k8s:6443' },
      },
    ],
    instantiationState: 'INSTANTIATED',
    instantiatedVnfInfo: {
      flavourId: 'simple',
      vnfState: 'STARTED',
      scaleStatus: [{ aspectId: 'vdu1_aspect', scaleLevel: 2 }],
      vnfcResourceInfo: [
        {
          id: 'vdu1-abc',
          vduId: 'VDU1',
          computeResource: {
            vimConnectionId: 'vim1',
            resourceId: 'vdu1-abc',
            vimLevelResourceType: 'Deployment',
          },
          vnfcCpInfo: [
            {
              id: 'cp1',
              cpdId: 'CP1',
              cpProtocolInfo: [
                {
                  layerProtocol: 'IP_OVER_ETHERNET',
                  ipOverEthernet: { ipAddresses: [{ type: 'IPV4', addresses: ['10.0.0.1'] }] },
                },
              ],
            },
          ],
          metadata: { namespace: 'default', pods: 3 },
        },
      ],
      instantiationLevelId: 'instantiation_level_1',
    },
    metadata: { site: 'north', weight: 1.5, flags: [true, false] },
    extensions: { owner: 'team-a' },
  };
}

for (const store of STORES) {
  describe(`response serialisation on ${store}`, () => {
    let vnfm: TestVnfm;
    let full: VnfInstance;
    let bare: VnfInstance;
    let op: VnfLcmOpOcc;
    before(async () => {
      vnfm = await startVnfm(await freshStore(store), { worker: false });
      const vnfPkgId = randomUUID();
      const vnfdId = randomUUID();
      await insertPackage(vnfm.ctx.db, {
        id: vnfPkgId,
        vnfdId,
        vnfProvider: 'Company',
        vnfProductName: 'Sample CNF',
        vnfSoftwareVersion: '1.0',
        vnfdVersion: '1.0',
        onboardingState: 'ONBOARDED',
        operationalState: 'ENABLED',
        usageState: 'IN_USE',
      });
      full = fullInstance(vnfPkgId, vnfdId);
      await insertInstance(vnfm.ctx.db, full);
      // A null where the model has a string, and an attribute the model does not name:
      // written as JSON.stringify writes them (fast-json-stringify alone would write "" and drop it).
      bare = {
        ...fullInstance(vnfPkgId, vnfdId),
        vnfInstanceName: 'cnf-bare',
        vnfInstanceDescription: null as unknown as string,
        instantiationState: 'NOT_INSTANTIATED',
        instantiatedVnfInfo: undefined,
        notInTheModel: { kept: true },
      } as VnfInstance;
      delete bare.instantiatedVnfInfo;
      await insertInstance(vnfm.ctx.db, bare);
      const t = new Date().toISOString();
      op = {
        id: randomUUID(),
        operationState: 'FAILED_TEMP',
        stateEnteredTime: t,
        startTime: t,
        vnfInstanceId: full.id,
        operation: 'INSTANTIATE',
        isAutomaticInvocation: false,
        operationParams: { flavourId: 'simple', additionalParams: { namespace: 'default' } },
        isCancelPending: false,
        error: { status: 500, title: 'Internal Server Error', detail: 'helm install vdu1 failed' },
        resourceChanges: {
          affectedVnfcs: [
            {
              id: 'vdu1-abc',
              vduId: 'VDU1',
              changeType: 'ADDED',
              computeResource: {
                vimConnectionId: 'vim1',
                resourceId: 'vdu1-abc',
                vimLevelResourceType: 'Deployment',
              },
            },
          ],
        },
        _progress: {
          step: 'helm install vdu1',
          done: 0,
          total: 2,
          message: 'context deadline exceeded',
          updatedAt: t,
          vdus: { VDU1: { ready: 1, wanted: 3 } },
        },
      };
      await insertOpOcc(vnfm.ctx.db, op, null);
    });
    after(() => vnfm.close());

    test('GET one VNF instance: as JSON.stringify writes it, valid SOL003', async () => {
      for (const i of [full, bare]) {
        const res = await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${i.id}`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, plain(instanceView(i)));
        assert.equal(res.raw.toString(), res.raw.toString().trim(), 'one JSON value');
      }
      const res = await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${full.id}`);
      assert.deepEqual(validInstance(res.body), []);
      const b = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${bare.id}`)).body;
      assert.equal(b.vnfInstanceDescription, null);
      assert.deepEqual(b.notInTheModel, { kept: true });
      assert.ok(b._links.instantiate.href.endsWith(`/${bare.id}/instantiate`));
    });

    test('GET one op occ keeps _progress, error and _links', async () => {
      const res = await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${op.id}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, plain(opOccView(op)));
      assert.deepEqual(res.body._progress.vdus, { VDU1: { ready: 1, wanted: 3 } });
      assert.ok(res.body._links.retry);
      assert.deepEqual(validOpOcc(res.body), []);
    });

    test('lists: every attribute selector answers what JSON.stringify would', async () => {
      const defaults = [
        'vnfConfigurableProperties',
        'vimConnectionInfo',
        'instantiatedVnfInfo',
        'metadata',
        'extensions',
      ];
      const drop = (o: Record<string, unknown>, keys: string[]) =>
        Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
      const views = [full, bare].map((i) => plain(instanceView(i)));
      const cases: [string, unknown[]][] = [
        ['', views.map((v) => drop(v, defaults))],
        ['?all_fields', views],
        [
          '?fields=metadata',
          views.map((v) =>
            drop(
              v,
              defaults.filter((d) => d !== 'metadata'),
            ),
          ),
        ],
        [
          '?exclude_fields=instantiatedVnfInfo/vnfcResourceInfo/metadata,vnfInstanceName',
          views.map((v) => {
            const c = structuredClone(drop(v, ['vnfInstanceName'])) as any;
            for (const r of c.instantiatedVnfInfo?.vnfcResourceInfo ?? []) delete r.metadata;
            return c;
          }),
        ],
      ];
      for (const [query, expected] of cases) {
        const res = await vnfm.request('GET', `/vnflcm/v1/vnf_instances${query}`);
        assert.equal(res.status, 200, query);
        assert.deepEqual(res.body, expected, query);
        // The bare instance's null description is there to be kept, not to be valid.
        if (!query.includes('vnfInstanceName'))
          assert.deepEqual(validInstances(res.body.slice(0, 1)), [], query);
      }
      // The selectors copy only what they change: the full instance's answer is still whole.
      assert.deepEqual((await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${full.id}`)).body, views[0]);
      // A NUL in a stored string (JSON's \u0000, which PostgreSQL's jsonb refuses) is listed as it is.
      const nul = {
        ...full,
        id: randomUUID(),
        vnfInstanceName: 'cnf-nul',
        vnfInstanceDescription: 'a\u0000b',
      };
      await insertInstance(vnfm.ctx.db, nul);
      const listed = await vnfm.request(
        'GET',
        `/vnflcm/v1/vnf_instances?filter=(eq,vnfInstanceName,cnf-nul)`,
      );
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.deepEqual(listed.body, [drop(plain(instanceView(nul)), defaults)]);
      const ops = await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs?all_fields');
      assert.deepEqual(ops.body, [plain(opOccView(op))]);
      assert.deepEqual(validOpOccs(ops.body), []);
    });
  });
}
