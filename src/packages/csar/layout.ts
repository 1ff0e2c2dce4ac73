// Finds the entry definitions and the manifest of an extracted package, in the two
// SOL004 layouts: with TOSCA-Metadata/TOSCA.meta (§4.2), or without it (§4.3,
// "manifest-only"), where the one YAML file of the root is the entry definitions
// and the .mf file of the same name beside it is the manifest.
import { posix } from 'node:path';
import { CsarError, q } from './errors.ts';
import type { ExtractedFile } from './extract.ts';
import { parseManifest, type Manifest } from './manifest.ts';
import { normalizePackagePath } from './paths.ts';
import { readPackageText } from './text.ts';
import { parseToscaMeta, TOSCA_META_PATH, type ToscaMeta } from './tosca-meta.ts';

export interface Layout {
  /** Posix path relative to the package root. */
  entryDefinitions: string;
  toscaMeta?: ToscaMeta;
  manifestPath?: string;
  manifest?: Manifest;
}

export async function resolveLayout(root: string, files: readonly ExtractedFile[]): Promise<Layout> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const meta = byPath.get(TOSCA_META_PATH);
  return meta ? withToscaMeta(root, byPath, meta) : manifestOnly(root, byPath);
}

async function withToscaMeta(
  root: string,
  byPath: Map<string, ExtractedFile>,
  metaFile: ExtractedFile,
): Promise<Layout> {
  const toscaMeta = parseToscaMeta(await readPackageText(root, metaFile, 'META_INVALID'));
  const named = (key: string, value: string) => inPackage(value, `${TOSCA_META_PATH}: ${key}`);

  const entryDefinitions = named('Entry-Definitions', toscaMeta.entryDefinitions);
  if (!byPath.has(entryDefinitions)) {
    throw new CsarError(
      'ENTRY_DEFINITIONS_MISSING',
      `${TOSCA_META_PATH} names Entry-Definitions ${q(toscaMeta.entryDefinitions)}, which is not a file in the package`,
    );
  }
  const mustExist: [string, string | undefined][] = [
    ['ETSI-Entry-Manifest', toscaMeta.etsiEntryManifest],
    ['ETSI-Entry-Change-Log', toscaMeta.etsiEntryChangeLog],
    ['ETSI-Entry-Certificate', toscaMeta.etsiEntryCertificate],
    ...toscaMeta.otherDefinitions.map((d): [string, string] => ['Other-Definitions', d]),
  ];
  for (const [key, value] of mustExist) {
    if (value !== undefined && !byPath.has(named(key, value))) {
      throw new CsarError(
        'META_INVALID',
        `${TOSCA_META_PATH} names ${key} ${q(value)}, which is not a file in the package`,
      );
    }
  }

  // Without ETSI-Entry-Manifest, SOL004 places the manifest in the root, named like the entry definitions.
  const manifestPath = toscaMeta.etsiEntryManifest
    ? named('ETSI-Entry-Manifest', toscaMeta.etsiEntryManifest)
    : manifestBeside(entryDefinitions);
  const manifestFile = byPath.get(manifestPath);
  if (!manifestFile) return { entryDefinitions, toscaMeta };
  return { entryDefinitions, toscaMeta, manifestPath, manifest: await loadManifest(root, manifestFile) };
}

async function manifestOnly(root: string, byPath: Map<string, ExtractedFile>): Promise<Layout> {
  const rootYaml = [...byPath.keys()].filter((p) => !p.includes('/') && /\.ya?ml$/i.test(p)).sort();
  const [entryDefinitions] = rootYaml;
  if (entryDefinitions === undefined) {
    throw new CsarError(
      'META_MISSING',
      `the package has no ${TOSCA_META_PATH} and no YAML file in its root, so it has no entry definitions`,
    );
  }
  if (rootYaml.length > 1) {
    throw new CsarError(
      'META_MISSING',
      `the package has no ${TOSCA_META_PATH} and ${rootYaml.length} YAML files in its root ` +
        `(${rootYaml.map(q).join(', ')}): cannot tell which is the entry definitions`,
    );
  }
  const manifestPath = manifestBeside(entryDefinitions);
  const manifestFile = byPath.get(manifestPath);
  if (!manifestFile) {
    throw new CsarError(
      'META_MISSING',
      `the package has no ${TOSCA_META_PATH}, so its root must hold the manifest ${q(manifestPath)} ` +
        `beside the entry definitions ${q(entryDefinitions)}`,
    );
  }
  const manifest = await loadManifest(root, manifestFile);
  if (!manifest.metadata || Object.keys(manifest.metadata).length === 0) {
    throw new CsarError(
      'MANIFEST_INVALID',
      `${manifestPath} has no metadata section, which a package without ${TOSCA_META_PATH} must have`,
    );
  }
  return { entryDefinitions, manifestPath, manifest };
}

/** 'Definitions/x.vnfd.yaml' → 'x.vnfd.mf' (in the root). */
function manifestBeside(entryDefinitions: string): string {
  const base = posix.basename(entryDefinitions);
  return `${base.slice(0, base.length - posix.extname(base).length)}.mf`;
}

async function loadManifest(root: string, file: ExtractedFile): Promise<Manifest> {
  return parseManifest(await readPackageText(root, file, 'MANIFEST_INVALID'), file.path);
}

/** normalizePackagePath, its message prefixed with where the path came from. */
export function inPackage(value: string, where: string): string {
  try {
    return normalizePackagePath(value);
  } catch (err) {
    if (err instanceof CsarError) throw new CsarError(err.code, `${where}: ${err.message}`);
    throw err;
  }
}
