// The install scripts' result line and the output tail errors quote: only the last
// MGMT_RESULT line is read; a failure's tail never shows a secret the VNFM knows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  outputTail,
  parseResultLine,
  ResultLineError,
  stringsIn,
  TAIL_LINES,
} from '../../src/mgmt/kubernetes-cluster/result.ts';

test('the last MGMT_RESULT line is the result; free text around it is ignored', () => {
  const out =
    'MGMT_RESULT {"a":1}\nprogress: server: https://evil\nMGMT_RESULT {"server":"https://10.0.0.1:6443"}\ntrailing\n';
  assert.deepEqual(parseResultLine(out), { server: 'https://10.0.0.1:6443' });
  assert.deepEqual(parseResultLine('MGMT_RESULT {}\r\n'), {});
});

test('no result line, a line that is not JSON, or not an object: ResultLineError', () => {
  assert.throws(() => parseResultLine('token: abc\nserver: x\n'), ResultLineError);
  assert.throws(() => parseResultLine('MGMT_RESULT {"a":'), /not JSON/);
  assert.throws(() => parseResultLine('MGMT_RESULT [1]'), /not a JSON object/);
  assert.throws(() => parseResultLine('  MGMT_RESULT {}'), /no MGMT_RESULT/); // must start the line
});

test('the tail: last lines of stdout and stderr, secrets replaced, result lines left out', () => {
  const secrets = ['s3cret-password', 'eyJhbGciOi.token.value', 'abcdef.0123456789abcdef'];
  const stdout = [
    ...Array.from({ length: 30 }, (_, i) => `line ${i}`),
    'MGMT_RESULT {"token":"eyJhbGciOi.token.value"}',
  ].join('\n');
  const stderr = 'join with abcdef.0123456789abcdef failed\nsshpass -p s3cret-password\n';
  const tail = outputTail(stdout, stderr, secrets);
  const lines = tail.split('\n');
  assert.equal(lines.length, TAIL_LINES);
  assert.equal(lines.at(-1), 'sshpass -p ***');
  assert.equal(lines.at(-2), 'join with *** failed');
  for (const s of secrets) assert.ok(!tail.includes(s), s);
  assert.ok(!tail.includes('MGMT_RESULT'));
});

test('a secret containing another is replaced whole', () => {
  assert.equal(outputTail('key=abcdefgh-longer', '', ['abcdefgh', 'abcdefgh-longer']), 'key=***');
});

test('stringsIn collects every string of opaque join data', () => {
  assert.deepEqual(stringsIn({ token: 'a', nested: { k: ['b', 1, { c: 'c' }] } }).sort(), ['a', 'b', 'c']);
});
