// The request bodies `vnfm vnf …` builds from flags laid over a -f file (src/cli/lcm-requests.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createBody,
  healBody,
  instantiateBody,
  readBodyFile,
  releaseNameOf,
  scaleBody,
  scaleToLevelBody,
  terminateBody,
  updateBody,
} from '../../src/cli/lcm-requests.ts';

test('instantiate: Helm releases from --helm-chart/--release/--set, over the file', () => {
  const file = {
    flavourId: 'helmchart',
    additionalParams: {
      namespace: 'from-file',
      helm_replica_values: { a: 'replicaCount' },
      using_helm_install_param: [{ helmchartfile_path: 'Files/kubernetes/x.tgz', helmreleasename: 'x' }],
    },
  };
  const body = instantiateBody(file, {
    vim: 'V',
    namespace: 'ns1',
    helmChart: ['Files/kubernetes/app-0.1.0.tgz', 'Files/kubernetes/db-1.2.3-rc.1.tgz'],
    release: ['front'],
    set: ['image.tag=1.2', 'db:auth.enabled=false', 'front:url=http://x/?a=b'],
    instantiationLevel: 'l2',
  });
  assert.deepEqual(body, {
    flavourId: 'helmchart',
    instantiationLevelId: 'l2',
    vimConnectionInfo: [{ id: 'vim-0', vimId: 'V', vimType: 'kubernetes' }],
    additionalParams: {
      namespace: 'ns1',
      helm_replica_values: { a: 'replicaCount' },
      use_helm: 'true',
      using_helm_install_param: [
        { helmchartfile_path: 'Files/kubernetes/x.tgz', helmreleasename: 'x' },
        {
          exthelmchart: 'false',
          helmchartfile_path: 'Files/kubernetes/app-0.1.0.tgz',
          helmreleasename: 'front',
          helmparameter: ['image.tag=1.2', 'url=http://x/?a=b'],
        },
        {
          exthelmchart: 'false',
          helmchartfile_path: 'Files/kubernetes/db-1.2.3-rc.1.tgz',
          helmreleasename: 'db',
          helmparameter: ['image.tag=1.2', 'auth.enabled=false'],
        },
      ],
    },
  });
  // The file's flavour unless --flavour; 'simple' without either; nothing else invented.
  assert.deepEqual(instantiateBody({}, {}), { flavourId: 'simple' });
  assert.deepEqual(instantiateBody({ flavourId: 'f' }, { manifest: ['Files/a.yaml'] }), {
    flavourId: 'f',
    additionalParams: { 'lcm-kubernetes-def-files': ['Files/a.yaml'] },
  });
  assert.throws(() => instantiateBody({}, { set: ['a=b'] }), /--set needs --helm-chart/);
  assert.throws(
    () => instantiateBody({}, { helmChart: ['c.tgz'], set: ['other:a=b'] }),
    /--set other:a=b: no --helm-chart release is named 'other'/,
  );
  assert.throws(
    () => instantiateBody({}, { helmChart: ['c.tgz'], set: ['novalue'] }),
    /'novalue' is not key=value/,
  );
  assert.throws(
    () => instantiateBody({}, { helmChart: ['c.tgz'], release: ['a', 'b'] }),
    /one per --helm-chart/,
  );
  assert.throws(
    () => instantiateBody({ additionalParams: [] }, { namespace: 'x' }),
    /additionalParams in the file must be a mapping/,
  );
  assert.equal(releaseNameOf('Files/kubernetes/web-1.0.0.tgz'), 'web');
  assert.equal(releaseNameOf('my-chart.tgz'), 'my-chart');
});

test('scale, scale-to-level, heal, terminate, create, update', () => {
  assert.deepEqual(scaleBody({}, { aspect: 'a', out: true, steps: '2' }), {
    type: 'SCALE_OUT',
    aspectId: 'a',
    numberOfSteps: 2,
  });
  assert.deepEqual(scaleBody({ type: 'SCALE_OUT', aspectId: 'a' }, { in: true }), {
    type: 'SCALE_IN',
    aspectId: 'a',
  });
  assert.throws(() => scaleBody({}, { aspect: 'a', in: true, out: true }), /--in or --out, not both/);
  assert.throws(
    () => scaleBody({}, { aspect: 'a', out: true, steps: '0' }),
    /--steps: '0' is not a whole number ≥ 1/,
  );
  assert.throws(() => scaleBody({}, { out: true }), /give --aspect/);
  assert.deepEqual(scaleToLevelBody({}, { aspectLevel: ['a=2', 'b=0'] }), {
    scaleInfo: [
      { aspectId: 'a', scaleLevel: 2 },
      { aspectId: 'b', scaleLevel: 0 },
    ],
  });
  assert.throws(() => scaleToLevelBody({}, {}), /give --level or --aspect-level/);
  assert.deepEqual(healBody({}, { vnfc: ['p1', 'p2'], cause: 'c' }), {
    vnfcInstanceId: ['p1', 'p2'],
    cause: 'c',
  });
  assert.deepEqual(healBody({}, {}), {});
  assert.deepEqual(terminateBody({}, {}), { terminationType: 'FORCEFUL' });
  assert.deepEqual(terminateBody({}, { graceful: true, timeout: '60' }), {
    terminationType: 'GRACEFUL',
    gracefulTerminationTimeout: 60,
  });
  assert.throws(() => terminateBody({}, { timeout: '5' }), /--timeout needs --graceful/);
  assert.deepEqual(createBody({ metadata: { a: '1' } }, { vnfdId: 'D', name: 'n', metadata: ['b=2=3'] }), {
    vnfdId: 'D',
    vnfInstanceName: 'n',
    metadata: { a: '1', b: '2=3' },
  });
  assert.throws(() => createBody({}, {}), /give --vnfd-id/);
  assert.deepEqual(updateBody({}, { description: 'd' }), { vnfInstanceDescription: 'd' });
  assert.throws(() => updateBody({}, {}), /nothing to change/);
});

test('-f: YAML or JSON mappings; anything else named in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lcm-req-'));
  const yaml = join(dir, 'a.yaml');
  writeFileSync(yaml, 'flavourId: simple\nadditionalParams: {namespace: x}\n');
  assert.deepEqual(readBodyFile(yaml), { flavourId: 'simple', additionalParams: { namespace: 'x' } });
  const json = join(dir, 'a.json');
  writeFileSync(json, '{"type": "SCALE_IN"}');
  assert.deepEqual(readBodyFile(json), { type: 'SCALE_IN' });
  const list = join(dir, 'list.yaml');
  writeFileSync(list, '- a\n');
  assert.throws(() => readBodyFile(list), /must hold a mapping/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'a: [\n');
  assert.throws(() => readBodyFile(bad), /^Error: -f .*bad\.yaml: not YAML or JSON: [^\n]+$/);
  assert.throws(() => readBodyFile(join(dir, 'none')), /-f .*none: ENOENT/);
  assert.deepEqual(readBodyFile(undefined), {});
});
