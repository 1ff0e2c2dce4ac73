// What the change_vnfpkg tests share: packages that differ from the sample one in
// their chart, manifests and software version, and the v2 task that moves an
// instance to one of them (its op occ is read through v1: the same engine).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_PATH, chartTgz, type CnfPackageOptions } from './cnf-package.ts';
import { onboardPackage } from './lcm.ts';
import type { TestVnfm } from './vnfm.ts';

/** The sample chart at `version` with pods that select a node no cluster has, so they never run. */
export function unschedulableChart(version: string): Promise<Buffer> {
  return chartTgz('app', version, (chart) => {
    const file = join(chart, 'templates', 'deployment.yaml');
    const text = readFileSync(file, 'utf8').replace(
      '    spec:\n      containers:',
      '    spec:\n      nodeSelector: {vnfm-test/no-such-node: "true"}\n      containers:',
    );
    assert.ok(text.includes('no-such-node'));
    writeFileSync(file, text);
  });
}

/** The VNFD's software_version changed (top template and the type's constraint alike). */
export function softwareVersion(files: Map<string, string | Buffer>, version: string): void {
  const top = 'Definitions/sample_cnf_top.vnfd.yaml';
  const types = 'Definitions/sample_cnf_types.yaml';
  files.set(top, String(files.get(top)).replace("software_version: '1.0'", `software_version: '${version}'`));
  const t = String(files.get(types));
  const edited = t.replace(
    /(software_version:\n\s+type: string\n\s+constraints: \[ valid_values: \[ )'1\.0'( \] \]\n\s+default: )'1\.0'/,
    `$1'${version}'$2'${version}'`,
  );
  assert.notEqual(edited, t, 'the types file names the software version');
  files.set(types, edited);
}

/** Onboards the sample package with its chart replaced by `chart` at `chartPath`. */
export async function onboardChartPackage(
  vnfm: TestVnfm,
  chartPath: string,
  chart: Buffer,
  version: string,
  more: CnfPackageOptions['edit'] = () => {},
) {
  return onboardPackage(vnfm, {
    edit: (files) => {
      files.delete(CHART_PATH);
      files.set(chartPath, chart);
      softwareVersion(files, version);
      more(files);
    },
  });
}

/**
 * POST /vnflcm/v2/vnf_instances/{id}/change_vnfpkg, with the `Version` the server says it
 * serves there (none while /vnflcm/v2 has no api_versions of its own).
 */
export async function requestChange(vnfm: TestVnfm, id: string, body: object) {
  const versions = await vnfm.request('GET', '/vnflcm/v2/api_versions');
  const version = versions.status === 200 ? versions.body.apiVersions?.[0]?.version : undefined;
  return vnfm.request(
    'POST',
    `/vnflcm/v2/vnf_instances/${id}/change_vnfpkg`,
    body,
    version ? { version } : {},
  );
}

/** Starts a change, asserts 202 + a v2 Location, returns the op occ id. */
export async function startChange(vnfm: TestVnfm, id: string, body: object): Promise<string> {
  const res = await requestChange(vnfm, id, body);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const location = res.headers.get('location') ?? '';
  assert.match(location, /^\/vnflcm\/v2\/vnf_lcm_op_occs\/[0-9a-f-]+$/);
  return location.split('/').pop()!;
}

/** Asserts a ProblemDetails answer of `status` whose detail matches `detail`. */
export function assertProblem(
  res: { status: number; body: any; headers: Headers },
  status: number,
  detail: RegExp,
) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.match(res.body.detail, detail);
}
