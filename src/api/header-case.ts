// Response header names on the wire in their canonical case (`Content-Type`,
// `Location`, `Version`…). Node writes a name as it was given, and Fastify gives
// every name lowercased; several ETSI test tools and older clients compare header
// names case-sensitively. The HTTP server is built with this ServerResponse, so
// every answer (routes, errors, 404/405, Node's own 417) goes through it.
import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Names whose canonical spelling is not the capitalised words. */
const SPECIAL: Record<string, string> = {
  etag: 'ETag',
  'www-authenticate': 'WWW-Authenticate',
  'content-md5': 'Content-MD5',
  dnt: 'DNT',
  te: 'TE',
};

/** `content-type` → `Content-Type`; a name with an upper-case letter is left as written. */
export function canonicalHeaderName(name: string): string {
  if (name !== name.toLowerCase()) return name;
  return (
    SPECIAL[name] ?? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())
  );
}

function canonicalHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) out[canonicalHeaderName(name)] = value;
  return out;
}

export class CanonicalHeadersResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  override setHeader(name: string, value: number | string | readonly string[]): this {
    return super.setHeader(canonicalHeaderName(name), value);
  }

  // writeHead(status, [message], [headers]): headers as an object are renamed; a raw
  // array of name/value pairs is passed on as it is (nothing here sends one).
  override writeHead(statusCode: number, ...rest: unknown[]): this {
    const args = rest.map((a) =>
      a !== null && typeof a === 'object' && !Array.isArray(a)
        ? canonicalHeaders(a as OutgoingHttpHeaders)
        : a,
    );
    return (super.writeHead as (code: number, ...a: unknown[]) => this)(statusCode, ...args);
  }
}
