// Artifact digests as SOL004 declares them (`Algorithm: SHA-256`, `Hash: <hex>`),
// computed by streaming the file: artifacts can be chart archives of any size.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

const HEX_LENGTH: Record<HashAlgorithm, number> = { 'SHA-256': 64, 'SHA-384': 96, 'SHA-512': 128 };
const NODE_NAME: Record<HashAlgorithm, string> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** 'SHA-256', 'sha256', 'SHA256'… as the canonical name; undefined if not supported. */
export function parseHashAlgorithm(text: string): HashAlgorithm | undefined {
  const m = /^sha-?(256|384|512)$/i.exec(text.trim());
  return m ? (`SHA-${m[1]}` as HashAlgorithm) : undefined;
}

export const SUPPORTED_ALGORITHMS = 'SHA-256, SHA-384 or SHA-512';

/** Why `hash` cannot be a digest of `algorithm`, or undefined when it can. */
export function badHashReason(hash: string, algorithm: HashAlgorithm): string | undefined {
  if (!/^[0-9a-fA-F]+$/.test(hash)) return `it is not hexadecimal`;
  const want = HEX_LENGTH[algorithm];
  if (hash.length !== want) return `a ${algorithm} digest has ${want} hex digits, this one ${hash.length}`;
  return undefined;
}

/** The lowercase hex digest of a file. */
export async function fileDigest(path: string, algorithm: HashAlgorithm): Promise<string> {
  const hash = createHash(NODE_NAME[algorithm]);
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
