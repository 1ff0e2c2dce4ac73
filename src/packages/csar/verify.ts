// Checks every artifact the package declares — in its manifest and in TOSCA.meta
// artifact blocks — exists and has the declared digest, and merges the declarations
// into one list. URLs (external artifacts) are recorded, never fetched here.
import { join } from 'node:path';
import { fileDigest, type HashAlgorithm } from './digest.ts';
import { CsarError, q } from './errors.ts';
import type { ExtractedFile } from './extract.ts';
import { inPackage, type Layout } from './layout.ts';
import { TOSCA_META_PATH } from './tosca-meta.ts';

export interface CsarArtifact {
  /** Posix path relative to the package root; for an external artifact, its URL. */
  path: string;
  algorithm?: HashAlgorithm;
  /** Lowercase hex. */
  hash?: string;
  contentType?: string;
  /** Set for an artifact outside the package (an http or https URL). */
  nonFileUri?: string;
}

interface Declaration {
  ref: string;
  /** 'file line N', for messages. */
  where: string;
  algorithm?: HashAlgorithm;
  hash?: string;
  contentType?: string;
}

export async function verifyArtifacts(
  root: string,
  files: readonly ExtractedFile[],
  layout: Layout,
): Promise<CsarArtifact[]> {
  const present = new Set(files.map((f) => f.path));
  const digests = new Map<string, string>();
  const artifacts = new Map<string, CsarArtifact>();
  for (const d of declarations(layout)) {
    const artifact = isUrl(d.ref) ? { path: d.ref, nonFileUri: d.ref } : await checkFile(d);
    merge(artifacts, artifact, d);
  }
  return [...artifacts.values()];

  async function checkFile(d: Declaration): Promise<CsarArtifact> {
    const path = inPackage(d.ref, d.where);
    if (!present.has(path)) {
      throw new CsarError(
        'ARTIFACT_MISSING',
        `${d.where}: artifact ${q(d.ref)} is not a file in the package`,
      );
    }
    if (d.algorithm && d.hash) {
      const key = `${d.algorithm} ${path}`;
      const actual = digests.get(key) ?? (await fileDigest(join(root, path), d.algorithm));
      digests.set(key, actual);
      if (actual !== d.hash) {
        throw new CsarError(
          'HASH_MISMATCH',
          `${d.where}: artifact ${q(path)} has ${d.algorithm} ${actual}, but ${d.hash} is declared`,
        );
      }
    }
    return { path };
  }
}

function declarations(layout: Layout): Declaration[] {
  const out: Declaration[] = [];
  const { manifest, manifestPath, toscaMeta } = layout;
  if (manifest && manifestPath) {
    for (const a of manifest.artifacts) {
      out.push({
        ref: a.source,
        where: `${manifestPath} line ${a.line}`,
        algorithm: a.algorithm,
        hash: a.hash,
      });
    }
    for (const set of Object.values(manifest.nonManoArtifactSets)) {
      for (const s of set) out.push({ ref: s.source, where: `${manifestPath} line ${s.line}` });
    }
  }
  for (const a of toscaMeta?.artifacts ?? []) {
    out.push({
      ref: a.name,
      where: `${TOSCA_META_PATH} line ${a.line}`,
      algorithm: a.algorithm,
      hash: a.hash,
      contentType: a.contentType,
    });
  }
  return out;
}

/** Adds what `d` tells about `artifact` to the list; earlier declarations win field by field. */
function merge(artifacts: Map<string, CsarArtifact>, artifact: CsarArtifact, d: Declaration): void {
  const merged = artifacts.get(artifact.path) ?? artifact;
  if (merged.algorithm === undefined && d.algorithm && d.hash) {
    merged.algorithm = d.algorithm;
    merged.hash = d.hash;
  }
  if (merged.contentType === undefined && d.contentType) merged.contentType = d.contentType;
  artifacts.set(artifact.path, merged);
}

function isUrl(ref: string): boolean {
  return /^https?:\/\//i.test(ref);
}
