// The one Helm chart the tests make: a Deployment `<release>-app` (replicas from
// `replicaCount`) and a Service `<release>-svc` (`service.port`, `service.type`),
// as a directory (writeChart) or a packaged archive (chartTgz in cnf-package.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeChart(dir: string, name = 'smoke', version = '0.1.0'): string {
  const chart = join(dir, name);
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "1.0"\n`,
  );
  writeFileSync(
    join(chart, 'values.yaml'),
    'replicaCount: 1\nimage: nginx:1.27\nservice:\n  port: 80\n  type: ClusterIP\n',
  );
  writeFileSync(
    join(chart, 'templates', 'deployment.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
  labels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
  template:
    metadata:
      labels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
    spec:
      containers:
      - {name: app, image: {{ .Values.image | quote }}, ports: [{containerPort: 80}]}
`,
  );
  writeFileSync(
    join(chart, 'templates', 'service.yaml'),
    `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-svc
spec:
  type: {{ .Values.service.type }}
  selector: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
  ports: [{port: {{ .Values.service.port }}, targetPort: 80}]
`,
  );
  return chart;
}
