// OAuth 2.0 clients (SOL013 §8): who may ask for a token, with which secret and
// scopes. They come from a YAML/JSON file (VNFM_AUTH_CLIENTS_FILE, --auth-clients)
// and from VNFM_AUTH_CLIENTS (the same text). Only a scrypt hash of each secret is
// configured, so neither the file nor the environment holds a usable secret.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '../config.ts';
import { isScope, SCOPES } from './scopes.ts';

export interface Client {
  clientId: string;
  scopes: string[];
  /** `scrypt$N$r$p$<salt b64>$<hash b64>` as `vnfm auth hash-secret` prints it. */
  secretHash: string;
}

/** scrypt cost: ~50 ms and 16 MiB per check, enough against offline guessing of a leaked file. */
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;
const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number, len: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, len, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** The hash to configure for `secret`. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, N, R, P, KEY_LENGTH);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `secret` matches `hash` (constant time in the secret's bytes). */
export async function verifySecret(secret: string, hash: string): Promise<boolean> {
  const m = HASH.exec(hash);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await derive(
    secret,
    Buffer.from(m[4]!, 'base64'),
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    expected.length,
  );
  return timingSafeEqual(key, expected);
}

/** A hash of our format whose parameters scrypt accepts at a bounded cost (checked at start, not per request). */
function usableHash(hash: string): boolean {
  const m = HASH.exec(hash);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = Number.isSafeInteger(n) && n >= 1024 && n <= 1 << 20 && (n & (n - 1)) === 0;
  return powerOfTwo && r >= 1 && r <= 32 && p >= 1 && p <= 16 && Buffer.from(m[5]!, 'base64').length >= 16;
}

/** A hash no secret matches, checked for unknown client ids so that they take as long as known ones. */
const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;

export class ClientRegistry {
  readonly #clients = new Map<string, Client>();
  constructor(clients: readonly Client[]) {
    for (const c of clients) this.#clients.set(c.clientId, c);
  }
  get size(): number {
    return this.#clients.size;
  }
  /** The client when `clientId` and `secret` match a configured one. */
  async authenticate(clientId: string, secret: string): Promise<Client | undefined> {
    const client = this.#clients.get(clientId);
    const ok = await verifySecret(secret, client?.secretHash ?? DUMMY_HASH);
    return ok ? client : undefined;
  }
}

function parseClient(raw: unknown, where: string): Client {
  const c = (raw ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${where}: each client must be a mapping with client_id, secret_hash and scopes`);
  const id = c.client_id;
  if (typeof id !== 'string' || !CLIENT_ID.test(id))
    throw new ConfigError(`${where}: client_id must be 1-128 printable characters without spaces`);
  if ('secret' in c || 'client_secret' in c)
    throw new ConfigError(
      `${where}: client '${id}' has a plain secret; configure secret_hash (made by 'vnfm auth hash-secret')`,
    );
  if (typeof c.secret_hash !== 'string' || !usableHash(c.secret_hash))
    throw new ConfigError(`${where}: client '${id}': secret_hash must be made by 'vnfm auth hash-secret'`);
  const scopes = typeof c.scopes === 'string' ? c.scopes.split(/\s+/).filter(Boolean) : c.scopes;
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))
    throw new ConfigError(`${where}: client '${id}': scopes must be a list of ${SCOPES.join(', ')}`);
  const bad = scopes.find((s) => !isScope(s as string));
  if (bad !== undefined)
    throw new ConfigError(`${where}: client '${id}': unknown scope '${bad}' (known: ${SCOPES.join(', ')})`);
  return { clientId: id, secretHash: c.secret_hash, scopes: [...new Set(scopes as string[])] };
}

/** Clients of one YAML or JSON text: a list, or a mapping with a `clients` list. */
export function parseClients(text: string, where: string): Client[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ConfigError(`${where} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { clients?: unknown } | null)?.clients;
  if (!Array.isArray(list))
    throw new ConfigError(`${where} must be a list of clients or have a 'clients' list`);
  return list.map((c) => parseClient(c, where));
}

/** The clients of the file and of the environment's text; one client id twice is an error. */
export function loadClients(file: string, envText: string): Client[] {
  const all: Client[] = [];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `auth clients file '${file}' cannot be read (${(err as NodeJS.ErrnoException).code})`,
      );
    }
    all.push(...parseClients(text, `auth clients file '${file}'`));
  }
  if (envText) all.push(...parseClients(envText, 'VNFM_AUTH_CLIENTS'));
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.clientId)) throw new ConfigError(`auth client '${c.clientId}' is configured twice`);
    seen.add(c.clientId);
  }
  return all;
}
