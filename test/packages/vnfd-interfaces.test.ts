// LCM scripts a VNFD declares (interfaces.Vnflcm operations with an implementation)
// are refused at instantiate with a 400 naming them, and no op occ is created, when
// configuration enables no MgmtDriver for their artifact (none by default; enabled
// drivers: test/mgmt/framework.test.ts); an operation without an implementation has
// nothing to run and does not stand in the way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createInstance, onboardPackage } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const DF = 'Definitions/sample_cnf_df_helmchart.yaml';
const VNF_TEMPLATE = '    VNF:\n      type: company.provider.SampleCNF\n';

/** The flavour's VNF node template gets `interfaces` (and `artifacts`) as YAML lines under it. */
const withInterfaces = (yaml: string) => (f: Map<string, string | Buffer>) => {
  const df = f.get(DF) as string;
  assert.ok(df.includes(VNF_TEMPLATE));
  f.set(DF, df.replace(VNF_TEMPLATE, VNF_TEMPLATE + yaml));
  f.set('Scripts/install.py', '# an LCM script\n');
};

describe('Vnflcm interfaces at instantiate', () => {
  let vnfm: TestVnfm;
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), { worker: false });
  });
  after(() => vnfm.close());

  const instantiate = async (edit: (f: Map<string, string | Buffer>) => void) => {
    const { vnfdId } = await onboardPackage(vnfm, { edit });
    const id = await createInstance(vnfm, vnfdId);
    const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, {
      flavourId: 'helmchart',
    });
    const occs = await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs?filter=(eq,vnfInstanceId,${id})`);
    assert.equal(occs.status, 200);
    return { res, occs: occs.body as unknown[] };
  };

  test('instantiate_start with an implementation: 400 naming interface, operation and script', async () => {
    const { res, occs } = await instantiate(
      withInterfaces(
        [
          '      interfaces:',
          '        Vnflcm:',
          '          instantiate_start:',
          '            implementation: install-script',
          '          instantiate_end: []',
          '      artifacts:',
          '        install-script:',
          '          type: tosca.artifacts.Implementation.Python',
          '          file: Scripts/install.py',
          '',
        ].join('\n'),
      ),
    );
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.title, 'Bad Request');
    assert.match(res.body.detail, /interface Vnflcm/);
    assert.match(res.body.detail, /instantiate_start \(Scripts\/install\.py\)/);
    assert.doesNotMatch(res.body.detail, /instantiate_end/);
    assert.match(res.body.detail, /MgmtDriver/);
    assert.deepEqual(occs, [], 'no op occ');
  });

  test("a script whose artifact configuration maps to 'none' is skipped; others are still refused", async () => {
    const skipping = await startVnfm(await freshStore('sqlite'), {
      worker: false,
      mgmtDrivers: { 'sample-script': 'none' },
    });
    try {
      const hooks = (artifact: string) =>
        withInterfaces(
          [
            '      interfaces:',
            '        Vnflcm:',
            `          instantiate_start:\n            implementation: ${artifact}`,
            `          terminate_end:\n            implementation: ${artifact}`,
            '      artifacts:',
            `        ${artifact}:`,
            '          type: tosca.artifacts.Implementation.Python',
            '          file: Scripts/install.py',
            '',
          ].join('\n'),
        );
      const post = async (artifact: string) => {
        const { vnfdId } = await onboardPackage(skipping, { edit: hooks(artifact) });
        const id = await createInstance(skipping, vnfdId);
        return skipping.request('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, {
          flavourId: 'helmchart',
        });
      };
      const skipped = await post('sample-script');
      // Past the interfaces check: what stops it now is that no VIM is registered.
      assert.equal(skipped.status, 400, JSON.stringify(skipped.body));
      assert.match(skipped.body.detail, /no default VIM/);
      const other = await post('install-script');
      assert.equal(other.status, 400);
      assert.match(other.body.detail, /install-script.*no MgmtDriver is enabled.*or to none to skip them/);
    } finally {
      await skipping.close();
    }
  });

  test('an operation without an implementation is nothing to run', async () => {
    const { res, occs } = await instantiate(
      withInterfaces('      interfaces:\n        Vnflcm:\n          instantiate_start: {}\n'),
    );
    // Past the interfaces check: what stops it now is that no VIM is registered.
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.detail, /no default VIM/);
    assert.deepEqual(occs, []);
  });
});
