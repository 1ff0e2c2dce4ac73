// The CSAR reader's public API: read a package, or parts of one.
export { CsarError, type CsarErrorCode } from './errors.ts';
export { extractZip, DEFAULT_ZIP_LIMITS, type ExtractedFile, type ZipLimits } from './extract.ts';
export { parseToscaMeta, TOSCA_META_PATH, type ToscaMeta, type ToscaMetaArtifact } from './tosca-meta.ts';
export {
  parseManifest,
  type Manifest,
  type ManifestArtifact,
  type ManifestMetadata,
  type NonManoSource,
} from './manifest.ts';
export type { HashAlgorithm } from './digest.ts';
export { normalizePackagePath, resolveInPackage } from './paths.ts';
export { readCsar, type Csar, type CsarArtifact } from './read.ts';
