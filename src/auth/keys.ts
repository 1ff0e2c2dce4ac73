// The key that signs the VNFM's own access tokens: Ed25519, in
// `<dataDir>/token-signing.key` (PKCS#8 PEM, mode 0600), made on first start like
// secret.key. Processes sharing the data directory (PostgreSQL, scaled out) share
// it, so a token one of them issued is accepted by all.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.ts';
import { privateDir, privateFile } from '../secrets/private-files.ts';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export const signingKeyFile = (dataDir: string) => join(dataDir, 'token-signing.key');

export function loadSigningKey(dataDir: string): SigningKey {
  const file = signingKeyFile(dataDir);
  if (!existsSync(file)) {
    privateDir(dataDir);
    privateFile(file, dataDir);
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  try {
    const privateKey = createPrivateKey(readFileSync(file));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return { privateKey, publicKey: createPublicKey(privateKey) };
  } catch (err) {
    throw new ConfigError(`token signing key '${file}' is unusable: ${(err as Error).message}`);
  }
}
