// Receivers over HTTPS: the VNFM verifies their certificates (a receiver whose CA it
// does not trust fails the subscription's check, naming the certificate), and a VNFM
// given the receivers' CA the way docs/notifications.md says (NODE_EXTRA_CA_CERTS)
// subscribes and delivers to it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createInstance, onboardPackage } from '../helpers/lcm.ts';
import { type KeyPair, selfSigned } from '../helpers/listeners.ts';
import { freshStore } from '../helpers/stores.ts';
import { freePort } from '../../testbed/lib/proc.ts';
import { killAll, serveProcess } from '../helpers/vnfm-process.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

let tls: KeyPair;
let url: string;
const bodies: string[] = [];
let close: () => Promise<void>;
before(async () => {
  tls = await selfSigned();
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST') bodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/n`;
  close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
});
after(async () => {
  killAll();
  await close();
});

test('a receiver whose certificate the VNFM cannot verify is refused at subscription', async () => {
  const vnfm: TestVnfm = await startVnfm(await freshStore('sqlite'));
  try {
    const res = await vnfm.request('POST', '/vnflcm/v1/subscriptions', { callbackUri: url });
    assert.equal(res.status, 400);
    assert.match(res.body.detail, /^callbackUri: the receiver could not be tested: .*certificate/i);
    const list = await vnfm.request('GET', '/vnflcm/v1/subscriptions');
    assert.deepEqual(list.body, []);
  } finally {
    await vnfm.close();
  }
});

test("given the receiver's CA, the VNFM subscribes and delivers over HTTPS", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-https-recv-'));
  writeFileSync(join(dir, 'receivers-ca.pem'), tls.cert);
  const port = await freePort();
  const p = await serveProcess(port, {
    VNFM_DATABASE: await freshStore('sqlite'),
    VNFM_DATA_DIR: join(dir, 'data'),
    VNFM_LOG_LEVEL: 'warn',
    NODE_EXTRA_CA_CERTS: join(dir, 'receivers-ca.pem'),
  });
  const sub = await p.vnfm.request('POST', '/vnflcm/v1/subscriptions', {
    callbackUri: url,
    filter: { notificationTypes: ['VnfIdentifierCreationNotification'] },
  });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const { vnfdId } = await onboardPackage(p.vnfm);
  const id = await createInstance(p.vnfm, vnfdId, 'cnf-https');
  const [body] = await eventually(
    'the creation notification over HTTPS',
    async () => bodies,
    (b) => b.length > 0,
  );
  assert.equal((JSON.parse(body!) as { vnfInstanceId: string }).vnfInstanceId, id);
});
