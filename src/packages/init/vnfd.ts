// The SOL001 VNFD `vnfm package init` writes, in the three-file shape of the
// VNFM's and Tacker's CNF samples: a top file importing the SOL001 types, a types
// file with the VNF node type, and one deployment-flavour file holding a
// tosca.nodes.nfv.Vdu.Compute per workload, a scaling aspect per replica value
// (one step = one more pod) and two instantiation levels (smallest, largest).
import type { Workload } from './workloads.ts';

export interface VnfdSpec {
  /** File name stem: `<base>_top.vnfd.yaml`, `<base>_types.yaml`, `<base>_df_<flavour>.yaml`. */
  base: string;
  vnfdId: string;
  provider: string;
  productName: string;
  softwareVersion: string;
  nodeType: string;
  flavourId: string;
  description: string;
  vdus: VduSpec[];
  aspects: AspectSpec[];
}

export interface VduSpec {
  id: string;
  workload: Workload;
  /** Instances at scale level 0. */
  initial: number;
  max: number;
}

export interface AspectSpec {
  id: string;
  /** The values path holding the replicas of its VDUs. */
  value: string;
  vdus: string[];
  maxScaleLevel: number;
}

// JSON strings are YAML strings: any text lands quoted and escaped.
const s = (v: string) => JSON.stringify(v);
const SOL001 = `  - etsi_nfv_sol001_common_types.yaml\n  - etsi_nfv_sol001_vnfd_types.yaml\n`;

export function vnfdFiles(spec: VnfdSpec): Map<string, string> {
  const files = new Map<string, string>();
  const types = `${spec.base}_types.yaml`;
  const df = `${spec.base}_df_${spec.flavourId}.yaml`;
  files.set(
    `Definitions/${spec.base}_top.vnfd.yaml`,
    `tosca_definitions_version: tosca_simple_yaml_1_2
description: ${s(spec.description)}
imports:
${SOL001}  - ${types}
  - ${df}
topology_template:
  inputs:
    selected_flavour:
      type: string
      description: VNF deployment flavour selected by the consumer
  node_templates:
    VNF:
      type: ${spec.nodeType}
      properties:
        flavour_id: { get_input: selected_flavour }
        descriptor_id: ${s(spec.vnfdId)}
        provider: ${s(spec.provider)}
        product_name: ${s(spec.productName)}
        software_version: ${s(spec.softwareVersion)}
        descriptor_version: '1.0'
        vnfm_info:
          - Tacker
`,
  );
  const fixed = (name: string, type: string, value: string) => `      ${name}:
        type: ${type}
        constraints: [ valid_values: [ ${value} ] ]
        default: ${value}
`;
  files.set(
    `Definitions/${types}`,
    `tosca_definitions_version: tosca_simple_yaml_1_2
description: VNF type definition
imports:
${SOL001}node_types:
  ${spec.nodeType}:
    derived_from: tosca.nodes.nfv.VNF
    properties:
${fixed('descriptor_id', 'string', s(spec.vnfdId))}${fixed('descriptor_version', 'string', "'1.0'")}${fixed(
      'provider',
      'string',
      s(spec.provider),
    )}${fixed('product_name', 'string', s(spec.productName))}${fixed(
      'software_version',
      'string',
      s(spec.softwareVersion),
    )}      vnfm_info:
        type: list
        entry_schema:
          type: string
          constraints: [ valid_values: [ Tacker ] ]
        default: [ Tacker ]
${fixed('flavour_id', 'string', spec.flavourId)}      flavour_description:
        type: string
        default: ''
    requirements:
      - virtual_link_external:
          capability: tosca.capabilities.nfv.VirtualLinkable
    interfaces:
      Vnflcm:
        type: tosca.interfaces.nfv.Vnflcm
`,
  );
  files.set(`Definitions/${df}`, flavourFile(spec, types));
  return files;
}

function flavourFile(spec: VnfdSpec, types: string): string {
  const vdus = spec.vdus
    .map(
      (v) => `    ${v.id}:
      type: tosca.nodes.nfv.Vdu.Compute
      properties:
        name: ${s(v.workload.name)}
        description: ${s(`${v.workload.kind} ${v.workload.name}`)}
        vdu_profile:
          min_number_of_instances: ${v.initial}
          max_number_of_instances: ${v.max}
`,
    )
    .join('');
  const policies: string[] = [];
  if (spec.aspects.length > 0) {
    policies.push(`    - scaling_aspects:
        type: tosca.policies.nfv.ScalingAspects
        properties:
          aspects:
${spec.aspects
  .map(
    (a) => `            ${a.id}:
              name: ${a.id}
              description: ${s(`scales ${a.vdus.join(', ')} through the value ${a.value}`)}
              max_scale_level: ${a.maxScaleLevel}
              step_deltas:
                - delta_1
`,
  )
  .join('')}`);
  }
  for (const v of spec.vdus) {
    policies.push(`    - ${v.id.toLowerCase()}_initial_delta:
        type: tosca.policies.nfv.VduInitialDelta
        properties:
          initial_delta:
            number_of_instances: ${v.initial}
        targets: [ ${v.id} ]
`);
  }
  for (const a of spec.aspects) {
    policies.push(`    - ${a.id}_deltas:
        type: tosca.policies.nfv.VduScalingAspectDeltas
        properties:
          aspect: ${a.id}
          deltas:
            delta_1:
              number_of_instances: 1
        targets: [ ${a.vdus.join(', ')} ]
`);
  }
  const levels = (scale: (a: AspectSpec) => number) =>
    spec.aspects.length === 0
      ? '              scale_info: {}\n'
      : `              scale_info:\n${spec.aspects
          .map((a) => `                ${a.id}:\n                  scale_level: ${scale(a)}\n`)
          .join('')}`;
  policies.push(`    - instantiation_levels:
        type: tosca.policies.nfv.InstantiationLevels
        properties:
          levels:
            instantiation_level_1:
              description: Smallest size (the chart's own replica values)
${levels(() => 0)}            instantiation_level_2:
              description: Largest size
${levels((a) => a.maxScaleLevel)}          default_level: instantiation_level_1
`);
  for (const v of spec.vdus) {
    policies.push(`    - ${v.id.toLowerCase()}_instantiation_levels:
        type: tosca.policies.nfv.VduInstantiationLevels
        properties:
          levels:
            instantiation_level_1:
              number_of_instances: ${v.initial}
            instantiation_level_2:
              number_of_instances: ${v.max}
        targets: [ ${v.id} ]
`);
  }
  return `tosca_definitions_version: tosca_simple_yaml_1_2
description: Deployment flavour ${spec.flavourId}
imports:
${SOL001}  - ${types}
topology_template:
  inputs:
    descriptor_id:
      type: string
  substitution_mappings:
    node_type: ${spec.nodeType}
    properties:
      flavour_id: ${spec.flavourId}
    requirements:
      virtual_link_external: []
  node_templates:
    VNF:
      type: ${spec.nodeType}
      properties:
        flavour_description: ${s(spec.description)}
${vdus}  policies:
${policies.join('')}`;
}
