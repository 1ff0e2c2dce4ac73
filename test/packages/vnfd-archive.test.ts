// Reading a package back as tools do: GET …/vnfd as a zip is self-contained (every
// file the VNFD imports, transitively, is in it, the SOL001 type files included —
// the package's own copy where it has one), and artifacts come with the media type
// of their extension.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import yauzl from 'yauzl';
import { parse as parseYaml } from 'yaml';
import { cnfPackage, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { onboardPackage } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const BASE = '/vnfpkgm/v1/vnf_packages';
const BUNDLED_COMMON = readFileSync(
  new URL('../../src/packages/vnfd/sol001/etsi_nfv_sol001_common_types.yaml', import.meta.url),
  'utf8',
);

/** The entries of a zip, by name. */
function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Each import of each YAML file in `files` that does not resolve to another entry. */
function unresolvedImports(files: Map<string, Buffer>): string[] {
  const missing: string[] = [];
  for (const [name, data] of files) {
    if (!/\.ya?ml$/.test(name)) continue;
    const imports = (parseYaml(data.toString('utf8')) as { imports?: unknown[] } | null)?.imports ?? [];
    for (const i of imports) {
      const file = typeof i === 'string' ? i : (i as { file: string }).file;
      const target = posix.normalize(posix.join(posix.dirname(name), file));
      if (!files.has(target)) missing.push(`${name} imports ${file}`);
    }
  }
  return missing;
}

describe('VNFD zip and artifacts', () => {
  let vnfm: TestVnfm;
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), { worker: false });
  });
  after(() => vnfm.close());

  const vnfdZip = async (pkgId: string, accept = 'application/zip') => {
    const res = await vnfm.request('GET', `${BASE}/${pkgId}/vnfd`, undefined, { accept });
    assert.equal(res.status, 200, res.raw.toString());
    assert.equal(res.headers.get('content-type'), 'application/zip');
    return unzip(res.raw);
  };

  test('the VNFD zip holds every file imported, transitively, with the bundled SOL001 files', async () => {
    const { pkgId } = await onboardPackage(vnfm);
    const files = await vnfdZip(pkgId);
    assert.deepEqual(
      [...files.keys()].sort(),
      [
        'Definitions/etsi_nfv_sol001_common_types.yaml',
        'Definitions/etsi_nfv_sol001_vnfd_types.yaml',
        'Definitions/sample_cnf_df_helmchart.yaml',
        'Definitions/sample_cnf_types.yaml',
        'Definitions/sample_cnf_top.vnfd.yaml',
        'TOSCA-Metadata/TOSCA.meta',
      ].sort(),
    );
    assert.deepEqual(unresolvedImports(files), []);
    assert.equal(files.get('Definitions/etsi_nfv_sol001_common_types.yaml')?.toString(), BUNDLED_COMMON);
  });

  test("the package's own copy of a SOL001 file, in a subdirectory, is the one in the zip", async () => {
    const copy = `${BUNDLED_COMMON}\n# the package's own copy\n`;
    const { pkgId } = await onboardPackage(vnfm, {
      edit: (f) => {
        // The types file imports the SOL001 files from a directory of their own.
        const types = f.get('Definitions/sample_cnf_types.yaml') as string;
        f.set(
          'Definitions/sample_cnf_types.yaml',
          types.replace(
            /imports:\n(\s+- etsi[^\n]*\n)+/,
            'imports:\n  - etsi/etsi_nfv_sol001_vnfd_types.yaml\n',
          ),
        );
        f.set('Definitions/etsi/etsi_nfv_sol001_common_types.yaml', copy);
      },
    });
    const files = await vnfdZip(pkgId);
    assert.deepEqual(unresolvedImports(files), []);
    assert.equal(files.get('Definitions/etsi/etsi_nfv_sol001_common_types.yaml')?.toString(), copy);
    assert.ok(files.has('Definitions/etsi/etsi_nfv_sol001_vnfd_types.yaml'), [...files.keys()].join(', '));
  });

  test('artifacts are served with the media type of their extension', async () => {
    const extra: Record<string, string> = {
      'Files/conf/values.yml': 'a: 1\n',
      'Files/conf/params.json': '{"a": 1}\n',
      'Files/README.txt': 'read me\n',
      'Files/scripts/install.sh': '#!/bin/sh\n',
      'Files/images/disk.zip': 'PK',
      'Files/images/bundle.tar.gz': 'gz',
      'Files/images/disk.qcow2': 'QFI',
    };
    const { pkgId } = await onboardPackage(vnfm, {
      edit: (f) => {
        for (const [path, data] of Object.entries(extra)) f.set(path, data);
      },
    });
    const expected: Record<string, RegExp> = {
      [MANIFEST_PATH]: /^text\/yaml/,
      'Files/kubernetes/app-0.1.0.tgz': /^application\/gzip$/,
      'Files/conf/values.yml': /^text\/yaml/,
      'Files/conf/params.json': /^application\/json/,
      'Files/README.txt': /^text\/plain/,
      'Files/scripts/install.sh': /^text\/plain/,
      'Files/images/disk.zip': /^application\/zip$/,
      'Files/images/bundle.tar.gz': /^application\/gzip$/,
      'Files/images/disk.qcow2': /^application\/octet-stream$/,
    };
    for (const [path, type] of Object.entries(expected)) {
      const res = await vnfm.request('GET', `${BASE}/${pkgId}/artifacts/${path}`);
      assert.equal(res.status, 200, `${path}: ${res.raw.toString()}`);
      assert.match(res.headers.get('content-type') ?? '', type, path);
      if (extra[path] !== undefined) assert.equal(res.raw.toString(), extra[path]);
    }
  });
});

test('cnfPackage has no SOL001 copies of its own (the first zip test relies on it)', async () => {
  const { zip } = await cnfPackage();
  assert.ok(!zip.includes(Buffer.from('Definitions/etsi_nfv_sol001')));
});
