// Authentication and TLS settings: what a start refuses, in one line naming the setting.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashSecret, loadClients, parseClients, verifySecret } from '../../src/auth/clients.ts';
import { checkBindAddress, ConfigError, isLoopback, loadConfig } from '../../src/config.ts';

test('secret hashes: a round trip, a wrong secret, a foreign string', async () => {
  const hash = await hashSecret('correct horse battery staple');
  assert.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifySecret('correct horse battery staple', hash), true);
  assert.equal(await verifySecret('correct horse battery stapler', hash), false);
  assert.equal(await verifySecret('x', 'plain'), false);
});

test('a clients configuration is refused with one line naming the client and the field', async () => {
  const hash = await hashSecret('s'.repeat(20));
  const cases: [string, RegExp][] = [
    ['clients: {}', /must be a list of clients or have a 'clients' list/],
    ['- client_id: a\n  secret: plain\n  scopes: []', /client 'a' has a plain secret; configure secret_hash/],
    [
      '- client_id: a\n  secret_hash: nope\n  scopes: []',
      /client 'a': secret_hash must be made by 'vnfm auth hash-secret'/,
    ],
    [
      `- client_id: a\n  secret_hash: "${hash.replace('16384', '1000')}"\n  scopes: []`,
      /secret_hash must be made/,
    ],
    [
      `- client_id: a\n  secret_hash: "${hash}"\n  scopes: [vnflcm:all]`,
      /client 'a': unknown scope 'vnflcm:all' \(known: vnflcm:read/,
    ],
    [
      `- client_id: "a b"\n  secret_hash: "${hash}"\n  scopes: []`,
      /client_id must be 1-128 printable characters/,
    ],
    ['{ not yaml', /is not YAML or JSON/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => parseClients(text, 'VNFM_AUTH_CLIENTS'),
      (err: Error) => {
        assert.ok(err instanceof ConfigError, text);
        assert.match(err.message, pattern, text);
        assert.equal(err.message.split('\n').length, 1);
        return true;
      },
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-clients-'));
  const one = JSON.stringify([{ client_id: 'a', secret_hash: hash, scopes: 'vnflcm:read vims:read' }]);
  writeFileSync(join(dir, 'c.json'), one);
  assert.deepEqual(loadClients(join(dir, 'c.json'), '')[0]!.scopes, ['vnflcm:read', 'vims:read']);
  assert.throws(() => loadClients(join(dir, 'c.json'), one), /auth client 'a' is configured twice/);
  assert.throws(
    () => loadClients(join(dir, 'missing.yaml'), ''),
    /auth clients file '.*missing.yaml' cannot be read \(ENOENT\)/,
  );
});

test('safe by default: loopback may run open, any other address needs authentication', () => {
  for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost']) {
    assert.ok(isLoopback(host), host);
    checkBindAddress(loadConfig({ host }));
  }
  for (const host of ['0.0.0.0', '::', '192.0.2.10', 'vnfm.example.com']) {
    assert.throws(
      () => checkBindAddress(loadConfig({ host })),
      new RegExp(`^ConfigError: refusing to serve on ${host.replace(/\./g, '\\.')} without authentication`),
    );
    checkBindAddress(loadConfig({ host, authClientsFile: '/etc/vnfm/clients.yaml' }));
    checkBindAddress(
      loadConfig({ host, authExternalIssuer: 'https://idp', authExternalJwksUrl: 'https://idp/jwks' }),
    );
  }
});

test('incomplete TLS or external issuer settings are refused', () => {
  for (const [input, pattern] of [
    [{ tlsCert: '/c.pem' }, /TLS needs both a certificate \(--tls-cert\) and its key \(--tls-key\)/],
    [{ tlsKey: '/k.pem' }, /TLS needs both/],
    [{ tlsClientCa: '/ca.pem' }, /client certificate verification \(--tls-client-ca\) needs TLS/],
    [
      { authExternalIssuer: 'https://idp' },
      /needs both VNFM_AUTH_EXTERNAL_ISSUER and VNFM_AUTH_EXTERNAL_JWKS_URL/,
    ],
    [
      { authExternalIssuer: 'https://idp', authExternalJwksUrl: 'file:///jwks' },
      /JWKS URL must be http\(s\):\/\//,
    ],
    [{ authBasic: 'maybe' }, /auth basic must be true or false, got 'maybe'/],
    [{ authTokenTtlSeconds: 5 }, /auth token TTL seconds must be 60-86400/],
  ] as const) {
    assert.throws(() => loadConfig(input), pattern);
  }
});
