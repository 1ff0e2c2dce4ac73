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

test('a multi-line secret (a PEM key) shows none of its lines, printed whole or cut by the tail', () => {
  const body = [
    'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg',
    'hV1zRkz5p4s1c2n8m0q9d7f6e5c4b3a2Z1Y0X9W8V7U6T5S4',
  ];
  const pem = `-----BEGIN PRIVATE KEY-----\n${body.join('\n')}\n-----END PRIVATE KEY-----\n`;
  const ca =
    '-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAAMB4XDTI2\n-----END CERTIFICATE-----\n';
  const stderr = `first ${ca}second ${pem}`;
  const tail = outputTail('', stderr, [ca, pem]);
  for (const line of [...body, 'MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAAMB4XDTI2'])
    assert.ok(!tail.includes(line), line);
  assert.deepEqual(tail.split('\n'), ['first ***', 'second ***']);
  // Only the key's last lines in the tail: still none shown.
  const many = Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n');
  const cut = outputTail('', `${many}\n${pem}`, [pem]);
  for (const line of body) assert.ok(!cut.includes(line), line);
});
