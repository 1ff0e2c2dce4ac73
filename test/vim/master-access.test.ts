// The credential rules as functions (no listener needed; test/lcm/credential-binding.test.ts
// proves them end to end with real TLS and SSH listeners): which master nodes get which
// secrets and pins, how helm_info fields are parsed, which keys are secrets and how
// vimConnectionInfo is masked.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { ProblemError } from '../../src/errors.ts';
import { resolveMasters } from '../../src/infra/helm/helm-info.ts';
import { maskVimConnectionInfo, maskOperationParams } from '../../src/lcm/model.ts';
import { parseMasterAddress, pinFingerprint, readHelmInfo, validHostKey } from '../../src/vim/helm-fields.ts';
import {
  type HelmInfo,
  isSecretKey,
  SECRET_AUTH_CRED_FIELDS,
  SECRET_HELM_INFO_FIELDS,
} from '../../src/vim/model.ts';
import { parsePythonLiteral, PythonLiteralError } from '../../src/vim/python-literal.ts';

const hostKey = ssh2.utils.generateKeyPairSync('ed25519').public.trim();
const otherKey = ssh2.utils.generateKeyPairSync('ed25519').public.trim();
const privateKey = ssh2.utils.generateKeyPairSync('ed25519').private;

const vim: HelmInfo = {
  masternode_ip: ['10.0.0.1', '10.0.0.2:2222'],
  masternode_username: 'helm',
  masternode_password: 'vim-pw',
  masternode_private_key: privateKey,
  masternode_host_keys: { '10.0.0.1': hostKey },
};

const rejects = (f: () => unknown, detail: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof ProblemError && e.status === 400 && detail.test(e.message));

describe('resolveMasters: the VIM’s secrets and pins only for the VIM’s masters', () => {
  test('no request helm_info: the VIM’s masters with the VIM’s credentials and pins', () => {
    const m = resolveMasters(vim, undefined);
    assert.deepEqual(
      m.map((a) => [a.node.address, a.node.port, a.vimMaster, a.info.masternode_password]),
      [
        ['10.0.0.1', 22, true, 'vim-pw'],
        ['10.0.0.2:2222', 2222, true, 'vim-pw'],
      ],
    );
    assert.equal(m[0]!.info.masternode_host_keys?.['10.0.0.1'], hostKey);
    assert.equal(m[1]!.info.masternode_host_keys, undefined);
  });

  test('"***" and other spellings of a VIM master resolve to it and its stored secret', () => {
    const [a] = resolveMasters(vim, { masternode_ip: ['10.0.0.1:22'], masternode_password: '***' });
    assert.equal(a!.vimMaster, true);
    assert.equal(a!.node.address, '10.0.0.1', 'the VIM’s entry: its pin and recorded key apply');
    assert.equal(a!.info.masternode_password, 'vim-pw');
    assert.equal(a!.info.masternode_host_keys?.['10.0.0.1'], hostKey);
    const [b] = resolveMasters(vim, `{'masternode_ip': ['10.0.0.2:2222'], 'masternode_private_key': '***'}`);
    assert.equal(b!.info.masternode_private_key, privateKey);
    rejects(
      () => resolveMasters({ ...vim, masternode_private_key: undefined }, { masternode_private_key: '***' }),
      /'\*\*\*' given, but the VIM stores no masternode_private_key/,
    );
  });

  test('a master only the request names: its own credentials, never the VIM’s, never a VIM pin', () => {
    const [s] = resolveMasters(vim, { masternode_ip: ['10.0.0.9'], masternode_password: 'own' });
    assert.equal(s!.vimMaster, false);
    assert.equal(s!.info.masternode_password, 'own');
    assert.equal(s!.info.masternode_private_key, undefined, 'the VIM’s key is not merged in');
    assert.equal(s!.info.masternode_username, 'helm', 'the user name is no secret');
    rejects(
      () => resolveMasters(vim, { masternode_ip: ['10.0.0.9'] }),
      /10\.0\.0\.9:22 is not a master node of the VIM/,
    );
    rejects(
      () => resolveMasters(vim, { masternode_ip: ['10.0.0.9'], masternode_password: '***' }),
      /only for the VIM's master nodes; 10\.0\.0\.9:22 is not one of them/,
    );
    // The VIM's host on another port is another service.
    rejects(
      () => resolveMasters(vim, { masternode_ip: ['10.0.0.1:2200'], masternode_password: '***' }),
      /not one of them/,
    );
    rejects(
      () => resolveMasters(vim, { masternode_ip: ['10.0.0.1'], masternode_port: 2200 }),
      /is not a master node/,
    );
    rejects(
      () => resolveMasters(undefined, { masternode_ip: ['10.0.0.9'] }),
      /is not a master node of the VIM/,
    );
    // Mixed: each master with its own access.
    const mixed = resolveMasters(vim, {
      masternode_ip: ['10.0.0.9', '10.0.0.1'],
      masternode_password: 'own',
    });
    assert.deepEqual(
      mixed.map((a) => [
        a.vimMaster,
        a.info.masternode_password,
        a.info.masternode_private_key !== undefined,
      ]),
      [
        [false, 'own', false],
        [true, 'own', true],
      ],
    );
  });

  test('a request cannot replace a VIM pin; it may repeat it, or pin what the VIM does not', () => {
    rejects(
      () => resolveMasters(vim, { masternode_host_keys: { '10.0.0.1': otherKey } }),
      /the VIM pins the host key of its master node 10\.0\.0\.1; a request cannot replace it/,
    );
    assert.equal(
      resolveMasters(vim, { masternode_host_keys: { '10.0.0.1': pinFingerprint(hostKey) } }).length,
      2,
    );
    const [, second] = resolveMasters(vim, { masternode_host_keys: { '10.0.0.2:2222': otherKey } });
    assert.equal(second!.info.masternode_host_keys?.['10.0.0.2:2222'], otherKey);
    const [s] = resolveMasters(vim, {
      masternode_ip: ['10.0.0.9'],
      masternode_password: 'own',
      masternode_host_keys: { '10.0.0.9': otherKey },
    });
    assert.equal(s!.info.masternode_host_keys?.['10.0.0.9'], otherKey);
  });
});

describe('helm_info fields parsed strictly', () => {
  test('master addresses', () => {
    const ok: [string, { host: string; port?: number }][] = [
      ['10.0.0.1', { host: '10.0.0.1' }],
      ['10.0.0.1:2222', { host: '10.0.0.1', port: 2222 }],
      ['[fd00::1]:22', { host: 'fd00::1', port: 22 }],
      ['[fd00::1]', { host: 'fd00::1' }],
      ['fd00::2', { host: 'fd00::2' }],
      ['master-0.example.org', { host: 'master-0.example.org' }],
    ];
    for (const [entry, want] of ok) assert.deepEqual(parseMasterAddress(entry), want, entry);
    for (const bad of [
      '',
      ' 10.0.0.1',
      '10.0.0.1 ',
      '-oProxyCommand=sh',
      'a;b',
      '$(id)',
      '`id`',
      'a|b',
      'h:0',
      'h:65536',
      'h:022',
      'h:',
      '1.2.3.999',
      '[10.0.0.1]:22',
      '[fd00::1]:x',
      'a..b',
      '-a.example',
      'x'.repeat(254),
    ])
      assert.equal(parseMasterAddress(bad), undefined, JSON.stringify(bad));
  });

  test('host keys, private keys, unknown fields, the mask', () => {
    assert.ok(validHostKey(hostKey));
    assert.ok(validHostKey(`${hostKey} root@master`));
    assert.ok(validHostKey(pinFingerprint(hostKey)));
    for (const bad of ['ssh-ed25519', 'ssh-ed25519 !!!', 'SHA256:short', privateKey, `${hostKey}\nx`])
      assert.equal(validHostKey(bad), false, bad);
    assert.equal(pinFingerprint(`${hostKey} comment`), pinFingerprint(hostKey));
    const f = 'extra.helm_info';
    assert.equal(
      readHelmInfo({ masternode_private_key: privateKey }, f, false).masternode_private_key,
      privateKey,
    );
    rejects(
      () => readHelmInfo({ masternode_private_key: hostKey }, f, false),
      /a public key, not a private key/,
    );
    rejects(() => readHelmInfo({ masternode_private_key: 'x' }, f, false), /not a private key ssh can use/);
    const encrypted = ssh2.utils.generateKeyPairSync('ed25519', {
      passphrase: 'p',
      cipher: 'aes256-cbc',
      rounds: 16,
    }).private;
    rejects(() => readHelmInfo({ masternode_private_key: encrypted }, f, false), /masternode_private_key/);
    rejects(() => readHelmInfo({ masternode_ip: ['h'], extra: 1 }, f, false), /unknown field\(s\) extra/);
    rejects(() => readHelmInfo({ masternode_password: '***' }, f, false), /is the mask/);
    assert.equal(readHelmInfo({ masternode_password: '***' }, f, true).masternode_password, '***');
    rejects(() => readHelmInfo({ masternode_port: 0 }, f, false), /masternode_port/);
    assert.equal(readHelmInfo({ masternode_port: '2222' }, f, false).masternode_port, 2222);
    rejects(() => readHelmInfo({ masternode_ip: Array(17).fill('h') }, f, false), /more than 16/);
  });

  test('Python-literal helm_info: depth and length bounded, no prototype games', () => {
    assert.throws(() => parsePythonLiteral('['.repeat(5000) + ']'.repeat(5000)), PythonLiteralError);
    assert.throws(() => parsePythonLiteral(`'${'a'.repeat(70_000)}'`), /longer than/);
    assert.throws(() => parsePythonLiteral('{'.repeat(20)), /nested deeper than 16/);
    assert.throws(() => parsePythonLiteral("{'a': 1"), PythonLiteralError);
    const o = parsePythonLiteral("{'__proto__': {'polluted': True}}") as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    rejects(() => readHelmInfo("{'__proto__': {'masternode_password': 'x'}}", 'h', false), /unknown field/);
    rejects(
      () => readHelmInfo(`{'masternode_ip': ${'['.repeat(100)}`, 'h', false),
      /not a valid dict: nested/,
    );
  });
});

describe('secrets: one key rule, masks', () => {
  test('every VIM secret field is a secret key; public fields are not', () => {
    for (const k of [
      ...SECRET_AUTH_CRED_FIELDS,
      ...SECRET_HELM_INFO_FIELDS,
      'token',
      'clientKey',
      'privateKey',
      'Password',
    ])
      assert.ok(isSecretKey(k), k);
    for (const k of [
      'username',
      'ssl_ca_cert',
      'client_cert',
      'endpoint',
      'masternode_ip',
      'masternode_host_keys',
      'vimId',
    ])
      assert.ok(!isSecretKey(k), k);
  });

  test('vimConnectionInfo masked deep, idempotently; a Python-string helm_info and a PEM key masked whole', () => {
    const vci = {
      id: 'c1',
      vimType: 'kubernetes',
      accessInfo: { username: 'u', password: 'p', nested: [{ token: 't' }], cert: privateKey },
      interfaceInfo: { endpoint: 'https://e', ssl_ca_cert: 'CA' },
      extra: { helm_info: "{'masternode_password': 'x'}" },
    };
    const masked = maskVimConnectionInfo(vci);
    assert.deepEqual(masked, {
      id: 'c1',
      vimType: 'kubernetes',
      accessInfo: { username: 'u', password: '***', nested: [{ token: '***' }], cert: '***' },
      interfaceInfo: { endpoint: 'https://e', ssl_ca_cert: 'CA' },
      extra: { helm_info: '***' },
    });
    assert.deepEqual(maskVimConnectionInfo(masked), masked);
    assert.equal(vci.accessInfo.password, 'p', 'the input is not changed');
    const byId = maskOperationParams({ vimConnectionInfo: { c1: vci }, flavourId: 'f' });
    assert.equal((byId.vimConnectionInfo as any).c1.accessInfo.password, '***');
    assert.equal(byId.flavourId, 'f');
  });
});
