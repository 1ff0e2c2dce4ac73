// Each way a VNFD is refused at onboarding: the error code, and a message naming
// the definitions file and the element an operator has to fix.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadVnfd, VnfdError, type VnfdErrorCode } from '../../src/packages/vnfd/index.ts';
import { edit, ENTRY, writeFiles, writeVnfdPackage } from '../helpers/vnfd-package.ts';

const TYPES = 'Definitions/sample_cnf_types.yaml';
const HELM = 'Definitions/sample_cnf_df_helmchart.yaml';
const MANIFEST = 'Definitions/sample_cnf_df_manifest.yaml';

/** Loads the package and expects a VnfdError with `code` whose message has every fragment. */
function rejects(dir: string, code: VnfdErrorCode, ...fragments: string[]): VnfdError {
  let caught: unknown;
  try {
    loadVnfd(dir, ENTRY);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof VnfdError, `expected VnfdError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const f of fragments) assert.ok(caught.message.includes(f), `"${caught.message}" lacks "${f}"`);
  return caught;
}

/** A package with one edit applied. */
function broken(rel: string, from: string, to: string): string {
  const dir = writeVnfdPackage();
  edit(dir, rel, from, to);
  return dir;
}

test('IMPORT_MISSING: an import that is not in the package; a remote non-SOL001 import; no entry file', () => {
  const err = rejects(
    broken(ENTRY, '  - sample_cnf_df_manifest.yaml\n', '  - sample_cnf_df_missing.yaml\n'),
    'IMPORT_MISSING',
    ENTRY,
    'sample_cnf_df_missing.yaml',
  );
  assert.equal(err.file, ENTRY);
  rejects(
    broken(ENTRY, '  - sample_cnf_df_manifest.yaml\n', '  - https://example.com/vnfd/extra_types.yaml\n'),
    'IMPORT_MISSING',
    ENTRY,
    'https://example.com/vnfd/extra_types.yaml',
  );
  assert.throws(
    () => loadVnfd(writeVnfdPackage(), 'Definitions/nope.yaml'),
    (e: unknown) =>
      e instanceof VnfdError && e.code === 'IMPORT_MISSING' && e.message.includes('Definitions/nope.yaml'),
  );
});

test('IMPORT_CYCLE: A imports B imports A, named as a chain', () => {
  const dir = writeVnfdPackage();
  edit(dir, ENTRY, '  - sample_cnf_df_manifest.yaml\n', '  - sample_cnf_df_manifest.yaml\n  - a.yaml\n');
  writeFiles(dir, {
    'Definitions/a.yaml': 'tosca_definitions_version: tosca_simple_yaml_1_2\nimports: [b.yaml]\n',
    'Definitions/b.yaml': 'tosca_definitions_version: tosca_simple_yaml_1_2\nimports: [./a.yaml]\n',
  });
  rejects(dir, 'IMPORT_CYCLE', 'Definitions/a.yaml → Definitions/b.yaml → Definitions/a.yaml');
});

test('IMPORT_OUTSIDE_PACKAGE: ../ out of the root, an absolute path, a symlink leading out', () => {
  const outside = writeVnfdPackage(); // a sibling directory with real files
  const dir = join(outside, 'pkg');
  mkdirSync(dir);
  writeFiles(dir, {
    [ENTRY]:
      'tosca_definitions_version: tosca_simple_yaml_1_2\nimports: [../../Definitions/sample_cnf_types.yaml]\n',
  });
  rejects(dir, 'IMPORT_OUTSIDE_PACKAGE', ENTRY, '../../Definitions/sample_cnf_types.yaml');

  writeFiles(dir, { [ENTRY]: `imports: [${join(outside, TYPES)}]\n` });
  rejects(dir, 'IMPORT_OUTSIDE_PACKAGE', ENTRY, 'absolute path');

  writeFiles(dir, { [ENTRY]: 'imports: [link.yaml]\n' });
  symlinkSync(join(outside, TYPES), join(dir, 'Definitions', 'link.yaml'));
  rejects(dir, 'IMPORT_OUTSIDE_PACKAGE', ENTRY, 'link.yaml');
});

test('UNKNOWN_NODE_TYPE: a node template type neither defined nor derived from a TOSCA base', () => {
  rejects(
    broken(
      HELM,
      '    VDU2:\n      type: tosca.nodes.nfv.Vdu.Compute',
      '    VDU2:\n      type: tosca.nodes.nfv.Vdu.Computer',
    ),
    'UNKNOWN_NODE_TYPE',
    HELM,
    '"VDU2"',
    'tosca.nodes.nfv.Vdu.Computer',
  );
  // Defined, but derived from something nobody defines.
  rejects(
    broken(TYPES, 'derived_from: tosca.nodes.nfv.VNF', 'derived_from: example.Missing'),
    'UNKNOWN_NODE_TYPE',
    ENTRY,
    'example.sample.CNF',
  );
});

test('TYPE_CONFLICT: two package files define the same type differently', () => {
  const dir = writeVnfdPackage();
  edit(
    dir,
    ENTRY,
    '  - sample_cnf_df_manifest.yaml\n',
    '  - sample_cnf_df_manifest.yaml\n  - other_types.yaml\n',
  );
  writeFiles(dir, {
    'Definitions/other_types.yaml':
      'node_types:\n  example.sample.CNF:\n    derived_from: tosca.nodes.Root\n',
  });
  rejects(dir, 'TYPE_CONFLICT', 'Definitions/other_types.yaml', 'example.sample.CNF', TYPES);
});

test('NO_VNF_NODE: no type derived from tosca.nodes.nfv.VNF; a VNF property without any value', () => {
  const dir = writeVnfdPackage();
  edit(dir, TYPES, 'derived_from: tosca.nodes.nfv.VNF', 'derived_from: tosca.nodes.Root');
  rejects(dir, 'NO_VNF_NODE', ENTRY, 'example.sample.CNF', 'tosca.nodes.nfv.VNF');

  rejects(
    broken(TYPES, `constraints: [ valid_values: [ Example Telecom ] ]`, 'description: nobody says'),
    'NO_VNF_NODE',
    ENTRY,
    '"provider"',
  );
});

test('FLAVOUR_INVALID: duplicate flavour, flavour_id outside valid_values, bad vdu_profile, missing VDU name', () => {
  rejects(
    broken(MANIFEST, 'flavour_id: manifest', 'flavour_id: helmchart'),
    'FLAVOUR_INVALID',
    MANIFEST,
    '"helmchart"',
    HELM,
  );
  rejects(
    broken(HELM, 'flavour_id: helmchart', 'flavour_id: helm3'),
    'FLAVOUR_INVALID',
    HELM,
    '"helm3"',
    'valid_values',
  );
  rejects(
    broken(
      HELM,
      'min_number_of_instances: 1\n          max_number_of_instances: 3\n\n    VDU2',
      'min_number_of_instances: 4\n          max_number_of_instances: 3\n\n    VDU2',
    ),
    'FLAVOUR_INVALID',
    HELM,
    'VDU1',
    'vdu_profile',
  );
  rejects(
    broken(MANIFEST, '        name: worker\n', ''),
    'FLAVOUR_INVALID',
    MANIFEST,
    'WORKER',
    'properties.name',
  );
  rejects(
    broken(MANIFEST, 'node_type: example.sample.CNF', 'node_type: tosca.nodes.nfv.VNF'),
    'FLAVOUR_INVALID',
    MANIFEST,
    'substitution_mappings.node_type',
  );
});

test('POLICY_INVALID: targets that are not VDUs of the flavour, bad max_scale_level, unknown policy type', () => {
  rejects(
    broken(
      HELM,
      '          aspect: vdu2_aspect\n          deltas:\n            delta_1:\n              number_of_instances: 1\n        targets: [ VDU2 ]',
      '          aspect: vdu2_aspect\n          deltas:\n            delta_1:\n              number_of_instances: 1\n        targets: [ VNF ]',
    ),
    'POLICY_INVALID',
    HELM,
    '"vdu2_scaling_aspect_deltas"',
    'target "VNF" is not a VDU',
  );
  rejects(
    broken(
      HELM,
      'targets: [ VDU1 ]\n\n    - vdu2_initial_delta',
      'targets: [ VDU9 ]\n\n    - vdu2_initial_delta',
    ),
    'POLICY_INVALID',
    HELM,
    '"vdu1_initial_delta"',
    '"VDU9"',
  );
  rejects(
    broken(MANIFEST, 'max_scale_level: 3', 'max_scale_level: -1'),
    'POLICY_INVALID',
    MANIFEST,
    '"worker_aspect"',
    'max_scale_level',
  );
  rejects(
    broken(MANIFEST, 'max_scale_level: 3', 'max_scale_level: 1.5'),
    'POLICY_INVALID',
    MANIFEST,
    'max_scale_level',
  );
  rejects(
    broken(MANIFEST, 'type: tosca.policies.nfv.VduInitialDelta', 'type: tosca.policies.nfv.VduInitialDeltas'),
    'POLICY_INVALID',
    MANIFEST,
    '"worker_initial_delta"',
    'tosca.policies.nfv.VduInitialDeltas',
  );
  rejects(
    broken(
      HELM,
      'initial_delta:\n            number_of_instances: 1\n        targets: [ VDU2 ]',
      'initial_delta:\n            number_of_instances: 4\n        targets: [ VDU2 ]',
    ),
    'POLICY_INVALID',
    HELM,
    '"vdu2_initial_delta"',
    'VDU2',
    'vdu_profile 1..3',
  );
});

test('ASPECT_INCONSISTENT: a step delta no policy defines; deltas for an unknown aspect', () => {
  rejects(
    broken(MANIFEST, 'step_deltas: [ delta_small, delta_big ]', 'step_deltas: [ delta_small, delta_huge ]'),
    'ASPECT_INCONSISTENT',
    MANIFEST,
    '"worker_aspect"',
    '"delta_huge"',
  );
  rejects(
    broken(HELM, 'aspect: vdu2_aspect', 'aspect: vdu3_aspect'),
    'ASPECT_INCONSISTENT',
    HELM,
    '"vdu2_scaling_aspect_deltas"',
    '"vdu3_aspect"',
  );
});

test('LEVEL_INCONSISTENT: unknown aspect or out-of-range scale_level, bad default_level, unknown level, counts off profile', () => {
  rejects(
    broken(
      HELM,
      '                vdu2_aspect:\n                  scale_level: 1',
      '                vdu9_aspect:\n                  scale_level: 1',
    ),
    'LEVEL_INCONSISTENT',
    HELM,
    '"instantiation_level_2"',
    '"vdu9_aspect"',
  );
  rejects(
    broken(
      HELM,
      'vdu1_aspect:\n                  scale_level: 2',
      'vdu1_aspect:\n                  scale_level: 3',
    ),
    'LEVEL_INCONSISTENT',
    HELM,
    '"instantiation_level_2"',
    'scale_level 3',
    '0..2',
  );
  rejects(
    broken(MANIFEST, 'scale_level: 0', 'scale_level: -1'),
    'LEVEL_INCONSISTENT',
    MANIFEST,
    '"small"',
    'scale_level -1',
  );
  rejects(
    broken(HELM, 'default_level: instantiation_level_1', 'default_level: instantiation_level_3'),
    'LEVEL_INCONSISTENT',
    HELM,
    'default_level "instantiation_level_3"',
  );
  rejects(
    broken(
      HELM,
      '            instantiation_level_2:\n              number_of_instances: 2',
      '            instantiation_level_3:\n              number_of_instances: 2',
    ),
    'LEVEL_INCONSISTENT',
    HELM,
    '"vdu2_instantiation_levels"',
    '"instantiation_level_3"',
  );
  rejects(
    broken(
      HELM,
      '            instantiation_level_2:\n              number_of_instances: 3',
      '            instantiation_level_2:\n              number_of_instances: 5',
    ),
    'LEVEL_INCONSISTENT',
    HELM,
    '"vdu1_instantiation_levels"',
    'VDU1',
    'vdu_profile 1..3',
  );
  // A level given by scale_info alone: "big" implies 1 + 1 + 2 = 4 workers, over a max of 3.
  rejects(
    broken(MANIFEST, 'max_number_of_instances: 6', 'max_number_of_instances: 3'),
    'LEVEL_INCONSISTENT',
    MANIFEST,
    'instantiation level "big"',
    'WORKER 4 instances',
  );
});

test('VnfdError carries the file apart from the message', () => {
  const dir = writeVnfdPackage();
  writeFileSync(join(dir, MANIFEST), 'a: [1');
  const err = rejects(dir, 'YAML_INVALID', MANIFEST);
  assert.equal(err.file, MANIFEST);
  assert.equal(err.name, 'VnfdError');
});
