// TOSCA-Metadata/TOSCA.meta (TOSCA Simple Profile YAML §3 CSAR, SOL004 §4.2):
// a header block naming the entry definitions, then — in the Tacker style —
// one block per artifact with its path, content type and digest.
import { badHashReason, parseHashAlgorithm, SUPPORTED_ALGORITHMS, type HashAlgorithm } from './digest.ts';
import { CsarError } from './errors.ts';
import { splitKeyValue, toBlocks, toLines, type Line } from './lines.ts';

export const TOSCA_META_PATH = 'TOSCA-Metadata/TOSCA.meta';

export interface ToscaMetaArtifact {
  /** The `Name:` value as written: a package path or an http(s) URL. */
  name: string;
  contentType?: string;
  algorithm?: HashAlgorithm;
  /** Lowercase hex. */
  hash?: string;
  /** Line of the `Name:` key, for messages. */
  line: number;
}

export interface ToscaMeta {
  toscaMetaFileVersion: string;
  csarVersion: string;
  createdBy: string;
  entryDefinitions: string;
  /** TOSCA 1.3 `Other-Definitions`, space-separated paths. */
  otherDefinitions: string[];
  etsiEntryManifest?: string;
  etsiEntryChangeLog?: string;
  etsiEntryLicenses?: string;
  etsiEntryCertificate?: string;
  etsiEntryTests?: string;
  /** Other keys of the header block, as written. */
  extra: Record<string, string>;
  artifacts: ToscaMetaArtifact[];
}

type HeaderField = Exclude<keyof ToscaMeta, 'otherDefinitions' | 'extra' | 'artifacts'> | 'otherDefinitions';

// Keys match case-insensitively: Tacker's own samples write `Created-by`.
const HEADER_KEYS: Record<string, { field: HeaderField; spelling: string }> = {
  'tosca-meta-file-version': { field: 'toscaMetaFileVersion', spelling: 'TOSCA-Meta-File-Version' },
  'csar-version': { field: 'csarVersion', spelling: 'CSAR-Version' },
  'created-by': { field: 'createdBy', spelling: 'Created-By' },
  'entry-definitions': { field: 'entryDefinitions', spelling: 'Entry-Definitions' },
  'other-definitions': { field: 'otherDefinitions', spelling: 'Other-Definitions' },
  'etsi-entry-manifest': { field: 'etsiEntryManifest', spelling: 'ETSI-Entry-Manifest' },
  'etsi-entry-change-log': { field: 'etsiEntryChangeLog', spelling: 'ETSI-Entry-Change-Log' },
  'etsi-entry-licenses': { field: 'etsiEntryLicenses', spelling: 'ETSI-Entry-Licenses' },
  'etsi-entry-certificate': { field: 'etsiEntryCertificate', spelling: 'ETSI-Entry-Certificate' },
  'etsi-entry-tests': { field: 'etsiEntryTests', spelling: 'ETSI-Entry-Tests' },
};
const REQUIRED: HeaderField[] = ['toscaMetaFileVersion', 'csarVersion', 'createdBy', 'entryDefinitions'];

const ARTIFACT_KEYS = ['Name', 'Content-Type', 'Algorithm', 'Hash'];

/** Parses TOSCA.meta text; CsarError 'META_INVALID' naming the line at fault. */
export function parseToscaMeta(text: string, file = TOSCA_META_PATH): ToscaMeta {
  const fail = (line: number | undefined, problem: string) =>
    new CsarError(
      'META_INVALID',
      line === undefined ? `${file}: ${problem}` : `${file} line ${line}: ${problem}`,
    );
  const blocks = toBlocks(toLines(text)).map((block) => toPairs(block, fail));
  const [header, ...rest] = blocks;
  if (!header) throw fail(undefined, 'the file is empty');
  return { ...parseHeader(header, fail), artifacts: parseArtifacts(rest, fail) };
}

interface Pair {
  key: string;
  value: string;
  line: number;
}

type Fail = (line: number | undefined, problem: string) => CsarError;

function toPairs(block: Line[], fail: Fail): Pair[] {
  const seen = new Map<string, number>();
  return block.map((line) => {
    const kv = splitKeyValue(line.text);
    if (typeof kv === 'string') throw fail(line.no, kv);
    const first = seen.get(kv.key.toLowerCase());
    if (first !== undefined) throw fail(line.no, `duplicate key ${kv.key} (first on line ${first})`);
    seen.set(kv.key.toLowerCase(), line.no);
    if (kv.value === '') throw fail(line.no, `key ${kv.key} has no value`);
    return { key: kv.key, value: kv.value, line: line.no };
  });
}

function parseHeader(pairs: Pair[], fail: Fail): Omit<ToscaMeta, 'artifacts'> {
  const values: Partial<Record<HeaderField, string>> = {};
  const extra: Record<string, string> = {};
  for (const { key, value } of pairs) {
    const known = HEADER_KEYS[key.toLowerCase()];
    if (known) values[known.field] = value;
    else extra[key] = value;
  }
  const first = pairs[0]?.line ?? 1;
  const last = pairs.at(-1)?.line ?? first;
  const missing = REQUIRED.filter((f) => values[f] === undefined).map(spellingOf);
  if (missing.length > 0) {
    throw fail(
      first,
      `the header block (lines ${first}-${last}) lacks ${missing.join(', ')}; it must hold ` +
        REQUIRED.map(spellingOf).join(', '),
    );
  }
  const { otherDefinitions, ...named } = values;
  return {
    ...(named as Omit<ToscaMeta, 'artifacts' | 'extra' | 'otherDefinitions'>),
    otherDefinitions: otherDefinitions ? otherDefinitions.split(/\s+/) : [],
    extra,
  };
}

function spellingOf(field: HeaderField): string {
  return Object.values(HEADER_KEYS).find((k) => k.field === field)?.spelling ?? field;
}

function parseArtifacts(blocks: Pair[][], fail: Fail): ToscaMetaArtifact[] {
  const names = new Map<string, number>();
  return blocks.map((pairs) => {
    const get = (key: string) => pairs.find((p) => p.key.toLowerCase() === key.toLowerCase());
    const start = pairs[0]?.line;
    for (const p of pairs) {
      if (!ARTIFACT_KEYS.some((k) => k.toLowerCase() === p.key.toLowerCase())) {
        throw fail(
          p.line,
          `unknown key ${p.key} in an artifact block (expected ${ARTIFACT_KEYS.join(', ')})`,
        );
      }
    }
    const name = get('Name');
    if (!name) throw fail(start, 'this block has no Name, so it names no artifact');
    const earlier = names.get(name.value);
    if (earlier !== undefined)
      throw fail(name.line, `artifact ${name.value} is already described on line ${earlier}`);
    names.set(name.value, name.line);

    const artifact: ToscaMetaArtifact = { name: name.value, line: name.line };
    const contentType = get('Content-Type');
    if (contentType) artifact.contentType = contentType.value;
    const algorithm = get('Algorithm');
    const hash = get('Hash');
    if (!algorithm && !hash) return artifact;
    if (!algorithm) throw fail(hash?.line, `artifact ${name.value} has a Hash but no Algorithm`);
    if (!hash) throw fail(algorithm.line, `artifact ${name.value} has an Algorithm but no Hash`);
    const alg = parseHashAlgorithm(algorithm.value);
    if (!alg) {
      throw fail(
        algorithm.line,
        `Algorithm ${algorithm.value} is not supported (use ${SUPPORTED_ALGORITHMS})`,
      );
    }
    const bad = badHashReason(hash.value, alg);
    if (bad) throw fail(hash.line, `Hash of artifact ${name.value} is not a ${alg} digest: ${bad}`);
    artifact.algorithm = alg;
    artifact.hash = hash.value.toLowerCase();
    return artifact;
  });
}
