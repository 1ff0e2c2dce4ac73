// A CNF package in the style operators onboard (Tacker's CNF samples): TOSCA.meta
// with per-artifact hashes, a top VNFD importing the SOL001 types, a types file
// and a deployment-flavour file, a real Helm chart under Files/kubernetes and a
// Deployment manifest. Written by the tests; options bend it into bad packages.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { writeChart } from './chart.ts';
import { buildZip, type ZipEntrySpec } from './zip.ts';

export interface CnfPackageOptions {
  vnfdId?: string;
  /** Change files before zipping (path → content; undefined deletes). */
  edit?: (files: Map<string, string | Buffer>) => void;
  /** Declare hashes in TOSCA.meta (default true). */
  hashes?: boolean;
  /** Corrupt the declared hash of this artifact. */
  wrongHashFor?: string;
  /** Entries stored in the zip without compression (as `zip -n .tgz` stores archives). */
  stored?: readonly string[];
}

export const CHART_PATH = 'Files/kubernetes/app-0.1.0.tgz';
export const MANIFEST_PATH = 'Files/kubernetes/deployment.yaml';

/** The tests' chart (helpers/chart.ts) as an archive, as `helm package` makes it; `edit` may change its directory first. */
export async function chartTgz(
  name = 'app',
  version = '0.1.0',
  edit: (chartDir: string) => void = () => {},
): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  try {
    edit(writeChart(dir, name, version));
    const out = join(dir, 'chart.tgz');
    await tar.c({ gzip: true, cwd: dir, file: out, portable: true }, [name]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sha256 = (d: string | Buffer) => createHash('sha256').update(d).digest('hex');

export function vnfdFiles(vnfdId: string): Map<string, string> {
  const files = new Map<string, string>();
  const sol001 = `  - etsi_nfv_sol001_common_types.yaml\n  - etsi_nfv_sol001_vnfd_types.yaml\n`;
  files.set(
    'Definitions/sample_cnf_top.vnfd.yaml',
    `tosca_definitions_version: tosca_simple_yaml_1_2
description: Sample CNF whose MCIOPs are a Helm chart and a manifest
imports:
${sol001}  - sample_cnf_types.yaml
  - sample_cnf_df_helmchart.yaml
topology_template:
  inputs:
    selected_flavour:
      type: string
      description: VNF deployment flavour selected by the consumer
  node_templates:
    VNF:
      type: company.provider.SampleCNF
      properties:
        flavour_id: { get_input: selected_flavour }
        descriptor_id: ${vnfdId}
        provider: Company
        product_name: Sample CNF
        software_version: '1.0'
        descriptor_version: '1.0'
        vnfm_info:
          - Tacker
`,
  );
  files.set(
    'Definitions/sample_cnf_types.yaml',
    `tosca_definitions_version: tosca_simple_yaml_1_2
description: VNF type definition
imports:
${sol001}node_types:
  company.provider.SampleCNF:
    derived_from: tosca.nodes.nfv.VNF
    properties:
      descriptor_id:
        type: string
        constraints: [ valid_values: [ ${vnfdId} ] ]
        default: ${vnfdId}
      descriptor_version:
        type: string
        constraints: [ valid_values: [ '1.0' ] ]
        default: '1.0'
      provider:
        type: string
        constraints: [ valid_values: [ 'Company' ] ]
        default: 'Company'
      product_name:
        type: string
        constraints: [ valid_values: [ 'Sample CNF' ] ]
        default: 'Sample CNF'
      software_version:
        type: string
        constraints: [ valid_values: [ '1.0' ] ]
        default: '1.0'
      vnfm_info:
        type: list
        entry_schema:
          type: string
          constraints: [ valid_values: [ Tacker ] ]
        default: [ Tacker ]
      flavour_id:
        type: string
        constraints: [ valid_values: [ helmchart ] ]
        default: helmchart
      flavour_description:
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
  files.set(
    'Definitions/sample_cnf_df_helmchart.yaml',
    `tosca_definitions_version: tosca_simple_yaml_1_2
description: Deployment flavour helmchart
imports:
${sol001}  - sample_cnf_types.yaml
topology_template:
  inputs:
    descriptor_id:
      type: string
  substitution_mappings:
    node_type: company.provider.SampleCNF
    properties:
      flavour_id: helmchart
    requirements:
      virtual_link_external: []
  node_templates:
    VNF:
      type: company.provider.SampleCNF
      properties:
        flavour_description: A flavour for a Helm chart
    VDU1:
      type: tosca.nodes.nfv.Vdu.Compute
      properties:
        name: vdu1-app
        description: VDU1 workload
        vdu_profile:
          min_number_of_instances: 1
          max_number_of_instances: 3
    VDU2:
      type: tosca.nodes.nfv.Vdu.Compute
      properties:
        name: vdu2-app
        description: VDU2 workload
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
                  scale_level: 2
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
              number_of_instances: 3
        targets: [ VDU2 ]
`,
  );
  return files;
}

export function deploymentManifest(
  name = 'vdu1-app',
  replicas = 1,
  nodeSelector?: Record<string, string>,
  cpuRequest?: string,
): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:${nodeSelector ? `\n      nodeSelector: ${JSON.stringify(nodeSelector)}` : ''}
      containers:
      - {name: app, image: nginx:1.27, ports: [{containerPort: 80}]${cpuRequest ? `, resources: {requests: {cpu: "${cpuRequest}"}}` : ''}}
`;
}

/** Builds the package zip; returns its bytes and the vnfdId it declares. */
export async function cnfPackage(opts: CnfPackageOptions = {}): Promise<{ zip: Buffer; vnfdId: string }> {
  const vnfdId = opts.vnfdId ?? randomUUID();
  const files = new Map<string, string | Buffer>(vnfdFiles(vnfdId));
  files.set(CHART_PATH, await chartTgz());
  files.set(MANIFEST_PATH, `${deploymentManifest('vdu1-app')}---\n${deploymentManifest('vdu2-app')}`);
  opts.edit?.(files);
  const artifacts = [...files.keys()].filter((p) => p.startsWith('Files/'));
  const blocks = artifacts.map((p) => {
    const hash = p === opts.wrongHashFor ? '0'.repeat(64) : sha256(files.get(p) as string | Buffer);
    return `Name: ${p}\nContent-Type: ${p.endsWith('.tgz') ? 'application/gzip' : 'application/yaml'}\nAlgorithm: SHA-256\nHash: ${hash}\n`;
  });
  if (!files.has('TOSCA-Metadata/TOSCA.meta')) {
    files.set(
      'TOSCA-Metadata/TOSCA.meta',
      `TOSCA-Meta-File-Version: 1.0\nCreated-by: test\nCSAR-Version: 1.1\nEntry-Definitions: Definitions/sample_cnf_top.vnfd.yaml\n\n${
        opts.hashes === false ? '' : blocks.join('\n')
      }`,
    );
  }
  const entries: ZipEntrySpec[] = [...files].map(([name, data]) => ({
    name,
    data,
    ...(opts.stored?.includes(name) ? { compress: false } : {}),
  }));
  return { zip: await buildZip(entries), vnfdId };
}
