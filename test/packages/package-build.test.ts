// buildPackage (`vnfm package build`): the zip the VNFM's own reader accepts (hashes
// checked against TOSCA.meta and the manifest), the same bytes from the same files
// wherever and whenever they were copied, a chart directory packed as an archive the
// real helm reads, and a one-line refusal for a directory that cannot be a package.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { buildPackage, PackageBuildError } from '../../src/packages/build.ts';
import {
  DEFAULT_ZIP_LIMITS,
  parseManifest,
  parseToscaMeta,
  readCsar,
} from '../../src/packages/csar/index.ts';
import { writeChart } from '../helpers/chart.ts';
import { vnfdFiles } from '../helpers/cnf-package.ts';
import { testbed } from '../helpers/testbed.ts';

const execFileP = promisify(execFile);
const VNFD_ID = '0f4c8a2e-3b6d-4e1f-9a7c-5d2e8b0c6f14';
const scratch = mkdtempSync(join(tmpdir(), 'package-build-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
/** A package directory: the test CNF's VNFD and its chart as a directory under Files/kubernetes. */
function packageDir(): string {
  const dir = join(scratch, `pkg-${n++}`);
  for (const [p, text] of vnfdFiles(VNFD_ID)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  mkdirSync(join(dir, 'Files/kubernetes'), { recursive: true });
  writeChart(join(dir, 'Files/kubernetes'), 'app', '0.1.0');
  mkdirSync(join(dir, 'Scripts'));
  writeFileSync(join(dir, 'Scripts/hook.sh'), '#!/bin/sh\necho hook\n');
  chmodSync(join(dir, 'Scripts/hook.sh'), 0o755);
  return dir;
}

async function extract(zip: Buffer) {
  const at = mkdtempSync(join(scratch, 'zip-'));
  writeFileSync(join(at, 'p.zip'), zip);
  return readCsar(join(at, 'p.zip'), join(at, 'x'), DEFAULT_ZIP_LIMITS);
}

async function refused(dir: string, message: RegExp) {
  await assert.rejects(buildPackage(dir), (err: Error) => {
    assert.ok(err instanceof PackageBuildError, String(err));
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return true;
  });
}

describe('vnfm package build', () => {
  test('a zip the VNFM reads: TOSCA.meta and manifest with every file hashed, the chart packed', async () => {
    const dir = packageDir();
    const csar = await extract(await buildPackage(dir));
    assert.equal(csar.entryDefinitions, 'Definitions/sample_cnf_top.vnfd.yaml');
    const meta = parseToscaMeta(readFileSync(join(csar.root, 'TOSCA-Metadata/TOSCA.meta'), 'utf8'));
    assert.equal(meta.etsiEntryManifest, 'sample_cnf_top.vnfd.mf');
    assert.deepEqual(
      meta.artifacts.map((a) => [a.name, a.algorithm, a.contentType]),
      [
        ['Files/kubernetes/app-0.1.0.tgz', 'SHA-256', 'application/gzip'],
        ['Scripts/hook.sh', 'SHA-256', 'text/plain'],
      ],
    );
    const manifest = parseManifest(readFileSync(join(csar.root, 'sample_cnf_top.vnfd.mf'), 'utf8'), 'mf');
    assert.equal(manifest.metadata?.vnfd_id, VNFD_ID);
    assert.deepEqual(
      manifest.artifacts.map((a) => a.source),
      [
        'Definitions/sample_cnf_df_helmchart.yaml',
        'Definitions/sample_cnf_top.vnfd.yaml',
        'Definitions/sample_cnf_types.yaml',
        'Files/kubernetes/app-0.1.0.tgz',
        'Scripts/hook.sh',
      ],
    );
    // readCsar verified every declared hash; the chart directory itself is not in the package.
    assert.ok(csar.artifacts.every((a) => a.hash && a.algorithm === 'SHA-256'));
    // The packed chart is one helm reads and renders.
    const env = await testbed();
    const rendered = await execFileP(
      env.helm3,
      ['template', 'r1', join(csar.root, 'Files/kubernetes/app-0.1.0.tgz')],
      {
        env: { PATH: process.env.PATH, HOME: scratch },
      },
    );
    assert.match(rendered.stdout, /name: r1-app/);
  });

  test('deterministic: the same files give the same bytes, whatever their times or the directory', async () => {
    const dir = packageDir();
    const first = await buildPackage(dir);
    const copy = join(scratch, 'copy-elsewhere');
    cpSync(dir, copy, { recursive: true });
    utimesSync(join(copy, 'Definitions/sample_cnf_types.yaml'), new Date(2011, 1, 1), new Date(2011, 1, 1));
    utimesSync(join(copy, 'Files/kubernetes/app/values.yaml'), new Date(), new Date());
    assert.deepEqual(await buildPackage(copy), first);
    assert.deepEqual(await buildPackage(dir), first);
    writeFileSync(
      join(copy, 'Files/kubernetes/app/values.yaml'),
      'replicaCount: 2\nimage: nginx:1.27\nservice: {port: 80, type: ClusterIP}\n',
    );
    assert.notDeepEqual(await buildPackage(copy), first, 'a changed chart file changes the package');
  });

  test('an existing TOSCA.meta keeps its header; stale artifact blocks are rewritten; .csarignore and hidden files stay out', async () => {
    const dir = packageDir();
    mkdirSync(join(dir, 'TOSCA-Metadata'));
    writeFileSync(
      join(dir, 'TOSCA-Metadata/TOSCA.meta'),
      'TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nCreated-by: ACME\nEntry-Definitions: Definitions/sample_cnf_top.vnfd.yaml\n\n' +
        `Name: Files/kubernetes/app-0.1.0.tgz\nContent-Type: application/gzip\nAlgorithm: SHA-256\nHash: ${'0'.repeat(64)}\n`,
    );
    writeFileSync(join(dir, 'README.md'), 'notes\n');
    writeFileSync(join(dir, 'request.json'), '{}\n');
    writeFileSync(join(dir, '.csarignore'), '# operator files\nREADME.md\n*.json\n');
    writeFileSync(join(dir, 'Files/.swp'), 'x');
    const csar = await extract(await buildPackage(dir));
    const meta = parseToscaMeta(readFileSync(join(csar.root, 'TOSCA-Metadata/TOSCA.meta'), 'utf8'));
    assert.equal(meta.createdBy, 'ACME');
    assert.deepEqual(csar.files.map((f) => f.path).sort(), [
      'Definitions/sample_cnf_df_helmchart.yaml',
      'Definitions/sample_cnf_top.vnfd.yaml',
      'Definitions/sample_cnf_types.yaml',
      'Files/kubernetes/app-0.1.0.tgz',
      'Scripts/hook.sh',
      'TOSCA-Metadata/TOSCA.meta',
      'sample_cnf_top.vnfd.mf',
    ]);
  });

  test('refusals, one line each', async () => {
    await refused(join(scratch, 'none'), /none: no such directory/);
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    await refused(file, /is not a directory/);

    const empty = mkdtempSync(join(scratch, 'empty-'));
    await refused(empty, /no VNFD: the directory has no Definitions\/\*\.yaml/);

    const outside = packageDir();
    symlinkSync('/etc/passwd', join(outside, 'Files/passwd'));
    await refused(
      outside,
      /Files\/passwd is a symbolic link to \/etc\/passwd, outside the package directory/,
    );

    const linkedDir = packageDir();
    symlinkSync(join(linkedDir, 'Scripts'), join(linkedDir, 'Files/scripts'));
    await refused(linkedDir, /Files\/scripts is a symbolic link to a directory/);

    const fifo = packageDir();
    await execFileP('mkfifo', [join(fifo, 'Files/pipe')]);
    await refused(fifo, /Files\/pipe is not a regular file/);

    const twoTops = packageDir();
    writeFileSync(
      join(twoTops, 'Definitions/other_top.vnfd.yaml'),
      'tosca_definitions_version: tosca_simple_yaml_1_2\n',
    );
    await refused(
      twoTops,
      /cannot tell the top VNFD among .*other_top\.vnfd\.yaml.*sample_cnf_top\.vnfd\.yaml/,
    );

    const broken = packageDir();
    writeFileSync(join(broken, 'Definitions/sample_cnf_types.yaml'), 'node_types: [unclosed\n');
    await refused(broken, /^the VNFD is not valid: Definitions\/sample_cnf_types\.yaml/);

    const badMeta = packageDir();
    mkdirSync(join(badMeta, 'TOSCA-Metadata'));
    writeFileSync(join(badMeta, 'TOSCA-Metadata/TOSCA.meta'), 'TOSCA-Meta-File-Version: 1.0\n');
    await refused(badMeta, /TOSCA\.meta line 1: the header block .* lacks/);

    const twice = packageDir();
    writeFileSync(join(twice, 'Files/kubernetes/app-0.1.0.tgz'), 'an older archive');
    await refused(twice, /Files\/kubernetes\/app-0\.1\.0\.tgz is there twice/);

    const badChart = packageDir();
    writeFileSync(join(badChart, 'Files/kubernetes/app/Chart.yaml'), 'apiVersion: v2\n');
    await refused(badChart, /Files\/kubernetes\/app\/Chart\.yaml needs a name and a version/);
  });
});
