// Quoting is checked against a real POSIX shell: each hostile value must come back
// from `sh -c 'printf %s …'` byte for byte, and run nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandLine, quote } from '../../src/ssh/quote.ts';

const canary = join(mkdtempSync(join(tmpdir(), 'quote-')), 'pwned');
const hostile = [
  'plain',
  'with space',
  "it's",
  'a"b',
  `x; touch ${canary}`,
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  'line1\nline2',
  'a,b=c',
  '*',
  '~root',
  '$HOME',
  `'; touch ${canary}; '`,
  '',
  '-n',
  'ünïcödé',
];

test('every hostile value reaches the program as exactly itself', () => {
  for (const value of hostile) {
    const out = execFileSync('sh', ['-c', commandLine(['printf', '%s', value])], { encoding: 'utf8' });
    assert.equal(out, value, `value ${JSON.stringify(value)}`);
  }
  assert.equal(existsSync(canary), false, 'no injected command ran');
});

test('NUL bytes are refused, safe words stay unquoted', () => {
  assert.throws(() => quote('a\0b'), /NUL/);
  assert.equal(quote('service.port=8081'), 'service.port=8081');
  assert.equal(quote(''), "''");
});
