// A valid two-flavour CNF VNFD in Tacker's style: identity, flavours, VDUs, aspects,
// levels, the replica arithmetic LCM relies on, the Vnflcm interface, and imports of
// the SOL001 types however a package names them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  flavour,
  loadDefinitionsFiles,
  loadVnfd,
  maxScaleLevel,
  scaleLevelsAt,
  ToscaTypes,
  vduReplicas,
  type Vnfd,
} from '../../src/packages/vnfd/index.ts';
import { edit, ENTRY, VNFD_ID, writeFiles, writeVnfdPackage } from '../helpers/vnfd-package.ts';

const helmDriver = {
  implementation: 'mgmt-drivers-helm',
  artifact: { file: 'Scripts/helm_mgmt.py', type: 'tosca.artifacts.Implementation.Python' },
};
const typeLevelDriver = {
  implementation: 'type-level-driver',
  artifact: { file: 'Scripts/type_level_mgmt.py', type: 'tosca.artifacts.Implementation.Python' },
};

function load(): Vnfd {
  return loadVnfd(writeVnfdPackage(), ENTRY);
}

test('VNF identity: template value > type default > single valid value; unquoted 1.0 stays "1.0"', () => {
  const vnfd = load();
  assert.equal(vnfd.vnfdId, VNFD_ID); // valid_values only
  assert.equal(vnfd.provider, 'Example Telecom'); // valid_values only
  assert.equal(vnfd.productName, 'Sample CNF'); // template over the type's default
  assert.equal(vnfd.softwareVersion, '1.0'); // default, written unquoted
  assert.equal(vnfd.vnfdVersion, '2.1'); // default and valid_values
  assert.deepEqual(vnfd.vnfmInfo, ['Tacker', 'etsivnfm:v2.6.1']);
  assert.equal(vnfd.vnfNodeType, 'example.sample.CNF');
  assert.deepEqual(vnfd.files, [
    'Definitions/sample_cnf_top.vnfd.yaml',
    'Definitions/sample_cnf_types.yaml',
    'Definitions/sample_cnf_df_helmchart.yaml',
    'Definitions/sample_cnf_df_manifest.yaml',
  ]);
  // Plain data: what other modules store and send.
  assert.deepEqual(JSON.parse(JSON.stringify(vnfd)), vnfd);
});

test('flavours: substitution_mappings flavour_id, and the older form with flavour_id in the VNF template', () => {
  const vnfd = load();
  assert.deepEqual(
    vnfd.flavours.map((f) => [f.flavourId, f.description, f.file]),
    [
      ['helmchart', 'Helm charts as MCIOPs', 'Definitions/sample_cnf_df_helmchart.yaml'],
      ['manifest', 'Kubernetes manifests as MCIOPs', 'Definitions/sample_cnf_df_manifest.yaml'],
    ],
  );
  assert.equal(flavour(vnfd, 'nope'), undefined);
});

test('helmchart flavour: VDUs, aspects, deltas and instantiation levels', () => {
  const helm = flavour(load(), 'helmchart')!;
  assert.deepEqual(helm.vdus[0], {
    id: 'VDU1',
    name: 'vdu1-app',
    description: 'VDU1 compute node',
    type: 'tosca.nodes.nfv.Vdu.Compute',
    kind: 'Compute',
    vduProfile: { minNumberOfInstances: 1, maxNumberOfInstances: 3 },
    initialDelta: 1,
    levelInstances: { instantiation_level_1: 1, instantiation_level_2: 3 },
  });
  assert.deepEqual(
    helm.vdus.map((v) => [v.id, v.name]),
    [
      ['VDU1', 'vdu1-app'],
      ['VDU2', 'vdu2-apache'],
    ],
  );
  assert.deepEqual(helm.aspects, [
    {
      id: 'vdu1_aspect',
      name: 'vdu1_aspect',
      description: 'vdu1 scaling aspect',
      maxScaleLevel: 2,
      stepDeltas: ['delta_1'],
      vduDeltas: { VDU1: { delta_1: 1 } },
    },
    {
      id: 'vdu2_aspect',
      name: 'vdu2_aspect',
      description: 'vdu2 scaling aspect',
      maxScaleLevel: 2,
      stepDeltas: ['delta_1'],
      vduDeltas: { VDU2: { delta_1: 1 } },
    },
  ]);
  assert.deepEqual(helm.instantiationLevels, [
    {
      id: 'instantiation_level_1',
      description: 'Smallest size',
      scaleInfo: { vdu1_aspect: 0, vdu2_aspect: 0 },
    },
    {
      id: 'instantiation_level_2',
      description: 'Largest size',
      scaleInfo: { vdu1_aspect: 2, vdu2_aspect: 1 },
    },
  ]);
  assert.equal(helm.defaultLevel, 'instantiation_level_1');
  assert.equal(maxScaleLevel(helm, 'vdu1_aspect'), 2);
  assert.equal(maxScaleLevel(helm, 'nope'), undefined);
  assert.deepEqual(scaleLevelsAt(helm), { vdu1_aspect: 0, vdu2_aspect: 0 });
  assert.deepEqual(scaleLevelsAt(helm, 'instantiation_level_2'), { vdu1_aspect: 2, vdu2_aspect: 1 });
});

test('vduReplicas: VduInstantiationLevels counts, plus deltas of scale levels beyond the level', () => {
  const helm = flavour(load(), 'helmchart')!;
  assert.equal(vduReplicas(helm, 'VDU1'), 1); // default level
  assert.equal(vduReplicas(helm, 'VDU1', 'instantiation_level_2'), 3);
  assert.equal(vduReplicas(helm, 'VDU2', 'instantiation_level_2'), 2);
  assert.equal(vduReplicas(helm, 'VDU1', 'instantiation_level_1', { vdu1_aspect: 1 }), 2);
  assert.equal(vduReplicas(helm, 'VDU1', 'instantiation_level_1', { vdu1_aspect: 2 }), 3);
  // Another aspect's scaling leaves VDU1 alone.
  assert.equal(vduReplicas(helm, 'VDU1', 'instantiation_level_1', { vdu2_aspect: 2 }), 1);
  assert.equal(vduReplicas(helm, 'VDU2', 'instantiation_level_1', { vdu2_aspect: 2 }), 3);
  // From level 2 (vdu2_aspect at 1): scaling to 2 adds one step, to 0 removes one.
  assert.equal(vduReplicas(helm, 'VDU2', 'instantiation_level_2', { vdu2_aspect: 2 }), 3);
  assert.equal(vduReplicas(helm, 'VDU2', 'instantiation_level_2', { vdu2_aspect: 0 }), 1);

  assert.throws(() => vduReplicas(helm, 'VDU9'), RangeError);
  assert.throws(() => vduReplicas(helm, 'VDU1', 'instantiation_level_9'), RangeError);
  assert.throws(() => vduReplicas(helm, 'VDU1', undefined, { nope: 1 }), RangeError);
  assert.throws(() => vduReplicas(helm, 'VDU1', undefined, { vdu1_aspect: 3 }), /outside 0\.\.2/);
});

test('vduReplicas without VduInstantiationLevels: initial delta plus step deltas, the last one repeating', () => {
  const manifest = flavour(load(), 'manifest')!;
  assert.deepEqual(manifest.vdus[0]!.levelInstances, {});
  assert.equal(vduReplicas(manifest, 'WORKER'), 1); // level "small", scale level 0
  assert.equal(vduReplicas(manifest, 'WORKER', 'big'), 4); // 1 + delta_small 1 + delta_big 2
  assert.equal(vduReplicas(manifest, 'WORKER', 'small', { worker_aspect: 1 }), 2);
  assert.equal(vduReplicas(manifest, 'WORKER', 'small', { worker_aspect: 3 }), 6); // step 3 repeats delta_big
  assert.equal(vduReplicas(manifest, 'WORKER', 'big', { worker_aspect: 1 }), 2);
});

test('Vnflcm: operations name artifacts; type-level operations, then the flavour node template', () => {
  const vnfd = load();
  const helm = flavour(vnfd, 'helmchart')!;
  for (const op of [
    'instantiate_start',
    'instantiate_end',
    'scale_start',
    'scale_end',
    'heal_start', // short form `heal_start: name`
    'heal_end', // implementation.primary
    'terminate_start',
    'terminate_end',
  ]) {
    assert.deepEqual(helm.lcmInterfaces[op], helmDriver, op);
    assert.deepEqual(vnfd.lcmInterfaces[op], helmDriver, op);
  }
  assert.deepEqual(helm.lcmInterfaces.modify_information_start, typeLevelDriver);
  assert.deepEqual(flavour(vnfd, 'manifest')!.lcmInterfaces, { modify_information_start: typeLevelDriver });
  assert.deepEqual(vnfd.lcmInterfaces.modify_information_start, typeLevelDriver);
});

test('SOL001 imports by URL, relative path or {file:} resolve to the bundled copies, never the package copy', () => {
  const dir = writeVnfdPackage();
  edit(
    dir,
    ENTRY,
    '  - etsi_nfv_sol001_common_types.yaml\n  - etsi_nfv_sol001_vnfd_types.yaml\n',
    '  - https://forge.etsi.org/rep/nfv/SOL001/raw/v2.6.1/etsi_nfv_sol001_common_types.yaml\n' +
      '  - file: https://forge.etsi.org/rep/nfv/SOL001/raw/v2.6.1/etsi_nfv_sol001_vnfd_types.yaml?inline=false\n',
  );
  edit(
    dir,
    'Definitions/sample_cnf_types.yaml',
    '  - etsi_nfv_sol001_common_types.yaml\n  - etsi_nfv_sol001_vnfd_types.yaml\n',
    '  - ../Definitions/etsi_nfv_sol001_common_types.yaml\n  - file: ./etsi_nfv_sol001_vnfd_types.yaml\n',
  );
  // Broken copies in the package must not be read.
  writeFiles(dir, {
    'Definitions/etsi_nfv_sol001_common_types.yaml': 'not: [valid',
    'Definitions/etsi_nfv_sol001_vnfd_types.yaml': 'not: [valid',
  });
  const vnfd = loadVnfd(dir, ENTRY);
  assert.equal(vnfd.vnfdId, VNFD_ID);
  assert.equal(vnfd.flavours.length, 2);

  const files = loadDefinitionsFiles(dir, ENTRY);
  assert.deepEqual(
    files.filter((f) => f.bundled).map((f) => f.name),
    ['SOL001 v2.6.1 etsi_nfv_sol001_common_types.yaml', 'SOL001 v2.6.1 etsi_nfv_sol001_vnfd_types.yaml'],
  );
});

test('package imports: relative to the importing file, {file:} objects, named imports, each file once', () => {
  const dir = writeVnfdPackage();
  edit(
    dir,
    ENTRY,
    '  - sample_cnf_types.yaml\n',
    '  - file: types/index.yaml\n  - vnf_types: sample_cnf_types.yaml\n',
  );
  writeFiles(dir, {
    'Definitions/types/index.yaml': [
      'tosca_definitions_version: tosca_simple_yaml_1_2',
      'imports:',
      '  - ../sample_cnf_types.yaml',
      '  - ./extra/../more.yaml',
      '',
    ].join('\n'),
    'Definitions/types/more.yaml': [
      'tosca_definitions_version: tosca_simple_yaml_1_2',
      'node_types:',
      '  example.sample.Sidecar:',
      '    derived_from: tosca.nodes.nfv.Vdu.Compute',
      '',
    ].join('\n'),
  });
  edit(
    dir,
    'Definitions/sample_cnf_df_manifest.yaml',
    '  - sample_cnf_types.yaml\n',
    '  - sample_cnf_types.yaml\n  - types/more.yaml\n',
  );
  edit(
    dir,
    'Definitions/sample_cnf_df_manifest.yaml',
    '    WORKER:\n      type: tosca.nodes.nfv.Vdu.Compute',
    '    WORKER:\n      type: example.sample.Sidecar',
  );
  const vnfd = loadVnfd(dir, ENTRY);
  assert.deepEqual(vnfd.files, [
    'Definitions/sample_cnf_top.vnfd.yaml',
    'Definitions/types/index.yaml',
    'Definitions/sample_cnf_types.yaml',
    'Definitions/types/more.yaml',
    'Definitions/sample_cnf_df_helmchart.yaml',
    'Definitions/sample_cnf_df_manifest.yaml',
  ]);
  // A VDU of a type derived from Vdu.Compute is a VDU.
  const worker = flavour(vnfd, 'manifest')!.vdus[0]!;
  assert.equal(worker.type, 'example.sample.Sidecar');
  assert.equal(worker.kind, 'Compute');
});

test('ToscaTypes.derivesFrom follows derived_from across files, SOL001 included', () => {
  const types = ToscaTypes.fromFiles(loadDefinitionsFiles(writeVnfdPackage(), ENTRY));
  assert.ok(types.derivesFrom('example.sample.CNF', 'tosca.nodes.nfv.VNF'));
  assert.ok(types.derivesFrom('example.sample.CNF', 'tosca.nodes.Root'));
  assert.ok(types.derivesFrom('tosca.nodes.nfv.VnfExtCp', 'tosca.nodes.nfv.Cp'));
  assert.ok(!types.derivesFrom('tosca.nodes.nfv.Vdu.Compute', 'tosca.nodes.nfv.VNF'));
  assert.ok(types.derivesFrom('tosca.policies.nfv.ScalingAspects', 'tosca.policies.Root', 'policy_types'));
  assert.ok(types.isKnown('example.sample.CNF'));
  assert.ok(types.isKnown('tosca.nodes.Compute'));
  assert.ok(!types.isKnown('tosca.nodes.nfv.Vdu.OsContainer')); // SOL001 v3 only
});

test('a single-file VNFD: the entry file is its own flavour', () => {
  const dir = writeVnfdPackage();
  const single = [
    'tosca_definitions_version: tosca_simple_yaml_1_2',
    'imports: [etsi_nfv_sol001_common_types.yaml, etsi_nfv_sol001_vnfd_types.yaml]',
    'node_types:',
    '  example.Single:',
    '    derived_from: tosca.nodes.nfv.VNF',
    'topology_template:',
    '  node_templates:',
    '    VNF:',
    '      type: example.Single',
    '      properties:',
    '        descriptor_id: 3c6f0a52-1d1e-4b1f-8f0e-0d5e1a2b3c4d',
    '        descriptor_version: "1"',
    '        provider: P',
    '        product_name: Single',
    '        software_version: 2',
    '        vnfm_info: etsivnfm:v2.6.1',
    '        flavour_id: simple',
    '        flavour_description: the only flavour',
    '    APP:',
    '      type: tosca.nodes.nfv.Vdu.Compute',
    '      properties:',
    '        name: app',
    '        description: app',
    '        vdu_profile: {min_number_of_instances: 2, max_number_of_instances: 2}',
    '',
  ].join('\n');
  writeFiles(dir, { 'single.yaml': single });
  const vnfd = loadVnfd(dir, 'single.yaml');
  assert.equal(vnfd.softwareVersion, '2');
  assert.deepEqual(vnfd.vnfmInfo, ['etsivnfm:v2.6.1']);
  assert.deepEqual(vnfd.lcmInterfaces, {});
  const f = flavour(vnfd, 'simple')!;
  assert.equal(f.description, 'the only flavour');
  assert.deepEqual(f.aspects, []);
  assert.equal(f.defaultLevel, undefined);
  assert.equal(f.vdus[0]!.initialDelta, 2); // no VduInitialDelta: min_number_of_instances
  assert.equal(vduReplicas(f, 'APP'), 2);
});
