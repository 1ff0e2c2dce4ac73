// `--wait`: follows an op occ until it ends and shows how it goes. Snapshots of the op
// occ come from the VNFM's event stream (GET …/vnf_lcm_op_occs/{id}/events) when the
// VNFM serves one, else from polling GET …/vnf_lcm_op_occs/{id}. On a terminal the
// display (operation, state, elapsed, the step from `_progress`, pods ready/wanted
// per VDU) is redrawn in place; otherwise one plain line is printed per change. The
// display goes to stderr, so stdout keeps only what a script reads (the id, or -o json).
// Waiting is only watching: Ctrl-C stops the CLI, never the operation.
import { oneLine, refusal, type VnfmAnswer } from './vnfm-client.ts';

/** What a follower needs of the CLI's VNFM client (VnfmClient has it). */
export interface OpOccClient {
  request(method: string, path: string, body?: unknown): Promise<VnfmAnswer>;
  /** A streaming GET (text/event-stream), when the client offers one. */
  stream?(path: string, signal: AbortSignal): Promise<Response>;
}

/** The op occ fields the display reads (the VNFM sends the whole SOL003 VnfLcmOpOcc). */
export interface OpOccSnapshot {
  id: string;
  operation: string;
  operationState: string;
  vnfInstanceId?: string;
  error?: { status?: number; title?: string; detail?: string };
  _progress?: Progress;
  [key: string]: unknown;
}

/** The VNFM's `_progress` extension, read defensively: every field may be missing. */
export interface Progress {
  step?: string;
  done?: number;
  total?: number;
  message?: string;
  vdus?: Record<string, { ready?: number; wanted?: number }>;
}

export const OP_OCCS = '/vnflcm/v1/vnf_lcm_op_occs';
const FINAL_STATES = new Set(['COMPLETED', 'FAILED_TEMP', 'FAILED', 'ROLLED_BACK']);
const POLL_MS = 500;

/** The op occ id of a 202's Location (`/vnflcm/v1/vnf_lcm_op_occs/{id}`). */
export function opOccIdOf(a: VnfmAnswer): string {
  const location = a.headers.get('location') ?? '';
  const id = /\/vnf_lcm_op_occs\/([^/?#]+)$/.exec(location)?.[1];
  if (!id)
    throw new Error(
      `the VNFM accepted the request but named no operation (Location: ${oneLine(location, 200) || 'none'})`,
    );
  return decodeURIComponent(id);
}

export async function getOpOcc(client: OpOccClient, id: string): Promise<OpOccSnapshot> {
  const a = await client.request('GET', `${OP_OCCS}/${encodeURIComponent(id)}`);
  if (a.status !== 200) throw new Error(refusal(a));
  return a.body as OpOccSnapshot;
}

/** `Operation failed: <detail>`, the op occ's ProblemDetails on one line. */
export function errorLine(op: OpOccSnapshot): string {
  const e = op.error ?? {};
  const parts = [e.title, e.detail].filter((p): p is string => typeof p === 'string' && p !== '');
  return oneLine(parts.join(': ') || 'no error given', 2000);
}

/** Pods ready / wanted of one VDU, as `_progress.vdus` tells them. */
export interface VduCount {
  vdu: string;
  ready: string;
  wanted: string;
}

/**
 * `helm install vdu1 (1/2 done): <message>` and the VDUs' pod counts, from server text
 * made safe for a terminal (one line, no control characters, bounded).
 */
export function progressParts(p: Progress | undefined): { step: string; vdus: VduCount[] } {
  if (!p || typeof p !== 'object') return { step: '', vdus: [] };
  const name = typeof p.step === 'string' ? oneLine(p.step, 80) : '';
  const count =
    typeof p.done === 'number' && typeof p.total === 'number' ? `(${p.done}/${p.total} done)` : '';
  const message = typeof p.message === 'string' && p.message ? `: ${oneLine(p.message, 160)}` : '';
  const step = `${[name, count].filter(Boolean).join(' ')}${message}`.replace(/^: /, '');
  const vdus = Object.entries(p.vdus && typeof p.vdus === 'object' ? p.vdus : {}).map(([vdu, c]) => ({
    vdu: oneLine(vdu, 60),
    ready: num(c?.ready),
    wanted: num(c?.wanted),
  }));
  return { step, vdus };
}

/** `VDU1 1/2 VDU2 0/1`: the pod counts on one line. */
export const vduLine = (vdus: VduCount[]) => vdus.map((v) => `${v.vdu} ${v.ready}/${v.wanted}`).join(' ');

const num = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? String(n) : '?');

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** The plain line of one snapshot, without the elapsed time (what "a change" compares). */
function plainBody(op: OpOccSnapshot): string {
  const { step, vdus } = progressParts(op._progress);
  return [oneLine(op.operation, 40), oneLine(op.operationState, 40), step && `step ${step}`, vduLine(vdus)]
    .filter(Boolean)
    .join(' ');
}

/** Renders snapshots to a stream: redrawn in place on a terminal, one line per change otherwise. */
export class WaitDisplay {
  readonly #out: NodeJS.WritableStream;
  readonly #tty: boolean;
  readonly #started = Date.now();
  #last?: OpOccSnapshot;
  #lastPlain = '';
  #drawn = 0;
  #ticker?: NodeJS.Timeout;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, tty = Boolean(out.isTTY)) {
    this.#out = out;
    this.#tty = tty;
    // On a terminal the elapsed time moves even while nothing else changes.
    if (tty) this.#ticker = setInterval(() => this.#draw(), 1000).unref();
  }

  get elapsed(): string {
    return elapsed(Date.now() - this.#started);
  }

  show(op: OpOccSnapshot): void {
    // The VNFM keeps `_progress` at the end; an older one without it: the pods last counted stay.
    const vdus = this.#last?._progress?.vdus;
    if (!op._progress && vdus && FINAL_STATES.has(op.operationState)) op = { ...op, _progress: { vdus } };
    this.#last = op;
    if (this.#tty) return this.#draw();
    // The end is told by the final line (waitForOpOcc), with the step it failed at.
    if (FINAL_STATES.has(op.operationState)) return;
    const body = plainBody(op);
    if (body === this.#lastPlain) return;
    this.#lastPlain = body;
    this.#out.write(`${body} (${this.elapsed})\n`);
  }

  /** Stops redrawing; the last frame stays on the screen. */
  stop(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  #draw(): void {
    const op = this.#last;
    if (!op) return;
    const parts = progressParts(op._progress);
    const { vdus } = parts;
    // Once done, the last step is history; a failure keeps it: where it stopped.
    const step = op.operationState === 'COMPLETED' || op.operationState === 'ROLLED_BACK' ? '' : parts.step;
    const width = Math.max(4, ...vdus.map((v) => v.vdu.length));
    const lines = [
      `${oneLine(op.operation, 40)}  ${oneLine(op.operationState, 40)}  ${this.elapsed}  op ${oneLine(op.id, 60)}`,
      ...(step ? [`  step  ${step}`] : []),
      ...vdus.map((v) => `  ${v.vdu.padEnd(width)}  ${v.ready}/${v.wanted} pods ready`),
    ];
    // A pseudo-terminal may report 0 columns.
    const columns = (this.#out as { columns?: number }).columns || 120;
    // Up to the first line drawn before, clear to the end of the screen, draw again.
    const up = this.#drawn > 0 ? `\r\x1b[${this.#drawn}A\x1b[0J` : '';
    this.#out.write(`${up}${lines.map((l) => l.slice(0, Math.max(columns - 1, 20))).join('\n')}\n`);
    this.#drawn = lines.length;
  }
}

/**
 * Calls `onChange` with every snapshot of op occ `id` until it is in one of `until`
 * (the terminal states by default), and returns that snapshot. The event stream is used
 * while it works; polling picks up wherever it does not (no stream, or it broke).
 */
export async function followOpOcc(
  client: OpOccClient,
  id: string,
  onChange: (op: OpOccSnapshot) => void,
  signal: AbortSignal,
  until: (state: string) => boolean = (s) => FINAL_STATES.has(s),
): Promise<OpOccSnapshot> {
  let op = await getOpOcc(client, id);
  onChange(op);
  if (until(op.operationState)) return op;
  if (client.stream) {
    const streamed = await fromStream(client, id, onChange, signal, until);
    if (streamed) return streamed;
  }
  for (;;) {
    await pause(POLL_MS, signal);
    op = await getOpOcc(client, id);
    onChange(op);
    if (until(op.operationState)) return op;
  }
}

/** The final snapshot from the event stream, or undefined when the stream is unavailable or ended early. */
async function fromStream(
  client: OpOccClient,
  id: string,
  onChange: (op: OpOccSnapshot) => void,
  signal: AbortSignal,
  until: (state: string) => boolean,
): Promise<OpOccSnapshot | undefined> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await client.stream!(`${OP_OCCS}/${encodeURIComponent(id)}/events`, stop.signal);
    if (
      res.status !== 200 ||
      !res.body ||
      !/text\/event-stream/.test(res.headers.get('content-type') ?? '')
    ) {
      await res.body?.cancel();
      return undefined;
    }
    for await (const data of sseData(res.body)) {
      let op: OpOccSnapshot;
      try {
        op = JSON.parse(data) as OpOccSnapshot;
      } catch {
        continue;
      }
      if (typeof op?.operationState !== 'string' || op.id !== id) continue;
      onChange(op);
      if (until(op.operationState)) return op;
    }
    return undefined;
  } catch {
    if (signal.aborted) throw new Error('stopped waiting');
    return undefined;
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

/** The `data` of each server-sent event (lines joined by \n, per the EventSource rules). */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('stopped waiting'));
    const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    const onAbort = () => (clearTimeout(t), reject(new Error('stopped waiting')));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface WaitOptions {
  /** The state that counts as success: COMPLETED, or ROLLED_BACK for a rollback. */
  success?: string;
  /** Where the display goes (stderr by default). */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** An operation that ended otherwise than it should: the CLI exits non-zero with this line. */
export class OperationFailed extends Error {}

/**
 * `--wait`: shows op occ `id` until it ends; returns the final op occ when it ended in
 * `success`, else throws OperationFailed with `<OPERATION> <STATE>: <title>: <detail>`.
 * Ctrl-C (SIGINT) stops waiting and says the operation goes on.
 */
export async function waitForOpOcc(
  client: OpOccClient,
  id: string,
  opts: WaitOptions = {},
): Promise<OpOccSnapshot> {
  const success = opts.success ?? 'COMPLETED';
  const out = opts.out ?? process.stderr;
  const display = new WaitDisplay(out);
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort();
  process.once('SIGINT', onSigint);
  let op: OpOccSnapshot;
  try {
    op = await followOpOcc(client, id, (o) => display.show(o), interrupted.signal);
  } catch (e) {
    if (interrupted.signal.aborted) {
      display.stop();
      out.write(`stopped waiting after ${display.elapsed}; operation ${id} goes on (vnfm op wait ${id})\n`);
      process.exit(130);
    }
    throw e;
  } finally {
    display.stop();
    process.removeListener('SIGINT', onSigint);
  }
  const what = `${oneLine(op.operation, 40)} ${oneLine(op.operationState, 40)}`;
  if (op.operationState !== success) {
    const error = op.error ? `: ${errorLine(op)}` : '';
    const { step } = progressParts(op._progress);
    const at = step ? `; at step ${step}` : '';
    throw new OperationFailed(`${what}${error} (op ${id}${at})`);
  }
  out.write(`${what} in ${display.elapsed}\n`);
  return op;
}
