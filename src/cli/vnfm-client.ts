// The `vnfm` CLI's requests to a running VNFM's API, with the operator's credentials:
// a bearer token, HTTP Basic (the VNFM's --auth-basic), or an OAuth 2.0 client whose
// token is fetched from the VNFM's /oauth2/token and renewed when it expires. Secrets
// come from environment variables, never from the command line (what `ps` shows anyone).
// A refusal becomes one line: the status and the ProblemDetails title and detail.
import { ReceiverTokens } from '../notify/receiver-auth.ts';

/** Requests to the VNFM answer at once, except subscription creation, which waits for its receiver check (10 s). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface CredentialFlags {
  tokenEnv?: string;
  basicUser?: string;
  basicPasswordEnv?: string;
  clientId?: string;
  clientSecretEnv?: string;
}

export interface VnfmAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** The value of environment variable `name`, which `flag` named; unset or empty is an error. */
export function secretFromEnv(name: string, flag: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${flag}: environment variable ${name} is not set`);
  return value;
}

/** Text from elsewhere on one line of at most `max` characters (control characters shown as '?'). */
export function oneLine(text: string, max = 500): string {
  const flat = text
    .replace(/\s+/g, ' ')
    .replace(/\p{Cc}/gu, '?')
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export class VnfmClient {
  readonly base: string;
  readonly #auth: () => Promise<Record<string, string>>;

  constructor(url: string, flags: CredentialFlags) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`'${oneLine(url, 100)}' is not a URL of a VNFM`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`'${oneLine(url, 100)}': only http and https VNFM URLs`);
    }
    if (parsed.username || parsed.password) {
      throw new Error('the VNFM URL must not carry credentials: use --basic-user and --basic-password-env');
    }
    this.base = parsed.toString().replace(/\/+$/, '');
    this.#auth = credentials(this.base, flags);
  }

  async request(method: string, path: string, body?: unknown): Promise<VnfmAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.#auth()) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new Error(`cannot reach the VNFM at ${this.base}: ${causeOf(e)}`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: kept as text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
}

/** `401 Unauthorized: <detail>` from a ProblemDetails answer, or the status and body text without one. */
export function refusal(a: VnfmAnswer): string {
  const p = (a.body ?? {}) as { title?: unknown; detail?: unknown };
  const parts = [String(a.status)];
  if (typeof p.title === 'string') parts.push(p.title);
  if (typeof p.detail === 'string') parts.push(p.detail);
  else if (typeof a.body === 'string' && a.body) parts.push(a.body);
  return oneLine(parts.join(': ').replace(/^(\d+): /, '$1 '));
}

function credentials(base: string, f: CredentialFlags): () => Promise<Record<string, string>> {
  const given = [f.tokenEnv && '--token-env', f.basicUser && '--basic-user', f.clientId && '--client-id'];
  if (given.filter(Boolean).length > 1) {
    throw new Error('give one of --token-env, --basic-user, --client-id');
  }
  if (f.basicUser !== undefined || f.basicPasswordEnv !== undefined) {
    if (!f.basicUser || !f.basicPasswordEnv) throw new Error('--basic-user needs --basic-password-env');
    const value = `Basic ${Buffer.from(`${f.basicUser}:${secretFromEnv(f.basicPasswordEnv, '--basic-password-env')}`).toString('base64')}`;
    return async () => ({ authorization: value });
  }
  if (f.clientId !== undefined || f.clientSecretEnv !== undefined) {
    if (!f.clientId || !f.clientSecretEnv) throw new Error('--client-id needs --client-secret-env');
    const secret = secretFromEnv(f.clientSecretEnv, '--client-secret-env');
    // The same client credentials grant (and expiry cache) the VNFM uses towards receivers.
    const tokens = new ReceiverTokens();
    const endpoint = `${base}/oauth2/token`;
    return async () => {
      try {
        return { authorization: `Bearer ${await tokens.token(endpoint, f.clientId ?? '', secret)}` };
      } catch (e) {
        throw new Error(`no token from ${endpoint}: ${causeOf(e)}`);
      }
    };
  }
  if (f.tokenEnv !== undefined) {
    const value = `Bearer ${secretFromEnv(f.tokenEnv, '--token-env')}`;
    return async () => ({ authorization: value });
  }
  return async () => ({});
}

/** fetch's own message is "fetch failed"; the reason (ECONNREFUSED, a certificate error) is its cause. */
function causeOf(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return oneLine(err.cause?.code ?? err.cause?.message ?? err.message, 200);
}
