// The Helm benchmarks' VNFM side: the testbed cluster registered as a VIM whose helm
// runs on a master node over SSH or locally, Helm-mode instantiate bodies, LCM
// requests sent at once and followed on the op occs' event streams (no polling gap),
// and the VNFM's /metrics read as the sums the benchmarks compare.
import { CHART_PATH } from '../../test/helpers/cnf-package.ts';
import { registerTestbedVim } from '../../test/helpers/lcm.ts';
import { parseMetrics, type Sample } from '../../test/helpers/metrics.ts';
import type { SshNode } from '../../testbed/lib/ssh-nodes.ts';
import type { Concurrent, HelmTransport } from './helm-direct.ts';
import { HELM_TIMEOUT_S } from './helm-direct.ts';
import { asHelperVnfm, type VnfmProcess } from './server.ts';

/** The fields of a VnfLcmOpOcc the benchmarks read. */
export interface OpOcc {
  id: string;
  operationState: string;
  startTime: string;
  stateEnteredTime: string;
  error?: { detail?: string };
}

/** The op occ's own startTime → stateEnteredTime (its settled state), ms. */
export const serverMs = (op: OpOcc) =>
  Date.parse(String(op.stateEnteredTime)) - Date.parse(String(op.startTime));

/** The states after which an op occ waits for nobody but the operator. */
export const SETTLED = ['COMPLETED', 'FAILED_TEMP', 'FAILED', 'ROLLED_BACK'];

/** The values a one-release instance gets on both sides: its helmparameter, then replicaCount of instantiation_level_1. */
export const ONE_RELEASE_SETS = ['service.port=8081', 'replicaCount=1'];

/** A VIM for the testbed cluster; over SSH its helm_info lists `node` only (no helm_info: helm runs locally). */
export function registerHelmVim(
  vnfm: VnfmProcess,
  name: string,
  transport: HelmTransport,
  node: SshNode,
): Promise<string> {
  const address = `${node.host}:${node.port}`;
  return registerTestbedVim(
    asHelperVnfm(vnfm),
    name,
    transport === 'ssh'
      ? {
          helm_info: {
            masternode_ip: [address],
            masternode_username: node.user,
            masternode_password: node.password,
            masternode_host_keys: { [address]: node.hostKey },
          },
        }
      : {},
  );
}

/** A Helm-mode instantiate of the package chart as `releases`, release i carrying VDU(i+1). */
export function helmBody(vimId: string, namespace: string, releases: { name: string; sets: string[] }[]) {
  // helmparameter holds the request's values; the VNFM adds replicaCount from the instantiation level.
  const params = (sets: string[]) => sets.filter((s) => !s.startsWith('replicaCount='));
  const vdus = ['VDU1', 'VDU2'].slice(0, releases.length);
  return {
    flavourId: 'helmchart',
    instantiationLevelId: 'instantiation_level_1',
    vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
    additionalParams: {
      namespace,
      use_helm: 'true',
      using_helm_install_param: releases.map((r) => ({
        exthelmchart: 'false',
        helmchartfile_path: CHART_PATH,
        helmreleasename: r.name,
        helmparameter: params(r.sets),
      })),
      helm_replica_values: Object.fromEntries(vdus.map((v) => [`${v.toLowerCase()}_aspect`, 'replicaCount'])),
      vdu_mapping: Object.fromEntries(
        vdus.map((v, i) => [
          v,
          { name: `${releases[i]!.name}-app`, kind: 'Deployment', helmreleasename: releases[i]!.name },
        ]),
      ),
    },
  };
}

export async function post(
  vnfm: VnfmProcess,
  path: string,
  body: object,
): Promise<{ opId?: string; error?: string }> {
  const res = await vnfm.request('POST', path, body);
  if (res.status !== 202) return { error: `POST ${path}: ${res.status} ${JSON.stringify(res.body)}` };
  return { opId: (res.headers.get('location') ?? '').split('/').pop() as string };
}

/** The `data:` of each complete server-sent event in `buf`, and what is left of it. */
function events(buf: string): { data: string[]; rest: string } {
  const data: string[] = [];
  for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
    const event = buf.slice(0, i);
    buf = buf.slice(i + 2);
    const d = event
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (d) data.push(d); // else a comment (open, heartbeat)
  }
  return { data, rest: buf };
}

/**
 * Follows the op occ's event stream until it reports a settled state; returns that
 * representation and when the client read it (no polling gap: the stream sends each change).
 */
export async function untilSettled(vnfm: VnfmProcess, opId: string): Promise<{ op: OpOcc; seenAt: number }> {
  const res = await fetch(`${vnfm.url}/vnflcm/v1/vnf_lcm_op_occs/${opId}/events`);
  if (!res.ok || !res.body) throw new Error(`events of op occ ${opId}: ${res.status}`);
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    const got = events(buf + decoder.decode(chunk, { stream: true }));
    buf = got.rest;
    for (const d of got.data) {
      const op = JSON.parse(d) as OpOcc;
      if (SETTLED.includes(String(op.operationState))) return { op, seenAt: performance.now() };
    }
  }
  throw new Error(`the event stream of op occ ${opId} ended before it settled`);
}

export type Settled = Map<string, { op: OpOcc; seenAt: number }>;

/**
 * The stream of every op occ's changes, opened before the requests are sent (so none
 * is missed): `until(ids)` resolves once each of `ids` has settled, with its final
 * representation and when the client read it. One stream however many op occs.
 */
export async function followAll(
  vnfm: VnfmProcess,
): Promise<{ until: (ids: string[]) => Promise<Settled>; close: () => void }> {
  const ac = new AbortController();
  const res = await fetch(`${vnfm.url}/vnflcm/v1/vnf_lcm_op_occs/events`, { signal: ac.signal });
  if (!res.ok || !res.body) throw new Error(`events of all op occs: ${res.status}`);
  const seen: Settled = new Map();
  let changed = () => {};
  let ended: Error | undefined;
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body!) {
        const got = events(buf + decoder.decode(chunk, { stream: true }));
        buf = got.rest;
        for (const d of got.data) {
          const op = JSON.parse(d) as OpOcc;
          if (SETTLED.includes(String(op.operationState)) && !seen.has(op.id))
            seen.set(op.id, { op, seenAt: performance.now() });
        }
        changed();
      }
      ended = new Error('the event stream of all op occs ended');
    } catch (e) {
      ended = e as Error;
    }
    changed();
  })();
  const until = async (ids: string[]): Promise<Settled> => {
    const deadline = Date.now() + (HELM_TIMEOUT_S + 120) * 1000;
    for (;;) {
      if (ids.every((id) => seen.has(id))) return new Map(ids.map((id) => [id, seen.get(id)!]));
      if (ended && !ac.signal.aborted) throw ended;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`op occs not settled after ${HELM_TIMEOUT_S + 120} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 5_000));
        changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  return { until, close: () => ac.abort() };
}

/**
 * The LCM request `op` for every instance of `ids` at once (bodies[i] for ids[i]), then
 * until every op occ settled: wall time from the first request to the last one seen
 * settled, the op occs' own first start → last end, and errors (a refused request, an
 * op occ not COMPLETED).
 */
export async function vnfmConcurrent(
  vnfm: VnfmProcess,
  ids: string[],
  bodies: object[],
  op: string,
): Promise<Concurrent & { settled: Settled }> {
  const stream = await followAll(vnfm);
  try {
    const t = performance.now();
    const posted = await Promise.all(
      ids.map((id, i) => post(vnfm, `/vnflcm/v1/vnf_instances/${id}/${op}`, bodies[i]!)),
    );
    const errors = posted.flatMap((p) => (p.error ? [p.error] : []));
    const settled = await stream.until(posted.flatMap((p) => (p.opId ? [p.opId] : [])));
    const ops = [...settled.values()];
    for (const { op: o } of ops)
      if (o.operationState !== 'COMPLETED')
        errors.push(`op occ ${o.id} ${o.operationState}: ${String(o.error?.detail ?? '').slice(0, 300)}`);
    const last = Math.max(t, ...ops.map((o) => o.seenAt));
    const first = Math.min(...ops.map((o) => Date.parse(o.op.startTime)));
    const end = Math.max(...ops.map((o) => Date.parse(o.op.stateEnteredTime)));
    return { wallMs: last - t, errors, serverMs: end - first, settled };
  } finally {
    stream.close();
  }
}

/** The samples of a VNFM process's /metrics (a server's, or a worker's metrics port). */
export async function vnfmSamples(url: string): Promise<Sample[]> {
  return parseMetrics(await (await fetch(`${url}/metrics`)).text());
}
