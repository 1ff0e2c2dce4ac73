// Reading one TOSCA definitions file safely: a VNF package is untrusted input, so
// size, aliases (billion laughs), duplicate keys and prototype keys are all bounded
// or refused before any of the data is used.
import { readBoundedText } from '../csar/bounded-read.ts';
import { isPair, isScalar, parseDocument, visit } from 'yaml';
import { VnfdError } from './errors.ts';

/** Largest definitions file accepted. Real VNFDs are a few tens of KiB. */
export const MAX_DEFINITIONS_FILE_BYTES = 10 * 1024 * 1024;
/** Alias expansions allowed per file; VNFDs hardly use anchors, a bomb needs thousands. */
export const MAX_ALIAS_COUNT = 100;

const INTEGER = /^[-+]?(?:[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$/;

export type YamlMap = Record<string, unknown>;

export function isYamlMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property of a parsed mapping (never one inherited from Object.prototype). */
export function own(v: unknown, key: string): unknown {
  return isYamlMap(v) && Object.hasOwn(v, key) ? v[key] : undefined;
}

/** Reads and parses `absPath`; `name` is how errors refer to the file. */
export function readDefinitionsFile(absPath: string, name: string): YamlMap {
  return parseDefinitions(readCapped(absPath, name), name);
}

function readCapped(absPath: string, name: string): string {
  const r = readBoundedText(absPath, MAX_DEFINITIONS_FILE_BYTES);
  if ('text' in r) return r.text;
  // A file that is not there (or cannot be one) is a missing import; a bad one is invalid YAML.
  const code = r.refused === 'too large' || r.refused === 'not UTF-8' ? 'YAML_INVALID' : 'IMPORT_MISSING';
  throw new VnfdError(code, name, r.detail);
}

/** Parses the text of one definitions file into a plain mapping. */
export function parseDefinitions(text: string, name: string): YamlMap {
  let data: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    const first = doc.errors[0];
    if (first) throw new VnfdError('YAML_INVALID', name, `invalid YAML: ${oneLine(first.message)}`);
    visit(doc, {
      Pair(_, pair) {
        if (isPair(pair) && isScalar(pair.key) && pair.key.value === '__proto__') {
          throw new VnfdError('YAML_INVALID', name, `invalid YAML: the key "__proto__" is not allowed`);
        }
      },
      Scalar(_, node) {
        // TOSCA versions are strings that authors often leave unquoted (`software_version: 1.0`);
        // YAML would make that the number 1. Numbers other than plain integers are kept as written.
        if (typeof node.value === 'number' && node.source !== undefined && !INTEGER.test(node.source)) {
          node.value = node.source;
        }
      },
    });
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof VnfdError) throw err;
    // yaml throws ReferenceError for alias bombs; deep nesting may overflow the stack.
    const msg = err instanceof Error ? err.message : String(err);
    throw new VnfdError('YAML_INVALID', name, `invalid YAML: ${oneLine(msg)}`);
  }
  if (!isYamlMap(data)) {
    throw new VnfdError('YAML_INVALID', name, 'is not a YAML mapping (a TOSCA service template)');
  }
  return data;
}

function oneLine(msg: string): string {
  // prettyErrors appends a source excerpt after the first line; the position is on it.
  return msg.split('\n')[0]!.trim();
}
