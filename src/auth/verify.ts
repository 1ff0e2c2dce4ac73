// Access tokens: the VNFM's own (signed with its key) and, when configured, those of
// an external authorization server (its issuer and JWKS URL). Either way the
// signature, issuer, audience and expiry are checked, and the scopes read from
// `scope` (RFC 9068, space-separated) or `scp` (a list, as some servers send).
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import type { SigningKey } from './keys.ts';

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  externalIssuer: string;
  externalJwksUrl: string;
}

export interface Principal {
  subject: string;
  scopes: Set<string>;
}

/** Why a token was refused, as RFC 6750's error_description. */
export class InvalidToken extends Error {}

const ALG = 'EdDSA';

export class Tokens {
  readonly #key: SigningKey;
  readonly #s: TokenSettings;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(key: SigningKey, settings: TokenSettings) {
    this.#key = key;
    this.#s = settings;
    this.#jwks = settings.externalJwksUrl ? createRemoteJWKSet(new URL(settings.externalJwksUrl)) : undefined;
  }

  get ttlSeconds(): number {
    return this.#s.ttlSeconds;
  }

  /** A signed access token for `clientId` with `scopes`. */
  async issue(clientId: string, scopes: readonly string[]): Promise<string> {
    return new SignJWT({ scope: scopes.join(' '), client_id: clientId })
      .setProtectedHeader({ alg: ALG, typ: 'at+jwt' })
      .setIssuer(this.#s.issuer)
      .setAudience(this.#s.audience)
      .setSubject(clientId)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${this.#s.ttlSeconds}s`)
      .sign(this.#key.privateKey);
  }

  /** The principal of a valid token; InvalidToken otherwise. */
  async verify(token: string): Promise<Principal> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss; // only to choose the key; verified below
    } catch {
      throw new InvalidToken('the access token is not a JWT');
    }
    const external = this.#jwks !== undefined && issuer === this.#s.externalIssuer;
    let payload: JWTPayload;
    try {
      const options = {
        issuer: external ? this.#s.externalIssuer : this.#s.issuer,
        audience: this.#s.audience,
      };
      payload = external
        ? (await jwtVerify(token, this.#jwks!, options)).payload
        : (await jwtVerify(token, this.#key.publicKey, { ...options, algorithms: [ALG] })).payload;
    } catch (err) {
      throw new InvalidToken(describe(err));
    }
    return { subject: String(payload.sub ?? payload.client_id ?? ''), scopes: scopesOf(payload) };
  }
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the access token expired';
  if (err instanceof errors.JWTClaimValidationFailed)
    return `the access token's ${err.claim} claim is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return 'the access token signature does not verify';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the access token';
  if (err instanceof errors.JOSEError) return `the access token is not accepted (${err.code})`;
  return 'the access token is not accepted';
}

function scopesOf(payload: JWTPayload): Set<string> {
  const { scope, scp } = payload as { scope?: unknown; scp?: unknown };
  if (typeof scope === 'string') return new Set(scope.split(' ').filter(Boolean));
  if (Array.isArray(scp)) return new Set(scp.filter((s): s is string => typeof s === 'string'));
  if (typeof scp === 'string') return new Set(scp.split(' ').filter(Boolean));
  return new Set();
}
