// Zip fixtures for the CSAR tests: built with yazl in memory, then, for the hostile
// cases yazl refuses to write, patched byte by byte (names, declared sizes); and
// the assertions every rejected package shares.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { ZipFile } from 'yazl';
import { CsarError } from '../../src/packages/csar/index.ts';

export interface ZipEntrySpec {
  name: string;
  /** Omitted for a directory. */
  data?: string | Buffer;
  mode?: number;
  compress?: boolean;
}

export async function buildZip(entries: readonly ZipEntrySpec[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) {
    if (e.data === undefined) {
      zip.addEmptyDirectory(e.name, e.mode === undefined ? {} : { mode: e.mode });
      continue;
    }
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
    zip.addBuffer(data, e.name, {
      compress: e.compress ?? true,
      ...(e.mode === undefined ? {} : { mode: e.mode }),
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function writeZip(path: string, entries: readonly ZipEntrySpec[]): Promise<string> {
  writeFileSync(path, await buildZip(entries));
  return path;
}

interface CentralRecord {
  /** Offset of the central directory file header. */
  central: number;
  /** Offset of the local file header. */
  local: number;
  name: string;
}

/** The central directory's records (no zip64, no archive comment: what yazl writes here). */
function centralRecords(zip: Buffer): CentralRecord[] {
  const eocd = zip.length - 22;
  if (zip.readUInt32LE(eocd) !== 0x06054b50) throw new Error('fixture: end of central directory not found');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const records: CentralRecord[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    records.push({
      central: at,
      local: zip.readUInt32LE(at + 42),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return records;
}

function record(zip: Buffer, name: string): CentralRecord {
  const found = centralRecords(zip).find((r) => r.name === name);
  if (!found) throw new Error(`fixture: no entry ${name}`);
  return found;
}

/** Renames an entry in both headers; `to` must have the same byte length as `from`. */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  const bytes = Buffer.from(to);
  if (bytes.length !== Buffer.byteLength(from)) throw new Error('fixture: names must have the same length');
  const out = Buffer.from(zip);
  const r = record(out, from);
  bytes.copy(out, r.central + 46);
  bytes.copy(out, r.local + 30);
  return out;
}

/** Makes both headers of an entry declare `size` uncompressed bytes (the data is unchanged). */
export function setDeclaredSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const r = record(out, name);
  out.writeUInt32LE(size, r.central + 24);
  out.writeUInt32LE(size, r.local + 22);
  return out;
}

/** Asserts `action` fails with a CsarError of `code` whose message mentions each of `mentions`. */
export async function rejectsWithCsarError(
  action: Promise<unknown> | (() => unknown),
  code: string,
  ...mentions: string[]
): Promise<void> {
  await assert.rejects(
    async () => (typeof action === 'function' ? action() : action),
    (err: unknown) => {
      assert.ok(err instanceof CsarError, `expected a CsarError, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      for (const m of mentions)
        assert.ok(err.message.includes(m), `${JSON.stringify(err.message)} lacks ${m}`);
      return true;
    },
  );
}

/** Asserts an extraction directory kept nothing: gone, or empty. */
export function assertLeftNothing(dir: string): void {
  if (existsSync(dir)) assert.deepEqual(readdirSync(dir), [], `${dir} is not empty`);
}
