// Archive bombs for the tests, written streaming so the test never holds what they
// inflate to: a chart .tgz whose tar holds GiBs of zeros, and a zip of thousands of
// entries of zeros. Both are valid archives any tool reads. A run of zeros is
// compressed once and its bytes written again and again: for the .tgz as repeated
// gzip members (RFC 1952 §2.2: a gzip file is a series of members, read as one
// stream by gunzip, Node's zlib and Go's gzip alike), for the zip as the same
// deflated data under every entry.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { Header } from 'tar';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

const MiB = 1024 * 1024;
const ZERO_RUN = 16 * MiB;

export interface TarSpec {
  /** Path in the tar (e.g. `bomb/Chart.yaml`); a trailing '/' makes a directory. */
  name: string;
  /** Content; or `zeros` bytes of zeros. */
  data?: string | Buffer;
  zeros?: number;
}

async function put(out: WriteStream, bytes: Buffer): Promise<void> {
  if (!out.write(bytes)) await once(out, 'drain');
}

function header(name: string, size: number): Buffer {
  const dir = name.endsWith('/');
  const h = new Header({
    path: name,
    mode: dir ? 0o755 : 0o644,
    size: dir ? 0 : size,
    type: dir ? 'Directory' : 'File',
    mtime: new Date(0),
    uid: 0,
    gid: 0,
  });
  const block = Buffer.alloc(512);
  h.encode(block);
  return block;
}

const padding = (size: number) => Buffer.alloc((512 - (size % 512)) % 512);

/**
 * Writes a gzip tar of `entries` to `path`; returns the bytes the tar inflates to.
 * Zeros cost 16 KB of file per 16 MiB inflated: 3 GiB make a 3 MB archive.
 */
export async function writeTgz(path: string, entries: readonly TarSpec[]): Promise<number> {
  const out = createWriteStream(path);
  const zeroRun = gzipSync(Buffer.alloc(ZERO_RUN), { level: 9 });
  let inflated = 0;
  for (const e of entries) {
    const data = e.data === undefined ? undefined : Buffer.from(e.data);
    const size = data?.length ?? e.zeros ?? 0;
    if (data) {
      await put(out, gzipSync(Buffer.concat([header(e.name, size), data, padding(size)])));
    } else {
      await put(out, gzipSync(header(e.name, size)));
      for (let left = size; left > 0; left -= ZERO_RUN)
        await put(out, left >= ZERO_RUN ? zeroRun : gzipSync(Buffer.alloc(left)));
      await put(out, gzipSync(padding(size)));
    }
    inflated += 512 + size + padding(size).length;
  }
  await put(out, gzipSync(Buffer.alloc(1024))); // end of archive
  out.end();
  await once(out, 'close');
  return inflated + 1024;
}

/** A chart `bomb` (valid Chart.yaml and a template) with `big.bin`: `bytes` of zeros. */
export function bombChart(path: string, bytes: number): Promise<number> {
  return writeTgz(path, [
    { name: 'bomb/' },
    { name: 'bomb/Chart.yaml', data: 'apiVersion: v2\nname: bomb\nversion: 0.1.0\n' },
    { name: 'bomb/templates/' },
    { name: 'bomb/templates/cm.yaml', data: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' },
    { name: 'bomb/big.bin', zeros: bytes },
  ]);
}

export interface ZipSpec {
  name: string;
  data?: string | Buffer;
  /** Bytes of zeros, deflated once for all entries of that size. */
  zeros?: number;
}

/**
 * Writes a zip of `entries` (every one deflated, mode 0644) to `path`; returns its
 * size. Entries of zeros share one deflated run, so 3000 × 1 MiB take seconds.
 */
export async function writeZipStreaming(path: string, entries: readonly ZipSpec[]): Promise<number> {
  const out = createWriteStream(path);
  const runs = new Map<number, { packed: Buffer; crc: number }>();
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    let packed: Buffer;
    let crc: number;
    let size: number;
    if (e.data !== undefined) {
      const data = Buffer.from(e.data);
      packed = deflateRawSync(data);
      crc = crc32(data);
      size = data.length;
    } else {
      size = e.zeros ?? 0;
      let run = runs.get(size);
      if (!run) {
        const zeros = Buffer.alloc(size);
        run = { packed: deflateRawSync(zeros, { level: 9 }), crc: crc32(zeros) };
        runs.set(size, run);
      }
      ({ packed, crc } = run);
    }
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    local.copy(record, 6, 4, 30); // version needed … name length, extra length
    record.writeUInt32LE(0, 30); // extra and comment lengths
    record.writeUInt16LE(0, 34);
    record.writeUInt16LE(0, 36); // internal attributes
    record.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    record.writeUInt32LE(offset, 42);
    central.push(record, name);
    await put(out, local);
    await put(out, name);
    await put(out, packed);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  await put(out, directory);
  await put(out, end);
  out.end();
  await once(out, 'close');
  return offset + directory.length + end.length;
}
