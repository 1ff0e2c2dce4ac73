// Reads an uploaded CSAR: safe extraction, layout (entry definitions, TOSCA.meta,
// manifest), then integrity of every declared artifact. Any failure is a
// CsarError for onboardingFailureDetails, and leaves the work directory empty.
import { resolve } from 'node:path';
import { clearDestDir, prepareDestDir } from './dest-dir.ts';
import { type AdmitExtraction, extractPrepared, type ExtractedFile } from './extract.ts';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './limits.ts';
import type { Manifest } from './manifest.ts';
import { resolveLayout } from './layout.ts';
import type { ToscaMeta } from './tosca-meta.ts';
import { verifyArtifacts, type CsarArtifact } from './verify.ts';

export { resolveInPackage } from './paths.ts';
export type { CsarArtifact } from './verify.ts';

export interface Csar {
  /** Absolute path of the extracted package. */
  root: string;
  /** Posix path of the entry definitions (the top VNFD), relative to root. */
  entryDefinitions: string;
  toscaMeta?: ToscaMeta;
  /** Posix path of the manifest relative to root, when the package has one. */
  manifestPath?: string;
  manifest?: Manifest;
  files: ExtractedFile[];
  /** Every artifact declared in the manifest or TOSCA.meta, one per path, all verified. */
  artifacts: CsarArtifact[];
}

/**
 * Extracts `zipPath` into `workDir` (created, or empty) and checks it as a SOL004
 * package; `admit` may refuse the extraction once its total size is known.
 */
export async function readCsar(
  zipPath: string,
  workDir: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  admit?: AdmitExtraction,
): Promise<Csar> {
  const created = await prepareDestDir(workDir);
  try {
    const root = resolve(workDir);
    const files = await extractPrepared(zipPath, root, limits, admit);
    const layout = await resolveLayout(root, files);
    const artifacts = await verifyArtifacts(root, files, layout);
    return { root, ...layout, files, artifacts };
  } catch (err) {
    await clearDestDir(workDir, created);
    throw err;
  }
}
