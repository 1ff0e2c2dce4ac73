// The `vnfm` CLI's requests to a running VNFM's API, with the operator's credentials:
// a bearer token, HTTP Basic (the VNFM's --auth-basic), or an OAuth 2.0 client whose
// token is fetched from the VNFM's /oauth2/token and renewed when it expires. Secrets
// come from environment variables or a token file, never from the command line (what
// `ps` shows anyone). A refusal becomes one line: the status and the ProblemDetails
// title and detail.
import { createReadStream, createWriteStream, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { ReceiverTokens } from '../notify/receiver-auth.ts';

/** Requests to the VNFM answer at once, except subscription creation, which waits for its receiver check (10 s). */
const REQUEST_TIMEOUT_MS = 30_000;
/** Package uploads and downloads move whole CSARs; bounded only so that a hung VNFM ends. */
const TRANSFER_TIMEOUT_MS = 30 * 60_000;

export interface CredentialFlags {
  tokenEnv?: string;
  /** A file holding the bearer token (its first line), e.g. a mounted ServiceAccount-style token. */
  tokenFile?: string;
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

/** A request body: JSON, or raw bytes (a CSAR) from memory or streamed from a file. */
export type RequestBody =
  | { json: unknown; contentType?: string }
  | { data: Buffer; contentType: string }
  | { file: string; contentType: string };

export interface SendOptions {
  body?: RequestBody;
  accept?: string;
  /** Statuses that are an answer rather than an error (default: any 2xx). */
  ok?: number[];
  timeoutMs?: number;
  /** Ends the request instead of the timeout (a stream that lasts as long as its caller wants). */
  signal?: AbortSignal;
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

/**
 * Trust the CAs of a PEM file (besides the system's) for every HTTPS connection this
 * process makes, fetch included: a VNFM whose certificate a private CA signed.
 */
export function trustCaFile(file: string): void {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--ca-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!certs) throw new Error(`--ca-file ${file}: no PEM certificate in it`);
  setDefaultCACertificates([...getCACertificates('default'), ...certs]);
}

export class VnfmClient {
  readonly base: string;
  readonly #origin: string;
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
    this.#origin = parsed.origin;
    this.#auth = credentials(this.base, flags);
  }

  /** One request; any status is an answer (the caller decides). */
  async request(method: string, path: string, body?: unknown): Promise<VnfmAnswer> {
    return this.send(method, path, { body: body === undefined ? undefined : { json: body }, ok: ALL });
  }

  /**
   * One request to `path` (relative to the base URL, or an absolute URL of the same
   * origin, e.g. a Location header); a status outside `ok` (default 2xx) throws its one line.
   */
  async send(method: string, path: string, opts: SendOptions = {}): Promise<VnfmAnswer> {
    const res = await this.#fetch(method, path, opts);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: kept as text */
    }
    const answer = { status: res.status, body: parsed, headers: res.headers };
    if (!accepted(res.status, opts.ok)) throw new Error(refusal(answer));
    return answer;
  }

  async get<T = unknown>(path: string): Promise<T> {
    return (await this.send('GET', path)).body as T;
  }

  async post(path: string, json?: unknown): Promise<VnfmAnswer> {
    return this.send('POST', path, { body: json === undefined ? undefined : { json } });
  }

  async put(path: string, json: unknown): Promise<VnfmAnswer> {
    return this.send('PUT', path, { body: { json } });
  }

  /** PATCH with JSON, or with `contentType` (SOL005/SOL003 modifications are application/merge-patch+json). */
  async patch(path: string, json: unknown, contentType = 'application/json'): Promise<VnfmAnswer> {
    return this.send('PATCH', path, { body: { json, contentType } });
  }

  async delete(path: string): Promise<VnfmAnswer> {
    return this.send('DELETE', path);
  }

  /** PUTs (or POSTs) raw bytes, e.g. a CSAR to /package_content, without the 30 s bound. */
  async upload(path: string, body: RequestBody, method = 'PUT'): Promise<VnfmAnswer> {
    return this.send(method, path, { body, timeoutMs: TRANSFER_TIMEOUT_MS });
  }

  /** GETs the resource a `Location` header (of a 201/202/303) names. */
  async follow<T = unknown>(answer: VnfmAnswer): Promise<T> {
    const location = answer.headers.get('location');
    if (!location) throw new Error(`the VNFM answered ${answer.status} without a Location`);
    return this.get<T>(location);
  }

  /**
   * Streams a GET's body into `to`: a file (written beside it, then renamed, so a failed
   * download leaves no partial file) or '-' for stdout. The content type is returned.
   */
  async download(path: string, to: string, accept = '*/*'): Promise<{ contentType: string; bytes: number }> {
    const res = await this.#fetch('GET', path, { accept, timeoutMs: TRANSFER_TIMEOUT_MS });
    if (!accepted(res.status)) {
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* kept as text */
      }
      throw new Error(refusal({ status: res.status, body, headers: res.headers }));
    }
    const contentType = res.headers.get('content-type') ?? 'application/octet-stream';
    const source = res.body
      ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream)
      : Readable.from([]);
    let bytes = 0;
    source.on('data', (b: Buffer) => (bytes += b.length));
    if (to === '-') {
      await pipeline(source, stdoutKeptOpen());
      return { contentType, bytes };
    }
    const partial = `${to}.partial-${process.pid}`;
    try {
      await pipeline(source, createWriteStream(partial, { mode: 0o644 }));
      renameSync(partial, to);
    } catch (e) {
      rmSync(partial, { force: true });
      throw new Error(`${to}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return { contentType, bytes };
  }

  /** A GET of an event stream (text/event-stream), open until `signal` aborts it; the caller reads the body. */
  async stream(path: string, signal: AbortSignal): Promise<Response> {
    return this.#fetch('GET', path, { accept: 'text/event-stream', signal });
  }

  async #fetch(method: string, path: string, opts: SendOptions): Promise<Response> {
    const url = this.#url(path);
    const timeoutMs = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const headers: Record<string, string> = {
      accept: opts.accept ?? 'application/json',
      ...(await this.#auth()),
    };
    let body: RequestInit['body'];
    let duplex: 'half' | undefined;
    const b = opts.body;
    if (b && 'json' in b) {
      headers['content-type'] = b.contentType ?? 'application/json';
      body = JSON.stringify(b.json);
    } else if (b && 'data' in b) {
      headers['content-type'] = b.contentType;
      body = b.data;
    } else if (b && 'file' in b) {
      headers['content-type'] = b.contentType;
      try {
        headers['content-length'] = String(statSync(b.file).size);
      } catch (e) {
        throw new Error(`${b.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      body = Readable.toWeb(createReadStream(b.file)) as unknown as RequestInit['body'];
      duplex = 'half';
    }
    try {
      return await fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: opts.signal ?? AbortSignal.timeout(timeoutMs),
        ...(duplex ? { duplex } : {}),
      } as RequestInit);
    } catch (e) {
      throw new Error(`cannot reach the VNFM at ${this.base}: ${causeOf(e, timeoutMs)}`);
    }
  }

  /** Credentials go only to the VNFM's own origin: an absolute URL elsewhere is refused. */
  #url(path: string): string {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(path)) return `${this.base}${path.startsWith('/') ? '' : '/'}${path}`;
    const url = new URL(path);
    if (url.origin !== this.#origin) {
      throw new Error(`the VNFM pointed at ${oneLine(url.origin, 100)}, not its own ${this.#origin}`);
    }
    return url.toString();
  }
}

const ALL = Array.from({ length: 500 }, (_, i) => i + 100);

function accepted(status: number, ok?: number[]): boolean {
  return ok ? ok.includes(status) : status >= 200 && status < 300;
}

/** process.stdout as a pipeline target that the pipeline does not end (later writes stay possible). */
function stdoutKeptOpen(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      if (process.stdout.write(chunk)) done();
      else process.stdout.once('drain', () => done());
    },
  });
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

/** The bearer token of --token-file: its content without the final newline. */
function tokenFromFile(file: string): string {
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new Error(`--token-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!token) throw new Error(`--token-file ${file}: the file is empty`);
  if (/\s/.test(token)) throw new Error(`--token-file ${file}: a token is one word, the file holds several`);
  return token;
}

export type CredentialKind = 'none' | 'token-env' | 'token-file' | 'basic' | 'client';

/** The one kind of credential the flags give; several kinds, or half a pair, is an error (no secret is read). */
export function credentialKind(f: CredentialFlags): CredentialKind {
  const kinds: CredentialKind[] = [];
  if (f.tokenEnv !== undefined) kinds.push('token-env');
  if (f.tokenFile !== undefined) kinds.push('token-file');
  if (f.basicUser !== undefined || f.basicPasswordEnv !== undefined) kinds.push('basic');
  if (f.clientId !== undefined || f.clientSecretEnv !== undefined) kinds.push('client');
  if (kinds.length > 1) throw new Error('give one of --token-env, --token-file, --basic-user, --client-id');
  if (kinds[0] === 'basic' && (!f.basicUser || !f.basicPasswordEnv)) {
    throw new Error('--basic-user needs --basic-password-env');
  }
  if (kinds[0] === 'client' && (!f.clientId || !f.clientSecretEnv)) {
    throw new Error('--client-id needs --client-secret-env');
  }
  return kinds[0] ?? 'none';
}

function credentials(base: string, f: CredentialFlags): () => Promise<Record<string, string>> {
  const kind = credentialKind(f);
  if (kind === 'basic') {
    const value = `Basic ${Buffer.from(`${f.basicUser}:${secretFromEnv(f.basicPasswordEnv ?? '', '--basic-password-env')}`).toString('base64')}`;
    return async () => ({ authorization: value });
  }
  if (kind === 'client') {
    const secret = secretFromEnv(f.clientSecretEnv ?? '', '--client-secret-env');
    // The same client credentials grant (and expiry cache) the VNFM uses towards receivers.
    const tokens = new ReceiverTokens();
    const endpoint = `${base}/oauth2/token`;
    return async () => {
      try {
        return { authorization: `Bearer ${await tokens.token(endpoint, f.clientId ?? '', secret)}` };
      } catch (e) {
        throw new Error(`no token from ${endpoint}: ${causeOf(e, REQUEST_TIMEOUT_MS)}`);
      }
    };
  }
  if (kind === 'token-env') {
    const value = `Bearer ${secretFromEnv(f.tokenEnv ?? '', '--token-env')}`;
    return async () => ({ authorization: value });
  }
  if (kind === 'token-file') {
    const value = `Bearer ${tokenFromFile(f.tokenFile ?? '')}`;
    return async () => ({ authorization: value });
  }
  return async () => ({});
}

/** fetch's own message is "fetch failed"; the reason (ECONNREFUSED, a certificate error) is its cause. */
function causeOf(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return oneLine(err.cause?.code ?? err.cause?.message ?? err.message, 200);
}
