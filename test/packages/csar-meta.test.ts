// The TOSCA.meta and manifest parsers on their own: accepted forms, and errors
// that name the file, the line and the problem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest, parseToscaMeta } from '../../src/packages/csar/index.ts';
import { rejectsWithCsarError } from '../helpers/zip.ts';

const H256 = 'ab'.repeat(32);
const H512 = 'CD'.repeat(64);

test('TOSCA.meta: header and Tacker-style artifact blocks, CRLF, BOM and Created-by spelling', () => {
  const text =
    '\uFEFFTOSCA-Meta-File-Version: 1.0\r\nCreated-by: dummy_user\r\nCSAR-Version: 1.1\r\n' +
    'Entry-Definitions: Definitions/helloworld3_top.vnfd.yaml\r\nETSI-Entry-Manifest: top.mf\r\nX-Vendor: v\r\n' +
    '\r\n\r\nName: Files/kubernetes/deployment.yaml\r\nContent-Type: application/yaml\r\n' +
    `Algorithm: SHA-256\r\nHash: ${H256}\r\n\r\nName: Files/images/readme.txt\r\n`;
  assert.deepEqual(parseToscaMeta(text), {
    toscaMetaFileVersion: '1.0',
    createdBy: 'dummy_user',
    csarVersion: '1.1',
    entryDefinitions: 'Definitions/helloworld3_top.vnfd.yaml',
    etsiEntryManifest: 'top.mf',
    otherDefinitions: [],
    extra: { 'X-Vendor': 'v' },
    artifacts: [
      {
        name: 'Files/kubernetes/deployment.yaml',
        contentType: 'application/yaml',
        algorithm: 'SHA-256',
        hash: H256,
        line: 9,
      },
      { name: 'Files/images/readme.txt', line: 14 },
    ],
  });
});

const header = 'TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nCreated-By: me\nEntry-Definitions: a.yaml\n';

test('TOSCA.meta errors name the file, the line and the problem', async () => {
  const cases: [string, string[]][] = [
    ['TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nEntry-Definitions a.yaml\n', ['line 3', "no ':'"]],
    [
      'TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nCreated-By: x\n',
      ['line 1', 'lacks Entry-Definitions'],
    ],
    [header + 'CSAR-Version: 2\n', ['line 5', 'duplicate key CSAR-Version (first on line 2)']],
    [header + 'ETSI-Entry-Manifest:\n', ['line 5', 'ETSI-Entry-Manifest has no value']],
    [`${header}\nName: a\nHash: ${H256}\n`, ['line 7', 'a Hash but no Algorithm']],
    [`${header}\nName: a\nAlgorithm: MD5\nHash: ${H256}\n`, ['line 7', 'MD5 is not supported']],
    [`${header}\nName: a\nAlgorithm: SHA-512\nHash: ${H256}\n`, ['line 8', '128 hex digits, this one 64']],
    [`${header}\nName: a\nAlgorithm: SHA-256\nHash: ${'zz'.repeat(32)}\n`, ['line 8', 'not hexadecimal']],
    [`${header}\nName: a\nSize: 3\n`, ['line 7', 'unknown key Size']],
    [`${header}\nContent-Type: text/plain\n`, ['line 6', 'no Name']],
    [`${header}\nName: a\n\nName: a\n`, ['line 8', 'already described on line 6']],
    ['\n\n', ['is empty']],
  ];
  for (const [text, mentions] of cases) {
    await rejectsWithCsarError(
      () => parseToscaMeta(text),
      'META_INVALID',
      'TOSCA-Metadata/TOSCA.meta',
      ...mentions,
    );
  }
});

const manifestText = `metadata:
  vnf_provider_id: Company
  vnf_product_name: Sample VNF
  vnf_release_date_time: 2021-01-01T10:00:00+09:00
  vnf_package_version: 1.0
  vnfd_id: b1bb0ce7-ebca-4fa7-95ed-4840d70a1177
  compatible_specification_versions: 2.6.1

Source: Definitions/top.vnfd.yaml
Algorithm: SHA-256
Hash: ${H256}

Source: http://charts.example.com/app-1.0.0.tgz
Algorithm: sha512
Hash: ${H512}
Signature: sig
Certificate: cert

non_mano_artifact_sets:
  prv.example.ves_events:
    Source: Files/Events/ves.yaml

  onap_others:
    Source: Files/Other/a.txt
    Source: Files/Other/b.txt

-----BEGIN CMS-----
MIIB...not parsed: a: b
-----END CMS-----
`;

test('manifest: metadata, artifact blocks, non-MANO sets, and a CMS signature ignored', () => {
  assert.deepEqual(parseManifest(manifestText, 'top.vnfd.mf'), {
    metadata: {
      vnf_provider_id: 'Company',
      vnf_product_name: 'Sample VNF',
      vnf_release_date_time: '2021-01-01T10:00:00+09:00',
      vnf_package_version: '1.0',
      vnfd_id: 'b1bb0ce7-ebca-4fa7-95ed-4840d70a1177',
      compatible_specification_versions: '2.6.1',
    },
    artifacts: [
      { source: 'Definitions/top.vnfd.yaml', algorithm: 'SHA-256', hash: H256, line: 9 },
      {
        source: 'http://charts.example.com/app-1.0.0.tgz',
        algorithm: 'SHA-512',
        hash: H512.toLowerCase(),
        signature: 'sig',
        certificate: 'cert',
        line: 13,
      },
    ],
    nonManoArtifactSets: {
      'prv.example.ves_events': [{ source: 'Files/Events/ves.yaml', line: 21 }],
      onap_others: [
        { source: 'Files/Other/a.txt', line: 24 },
        { source: 'Files/Other/b.txt', line: 25 },
      ],
    },
    signed: true,
  });
});

test('manifest errors name the file, the line and the problem', async () => {
  const cases: [string, string[]][] = [
    ['metadata:\nvnf_provider_id Company\n', ['line 2', "no ':'"]],
    [`Source: a\nAlgorithm: SHA-256\n`, ['line 1', 'a has no Hash']],
    [`Source: a\nHash: ${H256}\n`, ['line 1', 'a has no Algorithm']],
    [`Source: a\nAlgorithm: SHA-1\nHash: ${H256}\n`, ['line 2', 'SHA-1 is not supported']],
    [`Source: a\nAlgorithm: SHA-256\nHash: abc\n`, ['line 3', '64 hex digits']],
    [`Source: a\nAlgorithm: SHA-256\nHash: ${H256}\nSize: 3\n`, ['line 4', 'unknown key Size']],
    [`Source: a\nAlgorithm: SHA-256\nHash: ${H256}\n\nSource: a\n`, ['line 5', 'already listed on line 1']],
    ['vnf_provider_id: Company\n', ['line 1', 'to start a block']],
    ['metadata:\nvnf_provider_id: a\nvnf_provider_id: b\n', ['line 3', 'duplicate metadata key']],
  ];
  for (const [text, mentions] of cases) {
    await rejectsWithCsarError(() => parseManifest(text, 'x.mf'), 'MANIFEST_INVALID', 'x.mf', ...mentions);
  }
});
