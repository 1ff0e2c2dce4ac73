// How --wait gets its op occ snapshots (src/cli/wait.ts followOpOcc): from the VNFM's
// event stream (GET /vnflcm/v1/vnf_lcm_op_occs/{id}/events) when the client offers a
// streaming request — one GET, then only events — and by polling GET when the stream is
// refused or breaks. Against a real VNFM and the testbed cluster; the stream's parsing
// (CRLF, data over several lines, comments, foreign events) on a given body. Each
// operation is held by a ResourceQuota (no more pods) until the follower has seen it
// running, so the follower always meets it unfinished; no timing is assumed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { type OpOccClient, type OpOccSnapshot, followOpOcc } from '../../src/cli/wait.ts';
import { VnfmClient } from '../../src/cli/vnfm-client.ts';
import { buildPackage } from '../../src/packages/build.ts';
import { createInstance, onboardZip, registerTestbedVim, runOp, startOp } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const SAMPLE = new URL('../../samples/helm-cnf/', import.meta.url).pathname;

let vnfm: TestVnfm;
let vimId = '';
let vnfdId = '';

before(async () => {
  const env = await testbed();
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm4 });
  vimId = await registerTestbedVim(vnfm, 'wait-stream', { helm_info: { masternode_ip: [] } });
  const pkgId = await onboardZip(vnfm, await buildPackage(SAMPLE));
  vnfdId = (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkgId}`)).body.vnfdId;
});
after(async () => {
  await vnfm?.close();
});

/** A client of the test VNFM counting its op occ GETs and streams; `stream` as given. */
function counting(stream?: (url: string, signal: AbortSignal) => Promise<Response>) {
  const base = new VnfmClient(vnfm.url, {});
  const counts = { gets: 0, streams: 0 };
  const client: OpOccClient = {
    request: (method, path, body) => {
      if (method === 'GET' && path.startsWith('/vnflcm/v1/vnf_lcm_op_occs/')) counts.gets++;
      return base.request(method, path, body);
    },
    ...(stream
      ? {
          stream: (path: string, signal: AbortSignal) => {
            counts.streams++;
            return stream(`${vnfm.url}${path}`, signal);
          },
        }
      : {}),
  };
  return { client, counts };
}

const sse = (url: string, signal: AbortSignal) =>
  fetch(url, { headers: { accept: 'text/event-stream' }, signal });

/** Holds `ns` at `pods` pods; the returned release() (idempotent) lifts that. */
async function hold(ns: string, pods: number): Promise<() => void> {
  const core = await kubeClient();
  await core.createNamespace({ body: { metadata: { name: ns } } }).catch((e: { code?: number }) => {
    if (e.code !== 409) throw e;
  });
  await core.createNamespacedResourceQuota({
    namespace: ns,
    body: { metadata: { name: 'hold' }, spec: { hard: { pods: String(pods) } } },
  });
  let released: Promise<unknown> | undefined;
  return () => {
    released ??= core.deleteNamespacedResourceQuota({ name: 'hold', namespace: ns });
  };
}

async function instantiate(name: string, ns: string): Promise<{ id: string; opId: string }> {
  const request = JSON.parse(readFileSync(`${SAMPLE}instantiate.json`, 'utf8'));
  const id = await createInstance(vnfm, vnfdId, name);
  const body = {
    ...request,
    vimConnectionInfo: [{ id: 'vim-0', vimId, vimType: 'kubernetes' }],
    additionalParams: { ...request.additionalParams, namespace: ns },
  };
  return { id, opId: await startOp(vnfm, id, 'instantiate', body) };
}

const never = new AbortController().signal;

test('with a stream: one GET, then the events, the steps and pods among them, to COMPLETED', async () => {
  const release = await hold('cli-wait-stream', 0);
  const { id, opId } = await instantiate('stream', 'cli-wait-stream');
  const { client, counts } = counting(sse);
  const seen: OpOccSnapshot[] = [];
  const final = await followOpOcc(client, opId, (o) => (seen.push(o), release()), never);
  assert.equal(final.operationState, 'COMPLETED');
  assert.equal(counts.streams, 1);
  assert.equal(counts.gets, 1, 'no polling while the stream works');
  assert.ok(seen.every((o) => o.id === opId));
  assert.ok(
    seen.some((o) => o.operationState === 'PROCESSING' && typeof o._progress?.step === 'string'),
    JSON.stringify(seen.map((o) => [o.operationState, o._progress])),
  );
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
});

test('a stream refused (404) or broken after its first event: polling takes over to the end', async () => {
  let release = await hold('cli-wait-poll', 0);
  const { id, opId } = await instantiate('poll', 'cli-wait-poll');
  const refused = counting(async () => new Response('{"status":404}', { status: 404 }));
  assert.equal((await followOpOcc(refused.client, opId, () => release(), never)).operationState, 'COMPLETED');
  assert.equal(refused.counts.streams, 1);
  assert.ok(refused.counts.gets > 1, 'polled');

  // The scale, followed through a stream cut after its first chunk.
  release = await hold('cli-wait-poll', 2);
  const scaleOp = await startOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu2_aspect' });
  const cut = counting(async (url, signal) => {
    const res = await sse(url, signal);
    const reader = res.body!.getReader();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        const first = await reader.read();
        if (!first.done) controller.enqueue(first.value);
        await reader.cancel();
        controller.error(new Error('connection reset'));
      },
    });
    return new Response(body, { status: 200, headers: res.headers });
  });
  const states: string[] = [];
  const final = await followOpOcc(
    cut.client,
    scaleOp,
    (o) => (states.push(o.operationState), release()),
    never,
  );
  assert.equal(final.operationState, 'COMPLETED');
  assert.equal(cut.counts.streams, 1);
  assert.ok(cut.counts.gets > 1, 'polled after the stream broke');
  await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
});

test('the event stream as parsed: CRLF lines, data over several lines, comments, other op occs skipped', async () => {
  const op = (state: string, extra: object = {}) => ({
    id: 'op-1',
    operation: 'SCALE',
    operationState: state,
    ...extra,
  });
  const first = JSON.stringify(op('PROCESSING', { _progress: { step: 'helm upgrade web' } }));
  // Split between two JSON tokens: the \n joining data lines is whitespace there.
  const cut = first.indexOf(',') + 1;
  const body = [
    ': open\r\n\r\n',
    `event: opocc\r\ndata: ${JSON.stringify({ ...op('COMPLETED'), id: 'other' })}\r\n\r\n`,
    `event: opocc\ndata: ${first.slice(0, cut)}\ndata: ${first.slice(cut)}\n\n`,
    'data: not json\n\n',
    `event: opocc\rdata: ${JSON.stringify(op('FAILED_TEMP', { error: { title: 'Operation failed' } }))}\r\r`,
  ].join('');
  const client: OpOccClient = {
    request: async () => ({ status: 200, body: op('PROCESSING'), headers: new Headers() }),
    stream: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  };
  const seen: OpOccSnapshot[] = [];
  const final = await followOpOcc(client, 'op-1', (o) => seen.push(o), never);
  assert.equal(final.operationState, 'FAILED_TEMP');
  // The GET, the two-line event (its data joined by \n: JSON all the same), the end; 'other' skipped.
  assert.deepEqual(
    seen.map((o) => [o.id, o.operationState, o._progress?.step]),
    [
      ['op-1', 'PROCESSING', undefined],
      ['op-1', 'PROCESSING', 'helm upgrade web'],
      ['op-1', 'FAILED_TEMP', undefined],
    ],
  );
});
