// `vnfm notifications listen` as an operator runs it: a real child process (bin/vnfm)
// subscribing at a real VNFM, printing the notifications the VNFM delivers to it, and
// deleting its subscription on SIGTERM/SIGINT; its errors in one line with exit 1.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { hashSecret } from '../../src/auth/clients.ts';
import { notificationLine } from '../../src/cli/notifications.ts';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import { createInstance, onboardPackage, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const vnfmBin = new URL('../../bin/vnfm', import.meta.url).pathname;
const validOpOcc = etsiValidator('sol003-vnflcm-v2.6.1/VnfLcmOperationOccurrenceNotification.schema.json');
/** Generous bound on any one wait: the condition is what is waited for, this only ends a hung test. */
const BOUND_MS = 120_000;

interface Listen {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves with the stream's text once `done` holds on it; rejects if the process exits first. */
  until: (stream: 'out' | 'err', done: (text: string) => boolean, what: string) => Promise<string>;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function listen(args: string[], env: Record<string, string> = {}): Listen {
  const child = spawn(vnfmBin, ['notifications', 'listen', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  const text = { out: '', err: '' };
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', (b: Buffer) => ((text.out += b.toString()), poke()));
  child.stderr!.on('data', (b: Buffer) => ((text.err += b.toString()), poke()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('close', (code, signal) => (resolve({ code, signal }), poke())),
  );
  const until: Listen['until'] = (stream, done, what) =>
    new Promise((resolve, reject) => {
      const bound = setTimeout(() => finish(new Error(`no ${what} within ${BOUND_MS} ms`)), BOUND_MS);
      const finish = (e?: Error) => {
        clearTimeout(bound);
        waiters.delete(check);
        if (e) reject(new Error(`${e.message}; stdout: ${text.out}; stderr: ${text.err}`));
        else resolve(text[stream]);
      };
      const check = () => {
        if (done(text[stream])) finish();
        else if (child.exitCode !== null || child.signalCode !== null)
          finish(new Error(`exited before ${what}`));
      };
      waiters.add(check);
      check();
    });
  return { child, out: () => text.out, err: () => text.err, until, exited };
}

/** The subscription id and callback URI the listener announced on stderr. */
async function announced(l: Listen): Promise<{ id: string; callbackUri: string }> {
  const err = await l.until('err', (t) => /subscription \S+ created/.test(t), 'subscription created');
  return {
    id: /subscription (\S+) created/.exec(err)![1]!,
    callbackUri: /callback URI (\S+)/.exec(err)![1]!,
  };
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('against a VNFM without authentication', () => {
  let vnfm: TestVnfm;
  let dir: string;
  /** A port nothing listens on (fetch refuses port 1 itself). */
  let closedPort = 0;
  before(async () => {
    closedPort = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'vnfm-listen-'));
    vnfm = await startVnfm(await freshStore('sqlite'));
  });
  after(() => vnfm?.close());

  test('subscribes, prints a line per notification, deletes the subscription on SIGTERM and exits 0', async () => {
    const l = listen(['--subscribe', vnfm.url, '--path', '/hook']);
    const { id, callbackUri } = await announced(l);
    assert.match(callbackUri, /^http:\/\/127\.0\.0\.1:\d+\/hook$/);
    const sub = await vnfm.request('GET', `/vnflcm/v1/subscriptions/${id}`);
    assert.equal(sub.status, 200);
    assert.equal(sub.body.callbackUri, callbackUri);
    assert.equal(sub.body.filter, undefined);

    const { vnfdId } = await onboardPackage(vnfm);
    const instanceId = await createInstance(vnfm, vnfdId, 'cnf-listen');
    await l.until('out', (t) => t.includes('VnfIdentifierCreationNotification'), 'the creation line');
    assert.equal((await vnfm.request('DELETE', `/vnflcm/v1/vnf_instances/${instanceId}`)).status, 204);
    const out = await l.until(
      'out',
      (t) => t.includes('VnfIdentifierDeletionNotification'),
      'the deletion line',
    );
    const [created, deleted, ...rest] = lines(out);
    assert.deepEqual(rest, []);
    const shape = (type: string) =>
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${type} vnfInstanceId=${instanceId} id=[0-9a-f-]{36}$`);
    assert.match(created!, shape('VnfIdentifierCreationNotification'));
    assert.match(deleted!, shape('VnfIdentifierDeletionNotification'));

    l.child.kill('SIGTERM');
    assert.deepEqual(await l.exited, { code: 0, signal: null });
    assert.match(l.err(), new RegExp(`vnfm: subscription ${id} deleted\\n$`));
    assert.equal((await vnfm.request('GET', `/vnflcm/v1/subscriptions/${id}`)).status, 404);
  });

  test('--json, a filter file and receiver Basic: op occ bodies as JSON lines, others not sent; SIGINT deletes', async () => {
    const vimId = await registerTestbedVim(vnfm, `listen-vim-${randomBytes(3).toString('hex')}`);
    const filterFile = join(dir, 'filter.yaml');
    writeFileSync(filterFile, 'notificationTypes:\n  - VnfLcmOperationOccurrenceNotification\n');
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const l = listen(
      [
        '--subscribe',
        vnfm.url,
        '--json',
        '--filter-file',
        filterFile,
        '--receiver-basic-user',
        'nfvo',
        '--receiver-basic-password-env',
        'LISTEN_PW',
      ],
      { LISTEN_PW: password },
    );
    // The subscription exists only if the receiver answered the VNFM's test GET, sent with Basic.
    const { id, callbackUri } = await announced(l);
    const sub = (await vnfm.request('GET', `/vnflcm/v1/subscriptions/${id}`)).body;
    assert.deepEqual(sub.filter, { notificationTypes: ['VnfLcmOperationOccurrenceNotification'] });
    assert.equal((await fetch(callbackUri, { method: 'POST', body: '{}' })).status, 401);
    const wrong = `Basic ${Buffer.from('nfvo:wrong').toString('base64')}`;
    assert.equal((await fetch(callbackUri, { headers: { authorization: wrong } })).status, 401);

    const { vnfdId } = await onboardPackage(vnfm);
    const instanceId = await createInstance(vnfm, vnfdId, 'cnf-listen-json');
    const ns = `listen-${randomBytes(3).toString('hex')}`;
    await runOp(vnfm, instanceId, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    await runOp(vnfm, instanceId, 'terminate', { terminationType: 'FORCEFUL' });
    const out = await l.until(
      'out',
      (t) => lines(t).filter((x) => x.includes('"operationState":"COMPLETED"')).length === 2,
      'both operations COMPLETED',
    );
    const bodies = lines(out).map((x) => JSON.parse(x));
    // Delivery is at-least-once: the same notification may come twice, never a different order.
    const seen = bodies.filter((b, i) => bodies.findIndex((c) => c.id === b.id) === i);
    assert.deepEqual(
      seen.map((b) => `${b.operation} ${b.operationState} ${b.notificationStatus}`),
      [
        'INSTANTIATE STARTING START',
        'INSTANTIATE PROCESSING START',
        'INSTANTIATE COMPLETED RESULT',
        'TERMINATE STARTING START',
        'TERMINATE PROCESSING START',
        'TERMINATE COMPLETED RESULT',
      ],
    );
    for (const b of seen) {
      assert.equal(b.subscriptionId, id);
      assert.equal(b.vnfInstanceId, instanceId);
      assert.deepEqual(validOpOcc(b), []);
    }

    l.child.kill('SIGINT');
    assert.deepEqual(await l.exited, { code: 0, signal: null });
    assert.equal((await vnfm.request('GET', `/vnflcm/v1/subscriptions/${id}`)).status, 404);
    assert.ok(!l.err().includes(password));
  });

  test('--api vnfpkgm: a package onboarded and disabled gives its onboarding and change lines', async () => {
    const l = listen(['--subscribe', vnfm.url, '--api', 'vnfpkgm']);
    const { id } = await announced(l);
    assert.equal((await vnfm.request('GET', `/vnfpkgm/v1/subscriptions/${id}`)).status, 200);
    const { pkgId } = await onboardPackage(vnfm);
    await l.until('out', (t) => t.includes('VnfPackageOnboardingNotification'), 'the onboarding line');
    const patched = await vnfm.request('PATCH', `/vnfpkgm/v1/vnf_packages/${pkgId}`, {
      operationalState: 'DISABLED',
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const out = await l.until('out', (t) => t.includes('VnfPackageChangeNotification'), 'the change line');
    const [onboarded, changed, ...rest] = lines(out);
    assert.deepEqual(rest, []);
    assert.match(
      onboarded!,
      new RegExp(` VnfPackageOnboardingNotification vnfPkgId=${pkgId} id=[0-9a-f-]{36}$`),
    );
    assert.match(
      changed!,
      new RegExp(
        ` VnfPackageChangeNotification vnfPkgId=${pkgId} changeType=OP_STATE_CHANGE operationalState=DISABLED id=[0-9a-f-]{36}$`,
      ),
    );
    l.child.kill('SIGTERM');
    assert.deepEqual(await l.exited, { code: 0, signal: null });
    assert.equal((await vnfm.request('GET', `/vnfpkgm/v1/subscriptions/${id}`)).status, 404);
  });

  test('a POST that is not JSON is a 400 and one warning line; the listener goes on', async () => {
    const l = listen([]);
    const err = await l.until('err', (t) => t.includes('callback URI'), 'the callback URI');
    const url = /callback URI (\S+)/.exec(err)![1]!;
    assert.equal((await fetch(url)).status, 204);
    assert.equal((await fetch(url, { method: 'POST', body: 'not json\n\x1b[2J' })).status, 400);
    assert.equal((await fetch(`${url}elsewhere`, { method: 'POST', body: '{}' })).status, 404);
    const warned = await l.until('err', (t) => t.includes('warning'), 'the warning');
    assert.match(lines(warned)[1]!, /^vnfm: warning: refused a notification that is not JSON: /);
    assert.ok(!warned.includes('\x1b'), 'no control character reaches the terminal');
    assert.equal(lines(warned).length, 2);
    const n = { notificationType: 'VnfIdentifierCreationNotification', vnfInstanceId: 'i-1', id: 'n-1' };
    assert.equal((await fetch(url, { method: 'POST', body: JSON.stringify(n) })).status, 204);
    await l.until(
      'out',
      (t) => t.endsWith('VnfIdentifierCreationNotification vnfInstanceId=i-1 id=n-1\n'),
      'a line',
    );
    l.child.kill('SIGTERM');
    assert.deepEqual(await l.exited, { code: 0, signal: null });
  });

  const refusals: [string, () => string[], RegExp][] = [
    [
      'a filter file that is not YAML',
      () => {
        writeFileSync(join(dir, 'bad.yaml'), 'notificationTypes: [VnfLcmOperationOccurrenceNotification\n');
        return ['--subscribe', vnfm.url, '--filter-file', join(dir, 'bad.yaml')];
      },
      /^vnfm: --filter-file \S+bad\.yaml: not YAML or JSON: .+$/,
    ],
    [
      'a filter file that is a list',
      () => {
        writeFileSync(join(dir, 'list.json'), '[1, 2]');
        return ['--subscribe', vnfm.url, '--filter-file', join(dir, 'list.json')];
      },
      /^vnfm: --filter-file \S+list\.json: must hold a mapping/,
    ],
    [
      'a filter the VNFM refuses (its ProblemDetails)',
      () => {
        writeFileSync(join(dir, 'unknown.json'), '{"operationTypes": ["NOPE"]}');
        return ['--subscribe', vnfm.url, '--filter-file', join(dir, 'unknown.json')];
      },
      /^vnfm: the VNFM refused the subscription: 400 Bad Request: .*operationTypes.*$/,
    ],
    [
      'a missing filter file',
      () => ['--subscribe', vnfm.url, '--filter-file', join(dir, 'absent.yaml')],
      /^vnfm: --filter-file \S+absent\.yaml: ENOENT$/,
    ],
    [
      'an unset password variable',
      () => ['--receiver-basic-user', 'u', '--receiver-basic-password-env', 'LISTEN_UNSET_PW'],
      /^vnfm: --receiver-basic-password-env: environment variable LISTEN_UNSET_PW is not set$/,
    ],
    [
      'an unreachable VNFM',
      () => ['--subscribe', `http://127.0.0.1:${closedPort}`],
      /^vnfm: cannot reach the VNFM at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/,
    ],
  ];
  for (const [what, args, line] of refusals) {
    test(`${what}: exit 1, one line on stderr, no subscription`, async () => {
      const l = listen(args());
      assert.deepEqual(await l.exited, { code: 1, signal: null });
      assert.equal(lines(l.err()).filter((x) => !x.includes('callback URI')).length, 1, l.err());
      assert.match(lines(l.err()).pop()!, line);
      assert.equal(l.out(), '');
      assert.deepEqual((await vnfm.request('GET', '/vnflcm/v1/subscriptions')).body, []);
    });
  }

  test('a port in use: exit 1, one line', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const l = listen(['--port', String(port)]);
      assert.deepEqual(await l.exited, { code: 1, signal: null });
      assert.equal(l.err(), `vnfm: cannot listen on 127.0.0.1:${port}: the address is in use\n`);
    } finally {
      taken.close();
    }
  });
});

test('against a VNFM with authentication: OAuth 2.0 client, bearer token or Basic from env; none → its 401 in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-listen-auth-'));
  const secret = `s-${randomBytes(12).toString('hex')}`;
  const clients = join(dir, 'clients.yaml');
  writeFileSync(
    clients,
    `clients:\n  - client_id: nfvo\n    secret_hash: "${await hashSecret(secret)}"\n    scopes: [vnfpkgm:read, vnfpkgm:write]\n`,
  );
  const vnfm = await startVnfm(await freshStore('sqlite'), {
    config: { authClientsFile: clients, authBasic: true },
  });
  try {
    const refused = listen(['--subscribe', vnfm.url, '--api', 'vnfpkgm']);
    assert.deepEqual(await refused.exited, { code: 1, signal: null });
    assert.match(lines(refused.err()).pop()!, /^vnfm: the VNFM refused the subscription: 401 /);

    const token = (
      (await (
        await fetch(`${vnfm.url}/oauth2/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`nfvo:${secret}`).toString('base64')}` },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        })
      ).json()) as { access_token: string }
    ).access_token;
    const credentials: [string[], Record<string, string>][] = [
      [['--client-id', 'nfvo', '--client-secret-env', 'LISTEN_SECRET'], { LISTEN_SECRET: secret }],
      [['--token-env', 'LISTEN_TOKEN'], { LISTEN_TOKEN: token }],
      [['--basic-user', 'nfvo', '--basic-password-env', 'LISTEN_SECRET'], { LISTEN_SECRET: secret }],
    ];
    for (const [flags, env] of credentials) {
      const l = listen(['--subscribe', vnfm.url, '--api', 'vnfpkgm', ...flags], env);
      const { id } = await announced(l);
      const get = () =>
        vnfm.request('GET', `/vnfpkgm/v1/subscriptions/${id}`, undefined, {
          authorization: `Bearer ${token}`,
        });
      assert.equal((await get()).status, 200, flags.join(' '));
      l.child.kill('SIGTERM');
      assert.deepEqual(await l.exited, { code: 0, signal: null }, l.err());
      assert.equal((await get()).status, 404, flags.join(' '));
      assert.ok(!l.err().includes(secret) && !l.err().includes(token));
    }
  } finally {
    await vnfm.close();
  }
});

test('the line of each notification type names its key fields, flattened to one line', () => {
  const at = new Date('2026-01-02T03:04:05.678Z');
  assert.equal(
    notificationLine(
      {
        notificationType: 'VnfLcmOperationOccurrenceNotification',
        operation: 'SCALE',
        operationState: 'FAILED_TEMP',
        notificationStatus: 'RESULT',
        vnfInstanceId: 'i1',
        id: 'n1',
        error: { detail: 'x' },
      },
      at,
    ),
    '2026-01-02T03:04:05.678Z VnfLcmOperationOccurrenceNotification operation=SCALE operationState=FAILED_TEMP notificationStatus=RESULT vnfInstanceId=i1 id=n1',
  );
  assert.equal(
    notificationLine(
      {
        notificationType: 'VnfPackageChangeNotification',
        vnfPkgId: 'p1',
        vnfdId: 'd1',
        changeType: 'OP_STATE_CHANGE',
        operationalState: 'DISABLED',
        id: 'n2',
      },
      at,
    ),
    '2026-01-02T03:04:05.678Z VnfPackageChangeNotification vnfPkgId=p1 changeType=OP_STATE_CHANGE operationalState=DISABLED id=n2',
  );
  assert.equal(
    notificationLine({ notificationType: 'VnfPackageOnboardingNotification', vnfPkgId: 'p1', id: 'n3' }, at),
    '2026-01-02T03:04:05.678Z VnfPackageOnboardingNotification vnfPkgId=p1 id=n3',
  );
  assert.equal(
    notificationLine({ notificationType: 'Vnf\nForged x', vnfInstanceId: 'a\x1b[31m b', id: 7 }, at),
    '2026-01-02T03:04:05.678Z Vnf_Forged_x vnfInstanceId=a?[31m_b id=7',
  );
  assert.equal(notificationLine({}, at), '2026-01-02T03:04:05.678Z -');
});
