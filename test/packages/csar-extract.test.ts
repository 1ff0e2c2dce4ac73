// extractZip against real zips (built with yazl, hostile ones patched by hand):
// every rule refuses the zip with its code, names the entry, and leaves nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_ZIP_LIMITS, extractZip } from '../../src/packages/csar/index.ts';
import {
  assertLeftNothing,
  buildZip,
  rejectsWithCsarError,
  renameEntry,
  setDeclaredSize,
  writeZip,
  type ZipEntrySpec,
} from '../helpers/zip.ts';

const tmp = mkdtempSync(join(tmpdir(), 'csar-extract-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (label: string) => join(tmp, `${++n}-${label}`);

async function zipFile(entries: ZipEntrySpec[] | Buffer): Promise<string> {
  const path = fresh('in.zip');
  writeFileSync(path, Buffer.isBuffer(entries) ? entries : await buildZip(entries));
  return path;
}

/** Extraction of `zip` must fail with `code`, mention `mentions`, and leave `dest` empty. */
async function refused(zip: string, code: string, mentions: string[], limits = DEFAULT_ZIP_LIMITS) {
  const dest = fresh('out');
  await rejectsWithCsarError(extractZip(zip, dest, limits), code, ...mentions);
  assertLeftNothing(dest);
  return dest;
}

const ok: ZipEntrySpec = { name: 'ok.txt', data: 'fine\n' };

test('extracts files and directories, streamed, with their sizes', async () => {
  const zip = await zipFile([
    { name: 'TOSCA-Metadata/', mode: 0o40755 },
    { name: 'TOSCA-Metadata/TOSCA.meta', data: 'x: y\n' },
    { name: 'Files/kubernetes/deployment.yaml', data: 'kind: Deployment\n'.repeat(1000) },
    { name: 'Files/stored.bin', data: Buffer.alloc(300, 7), compress: false },
    { name: 'Files/empty/', mode: 0o40755 },
  ]);
  const dest = fresh('out');
  const files = await extractZip(zip, dest);
  assert.deepEqual(files, [
    { path: 'TOSCA-Metadata/TOSCA.meta', size: 5 },
    { path: 'Files/kubernetes/deployment.yaml', size: 17000 },
    { path: 'Files/stored.bin', size: 300 },
  ]);
  assert.equal(
    readFileSync(join(dest, 'Files/kubernetes/deployment.yaml'), 'utf8'),
    'kind: Deployment\n'.repeat(1000),
  );
  assert.deepEqual(readFileSync(join(dest, 'Files/stored.bin')), Buffer.alloc(300, 7));
  assert.ok(existsSync(join(dest, 'Files/empty')));
});

test("refuses an entry with a '..' segment and writes nothing outside", async () => {
  const zip = renameEntry(await buildZip([ok, { name: 'xx/evil', data: 'pwned' }]), 'xx/evil', '../evil');
  const dest = await refused(await zipFile(zip), 'ZIP_UNSAFE_PATH', ['"../evil"', "'..'"]);
  assert.ok(!existsSync(join(dest, '..', 'evil')));
});

test('refuses an absolute entry name', async () => {
  const zip = renameEntry(await buildZip([ok, { name: 'aetc/x', data: 'pwned' }]), 'aetc/x', '/etc/x');
  await refused(await zipFile(zip), 'ZIP_UNSAFE_PATH', ['"/etc/x"', 'absolute']);
});

test('refuses backslashes and NUL in entry names', async () => {
  const base = await buildZip([ok, { name: 'a_b', data: 'x' }]);
  await refused(await zipFile(renameEntry(base, 'a_b', 'a\\b')), 'ZIP_UNSAFE_PATH', [
    '"a\\\\b"',
    'backslash',
  ]);
  await refused(await zipFile(renameEntry(base, 'a_b', 'a\0b')), 'ZIP_UNSAFE_PATH', [
    '"a\\u0000b"',
    'control',
  ]);
});

test("refuses empty and '.' segments", async () => {
  const zip = renameEntry(await buildZip([ok, { name: 'a/b/c', data: 'x' }]), 'a/b/c', 'a/./c');
  await refused(await zipFile(zip), 'ZIP_UNSAFE_PATH', ['"a/./c"']);
});

test('refuses a symbolic link entry', async () => {
  const zip = await zipFile([ok, { name: 'Files/link', data: '/etc/passwd', mode: 0o120777 }]);
  await refused(zip, 'ZIP_SYMLINK', ['"Files/link"', 'symbolic link']);
});

test('refuses a FIFO entry', async () => {
  const zip = await zipFile([ok, { name: 'Files/fifo', data: '', mode: 0o010644 }]);
  await refused(zip, 'ZIP_SPECIAL_FILE', ['"Files/fifo"', '0o10000']);
});

test('refuses a duplicate entry and a file used as a directory', async () => {
  await refused(await zipFile([ok, { name: 'a', data: '1' }, { name: 'a', data: '2' }]), 'ZIP_INVALID', [
    '"a"',
    'twice',
  ]);
  await refused(
    await zipFile([
      { name: 'a', data: '1' },
      { name: 'a/b', data: '2' },
    ]),
    'ZIP_INVALID',
    ['"a/b"', 'file entry'],
  );
});

test('stops an entry inflating beyond the size its headers declare (lying zip bomb)', async () => {
  // 2 MiB of zeros declared as 1000 bytes: the declared size passes every limit.
  const zip = setDeclaredSize(
    await buildZip([ok, { name: 'Files/bomb.bin', data: Buffer.alloc(2 * 1024 * 1024) }]),
    'Files/bomb.bin',
    1000,
  );
  // ok.txt is written first, so this also proves the cleanup of a partial extraction.
  await refused(await zipFile(zip), 'ZIP_SIZE_MISMATCH', ['"Files/bomb.bin"', 'more than its declared 1000']);
});

test('refuses an entry that inflates to fewer bytes than declared', async () => {
  const zip = setDeclaredSize(
    await buildZip([ok, { name: 'short.bin', data: Buffer.alloc(2000, 1) }]),
    'short.bin',
    3000,
  );
  await refused(await zipFile(zip), 'ZIP_SIZE_MISMATCH', ['"short.bin"', '2000', '3000']);
});

test('refuses a compression ratio above the limit', async () => {
  const zip = await zipFile([ok, { name: 'zeros.bin', data: Buffer.alloc(4 * 1024 * 1024) }]);
  await refused(zip, 'ZIP_TOO_LARGE', ['"zeros.bin"', 'ratio', '200:1']);
});

test('refuses a bomb split into entries each too small for the per-entry ratio check', async () => {
  // 20 entries of 1 MiB of zeros: none is over RATIO_CHECK_MIN_BYTES, together ~1000:1.
  const zeros = Buffer.alloc(1024 * 1024);
  const entries = Array.from({ length: 20 }, (_, i) => ({ name: `Files/z${i}.bin`, data: zeros }));
  await refused(await zipFile([ok, ...entries]), 'ZIP_TOO_LARGE', [
    "the zip's 21 entries",
    `to ${20 * zeros.length + 5} in total`,
    'the limit for the whole archive is 200:1',
  ]);
  // The same bytes in a package of ordinary content pass: the ratio is of the whole archive.
  const files = await extractZip(
    await zipFile([
      ok,
      { name: 'Files/z.bin', data: zeros },
      { name: 'img.bin', data: randomBytes(64 * 1024) },
    ]),
    fresh('out'),
  );
  assert.equal(files.length, 3);
});

test('refuses entries whose declared sizes exceed the total or per-entry limit', async () => {
  const entries = [
    { name: 'a.bin', data: Buffer.alloc(600, 1) },
    { name: 'b.bin', data: Buffer.alloc(600, 2) },
  ];
  await refused(await zipFile(entries), 'ZIP_TOO_LARGE', ['"b.bin"', '1200', '1000'], {
    ...DEFAULT_ZIP_LIMITS,
    maxTotalBytes: 1000,
  });
  await refused(await zipFile(entries), 'ZIP_TOO_LARGE', ['"a.bin"', '600', 'per entry is 500'], {
    ...DEFAULT_ZIP_LIMITS,
    maxEntryBytes: 500,
  });
});

test('refuses too many entries', async () => {
  const entries = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, data: name }));
  await refused(await zipFile(entries), 'ZIP_TOO_LARGE', ['5 entries', 'limit is 3'], {
    ...DEFAULT_ZIP_LIMITS,
    maxEntries: 3,
  });
});

test('refuses a file that is not a zip', async () => {
  const path = fresh('package.zip');
  writeFileSync(path, 'this is plain text, not a zip\n');
  await refused(path, 'ZIP_INVALID', ['package.zip', 'not a zip']);
});

test('a failure empties a directory that existed, and removes one it created', async () => {
  const zip = await zipFile([ok, { name: 'Files/link', data: 'x', mode: 0o120777 }]);
  const existing = fresh('existing');
  mkdirSync(existing);
  await rejectsWithCsarError(extractZip(zip, existing), 'ZIP_SYMLINK');
  assert.ok(existsSync(existing));
  assertLeftNothing(existing);
  const created = fresh('created');
  await rejectsWithCsarError(extractZip(zip, created), 'ZIP_SYMLINK');
  assert.ok(!existsSync(created));
});

test('refuses to extract into a directory that is not empty, touching nothing', async () => {
  const dest = fresh('busy');
  mkdirSync(dest);
  writeFileSync(join(dest, 'keep'), 'mine');
  await assert.rejects(extractZip(await writeZip(fresh('a.zip'), [ok]), dest), /not empty/);
  assert.equal(readFileSync(join(dest, 'keep'), 'utf8'), 'mine');
});

test('refuses an entry whose data does not match its CRC-32', async () => {
  const zip = await buildZip([ok, { name: 'data.txt', data: 'PAYLOAD-TO-CORRUPT', compress: false }]);
  zip[zip.indexOf('PAYLOAD-TO-CORRUPT')] = 0x58;
  await refused(await zipFile(zip), 'ZIP_INVALID', ['"data.txt"', 'CRC-32']);
});
