// An extracted CNF package in the style of Tacker's sample CNF packages, written by
// the tests: a top VNFD importing the SOL001 types, a types file defining the VNF
// node type, and one file per deployment flavour (`helmchart`, `manifest`).
// Tests break one thing at a time with `edit`.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ENTRY = 'Definitions/sample_cnf_top.vnfd.yaml';
export const VNFD_ID = '7d0b8c3e-5a1f-4e52-9a6b-2f1c0d4e8b19';

const TOP = `tosca_definitions_version: tosca_simple_yaml_1_2

description: Sample CNF, Helm charts or Kubernetes manifests as MCIOPs

imports:
  - etsi_nfv_sol001_common_types.yaml
  - etsi_nfv_sol001_vnfd_types.yaml
  - sample_cnf_types.yaml
  - sample_cnf_df_helmchart.yaml
  - sample_cnf_df_manifest.yaml

topology_template:
  inputs:
    selected_flavour:
      type: string
      description: VNF deployment flavour selected by the consumer. It is provided in the API

  node_templates:
    VNF:
      type: example.sample.CNF
      properties:
        flavour_id: { get_input: selected_flavour }
        product_name: Sample CNF
        vnfm_info:
          - Tacker
          - etsivnfm:v2.6.1
`;

const TYPES = `tosca_definitions_version: tosca_simple_yaml_1_2

description: VNF type definition

imports:
  - etsi_nfv_sol001_common_types.yaml
  - etsi_nfv_sol001_vnfd_types.yaml

node_types:
  example.sample.CNF:
    derived_from: tosca.nodes.nfv.VNF
    properties:
      descriptor_id:
        type: string
        constraints: [ valid_values: [ ${VNFD_ID} ] ]
      descriptor_version:
        type: string
        constraints: [ valid_values: [ '2.1' ] ]
        default: '2.1'
      provider:
        type: string
        constraints: [ valid_values: [ Example Telecom ] ]
      product_name:
        type: string
        default: Overridden by the node template
      software_version:
        type: string
        default: 1.0
      vnfm_info:
        type: list
        entry_schema:
          type: string
        default: [ Tacker ]
      flavour_id:
        type: string
        constraints: [ valid_values: [ helmchart, manifest ] ]
      flavour_description:
        type: string
        default: ''
    requirements:
      - virtual_link_external:
          capability: tosca.capabilities.nfv.VirtualLinkable
    interfaces:
      Vnflcm:
        type: tosca.interfaces.nfv.Vnflcm
        modify_information_start:
          implementation: type-level-driver
    artifacts:
      type-level-driver:
        type: tosca.artifacts.Implementation.Python
        file: Scripts/type_level_mgmt.py
`;

const DF_HELMCHART = `tosca_definitions_version: tosca_simple_yaml_1_2

description: Deployment flavour helmchart, two VDUs deployed by Helm

imports:
  - etsi_nfv_sol001_common_types.yaml
  - etsi_nfv_sol001_vnfd_types.yaml
  - sample_cnf_types.yaml

topology_template:
  inputs:
    descriptor_id:
      type: string
    flavour_id:
      type: string

  substitution_mappings:
    node_type: example.sample.CNF
    properties:
      flavour_id: helmchart
    requirements:
      virtual_link_external: []

  node_templates:
    VNF:
      type: example.sample.CNF
      properties:
        flavour_description: Helm charts as MCIOPs
      interfaces:
        Vnflcm:
          instantiate_start:
            implementation: mgmt-drivers-helm
          instantiate_end:
            implementation: mgmt-drivers-helm
          scale_start:
            implementation: mgmt-drivers-helm
          scale_end:
            implementation: mgmt-drivers-helm
          heal_start: mgmt-drivers-helm
          heal_end:
            implementation:
              primary: mgmt-drivers-helm
          terminate_start:
            implementation: mgmt-drivers-helm
          terminate_end:
            implementation: mgmt-drivers-helm
      artifacts:
        mgmt-drivers-helm:
          description: Management driver for Helm
          type: tosca.artifacts.Implementation.Python
          file: Scripts/helm_mgmt.py

    VDU1:
      type: tosca.nodes.nfv.Vdu.Compute
      properties:
        name: vdu1-app
        description: VDU1 compute node
        vdu_profile:
          min_number_of_instances: 1
          max_number_of_instances: 3

    VDU2:
      type: tosca.nodes.nfv.Vdu.Compute
      properties:
        name: vdu2-apache
        description: VDU2 compute node
        vdu_profile:
          min_number_of_instances: 1
          max_number_of_instances: 3

  policies:
    - scaling_aspects:
        type: tosca.policies.nfv.ScalingAspects
        properties:
          aspects:
            vdu1_aspect:
              name: vdu1_aspect
              description: vdu1 scaling aspect
              max_scale_level: 2
              step_deltas:
                - delta_1
            vdu2_aspect:
              name: vdu2_aspect
              description: vdu2 scaling aspect
              max_scale_level: 2
              step_deltas:
                - delta_1

    - vdu1_initial_delta:
        type: tosca.policies.nfv.VduInitialDelta
        properties:
          initial_delta:
            number_of_instances: 1
        targets: [ VDU1 ]

    - vdu2_initial_delta:
        type: tosca.policies.nfv.VduInitialDelta
        properties:
          initial_delta:
            number_of_instances: 1
        targets: [ VDU2 ]

    - vdu1_scaling_aspect_deltas:
        type: tosca.policies.nfv.VduScalingAspectDeltas
        properties:
          aspect: vdu1_aspect
          deltas:
            delta_1:
              number_of_instances: 1
        targets: [ VDU1 ]

    - vdu2_scaling_aspect_deltas:
        type: tosca.policies.nfv.VduScalingAspectDeltas
        properties:
          aspect: vdu2_aspect
          deltas:
            delta_1:
              number_of_instances: 1
        targets: [ VDU2 ]

    - instantiation_levels:
        type: tosca.policies.nfv.InstantiationLevels
        properties:
          levels:
            instantiation_level_1:
              description: Smallest size
              scale_info:
                vdu1_aspect:
                  scale_level: 0
                vdu2_aspect:
                  scale_level: 0
            instantiation_level_2:
              description: Largest size
              scale_info:
                vdu1_aspect:
                  scale_level: 2
                vdu2_aspect:
                  scale_level: 1
          default_level: instantiation_level_1

    - vdu1_instantiation_levels:
        type: tosca.policies.nfv.VduInstantiationLevels
        properties:
          levels:
            instantiation_level_1:
              number_of_instances: 1
            instantiation_level_2:
              number_of_instances: 3
        targets: [ VDU1 ]

    - vdu2_instantiation_levels:
        type: tosca.policies.nfv.VduInstantiationLevels
        properties:
          levels:
            instantiation_level_1:
              number_of_instances: 1
            instantiation_level_2:
              number_of_instances: 2
        targets: [ VDU2 ]
`;

// The older form: flavour_id only in the VNF node template, substitution_mappings
// with node_type and requirements. One aspect with non-uniform steps and levels
// given by scale_info alone (no VduInstantiationLevels).
const DF_MANIFEST = `tosca_definitions_version: tosca_simple_yaml_1_2

description: Deployment flavour manifest, one VDU from Kubernetes manifests

imports:
  - etsi_nfv_sol001_common_types.yaml
  - etsi_nfv_sol001_vnfd_types.yaml
  - sample_cnf_types.yaml

topology_template:
  substitution_mappings:
    node_type: example.sample.CNF
    requirements:
      virtual_link_external: []

  node_templates:
    VNF:
      type: example.sample.CNF
      properties:
        flavour_id: manifest
        flavour_description: Kubernetes manifests as MCIOPs

    WORKER:
      type: tosca.nodes.nfv.Vdu.Compute
      properties:
        name: worker
        description: worker pods
        vdu_profile:
          min_number_of_instances: 1
          max_number_of_instances: 6

  policies:
    - scaling_aspects:
        type: tosca.policies.nfv.ScalingAspects
        properties:
          aspects:
            worker_aspect:
              name: worker_aspect
              description: workers, one then two per step
              max_scale_level: 3
              step_deltas: [ delta_small, delta_big ]

    - worker_initial_delta:
        type: tosca.policies.nfv.VduInitialDelta
        properties:
          initial_delta:
            number_of_instances: 1
        targets: [ WORKER ]

    - worker_scaling_aspect_deltas:
        type: tosca.policies.nfv.VduScalingAspectDeltas
        properties:
          aspect: worker_aspect
          deltas:
            delta_small:
              number_of_instances: 1
            delta_big:
              number_of_instances: 2
        targets: [ WORKER ]

    - instantiation_levels:
        type: tosca.policies.nfv.InstantiationLevels
        properties:
          levels:
            small:
              description: one worker
              scale_info:
                worker_aspect:
                  scale_level: 0
            big:
              description: four workers
              scale_info:
                worker_aspect:
                  scale_level: 2
          default_level: small
`;

/** Writes the package into a new temporary directory and returns it. */
export function writeVnfdPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vnfd-'));
  writeFiles(dir, {
    [ENTRY]: TOP,
    'Definitions/sample_cnf_types.yaml': TYPES,
    'Definitions/sample_cnf_df_helmchart.yaml': DF_HELMCHART,
    'Definitions/sample_cnf_df_manifest.yaml': DF_MANIFEST,
    'Scripts/helm_mgmt.py': '# management driver\n',
    'Scripts/type_level_mgmt.py': '# management driver\n',
  });
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** Replaces the one occurrence of `from` in a package file; a fixture that silently stays valid is a bug. */
export function edit(dir: string, rel: string, from: string, to: string): void {
  const path = join(dir, rel);
  const text = readFileSync(path, 'utf8');
  const count = text.split(from).length - 1;
  if (count !== 1)
    throw new Error(`edit ${rel}: expected one occurrence of ${JSON.stringify(from)}, found ${count}`);
  writeFileSync(path, text.replace(from, to));
}
