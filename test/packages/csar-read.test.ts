// readCsar on whole packages: the Tacker layout (TOSCA.meta with hash blocks),
// with a manifest, the manifest-only layout, and each way a package is refused,
// always with the package's files removed again.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readCsar, resolveInPackage } from '../../src/packages/csar/index.ts';
import { assertLeftNothing, rejectsWithCsarError, writeZip, type ZipEntrySpec } from '../helpers/zip.ts';

const tmp = mkdtempSync(join(tmpdir(), 'csar-read-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (label: string) => join(tmp, `${++n}-${label}`);

const sha = (alg: string, data: string | Buffer) => createHash(alg).update(data).digest('hex');

const TOP = 'Definitions/helloworld3_top.vnfd.yaml';
const CHART = 'Files/kubernetes/app-0.1.0.tgz';
const DEPLOYMENT = 'Files/kubernetes/deployment.yaml';
const chart = gzipSync(Buffer.from('not really a tar, enough for a digest'));
const topVnfd = 'tosca_definitions_version: tosca_simple_yaml_1_2\nimports: [helloworld3_types.yaml]\n';
const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vdu1\n';

const toscaHeader = (entry = TOP) =>
  `TOSCA-Meta-File-Version: 1.0\nCreated-by: dummy_user\nCSAR-Version: 1.1\nEntry-Definitions: ${entry}\n`;

const block = (name: string, contentType: string, alg: string, hash: string) =>
  `\nName: ${name}\nContent-Type: ${contentType}\nAlgorithm: ${alg}\nHash: ${hash}\n`;

const goodMeta =
  toscaHeader() +
  block(CHART, 'application/tar+gzip', 'SHA-256', sha('sha256', chart)) +
  block(DEPLOYMENT, 'application/yaml', 'SHA-256', sha('sha256', deployment));

function tackerEntries(meta = goodMeta, extra: ZipEntrySpec[] = []): ZipEntrySpec[] {
  return [
    { name: 'TOSCA-Metadata/TOSCA.meta', data: meta },
    { name: TOP, data: topVnfd },
    { name: 'Definitions/helloworld3_types.yaml', data: 'node_types: {}\n' },
    { name: 'Definitions/etsi_nfv_sol001_common_types.yaml', data: 'data_types: {}\n' },
    { name: CHART, data: chart },
    { name: DEPLOYMENT, data: deployment },
    ...extra,
  ];
}

/** readCsar must refuse `entries` with `code`, mention `mentions`, and leave nothing behind. */
async function refused(entries: ZipEntrySpec[], code: string, ...mentions: string[]) {
  const work = fresh('work');
  await rejectsWithCsarError(readCsar(await writeZip(fresh('pkg.zip'), entries), work), code, ...mentions);
  assertLeftNothing(work);
}

test('reads a Tacker-style package and verifies its TOSCA.meta hashes', async () => {
  const work = fresh('work');
  const csar = await readCsar(await writeZip(fresh('pkg.zip'), tackerEntries()), work);
  assert.equal(csar.root, work);
  assert.equal(csar.entryDefinitions, TOP);
  assert.equal(csar.toscaMeta?.createdBy, 'dummy_user');
  assert.equal(csar.manifest, undefined);
  assert.equal(csar.files.length, 6);
  assert.deepEqual(csar.artifacts, [
    { path: CHART, algorithm: 'SHA-256', hash: sha('sha256', chart), contentType: 'application/tar+gzip' },
    {
      path: DEPLOYMENT,
      algorithm: 'SHA-256',
      hash: sha('sha256', deployment),
      contentType: 'application/yaml',
    },
  ]);
  assert.equal(resolveInPackage(csar.root, `./${CHART}`), join(work, CHART));
});

test('accepts SHA-512 digests in TOSCA.meta, in any letter case', async () => {
  const meta =
    toscaHeader() + block(CHART, 'application/tar+gzip', 'SHA-512', sha('sha512', chart).toUpperCase());
  const csar = await readCsar(await writeZip(fresh('pkg.zip'), tackerEntries(meta)), fresh('work'));
  assert.deepEqual(csar.artifacts, [
    { path: CHART, algorithm: 'SHA-512', hash: sha('sha512', chart), contentType: 'application/tar+gzip' },
  ]);
});

const metadata = `metadata:
vnf_provider_id: Company
vnf_product_name: Sample VNF
vnf_release_date_time: 2021-01-01T10:00:00+09:00
vnf_package_version: 1.0
`;

test('with TOSCA.meta, finds the manifest named like the entry definitions and merges its artifacts', async () => {
  const mf =
    metadata +
    `\nSource: ${TOP}\nAlgorithm: SHA-384\nHash: ${sha('sha384', topVnfd)}\n` +
    `\nSource: ${CHART}\nAlgorithm: SHA-512\nHash: ${sha('sha512', chart)}\n` +
    `\nSource: https://charts.example.com/ext-1.0.0.tgz\nAlgorithm: SHA-256\nHash: ${'0'.repeat(64)}\n` +
    '\n-----BEGIN CMS-----\nMIIBsignature\n-----END CMS-----\n';
  const entries = tackerEntries(goodMeta, [{ name: 'helloworld3_top.vnfd.mf', data: mf }]);
  const csar = await readCsar(await writeZip(fresh('pkg.zip'), entries), fresh('work'));
  assert.equal(csar.manifestPath, 'helloworld3_top.vnfd.mf');
  assert.equal(csar.manifest?.metadata?.vnf_product_name, 'Sample VNF');
  assert.equal(csar.manifest?.signed, true);
  assert.deepEqual(csar.artifacts, [
    { path: TOP, algorithm: 'SHA-384', hash: sha('sha384', topVnfd) },
    // Both files declare the chart: the manifest's digest is kept, TOSCA.meta adds the content type.
    { path: CHART, algorithm: 'SHA-512', hash: sha('sha512', chart), contentType: 'application/tar+gzip' },
    // Recorded, not fetched: its digest is for whoever fetches it.
    {
      path: 'https://charts.example.com/ext-1.0.0.tgz',
      nonFileUri: 'https://charts.example.com/ext-1.0.0.tgz',
      algorithm: 'SHA-256',
      hash: '0'.repeat(64),
    },
    {
      path: DEPLOYMENT,
      algorithm: 'SHA-256',
      hash: sha('sha256', deployment),
      contentType: 'application/yaml',
    },
  ]);
});

test('reads a manifest-only package (no TOSCA.meta)', async () => {
  const vnfd = 'tosca_definitions_version: tosca_simple_yaml_1_2\n';
  const entries: ZipEntrySpec[] = [
    { name: 'vnfd.yaml', data: vnfd },
    {
      name: 'vnfd.mf',
      data: `${metadata}\nSource: vnfd.yaml\nAlgorithm: SHA-256\nHash: ${sha('sha256', vnfd)}\n\nSource: ${DEPLOYMENT}\nAlgorithm: SHA-256\nHash: ${sha('sha256', deployment)}\n`,
    },
    { name: 'Definitions/types.yaml', data: 'node_types: {}\n' },
    { name: DEPLOYMENT, data: deployment },
  ];
  const csar = await readCsar(await writeZip(fresh('pkg.zip'), entries), fresh('work'));
  assert.equal(csar.entryDefinitions, 'vnfd.yaml');
  assert.equal(csar.toscaMeta, undefined);
  assert.equal(csar.manifestPath, 'vnfd.mf');
  assert.equal(csar.manifest?.metadata?.vnf_provider_id, 'Company');
  assert.deepEqual(
    csar.artifacts.map((a) => a.path),
    ['vnfd.yaml', DEPLOYMENT],
  );
});

test('a manifest-only package needs its .mf and its metadata', async () => {
  await refused([{ name: 'vnfd.yaml', data: 'x: 1\n' }], 'META_MISSING', '"vnfd.mf"', '"vnfd.yaml"');
  await refused(
    [
      { name: 'vnfd.yaml', data: 'x: 1\n' },
      { name: 'vnfd.mf', data: `Source: vnfd.yaml\nAlgorithm: SHA-256\nHash: ${sha('sha256', 'x: 1\n')}\n` },
    ],
    'MANIFEST_INVALID',
    'vnfd.mf',
    'no metadata section',
  );
});

test('without TOSCA.meta, two root YAML files are ambiguous', async () => {
  await refused(
    [
      { name: 'a.yaml', data: 'x: 1\n' },
      { name: 'b.yml', data: 'y: 2\n' },
    ],
    'META_MISSING',
    '"a.yaml"',
    '"b.yml"',
    'TOSCA-Metadata/TOSCA.meta',
  );
  await refused([{ name: 'Definitions/a.yaml', data: 'x: 1\n' }], 'META_MISSING', 'no YAML file in its root');
});

test('refuses a malformed TOSCA.meta with its line number', async () => {
  const meta =
    'TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nCreated-By dummy\nEntry-Definitions: x.yaml\n';
  await refused(
    tackerEntries(meta),
    'META_INVALID',
    'TOSCA-Metadata/TOSCA.meta line 3',
    '"Created-By dummy"',
  );
});

test('refuses Entry-Definitions that point nowhere or outside the package', async () => {
  await refused(
    tackerEntries(toscaHeader('Definitions/missing.yaml')),
    'ENTRY_DEFINITIONS_MISSING',
    '"Definitions/missing.yaml"',
  );
  await refused(
    tackerEntries(toscaHeader('../etc/passwd')),
    'PATH_OUTSIDE_PACKAGE',
    'Entry-Definitions',
    '"../etc/passwd"',
  );
});

test('refuses an ETSI-Entry-Manifest that is not in the package', async () => {
  const meta = toscaHeader() + 'ETSI-Entry-Manifest: top.mf\n';
  await refused(tackerEntries(meta), 'META_INVALID', 'ETSI-Entry-Manifest', '"top.mf"');
});

test('refuses a hash mismatch, naming path, algorithm, expected and actual digests', async () => {
  const wrong = sha('sha256', 'something else');
  const meta = toscaHeader() + block(DEPLOYMENT, 'application/yaml', 'SHA-256', wrong);
  await refused(
    tackerEntries(meta),
    'HASH_MISMATCH',
    `"${DEPLOYMENT}"`,
    'SHA-256',
    wrong,
    sha('sha256', deployment),
    'TOSCA-Metadata/TOSCA.meta line 6',
  );
});

test('refuses an artifact that is declared but missing', async () => {
  const mf = `${metadata}\nSource: Files/kubernetes/missing.yaml\nAlgorithm: SHA-256\nHash: ${'a'.repeat(64)}\n`;
  await refused(
    tackerEntries(goodMeta, [{ name: 'helloworld3_top.vnfd.mf', data: mf }]),
    'ARTIFACT_MISSING',
    '"Files/kubernetes/missing.yaml"',
    'helloworld3_top.vnfd.mf line 7',
  );
  const meta =
    goodMeta + block('Files/kubernetes/gone.tgz', 'application/tar+gzip', 'SHA-256', 'b'.repeat(64));
  await refused(tackerEntries(meta), 'ARTIFACT_MISSING', '"Files/kubernetes/gone.tgz"');
});

test('refuses an artifact path leaving the package', async () => {
  const meta = goodMeta + block('../../etc/passwd', 'text/plain', 'SHA-256', 'b'.repeat(64));
  await refused(
    tackerEntries(meta),
    'PATH_OUTSIDE_PACKAGE',
    '"../../etc/passwd"',
    'TOSCA-Metadata/TOSCA.meta line 16',
  );
});

test('a zip-level failure is reported by readCsar too', async () => {
  await refused(
    tackerEntries(goodMeta, [{ name: 'Files/link', data: '/etc', mode: 0o120777 }]),
    'ZIP_SYMLINK',
    '"Files/link"',
  );
});

test('resolveInPackage keeps paths inside the root', async () => {
  const root = '/srv/pkg';
  assert.equal(
    resolveInPackage(root, 'Files/kubernetes/app-0.1.0.tgz'),
    '/srv/pkg/Files/kubernetes/app-0.1.0.tgz',
  );
  assert.equal(resolveInPackage(root, './Files//a.tgz'), '/srv/pkg/Files/a.tgz');
  for (const bad of ['../x', 'Files/../../x', '/etc/passwd', 'C:/x', 'a\\b', '', '.', 'a\0b']) {
    await rejectsWithCsarError(
      () => resolveInPackage(root, bad),
      'PATH_OUTSIDE_PACKAGE',
      JSON.stringify(bad),
    );
  }
});
