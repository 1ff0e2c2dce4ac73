// `vnfm package build DIR`: a package directory as a SOL004 CSAR zip, so nobody
// computes a hash by hand. TOSCA.meta (Tacker's layout: a header naming the entry
// definitions, one Name/Content-Type/Algorithm/Hash block per artifact) and a SOL004
// manifest (Source/Algorithm/Hash for every file) are written from the files' SHA-256;
// a Helm chart kept as a directory under Files/kubernetes/ is packed as the archive
// helm would make. The zip is deterministic — sorted entries, fixed timestamps, no
// owner or host data — so one directory always gives the same bytes.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, matchesGlob, posix, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ZipFile } from 'yazl';
import { artifactMediaType } from './artifact-type.ts';
import { CsarError, parseToscaMeta, TOSCA_META_PATH, type ToscaMeta } from './csar/index.ts';
import { ChartPackError, packChartDir } from './chart-pack.ts';
import { loadVnfd, VnfdError, type Vnfd } from './vnfd/index.ts';

/** A refusal to build: one line saying what is wrong with the directory. */
export class PackageBuildError extends Error {
  override name = 'PackageBuildError';
}

export interface CsarEntry {
  /** Posix path in the package. */
  path: string;
  data: Buffer;
  executable?: boolean;
}

export interface BuildOptions {
  /** Package paths (or globs) left out, besides those of `.csarignore`. */
  exclude?: readonly string[];
}

/** Lists what to leave out of the package (one path or glob a line; `dir/` leaves out a folder). */
export const IGNORE_FILE = '.csarignore';
const DEFINITIONS = 'Definitions/';
const CHART_DIRS = 'Files/kubernetes/';
const SOL001_TYPES = /^etsi_nfv_sol001_/;
// DOS time has no zone: a local date gives the same fields everywhere (with forceDosTimestamp no UTC field is written).
const ZIP_MTIME = new Date(2000, 0, 1, 0, 0, 0);
const STORED = /\.(tgz|gz|zip|bz2|xz|zst|png|jpe?g)$/i;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The CSAR of package directory `dir`, as zip bytes. */
export async function buildPackage(dir: string, opts: BuildOptions = {}): Promise<Buffer> {
  return zipCsar(packageEntries(dir, opts));
}

/** The files of the package `dir` describes, TOSCA.meta and manifest (re)written, sorted by path. */
export function packageEntries(dir: string, opts: BuildOptions = {}): CsarEntry[] {
  const root = packageRoot(dir);
  const files = new Map<string, CsarEntry>();
  for (const e of readTree(root, ignoreRules(root, opts.exclude ?? []))) {
    if (files.has(e.path))
      throw new PackageBuildError(
        `${e.path} is there twice: as an archive and as the chart directory packed into it`,
      );
    files.set(e.path, e);
  }
  const existing = files.get(TOSCA_META_PATH);
  const meta = existing ? readMeta(existing.data) : undefined;
  const entry = meta?.entryDefinitions ?? findEntryDefinitions([...files.keys()]);
  if (!files.has(entry))
    throw new PackageBuildError(
      `${TOSCA_META_PATH} names Entry-Definitions ${entry}, which is not in ${dir}`,
    );
  const vnfd = loadDefinitions(root, entry);
  const manifestPath = meta?.etsiEntryManifest ?? manifestBeside(entry);
  files.delete(manifestPath);
  const manifest = manifestText(
    vnfd,
    [...files.values()].filter((f) => f.path !== TOSCA_META_PATH),
  );
  files.set(manifestPath, { path: manifestPath, data: Buffer.from(manifest) });
  const artifacts = [...files.values()].filter((f) => isArtifact(f.path, manifestPath));
  files.set(TOSCA_META_PATH, {
    path: TOSCA_META_PATH,
    data: Buffer.from(toscaMetaText(entry, manifestPath, meta, artifacts)),
  });
  return sortByPath([...files.values()]);
}

/** Deterministic zip of `entries` (already-compressed formats stored, the rest deflated). */
export async function zipCsar(entries: readonly CsarEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of sortByPath(entries)) {
    zip.addBuffer(e.data, e.path, {
      mtime: ZIP_MTIME,
      forceDosTimestamp: true,
      mode: e.executable ? 0o100755 : 0o100644,
      compress: !STORED.test(e.path),
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** One TOSCA.meta artifact block per entry: path, media type, SHA-256. */
export function artifactBlocks(
  entries: readonly CsarEntry[],
  contentType: (path: string) => string = artifactMediaType,
): string {
  return sortByPath(entries)
    .map(
      (e) =>
        `Name: ${e.path}\nContent-Type: ${contentType(e.path)}\nAlgorithm: SHA-256\nHash: ${sha256(e.data)}\n`,
    )
    .join('\n');
}

function sortByPath<T extends { path: string }>(entries: readonly T[]): T[] {
  // Code-unit order, not the locale's: the same on every machine.
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function packageRoot(dir: string): string {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new PackageBuildError(`${dir}: no such directory`);
  }
  if (!st.isDirectory()) throw new PackageBuildError(`${dir} is not a directory`);
  return realpathSync(resolve(dir));
}

type Ignored = (path: string, isDir: boolean) => boolean;

function ignoreRules(root: string, extra: readonly string[]): Ignored {
  let lines: string[] = [];
  try {
    lines = readFileSync(join(root, IGNORE_FILE), 'utf8').split(/\r?\n/);
  } catch {
    // No ignore file: nothing but hidden files is left out.
  }
  const rules = [...lines, ...extra].map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  return (path, isDir) =>
    // Hidden files (.git, .helmignore, editor backups) are never package content.
    path.split('/').some((s) => s.startsWith('.')) ||
    rules.some((r) => {
      const rule = r.replace(/^\/+/, '');
      if (rule.endsWith('/'))
        return isDir && (path === rule.slice(0, -1) || matchesGlob(path, rule.slice(0, -1)));
      return path === rule || matchesGlob(path, rule);
    });
}

/** Every regular file under `root` (symlinks followed only inside it); chart directories packed. */
function readTree(root: string, ignored: Ignored): CsarEntry[] {
  const out: CsarEntry[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const abs = join(root, path);
      let st = lstatSync(abs);
      if (st.isSymbolicLink()) {
        const target = realpathSync(abs);
        if (target !== root && !target.startsWith(root + sep))
          throw new PackageBuildError(
            `${path} is a symbolic link to ${target}, outside the package directory`,
          );
        st = statSync(abs);
        if (st.isDirectory())
          throw new PackageBuildError(`${path} is a symbolic link to a directory; copy it instead`);
      }
      if (ignored(path, st.isDirectory())) continue;
      if (st.isDirectory()) {
        if (path.startsWith(CHART_DIRS) && isChartDir(abs)) out.push(packChart(abs, path, ignored));
        else walk(path);
        continue;
      }
      if (!st.isFile())
        throw new PackageBuildError(`${path} is not a regular file (a device, socket or pipe)`);
      out.push({ path, data: readFileSync(abs), executable: (st.mode & 0o111) !== 0 });
    }
  };
  walk('');
  return out;
}

function isChartDir(abs: string): boolean {
  try {
    return statSync(join(abs, 'Chart.yaml')).isFile();
  } catch {
    return false;
  }
}

/** A chart directory as `<dir's parent>/<name>-<version>.tgz`, the archive `helm package` would name. */
function packChart(abs: string, path: string, ignored: Ignored): CsarEntry {
  const chart = parseYaml(readFileSync(join(abs, 'Chart.yaml'), 'utf8')) as {
    name?: unknown;
    version?: unknown;
  };
  if (typeof chart?.name !== 'string' || chart.name === '' || chart.version === undefined)
    throw new PackageBuildError(`${path}/Chart.yaml needs a name and a version`);
  const parent = posix.dirname(path);
  let data: Buffer;
  try {
    data = packChartDir(abs, chart.name, (rel, isDir) => ignored(`${path}/${rel}`, isDir));
  } catch (err) {
    if (err instanceof ChartPackError) throw new PackageBuildError(err.message);
    throw err;
  }
  return { path: `${parent}/${chart.name}-${String(chart.version)}.tgz`, data };
}

function readMeta(data: Buffer): ToscaMeta {
  try {
    return parseToscaMeta(data.toString('utf8'));
  } catch (err) {
    if (err instanceof CsarError) throw new PackageBuildError(err.message);
    throw err;
  }
}

/** The top VNFD: the one Definitions/ file no other imports (the SOL001 type files aside). */
export function findEntryDefinitions(paths: readonly string[]): string {
  const defs = paths.filter(
    (p) =>
      p.startsWith(DEFINITIONS) &&
      !p.slice(DEFINITIONS.length).includes('/') &&
      /\.ya?ml$/i.test(p) &&
      !SOL001_TYPES.test(posix.basename(p)),
  );
  if (defs.length === 0)
    throw new PackageBuildError(
      `no VNFD: the directory has no ${DEFINITIONS}*.yaml (and no ${TOSCA_META_PATH} naming one)`,
    );
  const tops = defs.filter((p) => /(^|[_.-])top\.vnfd\.ya?ml$/i.test(posix.basename(p)));
  const candidates = tops.length > 0 ? tops : defs.filter((p) => /\.vnfd\.ya?ml$/i.test(p));
  if (candidates.length === 1) return candidates[0]!;
  if (defs.length === 1) return defs[0]!;
  throw new PackageBuildError(
    `cannot tell the top VNFD among ${(candidates.length > 0 ? candidates : defs).join(', ')}: ` +
      `name it *_top.vnfd.yaml or write ${TOSCA_META_PATH} with Entry-Definitions`,
  );
}

function loadDefinitions(root: string, entry: string): Vnfd {
  try {
    return loadVnfd(root, entry);
  } catch (err) {
    if (err instanceof VnfdError || err instanceof CsarError)
      throw new PackageBuildError(`the VNFD is not valid: ${err.message}`);
    throw err;
  }
}

/** 'Definitions/x_top.vnfd.yaml' → 'x_top.vnfd.mf' in the root, where SOL004 looks for it. */
function manifestBeside(entry: string): string {
  const base = posix.basename(entry);
  return `${base.slice(0, base.length - posix.extname(base).length)}.mf`;
}

function isArtifact(path: string, manifestPath: string): boolean {
  return path !== manifestPath && !path.startsWith('TOSCA-Metadata/') && !path.startsWith(DEFINITIONS);
}

function toscaMetaText(
  entry: string,
  manifestPath: string,
  meta: ToscaMeta | undefined,
  artifacts: CsarEntry[],
) {
  const header: [string, string | undefined][] = [
    ['TOSCA-Meta-File-Version', meta?.toscaMetaFileVersion ?? '1.0'],
    ['CSAR-Version', meta?.csarVersion ?? '1.1'],
    ['Created-By', meta?.createdBy ?? 'vnfm package build'],
    ['Entry-Definitions', entry],
    ['ETSI-Entry-Manifest', manifestPath],
    ['ETSI-Entry-Change-Log', meta?.etsiEntryChangeLog],
    ['ETSI-Entry-Licenses', meta?.etsiEntryLicenses],
    ['ETSI-Entry-Certificate', meta?.etsiEntryCertificate],
    ['ETSI-Entry-Tests', meta?.etsiEntryTests],
    ['Other-Definitions', meta?.otherDefinitions.length ? meta.otherDefinitions.join(' ') : undefined],
    ...Object.entries(meta?.extra ?? {}),
  ];
  const head = header
    .filter((h): h is [string, string] => h[1] !== undefined)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
  return artifacts.length > 0 ? `${head}\n${artifactBlocks(artifacts)}` : head;
}

/** SOL004 §4.3.2 manifest: the VNFD's identity, then every file of the package with its digest. */
function manifestText(vnfd: Vnfd, files: CsarEntry[]): string {
  const metadata = [
    ['vnfd_id', vnfd.vnfdId],
    ['vnf_provider_id', vnfd.provider],
    ['vnf_product_name', vnfd.productName],
    ['vnf_package_version', vnfd.softwareVersion],
    ['compatible_specification_versions', '2.6.1'],
  ]
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `  ${k}: ${v}\n`)
    .join('');
  const blocks = sortByPath(files).map(
    (f) => `Source: ${f.path}\nAlgorithm: SHA-256\nHash: ${sha256(f.data)}\n`,
  );
  return `metadata:\n${metadata}\n${blocks.join('\n')}`;
}
