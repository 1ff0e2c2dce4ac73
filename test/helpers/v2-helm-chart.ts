// A package in the shape the reference VNFM's v2 Helm samples have: one chart
// `test-chart` whose Deployments are named `vdu1-{{ .Release.Name }}` and
// `vdu2-{{ .Release.Name }}` (replicas from `replicaCountVdu1` / `replicaCountVdu2`),
// and a VNFD whose VDUs are named `vdu1` and `vdu2` — the VDU found by its name as the
// workload's prefix. As an edit of the tests' CNF package (onboardPackage) or extracted
// for the driver's own tests.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { flavour as flavourOf, loadVnfd } from '../../src/packages/vnfd/index.ts';
import { CHART_PATH, vnfdFiles } from './cnf-package.ts';
import type { HelmPackage } from './helm-package.ts';

export const V2_CHART_PATH = 'Files/kubernetes/test-chart-0.1.0.tgz';
const DF = 'Definitions/sample_cnf_df_helmchart.yaml';

const deployment = (vdu: string, replicas: string, unschedulable = false) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${vdu}-{{ .Release.Name }}
  labels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}, vdu: ${vdu}}
spec:
  replicas: {{ .Values.${replicas} }}
  selector:
    matchLabels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}, vdu: ${vdu}}
  template:
    metadata:
      labels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}, vdu: ${vdu}}
    spec:${unschedulable ? '\n      nodeSelector: {vnfm-test/no-such-node: "true"}' : ''}
      containers:
      - {name: app, image: {{ printf "%s:%s" .Values.image.repository .Values.image.tag | quote }}}
`;

/** The chart as `helm package` makes it. */
/** `unschedulable`: pods that select a node no cluster has, so they never become ready. */
export async function v2ChartTgz(version = '0.1.0', unschedulable = false): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'v2-chart-'));
  try {
    const chart = join(dir, 'test-chart');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), `apiVersion: v2\nname: test-chart\nversion: ${version}\n`);
    writeFileSync(
      join(chart, 'values.yaml'),
      'replicaCountVdu1: 1\nreplicaCountVdu2: 1\nimage: {repository: nginx, tag: "1.27"}\nservice: {type: ClusterIP, port: 80}\n',
    );
    writeFileSync(
      join(chart, 'templates', 'deployment_vdu1.yaml'),
      deployment('vdu1', 'replicaCountVdu1', unschedulable),
    );
    writeFileSync(
      join(chart, 'templates', 'deployment_vdu2.yaml'),
      deployment('vdu2', 'replicaCountVdu2', unschedulable),
    );
    writeFileSync(
      join(chart, 'templates', 'service.yaml'),
      `apiVersion: v1
kind: Service
metadata:
  name: svc-{{ .Release.Name }}
spec:
  type: {{ .Values.service.type }}
  selector: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
  ports: [{port: {{ .Values.service.port }}, targetPort: 80}]
`,
    );
    const out = join(dir, 'chart.tgz');
    await tar.c({ gzip: true, cwd: dir, file: out, portable: true }, ['test-chart']);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bends the tests' CNF package (its files) into the v2 sample's shape. */
export function toV2Package(files: Map<string, string | Buffer>, chart: Buffer): void {
  files.delete(CHART_PATH);
  files.set(V2_CHART_PATH, chart);
  files.set(
    DF,
    String(files.get(DF)).replace('name: vdu1-app', 'name: vdu1').replace('name: vdu2-app', 'name: vdu2'),
  );
}

/** The package extracted, for the driver's tests. */
export async function v2HelmPackage(): Promise<HelmPackage> {
  const root = mkdtempSync(join(tmpdir(), 'helm-v2-pkg-'));
  const files = new Map<string, string | Buffer>(vnfdFiles(randomUUID()));
  const chart = await v2ChartTgz();
  toV2Package(files, chart);
  for (const [p, data] of files) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), data);
  }
  const flavour = flavourOf(loadVnfd(root, 'Definitions/sample_cnf_top.vnfd.yaml'), 'helmchart');
  if (!flavour) throw new Error('sample VNFD has no helmchart flavour');
  return { root, flavour, chart };
}
