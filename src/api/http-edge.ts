// The HTTP edge: what happens to a request before, or instead of, a route handler.
// Every answer here is a ProblemDetails with the status's own title, including the
// ones Node's HTTP parser would otherwise write itself on the socket (431, bad
// header bytes, unknown methods) or answer by closing the connection (CONNECT).
import { type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyHttpOptions,
} from 'fastify';
import { badRequest, type ProblemDetails, ProblemError } from '../errors.ts';
import { brief } from './brief.ts';
import { parseJsonBody } from './json-body.ts';

/** Longest request target (path and query) answered; longer is 414. */
export const MAX_URL_LENGTH = 8 * 1024;
/**
 * Node's limit on the request line and header fields together; over it Node's
 * parser stops (431). Well above MAX_URL_LENGTH so that a long URL reaches us and
 * gets 414, and room for large bearer tokens.
 */
export const MAX_HEADER_BYTES = 32 * 1024;
/** Largest JSON request body (package content is streamed, not bound by this). */
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

export const problem = (status: number, detail: string): ProblemDetails => ({
  status,
  title: STATUS_CODES[status] ?? 'Error',
  detail,
});

const sendProblem = (reply: FastifyReply, p: ProblemDetails) =>
  reply.code(p.status).type('application/problem+json').send(p);

/** Writes a whole ProblemDetails response on a socket Node's HTTP server gave up on, then closes it. */
function writeRawProblem(socket: Duplex, p: ProblemDetails, extraHeaders = ''): void {
  const body = JSON.stringify(p);
  socket.end(
    `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}Connection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** llhttp's error codes (err.code of a 'clientError') as answers. */
function parseErrorProblem(err: NodeJS.ErrnoException & { reason?: unknown }): ProblemDetails {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return problem(431, `the request line and header fields exceed ${MAX_HEADER_BYTES} bytes`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem(408, 'the request was not received in time');
    case 'HPE_INVALID_METHOD':
      return problem(501, 'the request method is not implemented');
    case 'HPE_INVALID_HEADER_TOKEN':
      return problem(400, 'a header field name or value contains a character HTTP does not allow');
    case 'HPE_INVALID_VERSION':
      return problem(505, 'this server speaks HTTP/1.0 and HTTP/1.1');
    case 'HPE_INVALID_URL':
      return problem(400, 'the request target is malformed');
    default: {
      // llhttp's reasons are fixed phrases ("Invalid character in chunk size"), never request bytes.
      const reason = typeof err.reason === 'string' && /^[\w .,'-]{1,80}$/.test(err.reason) ? err.reason : '';
      return problem(
        400,
        `malformed HTTP request${reason ? `: ${reason}` : ''} (${err.code ?? 'parse error'})`,
      );
    }
  }
}

/** Fastify's clientErrorHandler: Node's parser rejected the bytes before Fastify saw a request. */
function clientErrorHandler(
  this: FastifyInstance,
  err: NodeJS.ErrnoException & { reason?: unknown },
  socket: Duplex,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const p = parseErrorProblem(err);
  // Only the code: the error's rawPacket holds the client's bytes.
  this.log.debug({ code: err.code, status: p.status }, 'malformed HTTP request');
  // As Node does: a response already under way on this socket cannot be followed by another.
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || current?.headersSent) {
    socket.destroy();
    return;
  }
  writeRawProblem(socket, p);
}

/** Requests Fastify's router itself rejects (a path that is not valid percent-encoding). */
function frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_BAD_URL') {
    return sendProblem(reply, problem(400, 'the URL path is not valid percent-encoded UTF-8'));
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(reply, problem(414, `the URL is longer than ${MAX_URL_LENGTH} characters`));
  }
  return sendProblem(reply, problem(400, error.message));
}

/** Fastify constructor options of the edge. */
export const EDGE_OPTIONS = {
  bodyLimit: MAX_BODY_BYTES,
  routerOptions: { maxParamLength: MAX_URL_LENGTH },
  // Host is checked in onRequest, so that its absence is a ProblemDetails too.
  http: { maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false },
  clientErrorHandler,
  frameworkErrors,
} satisfies FastifyHttpOptions<Server>;

/** The query string's components decode (`%zz` or `%C0` do not); 400 naming the first that does not. */
function checkQueryEncoding(url: string): void {
  const q = url.indexOf('?');
  if (q < 0) return;
  for (const part of url.slice(q + 1).split(/[&=]/)) {
    if (!part.includes('%')) continue;
    try {
      decodeURIComponent(part);
    } catch {
      throw badRequest(`query string: '${brief(part, 40)}' is not valid percent-encoded UTF-8`);
    }
  }
}

/** The methods some route answers for `path` (HEAD with GET, OPTIONS always). */
function allowedMethods(app: FastifyInstance, path: string): string[] {
  const found = app.supportedMethods.filter((method) => app.findRoute({ method, url: path }) !== null);
  return found.length === 0 ? [] : [...new Set([...found, 'OPTIONS'])];
}

/** The answer to a request no route takes: 405 with Allow when the path has other methods, OPTIONS, 501, 404. */
function refuseUnrouted(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
  const path = (req.raw.url ?? '/').split('?')[0] as string;
  // `OPTIONS *` asks about the server as a whole.
  const allowed =
    path === '*' && req.method === 'OPTIONS' ? [...app.supportedMethods] : allowedMethods(app, path);
  // A route of this very method found nothing (a static file route's unknown file): 404, not 405.
  if (allowed.length > 0 && (req.method === 'OPTIONS' || !allowed.includes(req.method))) {
    reply.header('allow', allowed.join(', '));
    if (req.method === 'OPTIONS') return reply.code(204).send();
    return sendProblem(
      reply,
      problem(405, `${brief(path)} does not support ${req.method} (only ${allowed.join(', ')})`),
    );
  }
  if (!app.supportedMethods.includes(req.method)) {
    return sendProblem(reply, problem(501, `the method ${req.method} is not implemented`));
  }
  return sendProblem(reply, problem(404, `no route for ${req.method} ${brief(path)}`));
}

/**
 * Installs the edge on `app`: JSON body parsing, URL checks, 405/501 for a method a
 * path does not have, OPTIONS, and ProblemDetails for CONNECT. Before any route.
 */
export function installEdge(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (req, text, done) => {
    // merge-patch+json is what SOL003 and Tacker send for PATCH; other requests send JSON.
    const type = String(req.headers['content-type']).toLowerCase();
    if (req.method !== 'PATCH' && !type.startsWith('application/json')) {
      done(new ProblemError(415, 'Unsupported Media Type', 'application/merge-patch+json is for PATCH only'));
      return;
    }
    try {
      done(null, parseJsonBody(text as string));
    } catch (err) {
      done(err as Error);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const url = req.raw.url ?? '';
    if (url.length > MAX_URL_LENGTH) {
      throw new ProblemError(414, 'URI Too Long', `the URL is longer than ${MAX_URL_LENGTH} characters`);
    }
    checkQueryEncoding(url);
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400.
    if (req.raw.httpVersion === '1.1' && req.headers.host === undefined) {
      throw badRequest('an HTTP/1.1 request needs a Host header');
    }
    // No route: answered now, before Fastify looks at a body the request may carry
    // (it refuses a QUERY without Content-Type with a 400, a body of an unknown type with a 415).
    if (req.is404) return refuseUnrouted(app, req, reply);
  });

  // A route with a JSON body schema answers 415 for any other body (a zip, an octet stream).
  app.addHook('onRoute', (route) => {
    if (!route.schema?.body) return;
    const own = route.preValidation;
    const guard = async (req: FastifyRequest) => {
      const type = String(req.headers['content-type'] ?? '').toLowerCase();
      if (req.body !== undefined && !JSON_TYPES.some((t) => type.startsWith(t))) {
        throw new ProblemError(
          415,
          'Unsupported Media Type',
          `send the body as application/json, not '${brief(type)}'`,
        );
      }
    };
    route.preValidation = own === undefined ? [guard] : [guard, ...(Array.isArray(own) ? own : [own])];
  });

  app.setNotFoundHandler((req, reply) => refuseUnrouted(app, req, reply));

  // Without a listener Node answers an Expect other than 100-continue with a bare 417.
  app.server.on('checkExpectation', (_req, res: ServerResponse) => {
    const p = problem(417, 'the only expectation this server meets is 100-continue');
    const body = JSON.stringify(p);
    res.writeHead(p.status, {
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  });

  // Without a listener Node closes a CONNECT request's socket without an answer.
  app.server.on('connect', (_req, socket: Duplex) =>
    writeRawProblem(socket, problem(405, 'CONNECT is not supported: this is not a proxy')),
  );
}
