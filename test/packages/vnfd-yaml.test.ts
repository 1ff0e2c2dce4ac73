// Definitions files are untrusted input: alias bombs, huge files, duplicate keys and
// prototype keys are refused as YAML_INVALID, fast, before anything uses the data.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadVnfd, MAX_DEFINITIONS_FILE_BYTES, VnfdError } from '../../src/packages/vnfd/index.ts';
import { edit, ENTRY, writeVnfdPackage } from '../helpers/vnfd-package.ts';

const MANIFEST = 'Definitions/sample_cnf_df_manifest.yaml';

function yamlInvalid(dir: string, ...fragments: string[]): VnfdError {
  let caught: unknown;
  try {
    loadVnfd(dir, ENTRY);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof VnfdError, `expected YAML_INVALID, got ${String(caught)}`);
  assert.equal(caught.code, 'YAML_INVALID', caught.message);
  for (const f of fragments) assert.ok(caught.message.includes(f), `"${caught.message}" lacks "${f}"`);
  return caught;
}

function withManifest(text: string | Buffer): string {
  const dir = writeVnfdPackage();
  writeFileSync(join(dir, MANIFEST), text);
  return dir;
}

test('a billion-laughs alias bomb fails in well under a second', () => {
  const lines = [
    'tosca_definitions_version: tosca_simple_yaml_1_2',
    'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ];
  for (let i = 1; i <= 9; i++) {
    const prev = `*a${i - 1}`;
    lines.push(`a${i}: &a${i} [${Array(9).fill(prev).join(', ')}]`);
  }
  const dir = withManifest(lines.join('\n') + '\n');
  const started = performance.now();
  yamlInvalid(dir, MANIFEST, 'alias');
  const ms = performance.now() - started;
  assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
});

test('a file over the size cap is refused without parsing it', () => {
  const dir = withManifest('#'.repeat(MAX_DEFINITIONS_FILE_BYTES) + '\n');
  yamlInvalid(dir, MANIFEST, String(MAX_DEFINITIONS_FILE_BYTES));
});

test('syntax errors, duplicate keys, several documents, a non-mapping, __proto__ keys', () => {
  yamlInvalid(withManifest('topology_template: [unclosed\n'), MANIFEST, 'invalid YAML');
  const dup = writeVnfdPackage();
  edit(
    dup,
    MANIFEST,
    '        flavour_id: manifest\n',
    '        flavour_id: manifest\n        flavour_id: manifest2\n',
  );
  yamlInvalid(dup, MANIFEST, 'unique');
  yamlInvalid(withManifest('a: 1\n---\nb: 2\n'), MANIFEST, 'multiple documents');
  yamlInvalid(withManifest('- just\n- a list\n'), MANIFEST, 'not a YAML mapping');
  yamlInvalid(withManifest('__proto__: {polluted: true}\n'), MANIFEST, '__proto__');
  yamlInvalid(withManifest(Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a])), MANIFEST);
});

test('deeply nested input is an error, not a crash', () => {
  const depth = 5_000;
  yamlInvalid(withManifest('a: ' + '['.repeat(depth) + ']'.repeat(depth) + '\n'), MANIFEST);
});
