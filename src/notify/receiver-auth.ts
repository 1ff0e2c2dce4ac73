// The Authorization header a request to a notification receiver carries (SOL013 §8.3.4):
// Basic with the subscription's user name and password, or a bearer token obtained from the
// subscription's token endpoint with the client credentials grant, cached until it expires.
import type { SubscriptionAuthentication } from '../api/schemas/index.ts';

/** Seconds before a token's expiry at which it is no longer used (clock skew, request time). */
const EXPIRY_MARGIN_S = 30;
const TOKEN_TIMEOUT_MS = 10_000;

interface CachedToken {
  token: string;
  /** Epoch ms after which a new token is fetched. */
  until: number;
}

export class ReceiverTokens {
  readonly #cache = new Map<string, CachedToken>();

  async token(endpoint: string, clientId: string, clientPassword: string): Promise<string> {
    const key = JSON.stringify([endpoint, clientId, clientPassword]);
    const hit = this.#cache.get(key);
    if (hit && hit.until > Date.now()) return hit.token;
    const res = await fetch(endpoint, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: basic(clientId, clientPassword),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    if (res.status !== 200) throw new Error(`the token endpoint answered ${res.status}`);
    const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new Error('the token endpoint answered without an access_token');
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 0;
    // Without expires_in the token is used for this request only.
    this.#cache.set(key, {
      token: body.access_token,
      until: Date.now() + (lifetime - EXPIRY_MARGIN_S) * 1000,
    });
    return body.access_token;
  }
}

/** RFC 7617 Basic credentials (client credentials form-encoded first, RFC 6749 §2.3.1). */
function basic(user: string, password: string): string {
  const enc = (v: string) => encodeURIComponent(v);
  return `Basic ${Buffer.from(`${enc(user)}:${enc(password)}`).toString('base64')}`;
}

/** The headers for one request to the receiver; OAuth 2.0 is preferred when both are offered. */
export async function receiverHeaders(
  auth: SubscriptionAuthentication | undefined,
  tokens: ReceiverTokens,
): Promise<Record<string, string>> {
  if (!auth) return {};
  const oauth = auth.paramsOauth2ClientCredentials;
  if (auth.authType.includes('OAUTH2_CLIENT_CREDENTIALS') && oauth) {
    const token = await tokens.token(
      oauth.tokenEndpoint ?? '',
      oauth.clientId ?? '',
      oauth.clientPassword ?? '',
    );
    return { authorization: `Bearer ${token}` };
  }
  const b = auth.paramsBasic;
  if (auth.authType.includes('BASIC') && b) {
    // Basic's user-pass is not form-encoded (RFC 7617), unlike the client credentials above.
    return {
      authorization: `Basic ${Buffer.from(`${b.userName ?? ''}:${b.password ?? ''}`).toString('base64')}`,
    };
  }
  return {};
}
