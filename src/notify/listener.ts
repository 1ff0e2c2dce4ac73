// A notification receiver (SOL013 §5.9.3 from the receiving side), for operators who want
// to see what a VNFM sends: it answers the VNFM's test GET with 204, takes each notification
// by POST (204) and hands its parsed body to the caller. Optionally it demands HTTP Basic,
// as a subscription's `authentication` BASIC tells the VNFM to send. No CLI in here:
// `vnfm notifications listen` (src/cli/notifications.ts) prints what this receives.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A notification body is small (SOL003's largest carries affectedVnfcs); more is not a notification. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface ListenerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** The path notifications come to (the callback URI's path); other paths are 404. */
  path: string;
  /** Credentials the VNFM must send as HTTP Basic (401 otherwise). */
  basic?: { user: string; password: string };
  /** Called once per notification accepted, with its body (a JSON object). */
  onNotification: (body: Record<string, unknown>) => void;
  /** Called for each POST refused (not JSON, too large, not an object): why, in one line. */
  onRejected?: (reason: string) => void;
}

export interface Listener {
  /** The address actually bound (the port chosen when 0 was asked). */
  host: string;
  port: number;
  /** `http://host:port/path`, the callback URI a subscription gives (IPv6 hosts bracketed). */
  url: string;
  close: () => Promise<void>;
}

/** Listens; rejects with a one-line Error when it cannot (address in use, not available). */
export async function startListener(opts: ListenerOptions): Promise<Listener> {
  const path = opts.path.startsWith('/') ? opts.path : `/${opts.path}`;
  const server = createServer((req, res) => handle(opts, path, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the address is in use' : e.message;
      reject(new Error(`cannot listen on ${opts.host}:${opts.port}: ${why}`));
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    host: address,
    port,
    url: `http://${host}:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(opts: ListenerOptions, path: string, req: IncomingMessage, res: ServerResponse): void {
  const reject = (status: number, reason?: string) => {
    if (reason) opts.onRejected?.(reason);
    res.writeHead(status, { connection: 'close' }).end();
    req.resume();
  };
  if (new URL(req.url ?? '/', 'http://x').pathname !== path) return reject(404);
  if (opts.basic && !basicMatches(req.headers.authorization, opts.basic)) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="notifications"' }).end();
    req.resume();
    return;
  }
  // SOL013 §5.9.3.3: the VNFM tests the callback URI with a GET that must answer 204.
  if (req.method === 'GET') return void res.writeHead(204).end();
  if (req.method !== 'POST') return void res.writeHead(405, { allow: 'GET, POST' }).end();
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY_BYTES && !refused) {
      refused = true;
      reject(413, `refused a notification larger than ${MAX_BODY_BYTES} bytes`);
    } else if (!refused) chunks.push(c);
  });
  req.on('end', () => {
    if (refused) return;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      return reject(400, `refused a notification that is not JSON: ${(e as Error).message}`);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return reject(400, 'refused a notification that is not a JSON object');
    }
    res.writeHead(204).end();
    opts.onNotification(body as Record<string, unknown>);
  });
}

/** RFC 7617: `Basic base64(user:password)`, compared in constant time (as hashes, so lengths do not leak). */
function basicMatches(header: string | undefined, want: { user: string; password: string }): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string | Buffer) => createHash('sha256').update(s).digest();
  return timingSafeEqual(
    digest(Buffer.from(m[1] ?? '', 'base64')),
    digest(Buffer.from(`${want.user}:${want.password}`, 'utf8')),
  );
}
