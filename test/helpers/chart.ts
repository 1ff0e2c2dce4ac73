// A small Helm chart made by the tests: a Deployment and a Service, replicas from values.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeChart(dir: string, name = 'smoke'): string {
  const chart = join(dir, name);
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    `apiVersion: v2\nname: ${name}\nversion: 0.1.0\nappVersion: "1.0"\n`,
  );
  writeFileSync(join(chart, 'values.yaml'), 'replicas: 1\nimage: nginx:1.27\nservice:\n  port: 8080\n');
  writeFileSync(
    join(chart, 'templates', 'deployment.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
  labels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
  template:
    metadata:
      labels: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
    spec:
      containers:
      - name: app
        image: {{ .Values.image }}
        ports: [{containerPort: 80}]
`,
  );
  writeFileSync(
    join(chart, 'templates', 'service.yaml'),
    `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-svc
spec:
  selector: {app.kubernetes.io/instance: {{ .Release.Name | quote }}}
  ports: [{port: {{ .Values.service.port }}, targetPort: 80}]
`,
  );
  return chart;
}
