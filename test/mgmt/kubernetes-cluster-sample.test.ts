// The sample package stays consistent: its TOSCA.meta hashes what is there, its VNFD
// loads with the interfaces and aspects the driver expects, its scripts parse.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOOKS } from '../../src/mgmt/driver.ts';
import { kubernetesCluster } from '../../src/mgmt/kubernetes-cluster/index.ts';
import { loadVnfd } from '../../src/packages/vnfd/index.ts';
import {
  ENTRY_DEFINITIONS,
  HELM_SCRIPT,
  K8S_SCRIPT,
  META,
  packageFiles,
  SAMPLE_DIR,
} from '../../samples/kubernetes-cluster/build.ts';

test('TOSCA.meta as checked in is the one build.ts writes (node samples/kubernetes-cluster/build.ts --write-meta)', () => {
  assert.equal(readFileSync(join(SAMPLE_DIR, META), 'utf8'), packageFiles().get(META)!.toString('utf8'));
});

test('every hook the VNFD names is one the driver implements; master aspect fixed, workers scale', () => {
  const f = loadVnfd(SAMPLE_DIR, ENTRY_DEFINITIONS).flavours[0]!;
  const named = Object.entries(f.lcmInterfaces).filter(
    ([, op]) => op.implementation === 'mgmt-drivers-kubernetes',
  );
  assert.deepEqual(named.map(([h]) => h).sort(), Object.keys(kubernetesCluster.hooks).sort());
  for (const [h] of named) assert.ok((HOOKS as readonly string[]).includes(h));
  assert.equal(f.aspects.find((a) => a.id === 'master_instance')?.maxScaleLevel, 0);
  assert.equal(f.vdus.find((v) => v.id === 'masterNode')?.levelInstances.instantiation_level_2, 2);
});

test('the scripts parse (bash -n) and vnfm_json.py writes one result line from files', () => {
  for (const s of [K8S_SCRIPT, HELM_SCRIPT]) execFileSync('bash', ['-n', join(SAMPLE_DIR, s)]);
  const out = execFileSync(
    'python3',
    [join(SAMPLE_DIR, 'Scripts/vnfm_json.py'), 'result', 'version=:v3.1', `meta=@${join(SAMPLE_DIR, META)}`],
    {
      encoding: 'utf8',
    },
  );
  assert.match(out, /^MGMT_RESULT \{"version": "v3\.1", "meta": "TOSCA-Meta-File-Version/);
  assert.equal(out.trim().split('\n').length, 1);
});
