// The standing bad-input corpus (test/corpus/hostile-requests.ts) against a VNFM with
// a real VIM (the testbed cluster, a real SSH master node), an onboarded package, a
// NOT_INSTANTIATED and an INSTANTIATED instance. Every request must get a 4xx
// ProblemDetails; afterwards the server is alive, no process carried a payload, no
// payload file exists, and every stored resource reads back exactly as before.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { watchProcesses, type ProcessWatch } from '../helpers/process-watch.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { type CorpusIds, type HostileRequest, hostileRequests, MARK } from '../corpus/hostile-requests.ts';

/** Everything the API can show of the stored data, for a before/after comparison. */
async function snapshot(vnfm: TestVnfm, ids: CorpusIds) {
  const get = async (path: string) => {
    const r = await vnfm.request('GET', path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    vims: await get('/v1.0/vims'),
    packages: await get('/vnfpkgm/v1/vnf_packages?all_fields'),
    instances: await get('/vnflcm/v1/vnf_instances'),
    opOccs: await get('/vnflcm/v1/vnf_lcm_op_occs?all_fields'),
    vnfd: (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${ids.pkgId}/vnfd`)).raw.toString('base64'),
  };
}

async function send(vnfm: TestVnfm, r: HostileRequest) {
  const headers: Record<string, string> = { ...r.headers };
  let body: string | Buffer | undefined = r.raw;
  if (body === undefined && r.body !== undefined) {
    body = JSON.stringify(r.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${vnfm.url}${r.path}`, { method: r.method, headers, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

describe('bad-input corpus', () => {
  let vnfm: TestVnfm;
  let ids: CorpusIds;
  let watch: ProcessWatch;
  let before_: Awaited<ReturnType<typeof snapshot>>;
  const ns = `corpus-${randomBytes(3).toString('hex')}`;

  before(async () => {
    const env = await testbed();
    const node = env.sshNodes[0]!;
    vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, refreshSeconds: 0 });
    const vimId = await registerTestbedVim(vnfm, 'corpus', {
      helm_info: {
        masternode_ip: [`${node.host}:${node.port}`],
        masternode_username: node.user,
        masternode_password: node.password,
      },
    });
    const { pkgId, vnfdId } = await onboardPackage(vnfm);
    const freshId = await createInstance(vnfm, vnfdId, 'fresh');
    const liveId = await createInstance(vnfm, vnfdId, 'live');
    const op = await runOp(vnfm, liveId, 'instantiate', {
      flavourId: 'helmchart',
      instantiationLevelId: 'instantiation_level_1',
      vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'kubernetes' }],
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    ids = { vimId, pkgId, freshId, liveId, opOccId: op.id, vnfdId };
    before_ = await snapshot(vnfm, ids);
    watch = watchProcesses([MARK]);
  });

  after(async () => {
    watch?.stop();
    if (vnfm && ids) await runOp(vnfm, ids.liveId, 'terminate', { terminationType: 'FORCEFUL' });
    await vnfm?.close();
  });

  test('at least 200 requests across every route', () => {
    const all = hostileRequests(ids);
    assert.ok(all.length >= 200, `${all.length} requests`);
    const names = new Set(all.map((r) => r.name));
    assert.equal(names.size, all.length, 'every request has its own name');
  });

  test('each answered 4xx with a ProblemDetails, the server alive after each', async (t) => {
    for (const r of hostileRequests(ids)) {
      await t.test(r.name, async () => {
        const res = await send(vnfm, r);
        const what = `${r.method} ${r.path.slice(0, 120)} → ${res.status} ${res.text.slice(0, 300)}`;
        assert.ok(res.status >= 400 && res.status < 500, what);
        assert.match(res.type, /^application\/problem\+json/, what);
        const problem = JSON.parse(res.text) as { status: unknown; title: unknown; detail: unknown };
        assert.equal(problem.status, res.status, what);
        assert.ok(typeof problem.title === 'string' && problem.title.length > 0, what);
        assert.ok(!/Error$/.test(problem.title), `a real title, not a class name: ${what}`);
        assert.ok(typeof problem.detail === 'string' && problem.detail.length > 0, what);
        const health = await vnfm.request('GET', '/healthz');
        assert.equal(health.status, 200, `alive after ${r.name}`);
      });
    }
  });

  test('no process carried a payload, no payload file was made, nothing stored changed', async () => {
    const seen = watch.stop();
    assert.deepEqual(seen.leaks, [], 'processes that carried a payload');
    assert.ok(!existsSync(`/tmp/${MARK}`), 'a payload ran');
    assert.deepEqual(
      readdirSync('/tmp').filter((f) => f.includes(MARK)),
      [],
      'files named by a payload',
    );
    assert.deepEqual(await snapshot(vnfm, ids), before_);
  });
});
