// Listeners on loopback that record what the VNFM sends them, for the credential
// tests: a TLS server posing as a Kubernetes API (its own self-signed certificate,
// made by openssl; /version answers 200 to the token or client certificate it was
// told to accept), and an ssh2 SSH server that records every authentication
// attempt (and, when told to, accepts one password and answers `printenv HOME`).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';

const execFileP = promisify(execFile);

export interface KeyPair {
  cert: string;
  key: string;
}

/** A self-signed EC certificate for 127.0.0.1 (and its key), made by the openssl CLI. */
export async function selfSigned(cn = '127.0.0.1'): Promise<KeyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  try {
    await execFileP('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TlsSeen {
  /** TLS connections accepted. */
  connections: number;
  /** Client certificates presented (subject CN). */
  clientCerts: string[];
  requests: { path: string; authorization: string | undefined }[];
}

export interface FakeKubeApi {
  url: string;
  seen: TlsSeen;
  close(): Promise<void>;
}

/** A TLS server answering /version like a Kubernetes API server, recording every connection and request. */
export async function fakeKubeApi(
  tls: KeyPair,
  accept: { token?: string; clientCertCn?: string } = {},
): Promise<FakeKubeApi> {
  const seen: TlsSeen = { connections: 0, clientCerts: [], requests: [] };
  const server: Server = createServer(
    { key: tls.key, cert: tls.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const cn = peer && 'subject' in peer ? String(peer.subject?.CN ?? '') : '';
      seen.requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
      const ok =
        (accept.token !== undefined && req.headers.authorization === `Bearer ${accept.token}`) ||
        (accept.clientCertCn !== undefined && cn === accept.clientCertCn);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? '{"gitVersion":"v1.35.4"}' : '{"kind":"Status","code":401}');
    },
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    seen.connections++;
    const peer = socket.getPeerCertificate();
    if (peer && 'subject' in peer && peer.subject) seen.clientCerts.push(String(peer.subject.CN ?? ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface SshSeen {
  connections: number;
  /** Every authentication attempt: method, user, and the password or the public key's type. */
  attempts: { method: string; username: string; password?: string; key?: string }[];
}

export interface RecordingSshServer {
  host: string;
  port: number;
  /** `host:port`, as masternode_ip lists it. */
  address: string;
  /** Its host key as an OpenSSH public key line (what masternode_host_keys pins). */
  hostKey: string;
  seen: SshSeen;
  close(): Promise<void>;
}

/**
 * An SSH server recording every authentication attempt. It rejects them all, unless
 * `acceptPassword` is given: then that password logs in and `printenv HOME` answers, so a
 * client gets as far as recording the host key; every other command fails.
 */
export async function recordingSshServer(acceptPassword?: string): Promise<RecordingSshServer> {
  const keys = ssh2.utils.generateKeyPairSync('ed25519');
  const seen: SshSeen = { connections: 0, attempts: [] };
  const server = new ssh2.Server({ hostKeys: [keys.private] }, (client) => {
    seen.connections++;
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      const attempt: SshSeen['attempts'][number] = { method: ctx.method, username: ctx.username };
      if (ctx.method === 'password') attempt.password = ctx.password;
      if (ctx.method === 'publickey') attempt.key = ctx.key.algo;
      seen.attempts.push(attempt);
      if (ctx.method === 'password' && acceptPassword !== undefined && ctx.password === acceptPassword)
        ctx.accept();
      else ctx.reject(['password', 'publickey']);
    });
    client.on('session', (acceptSession) => {
      const session = acceptSession();
      session.on('exec', (acceptExec, _reject, info) => {
        const stream = acceptExec();
        if (/printenv/.test(info.command)) {
          stream.write('/home/fake\n');
          stream.exit(0);
        } else {
          stream.stderr.write('not here\n');
          stream.exit(127);
        }
        stream.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    hostKey: keys.public.trim(),
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
