// Loads a VNFD's definitions files by following `imports` from the entry file.
// SOL001 type files always come from the bundled copies (never from the package or
// the network); every other import is a file inside the package, found relative to
// the importing file. Missing files, escapes from the package and cycles are refused.
import { realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VnfdError } from './errors.ts';
import { isYamlMap, own, readDefinitionsFile, type YamlMap } from './yaml.ts';

/** The SOL001 files bundled in `sol001/`, by file name. */
export const SOL001_FILES = ['etsi_nfv_sol001_common_types.yaml', 'etsi_nfv_sol001_vnfd_types.yaml'] as const;
const SOL001_DIR = fileURLToPath(new URL('./sol001/', import.meta.url));

export interface DefinitionsFile {
  /** Package-relative posix path, or `SOL001 v2.6.1 <file>` for a bundled type file. */
  name: string;
  bundled: boolean;
  data: YamlMap;
}

interface FileRef {
  key: string;
  name: string;
  bundled: boolean;
  abs: string;
  /** Package-relative posix path (bundled: the bare file name), imports resolve against it. */
  rel: string;
}

const bundledCache = new Map<string, YamlMap>();

/**
 * Every definitions file reachable from `entryDefinitions` (relative to the extracted
 * package directory `root`), entry first, each once, in depth-first import order.
 */
export function loadDefinitionsFiles(root: string, entryDefinitions: string): DefinitionsFile[] {
  return walk(root, entryDefinitions).files;
}

/** A file of a self-contained copy of the VNFD: its path in the copy and where to read it. */
export interface ArchiveFile {
  name: string;
  abs: string;
}

/**
 * The files of a self-contained copy of the VNFD (SOL005 GET …/vnfd as a zip): every
 * package file reachable from the entry, and each SOL001 type file at the path its
 * relative import names — the package's own copy there, else the bundled one — with
 * the SOL001 files that one imports beside it. Imports by URL stay as written.
 */
export function vnfdArchiveFiles(root: string, entryDefinitions: string): ArchiveFile[] {
  const { files, rootReal, sol001Paths } = walk(root, entryDefinitions);
  const out = new Map<string, string>();
  for (const f of files) if (!f.bundled) out.set(f.name, join(rootReal, ...f.name.split('/')));
  const pending = [...sol001Paths];
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    if (out.has(rel) || rel === '..' || rel.startsWith('../')) continue;
    const file = posix.basename(rel) as (typeof SOL001_FILES)[number];
    const copy = packageCopy(rootReal, rel);
    out.set(rel, copy ?? SOL001_DIR + file);
    const bundled = readBundled(bundledRef(file));
    for (const t of importTargets(bundled, file))
      pending.push(posix.normalize(posix.join(posix.dirname(rel), t.file)));
  }
  return [...out].map(([name, abs]) => ({ name, abs }));
}

/** The package's regular file at `rel`, if there is one inside the package. */
function packageCopy(rootReal: string, rel: string): string | undefined {
  try {
    return packageFile(rootReal, rel, undefined, rel).abs;
  } catch {
    return undefined;
  }
}

function walk(
  root: string,
  entryDefinitions: string,
): { files: DefinitionsFile[]; rootReal: string; sol001Paths: string[] } {
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
  } catch {
    throw new VnfdError('IMPORT_MISSING', undefined, `package directory ${root} does not exist`);
  }
  const out: DefinitionsFile[] = [];
  const done = new Set<string>();
  const stack: FileRef[] = [];

  const visit = (ref: FileRef): void => {
    const at = stack.findIndex((s) => s.key === ref.key);
    if (at >= 0) {
      const chain = [...stack.slice(at), ref].map((s) => s.name).join(' → ');
      throw new VnfdError('IMPORT_CYCLE', stack[stack.length - 1]!.name, `import cycle: ${chain}`);
    }
    if (done.has(ref.key)) return;
    const data = ref.bundled ? readBundled(ref) : readDefinitionsFile(ref.abs, ref.name);
    done.add(ref.key);
    out.push({ name: ref.name, bundled: ref.bundled, data });
    stack.push(ref);
    for (const target of importTargets(data, ref.name)) {
      const to = resolveImport(target, ref, rootReal);
      // Where a copy of the VNFD must hold this SOL001 file for the import to resolve in it.
      if (to.bundled && !ref.bundled && !isRemote(target))
        sol001Paths.push(posix.normalize(posix.join(posix.dirname(ref.rel), target.file)));
      visit(to);
    }
    stack.pop();
  };

  const sol001Paths: string[] = [];
  visit(packageFile(rootReal, normalizeEntry(entryDefinitions), undefined, entryDefinitions));
  return { files: out, rootReal, sol001Paths };
}

function readBundled(ref: FileRef): YamlMap {
  let data = bundledCache.get(ref.key);
  if (!data) {
    // Shared by every load: frozen, so no caller can change the SOL001 types of the next one.
    data = deepFreeze(readDefinitionsFile(ref.abs, ref.name));
    bundledCache.set(ref.key, data);
  }
  return data;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

function normalizeEntry(entry: string): string {
  if (entry === '' || entry.includes('\0')) {
    throw new VnfdError('IMPORT_MISSING', undefined, `entry definitions "${entry}" is not a file name`);
  }
  if (entry.startsWith('/')) {
    throw new VnfdError(
      'IMPORT_OUTSIDE_PACKAGE',
      undefined,
      `entry definitions "${entry}" is an absolute path`,
    );
  }
  return posix.normalize(entry);
}

/** The file names an `imports` section lists: strings, `{file}` objects or `{name: file}` entries. */
function importTargets(data: YamlMap, name: string): { file: string; repository?: string }[] {
  const imports = own(data, 'imports');
  if (imports === undefined || imports === null) return [];
  const items = Array.isArray(imports) ? imports : isYamlMap(imports) ? Object.values(imports) : undefined;
  if (!items) throw new VnfdError('YAML_INVALID', name, '"imports" is neither a list nor a mapping');
  return items.map((item, i) => {
    let spec: unknown = item;
    // TOSCA 1.0 named imports: `- some_name: file.yaml` or `- some_name: {file: …}`.
    if (isYamlMap(spec) && own(spec, 'file') === undefined && Object.keys(spec).length === 1) {
      spec = Object.values(spec)[0];
    }
    if (typeof spec === 'string' && spec !== '') return { file: spec };
    const file = own(spec, 'file');
    const repository = own(spec, 'repository');
    if (typeof file === 'string' && file !== '') {
      return typeof repository === 'string' ? { file, repository } : { file };
    }
    throw new VnfdError('IMPORT_MISSING', name, `import #${i + 1} names no file`);
  });
}

const URL_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

const isRemote = (target: { file: string; repository?: string }) =>
  target.repository !== undefined || URL_SCHEME.test(target.file);

function bundledRef(file: (typeof SOL001_FILES)[number]): FileRef {
  return {
    key: `sol001:${file}`,
    name: `SOL001 v2.6.1 ${file}`,
    bundled: true,
    abs: SOL001_DIR + file,
    rel: file,
  };
}

function resolveImport(
  target: { file: string; repository?: string },
  from: FileRef,
  rootReal: string,
): FileRef {
  const { file } = target;
  const remote = isRemote(target);
  // Last path segment, without a URL's query or fragment.
  const base =
    file
      .replace(/[?#].*$/, '')
      .split('/')
      .pop() ?? '';
  const sol001 = SOL001_FILES.find((f) => f === base);
  if (sol001) return bundledRef(sol001);
  if (from.bundled) {
    throw new VnfdError('IMPORT_MISSING', from.name, `imports "${file}", which is not a bundled SOL001 file`);
  }
  if (remote) {
    const where = target.repository !== undefined ? ` from repository "${target.repository}"` : '';
    throw new VnfdError(
      'IMPORT_MISSING',
      from.name,
      `imports "${file}"${where}: only the SOL001 type files may be imported from outside the package`,
    );
  }
  if (file.includes('\0')) throw new VnfdError('IMPORT_MISSING', from.name, `imports an invalid file name`);
  if (file.startsWith('/')) {
    throw new VnfdError(
      'IMPORT_OUTSIDE_PACKAGE',
      from.name,
      `imports "${file}", an absolute path outside the package`,
    );
  }
  const rel = posix.normalize(posix.join(posix.dirname(from.rel), file));
  return packageFile(rootReal, rel, from, file);
}

/** A file of the package: inside the root (also after symlinks) and existing. */
function packageFile(rootReal: string, rel: string, from: FileRef | undefined, asWritten: string): FileRef {
  const who = from?.name;
  const what = from ? `imports "${asWritten}"` : `entry definitions "${asWritten}"`;
  if (rel === '..' || rel.startsWith('../')) {
    throw new VnfdError('IMPORT_OUTSIDE_PACKAGE', who, `${what}, which is outside the package`);
  }
  const abs = join(rootReal, ...rel.split('/'));
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    throw new VnfdError('IMPORT_MISSING', who, `${what}, but ${rel} is not in the package`);
  }
  const inside = relative(rootReal, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || inside.startsWith(sep)) {
    throw new VnfdError('IMPORT_OUTSIDE_PACKAGE', who, `${what}, which links to a file outside the package`);
  }
  if (!statSync(real).isFile())
    throw new VnfdError('IMPORT_MISSING', who, `${what}, but ${rel} is not a file`);
  const name = inside.split(sep).join('/');
  return { key: `pkg:${name}`, name, bundled: false, abs: real, rel: name };
}
