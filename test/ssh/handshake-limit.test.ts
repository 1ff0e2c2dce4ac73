// SSH handshakes to one server are limited per process (VNFM_SSH_MAX_HANDSHAKES), so
// that several workers starting many operations at once stay under sshd's MaxStartups
// (beyond it sshd drops connections before the handshake). The server here accepts
// TCP, never answers and closes each connection itself after a moment (as sshd closes
// one it drops): it counts its open connections without waiting to hear of a client's
// close, so the most it held at once is what the limit let through.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { setHandshakeLimit, withHandshakeSlot } from '../../src/ssh/handshake-limit.ts';
import { SshError, SshSession } from '../../src/ssh/session.ts';
import { loadConfig } from '../../src/config.ts';

after(() => setHandshakeLimit(loadConfig({}).sshMaxHandshakes));

async function silentServer(holdMs: number) {
  let open = 0;
  let accepted = 0;
  let most = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    accepted++;
    most = Math.max(most, ++open);
    sockets.add(s);
    s.on('error', () => {});
    setTimeout(() => {
      open--;
      sockets.delete(s);
      s.destroy();
    }, holdMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stats: () => ({ accepted, most }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('at most the limit of handshakes to one server are in flight; the others wait their turn', async () => {
  const server = await silentServer(100);
  try {
    setHandshakeLimit(3);
    const target = {
      host: '127.0.0.1',
      port: server.port,
      username: 'nobody',
      password: 'x',
      readyTimeoutMs: 60_000,
    };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => SshSession.connect(target)));
    // Each was closed by the server before any handshake, on its own turn.
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof SshError, String(r.reason));
      assert.equal(r.reason.dropped, true, r.reason.message);
    }
    assert.equal(server.stats().accepted, 10, 'every connection was made in the end');
    assert.equal(server.stats().most, 3, 'never more than 3 at once');
  } finally {
    await server.close();
  }
});

test('the limit is per server: another server is not held up', async () => {
  setHandshakeLimit(1);
  let release!: () => void;
  const blocker = withHandshakeSlot('a:22', () => new Promise<void>((resolve) => (release = resolve)));
  // With a:22's one slot taken, b:22 still runs at once, and a:22's next waits until the first ends.
  assert.equal(await withHandshakeSlot('b:22', async () => 'ran'), 'ran');
  let second = false;
  const queued = withHandshakeSlot('a:22', async () => {
    second = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(second, false, 'a:22 queued behind its first handshake');
  release();
  await blocker;
  await queued;
  assert.equal(second, true);
});

test('a failed handshake frees its slot', async () => {
  setHandshakeLimit(1);
  await assert.rejects(
    withHandshakeSlot('c:22', async () => {
      throw new Error('refused');
    }),
    /refused/,
  );
  assert.equal(await withHandshakeSlot('c:22', async () => 'next'), 'next');
});

test('a server that hangs up after its banner fails the connect and frees its slot', async () => {
  // It writes a version line and closes: ssh2 reports no error for that, only the close.
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.end('SSH-2.0-OpenSSH_9.2\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  setHandshakeLimit(1);
  try {
    for (let i = 0; i < 3; i++) {
      // With the slot kept by a connect that never settled, the second would wait forever.
      await assert.rejects(
        SshSession.connect({ host: '127.0.0.1', port, username: 'u', password: 'p', readyTimeoutMs: 60_000 }),
        (e: Error) => e instanceof SshError && /closed before it was ready/.test(e.message),
      );
    }
  } finally {
    setHandshakeLimit(loadConfig({}).sshMaxHandshakes);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
