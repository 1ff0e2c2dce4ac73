// A notification receiver on loopback, as an NFVO would run one: it answers the VNFM's
// test GET (204 unless told otherwise), takes notifications by POST (204), serves an
// OAuth 2.0 token endpoint at /token for the client it is given, and records every
// request (method, path, headers, body) so tests can prove what the VNFM sent.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Receiver {
  /** The base URL (`http://127.0.0.1:port`). */
  url: string;
  requests: ReceivedRequest[];
  /** The status the test GET gets (204 by default). */
  getStatus: number;
  /** The status a notification (POST) gets (204 by default). */
  postStatus: number;
  /** Tokens the token endpoint issued. */
  issued: string[];
  /** While set, notifications (POST) are recorded but answered only once it resolves (a receiver mid-answer). */
  hold: Promise<void> | undefined;
  close: () => Promise<void>;
}

export async function startReceiver(
  opts: { oauthClient?: { id: string; secret: string }; expiresIn?: number } = {},
): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    requests: [],
    getStatus: 204,
    postStatus: 204,
    issued: [],
    hold: undefined,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      r.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (path === '/token' && req.method === 'POST') {
        const c = opts.oauthClient;
        const expected = c && `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;
        if (!expected || req.headers.authorization !== expected) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
          return;
        }
        const token = `tok-${r.issued.length + 1}`;
        r.issued.push(token);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: opts.expiresIn ?? 3600 }),
          );
        return;
      }
      const answer = () => res.writeHead(req.method === 'GET' ? r.getStatus : r.postStatus).end();
      if (r.hold && req.method === 'POST') void r.hold.then(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}
