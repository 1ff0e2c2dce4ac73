// GET /metrics and GET /readyz of a real server whose real worker ran a Helm-mode
// CNF on the testbed cluster over SSH: the request counters by route pattern, the op
// occ counters and duration, the helm commands by subcommand and transport, the SSH
// handshakes and pool, onboarding outcomes; readiness with and without its database
// and worker. And one request writes exactly one info line in the log.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../testbed/lib/proc.ts';
import { CHART_PATH, cnfPackage, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, registerTestbedVim, runOp, startOp } from '../helpers/lcm.ts';
import { parseMetrics, sample } from '../helpers/metrics.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const vnfmBin = new URL('../../bin/vnfm', import.meta.url).pathname;

async function scrape(vnfm: TestVnfm) {
  const res = await vnfm.request('GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseMetrics(res.raw.toString('utf8'));
}

describe('metrics of a Helm CNF lifecycle over SSH', () => {
  let vnfm: TestVnfm;
  before(async () => {
    const env = await testbed();
    vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm4 });
  });
  after(() => vnfm.close());

  test('requests, op occs, operation and helm durations, SSH, onboarding, queue depth', async () => {
    const env = await testbed();
    const node = env.sshNodes[0]!;
    const vimId = await registerTestbedVim(vnfm, 'metrics-helm', {
      helm_info: {
        masternode_ip: [`${node.host}:${node.port}`],
        masternode_username: node.user,
        masternode_password: node.password,
      },
    });
    const { vnfdId } = await onboardPackage(vnfm);
    // A package whose chart's declared hash is wrong ends in ERROR.
    const bad = (await vnfm.request('POST', '/vnfpkgm/v1/vnf_packages', {})).body;
    const { zip } = await cnfPackage({ wrongHashFor: CHART_PATH });
    assert.equal(
      (await vnfm.request('PUT', `/vnfpkgm/v1/vnf_packages/${bad.id}/package_content`, zip)).status,
      202,
    );
    await eventually(
      'the bad package to fail onboarding',
      async () => (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${bad.id}`)).body,
      (p) => p.onboardingState === 'ERROR',
    );

    const id = await createInstance(vnfm, vnfdId);
    const ns = `metrics-${randomBytes(3).toString('hex')}`;
    const release = (name: string) => ({
      exthelmchart: 'false',
      helmchartfile_path: CHART_PATH,
      helmreleasename: name,
    });
    await runOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
      additionalParams: {
        namespace: ns,
        use_helm: 'true',
        using_helm_install_param: [release('vdu1'), release('vdu2')],
        helm_replica_values: { vdu1_aspect: 'replicaCount', vdu2_aspect: 'replicaCount' },
        vdu_mapping: {
          VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
          VDU2: { name: 'vdu2-app', kind: 'Deployment', helmreleasename: 'vdu2' },
        },
      },
    });
    assert.equal((await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).status, 200);
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });

    const m = await scrape(vnfm);
    const requests = (route: string, method: string, status: string) =>
      sample(m, 'vnfm_http_requests_total', { route, method, status });
    assert.ok(requests('/vnflcm/v1/vnf_instances/:id/instantiate', 'POST', '202') >= 1);
    assert.ok(requests('/vnflcm/v1/vnf_instances/:id', 'GET', '200') >= 1);
    assert.ok(
      requests('/vnfpkgm/v1/vnf_packages/:vnfPkgId/package_content', 'PUT', '202') >= 2,
      'two uploads',
    );
    assert.ok(
      sample(m, 'vnfm_http_request_duration_seconds_count', {
        route: '/vnflcm/v1/vnf_instances/:id/instantiate',
        status: '202',
      }) >= 1,
    );
    // Route patterns only: no series names an instance, package or op occ id.
    const routes = new Set(m.filter((s) => s.name === 'vnfm_http_requests_total').map((s) => s.labels.route));
    for (const route of routes) assert.doesNotMatch(route!, /[0-9a-f]{8}-[0-9a-f]{4}/, route);

    for (const operation of ['INSTANTIATE', 'TERMINATE']) {
      assert.equal(sample(m, 'vnfm_op_occs_started_total', { operation }), 1, operation);
      assert.equal(sample(m, 'vnfm_op_occs_finished_total', { operation, state: 'COMPLETED' }), 1, operation);
      assert.equal(
        sample(m, 'vnfm_operation_duration_seconds_count', { operation, phase: 'run', state: 'COMPLETED' }),
        1,
        operation,
      );
      assert.ok(
        sample(m, 'vnfm_operation_duration_seconds_sum', { operation, phase: 'run', state: 'COMPLETED' }) > 0,
      );
    }
    assert.equal(sample(m, 'vnfm_op_occs_failed_temp_total'), 0);

    const helm = (subcommand: string) =>
      sample(m, 'vnfm_helm_command_duration_seconds_count', { subcommand, transport: 'ssh', outcome: 'ok' });
    assert.ok(helm('install') >= 2, 'one install per release');
    assert.ok(helm('uninstall') >= 2, 'one uninstall per release');
    assert.ok(helm('version') >= 1);
    assert.equal(sample(m, 'vnfm_helm_command_duration_seconds_count', { transport: 'local' }), 0);

    assert.ok(sample(m, 'vnfm_ssh_handshakes_total', { outcome: 'ok' }) >= 1);
    assert.equal(sample(m, 'vnfm_ssh_handshakes_total', { outcome: 'auth_failed' }), 0);
    assert.equal(sample(m, 'vnfm_ssh_pool_connections', { state: 'leased' }), 0, 'every lease returned');
    assert.ok(m.some((s) => s.name === 'vnfm_ssh_pool_connections' && s.labels.state === 'idle'));

    assert.equal(sample(m, 'vnfm_package_onboarding_total', { outcome: 'ONBOARDED' }), 1);
    assert.equal(sample(m, 'vnfm_package_onboarding_total', { outcome: 'ERROR' }), 1);
    assert.equal(sample(m, 'vnfm_package_onboarding_duration_seconds_count', { outcome: 'ONBOARDED' }), 1);
    assert.equal(sample(m, 'vnfm_worker_queue_depth'), 0);
    assert.equal(sample(m, 'vnfm_worker_active_operations'), 0);
    assert.ok(sample(m, 'vnfm_process_resident_memory_bytes') > 0);
  });
});

describe('readiness', () => {
  test('200 with the database and the worker; 503 naming the worker once it stops', async () => {
    const vnfm = await startVnfm(await freshStore('sqlite'));
    try {
      const ready = await vnfm.request('GET', '/readyz');
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      assert.deepEqual(
        { status: ready.body.status, database: ready.body.database, worker: ready.body.worker },
        { status: 'ready', database: 'ok', worker: 'running' },
      );
      await vnfm.ctx.worker.stop();
      const stopped = await vnfm.request('GET', '/readyz');
      assert.equal(stopped.status, 503);
      assert.match(stopped.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(stopped.body.status, 503);
      assert.match(stopped.body.detail, /worker is not running/);
      assert.doesNotMatch(stopped.body.detail, /database/);
    } finally {
      await vnfm.close();
    }
  });

  test('503 naming the database once it is closed; /metrics still answers', async () => {
    const vnfm = await startVnfm(await freshStore('sqlite'));
    try {
      assert.equal((await vnfm.request('GET', '/readyz')).status, 200);
      await vnfm.ctx.db.destroy();
      const res = await vnfm.request('GET', '/readyz');
      assert.equal(res.status, 503);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.match(res.body.detail, /^not ready: the database does not answer$/);
      const m = await scrape(vnfm);
      assert.ok(Number.isNaN(sample(m, 'vnfm_worker_queue_depth')), 'the depth is unknown, not 0');
    } finally {
      await vnfm.ctx.worker.stop();
      await vnfm.close().catch(() => {}); // the store is already closed
    }
  });

  test('an API-only server (no embedded worker) is ready on its database alone', async () => {
    const vnfm = await startVnfm(await freshStore('sqlite'), { worker: false, embeddedWorker: false });
    try {
      const res = await vnfm.request('GET', '/readyz');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.worker, 'not embedded');
    } finally {
      await vnfm.close();
    }
  });
});

for (const store of STORES) {
  test(`on ${store}: an operation no worker has claimed is the queue depth`, async () => {
    // An API-only server: nothing claims what it queues.
    const vnfm = await startVnfm(await freshStore(store), { worker: false, embeddedWorker: false });
    try {
      assert.equal(sample(await scrape(vnfm), 'vnfm_worker_queue_depth'), 0);
      const vimId = await registerTestbedVim(vnfm, `queue-${store}`);
      const { vnfdId } = await onboardPackage(vnfm);
      const id = await createInstance(vnfm, vnfdId);
      await startOp(vnfm, id, 'instantiate', {
        flavourId: 'helmchart',
        vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
        additionalParams: { namespace: 'queued', 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
      });
      const m = await scrape(vnfm);
      assert.equal(sample(m, 'vnfm_worker_queue_depth'), 1);
      assert.equal(sample(m, 'vnfm_op_occs_started_total', { operation: 'INSTANTIATE' }) >= 1, true);
      assert.equal((await vnfm.request('GET', '/readyz')).status, 200, 'ready on its store alone');
    } finally {
      await vnfm.close();
    }
  });
}

test('vnfm worker --metrics-port serves /metrics and /readyz on loopback, and no API', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vnfm-worker-metrics-'));
  const port = await freePort();
  const child = spawn(
    vnfmBin,
    ['worker', '--database', await freshStore('postgres'), '--data-dir', dir, '--metrics-port', String(port)],
    // The API servers' setting, shared through the environment, does not make the worker unready.
    { env: { PATH: process.env.PATH, VNFM_EMBEDDED_WORKER: 'false' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const base = `http://127.0.0.1:${port}`;
    const ready = await eventually(
      'the worker to serve its probes',
      () => fetch(`${base}/readyz`).catch(() => undefined),
      (r) => r !== undefined || child.exitCode !== null,
      30_000,
    );
    assert.equal(ready?.status, 200, out);
    assert.equal(((await ready!.json()) as { worker: string }).worker, 'running');
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    const m = parseMetrics(await metrics.text());
    assert.equal(sample(m, 'vnfm_worker_queue_depth'), 0);
    assert.ok(sample(m, 'vnfm_process_resident_memory_bytes') > 0);
    const api = await fetch(`${base}/vnflcm/v1/vnf_instances`);
    assert.equal(api.status, 404, 'the worker serves no API');
    assert.match(api.headers.get('content-type') ?? '', /application\/problem\+json/);
    const start = out.split('\n').find((l) => l.includes('"worker started"'));
    assert.ok(start, out);
    assert.equal(JSON.parse(start).metrics, `127.0.0.1:${port}`);
  } finally {
    child.kill('SIGTERM');
    const code = child.exitCode ?? (await new Promise((r) => child.once('exit', r)));
    assert.equal(code, 0, 'SIGTERM stops the worker and its probes cleanly');
  }
});

describe('request log', () => {
  test('one request writes exactly one info line, with its route pattern and status', async () => {
    const vnfm = await startVnfm(await freshStore('sqlite'));
    try {
      const marker = randomBytes(6).toString('hex');
      const cases = [
        { path: `/vnflcm/v1/vnf_instances/${marker}`, status: 404, route: '/vnflcm/v1/vnf_instances/:id' },
        { path: `/no/such/${marker}`, status: 404, route: '(unmatched)' },
        { path: `/vnflcm/v1/vnf_instances?filter=${marker}`, status: 400, route: '/vnflcm/v1/vnf_instances' },
        { path: `/healthz?m=${marker}`, status: 200, route: '/healthz' },
      ];
      for (const c of cases) {
        const res = await vnfm.request('GET', c.path);
        assert.equal(res.status, c.status, c.path);
        const lines = vnfm
          .logs()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        const line = lines.find((l) => l.msg === 'request' && String(l.url).endsWith(c.path.slice(-40)));
        assert.ok(line, `a request line for ${c.path}`);
        assert.equal(line.level, 30, 'info');
        assert.equal(line.statusCode, c.status);
        assert.equal(line.route, c.route);
        assert.equal(line.method, 'GET');
        assert.equal(typeof line.responseTimeMs, 'number');
        const info = lines.filter((l) => l.reqId === line.reqId && (l.level as number) >= 30);
        assert.deepEqual(
          info.map((l) => l.msg),
          ['request'],
          `the info (and above) lines of ${c.path}`,
        );
      }
    } finally {
      await vnfm.close();
    }
  });
});
