// A Helm chart directory as a chart archive (a gzip'd ustar with one top directory,
// the chart's name, as `helm package` writes it), byte for byte the same for the same
// files: entries sorted, fixed mode/owner/time. `helm package` stamps the current
// time, so a package built with it would change its hash at every build.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BLOCK = 512;
const FIXED_MTIME = 946684800; // 2000-01-01T00:00:00Z

export class ChartPackError extends Error {
  override name = 'ChartPackError';
}

/** `dir` packed under `name/`; `skip(relPath, isDir)` leaves entries out. Symbolic links are refused. */
export function packChartDir(
  dir: string,
  name: string,
  skip: (rel: string, isDir: boolean) => boolean = () => false,
): Buffer {
  const blocks: Buffer[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel)).sort()) {
      const path = rel === '' ? entry : `${rel}/${entry}`;
      const st = lstatSync(join(dir, path));
      if (skip(path, st.isDirectory())) continue;
      if (st.isSymbolicLink())
        throw new ChartPackError(`chart ${name}: ${path} is a symbolic link; charts hold plain files`);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        const data = readFileSync(join(dir, path));
        blocks.push(
          header(`${name}/${path}`, data.length, (st.mode & 0o111) !== 0),
          data,
          padding(data.length),
        );
      }
    }
  };
  walk('');
  blocks.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** A ustar header for a regular file (long paths split into prefix/name as POSIX allows). */
function header(path: string, size: number, executable: boolean): Buffer {
  const h = Buffer.alloc(BLOCK);
  const [prefix, name] = splitPath(path);
  h.write(name, 0, 100, 'utf8');
  octal(h, executable ? 0o755 : 0o644, 100, 8);
  octal(h, 0, 108, 8);
  octal(h, 0, 116, 8);
  octal(h, size, 124, 12);
  octal(h, FIXED_MTIME, 136, 12);
  h.fill(' ', 148, 156); // checksum field counts as spaces while summing
  h.write('0', 156);
  h.write('ustar\u000000', 257, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

function octal(h: Buffer, value: number, at: number, width: number): void {
  h.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, at, 'latin1');
}

function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new ChartPackError(`chart file ${path} has too long a path for a chart archive (ustar)`);
}
