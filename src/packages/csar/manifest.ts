// SOL004 manifest file (.mf, §4.3.2–4.3.7): a `metadata:` section, one block per
// artifact (`Source`, `Algorithm`, `Hash`, optionally `Signature`, `Certificate`),
// optional `non_mano_artifact_sets:`, and possibly a CMS signature at the end,
// which is not part of the listing and is left to signature verification.
import { badHashReason, parseHashAlgorithm, SUPPORTED_ALGORITHMS, type HashAlgorithm } from './digest.ts';
import { CsarError } from './errors.ts';
import { splitKeyValue, toLines, type Line } from './lines.ts';

/** The SOL004 metadata keys a VNF package manifest carries; others are kept too. */
export interface ManifestMetadata {
  vnf_provider_id?: string;
  vnf_product_name?: string;
  vnf_release_date_time?: string;
  vnf_package_version?: string;
  vnfd_id?: string;
  compatible_specification_versions?: string;
  vnfm_info?: string;
  [key: string]: string | undefined;
}

export interface ManifestArtifact {
  /** The `Source:` value as written: a package path or an http(s) URL. */
  source: string;
  algorithm: HashAlgorithm;
  /** Lowercase hex. */
  hash: string;
  signature?: string;
  certificate?: string;
  /** Line of the `Source:` key, for messages. */
  line: number;
}

export interface NonManoSource {
  source: string;
  line: number;
}

export interface Manifest {
  metadata?: ManifestMetadata;
  artifacts: ManifestArtifact[];
  /** Set id → its sources (SOL004 §4.3.7). */
  nonManoArtifactSets: Record<string, NonManoSource[]>;
  /** Whether a CMS signature block follows the listing. */
  signed: boolean;
}

const CMS_BEGIN = '-----BEGIN CMS-----';

type Fail = (line: number, problem: string) => CsarError;

/** Parses manifest text; CsarError 'MANIFEST_INVALID' naming the line at fault. */
export function parseManifest(text: string, file: string): Manifest {
  const fail: Fail = (line, problem) => new CsarError('MANIFEST_INVALID', `${file} line ${line}: ${problem}`);
  const manifest: Manifest = { artifacts: [], nonManoArtifactSets: {}, signed: false };
  const sources = new Map<string, number>();
  let section: 'none' | 'metadata' | 'nonMano' = 'none';
  let block: { start: number; pairs: Map<string, { value: string; line: number }> } | undefined;
  let nonManoSet: string | undefined;

  const closeBlock = () => {
    if (block) manifest.artifacts.push(toArtifact(block.start, block.pairs, fail));
    block = undefined;
  };

  for (const line of toLines(text)) {
    if (line.text === CMS_BEGIN) {
      manifest.signed = true;
      break;
    }
    if (line.text === '') {
      closeBlock();
      // Blank lines may separate the sets of non_mano_artifact_sets; it ends at the next unindented line.
      if (section === 'metadata') section = 'none';
      continue;
    }
    const kv = splitKeyValue(line.text);
    if (typeof kv === 'string') throw fail(line.no, kv);
    const { key, value } = kv;

    if (section === 'nonMano' && line.indent > 0) {
      nonManoSet = nonManoLine(line, key, value, nonManoSet, manifest, fail);
      continue;
    }
    if (section === 'nonMano') section = 'none';

    if (key === 'Source') {
      closeBlock();
      section = 'none';
      const earlier = sources.get(value);
      if (earlier !== undefined) throw fail(line.no, `Source ${value} is already listed on line ${earlier}`);
      if (value === '') throw fail(line.no, 'Source has no value');
      sources.set(value, line.no);
      block = { start: line.no, pairs: new Map([['Source', { value, line: line.no }]]) };
      continue;
    }
    if (block) {
      if (!['Algorithm', 'Hash', 'Signature', 'Certificate'].includes(key)) {
        throw fail(line.no, `unknown key ${key} in the artifact block of line ${block.start}`);
      }
      if (block.pairs.has(key))
        throw fail(line.no, `duplicate key ${key} in the artifact block of line ${block.start}`);
      if (value === '') throw fail(line.no, `key ${key} has no value`);
      block.pairs.set(key, { value, line: line.no });
      continue;
    }
    if (section === 'metadata') {
      if (value === '') throw fail(line.no, `metadata key ${key} has no value`);
      if (manifest.metadata?.[key] !== undefined) throw fail(line.no, `duplicate metadata key ${key}`);
      manifest.metadata = { ...manifest.metadata, [key]: value };
      continue;
    }
    if (key === 'metadata' && value === '') {
      if (manifest.metadata) throw fail(line.no, 'a second metadata section');
      manifest.metadata = {};
      section = 'metadata';
      continue;
    }
    if (key === 'non_mano_artifact_sets' && value === '') {
      section = 'nonMano';
      nonManoSet = undefined;
      continue;
    }
    throw fail(
      line.no,
      `expected "metadata:", "Source: <path>" or "non_mano_artifact_sets:" to start a block, found ${JSON.stringify(line.text)}`,
    );
  }
  closeBlock();
  return manifest;
}

function toArtifact(start: number, pairs: Map<string, { value: string; line: number }>, fail: Fail) {
  const source = pairs.get('Source')?.value ?? '';
  const algorithm = pairs.get('Algorithm');
  const hash = pairs.get('Hash');
  if (!algorithm) throw fail(start, `artifact ${source} has no Algorithm`);
  if (!hash) throw fail(start, `artifact ${source} has no Hash`);
  const alg = parseHashAlgorithm(algorithm.value);
  if (!alg)
    throw fail(algorithm.line, `Algorithm ${algorithm.value} is not supported (use ${SUPPORTED_ALGORITHMS})`);
  const bad = badHashReason(hash.value, alg);
  if (bad) throw fail(hash.line, `Hash of artifact ${source} is not a ${alg} digest: ${bad}`);
  const artifact: ManifestArtifact = { source, algorithm: alg, hash: hash.value.toLowerCase(), line: start };
  const signature = pairs.get('Signature')?.value;
  const certificate = pairs.get('Certificate')?.value;
  if (signature) artifact.signature = signature;
  if (certificate) artifact.certificate = certificate;
  return artifact;
}

/** One indented line of non_mano_artifact_sets: a set id, or a Source of the current set. */
function nonManoLine(
  line: Line,
  key: string,
  value: string,
  current: string | undefined,
  manifest: Manifest,
  fail: Fail,
): string | undefined {
  if (value === '') {
    if (manifest.nonManoArtifactSets[key])
      throw fail(line.no, `non-MANO artifact set ${key} is listed twice`);
    manifest.nonManoArtifactSets[key] = [];
    return key;
  }
  if (key !== 'Source')
    throw fail(line.no, `expected "Source: <path>" in non_mano_artifact_sets, found ${key}`);
  if (current === undefined) throw fail(line.no, 'Source before any non-MANO artifact set id');
  manifest.nonManoArtifactSets[current]?.push({ source: value, line: line.no });
  return current;
}
