// The Prometheus metrics of the VNFM (served at GET /metrics), all defined here so
// that names, labels and buckets are in one place. The few choke points of the code
// (the HTTP response hook, op occ inserts and transitions, the helm runner, the SSH
// pool and handshake, onboarding) call the small recorders below; nothing else
// touches prom-client. Every label takes values from a small fixed set (route
// patterns, operation names, states), never from request data, so that the number
// of series stays bounded whatever clients send.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { VnfLcmOpOcc } from '../lcm/model.ts';

/** One registry per process: VNFMs started in one process (tests) add to the same series. */
export const registry = new Registry();
// Node's own (memory, CPU, event loop lag) as vnfm_process_* and vnfm_nodejs_*.
collectDefaultMetrics({ register: registry, prefix: 'vnfm_' });

/** Seconds; from a fast GET to a slow package upload. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds; LCM operations wait on clusters for minutes. */
const OPERATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];
/** Seconds; a helm command takes from tens of milliseconds to its --timeout. */
const HELM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

const httpRequests = new Counter({
  name: 'vnfm_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

const httpDuration = new Histogram({
  name: 'vnfm_http_request_duration_seconds',
  help: 'Time from receiving an HTTP request to the end of its response, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: HTTP_BUCKETS,
  registers: [registry],
});

const opOccsStarted = new Counter({
  name: 'vnfm_op_occs_started_total',
  help: 'LCM operation occurrences created (STARTING), by operation',
  labelNames: ['operation'] as const,
  registers: [registry],
});

const opOccsFinished = new Counter({
  name: 'vnfm_op_occs_finished_total',
  help: 'LCM operation occurrences that reached a final state (COMPLETED, FAILED, ROLLED_BACK), by operation and state',
  labelNames: ['operation', 'state'] as const,
  registers: [registry],
});

const opOccsFailedTemp = new Counter({
  name: 'vnfm_op_occs_failed_temp_total',
  help: 'LCM operation occurrences moved to FAILED_TEMP (waiting for retry, rollback or fail), by operation',
  labelNames: ['operation'] as const,
  registers: [registry],
});

const operationDuration = new Histogram({
  name: 'vnfm_operation_duration_seconds',
  help: 'Time a worker spent running an operation (phase run) or rolling it back (phase rollback), by operation, phase and the state it ended in',
  labelNames: ['operation', 'phase', 'state'] as const,
  buckets: OPERATION_BUCKETS,
  registers: [registry],
});

const helmDuration = new Histogram({
  name: 'vnfm_helm_command_duration_seconds',
  help: 'Duration of helm commands, by subcommand, transport (ssh: on a master node, local: on the VNFM host) and outcome (ok: exit 0)',
  labelNames: ['subcommand', 'transport', 'outcome'] as const,
  buckets: HELM_BUCKETS,
  registers: [registry],
});

const sshHandshakes = new Counter({
  name: 'vnfm_ssh_handshakes_total',
  help: 'SSH connections opened (TCP, handshake and login), by outcome (ok, auth_failed, host_key_mismatch, dropped: closed by the server before the handshake, as sshd does beyond its MaxStartups; error: anything else)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** Read when scraped: the pool module registers how to count its connections. */
const sources: { idle?: () => number; leased?: () => number } = {};

new Gauge({
  name: 'vnfm_ssh_pool_connections',
  help: 'SSH connections to master nodes held by the pool, by state (idle: kept for reuse, leased: in use)',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    this.set({ state: 'idle' }, sources.idle?.() ?? 0);
    this.set({ state: 'leased' }, sources.leased?.() ?? 0);
  },
});

const workerActive = new Gauge({
  name: 'vnfm_worker_active_operations',
  help: "Operations this process's worker is running now",
  registers: [registry],
});

const workerQueue = new Gauge({
  name: 'vnfm_worker_queue_depth',
  help: 'Operations (runs and rollbacks) queued in the store that no worker has claimed yet',
  registers: [registry],
});

const eventStreams = new Gauge({
  name: 'vnfm_event_streams',
  help: 'Open op occ event streams (GET /vnflcm/v1/vnf_lcm_op_occs/…/events); their requests are counted in vnfm_http_requests_total when they end',
  registers: [registry],
});

/** An op occ event stream opened (+1) or ended (-1). */
export function eventStreamsOpen(delta: 1 | -1): void {
  eventStreams.inc(delta);
}

const onboarding = new Counter({
  name: 'vnfm_package_onboarding_total',
  help: 'VNF package onboardings, by outcome (ONBOARDED or ERROR)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const onboardingDuration = new Histogram({
  name: 'vnfm_package_onboarding_duration_seconds',
  help: 'Time to read, check and record an uploaded package, by outcome',
  labelNames: ['outcome'] as const,
  buckets: HTTP_BUCKETS,
  registers: [registry],
});

const notificationAttempts = new Counter({
  name: 'vnfm_notification_attempts_total',
  help: 'Notification delivery attempts, by outcome (delivered, failed: to be retried, expired: given up)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const notificationDelay = new Histogram({
  name: 'vnfm_notification_delay_seconds',
  help: 'Time from the state change a notification reports to its receiver answering 204',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
  registers: [registry],
});

/** The label of requests no route matched (404s of unknown paths, edge refusals). */
export const UNMATCHED_ROUTE = '(unmatched)';

export function observeHttp(method: string, route: string, status: number, seconds: number): void {
  const labels = { method, route, status: String(status) };
  httpRequests.inc(labels);
  httpDuration.observe(labels, seconds);
}

const FINAL = new Set(['COMPLETED', 'FAILED', 'ROLLED_BACK']);

export function opOccStarted(operation: VnfLcmOpOcc['operation']): void {
  opOccsStarted.inc({ operation });
}

/** An op occ entered `state` (called once per transition that the store accepted). */
export function opOccEntered(
  operation: VnfLcmOpOcc['operation'],
  state: VnfLcmOpOcc['operationState'],
): void {
  if (FINAL.has(state)) opOccsFinished.inc({ operation, state });
  else if (state === 'FAILED_TEMP') opOccsFailedTemp.inc({ operation });
}

export function observeOperation(
  operation: VnfLcmOpOcc['operation'],
  phase: 'run' | 'rollback',
  state: VnfLcmOpOcc['operationState'],
  seconds: number,
): void {
  operationDuration.observe({ operation, phase, state }, seconds);
}

/** helm subcommands named in the label; the second word where helm has command groups. */
const HELM_GROUPS = new Set(['get', 'repo', 'plugin', 'registry', 'show', 'dependency']);

/** The subcommand label of a helm argv (`['helm', 'get', 'manifest', …]` → `get manifest`); undefined for other programs. */
export function helmSubcommand(argv: readonly string[]): string | undefined {
  if (argv[0] !== 'helm' && !argv[0]?.endsWith('/helm')) return undefined;
  const first = argv[1] ?? '';
  if (!/^[a-z]+$/.test(first)) return 'other';
  const second = argv[2] ?? '';
  return HELM_GROUPS.has(first) && /^[a-z]+$/.test(second) ? `${first} ${second}` : first;
}

export function observeHelm(
  subcommand: string,
  transport: 'ssh' | 'local',
  ok: boolean,
  seconds: number,
): void {
  helmDuration.observe({ subcommand, transport, outcome: ok ? 'ok' : 'error' }, seconds);
}

export function sshHandshake(
  outcome: 'ok' | 'auth_failed' | 'host_key_mismatch' | 'dropped' | 'error',
): void {
  sshHandshakes.inc({ outcome });
}

export function countSshPool(idle: () => number, leased: () => number): void {
  sources.idle = idle;
  sources.leased = leased;
}

export function workerRunning(delta: 1 | -1): void {
  workerActive.inc(delta);
}

export function onboarded(outcome: 'ONBOARDED' | 'ERROR', seconds: number): void {
  onboarding.inc({ outcome });
  onboardingDuration.observe({ outcome }, seconds);
}

/** One delivery attempt; `delaySeconds` (state change → receiver's 204) when it was delivered. */
export function notificationAttempted(
  outcome: 'delivered' | 'failed' | 'expired',
  delaySeconds?: number,
): void {
  notificationAttempts.inc({ outcome });
  if (delaySeconds !== undefined) notificationDelay.observe(delaySeconds);
}

/** The exposition text; `queueDepth` is read from the store of the server being scraped. */
export async function metricsText(queueDepth: () => Promise<number>): Promise<string> {
  // A store that does not answer makes the depth unknown, not the scrape fail (/readyz says why).
  workerQueue.set(await queueDepth().catch(() => NaN));
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;

/** Seconds since `start` (a performance.now() reading). */
export const secondsSince = (start: number): number => (performance.now() - start) / 1000;
