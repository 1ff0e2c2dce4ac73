// Server-sent events of op occs, so that a client (the CLI's --wait) follows an
// operation without polling:
//
//   GET /vnflcm/v1/vnf_lcm_op_occs/{id}/events   one op occ: its representation at once,
//       then at each change (state transition, `_progress` write); ends after COMPLETED,
//       FAILED or ROLLED_BACK. FAILED_TEMP is not final (retry or rollback may follow):
//       the stream stays open and the client decides whether to stop there.
//   GET /vnflcm/v1/vnf_lcm_op_occs/events[?vnfInstanceId=]   every op occ's changes
//       (those of one instance), beginning with the op occs not in a final state; never ends.
//
// Each event is `event: opocc` with `data:` the op occ as GET shows it, on one line; a
// comment line (`: heartbeat`) every 15 s keeps proxies from closing an idle stream.
// Changes are found by the signal raised after each op occ write (src/lcm/changes.ts):
// in-process, and on PostgreSQL by LISTEN, so a `vnfm worker` elsewhere is followed too;
// a slow poll covers a LISTEN connection being made again. Events are coalesced: a
// client sees the latest representation, never an older one after a newer.
import { Type } from '@sinclair/typebox';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../context.ts';
import { isPostgres } from '../db/connect.ts';
import { listenFor } from '../db/postgres.ts';
import { getOpOcc, OP_OCC_CHANNEL, queryOpOccs } from '../db/queries/op-occs.ts';
import { notFound, ProblemError } from '../errors.ts';
import { onOpOccChanged, opOccChanged } from '../lcm/changes.ts';
import type { OperationState, VnfLcmOpOcc } from '../lcm/model.ts';
import { eventStreamsOpen } from '../metrics/registry.ts';
import { Id, strictObject } from './schemas/primitives.ts';
import { opOccView } from './vnflcm.ts';

export const EVENT_NAME = 'opocc';
export const FINAL_STATES: readonly OperationState[] = ['COMPLETED', 'FAILED', 'ROLLED_BACK'];

export interface EventStreamOptions {
  /** Streams open at once; one more is a 503. */
  maxStreams?: number;
  heartbeatMs?: number;
  /** Each stream reads its op occs again this often whatever the signals say. */
  pollMs?: number;
}

const BASE = '/vnflcm/v1/vnf_lcm_op_occs';
const OneParams = strictObject({ id: Id({ maxLength: 64 }) });
const AllQuery = strictObject({ vnfInstanceId: Type.Optional(Id({ maxLength: 64 })) });

export const eventText = (o: VnfLcmOpOcc) =>
  `event: ${EVENT_NAME}\ndata: ${JSON.stringify(opOccView(o))}\n\n`;

/** One open stream: what it follows, and how it reads again. */
interface Stream {
  /** An op occ changed (undefined: any may have). */
  changed(id: string | undefined): void;
  end(): void;
  /** Resolves once the response is over (sent to its end, or the client gone). */
  finished: Promise<void>;
}

export function opOccEventRoutes(app: FastifyInstance, ctx: AppContext, opts: EventStreamOptions = {}): void {
  const maxStreams = opts.maxStreams ?? 100;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const pollMs = opts.pollMs ?? 5_000;
  const streams = new Set<Stream>();
  let unsubscribe: (() => void) | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let closing = false;

  // Signals are followed only while some stream is open.
  const follow = () => {
    if (unsubscribe) return;
    unsubscribe = onOpOccChanged((id) => {
      for (const s of streams) s.changed(id);
    });
    if (isPostgres(ctx.config.database))
      unlisten = listenFor(
        ctx.config.database,
        OP_OCC_CHANNEL,
        (id) => opOccChanged(id),
        (err) => ctx.log.warn({ err }, 'op occ LISTEN connection lost; event streams poll until it is back'),
      );
  };
  const unfollow = async () => {
    unsubscribe?.();
    unsubscribe = undefined;
    const u = unlisten;
    unlisten = undefined;
    await u?.();
  };

  // Open streams would keep app.close() waiting for their responses: they end first.
  app.addHook('preClose', async () => {
    closing = true;
    const open = [...streams];
    for (const s of open) s.end();
    // Ended and sent before the server closes (each says Connection: close, so no socket lingers idle).
    await Promise.all(open.map((s) => s.finished));
    await unfollow();
  });

  /** Opens the response; `read` gives the events to send after a change (and at once). */
  const open = (
    reply: FastifyReply,
    read: (id: string | undefined) => Promise<{ events: string[]; done: boolean }>,
  ) => {
    if (closing) throw new ProblemError(503, 'Service Unavailable', 'the VNFM is shutting down');
    if (streams.size >= maxStreams)
      throw new ProblemError(
        503,
        'Service Unavailable',
        `${maxStreams} event streams are open, the most this VNFM serves at once; try again later`,
      );
    const out = new PassThrough();
    // Sends the headers now: a stream with nothing to tell yet is open all the same.
    out.write(': open\n\n');
    let reading: Promise<void> | undefined;
    let again: { id: string | undefined } | undefined;
    let ended = false;
    const heartbeat = setInterval(() => out.write(': heartbeat\n\n'), heartbeatMs);
    const poll = setInterval(() => stream.changed(undefined), pollMs);
    const finished = new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));
    const stream: Stream = {
      finished,
      changed(id) {
        if (ended) return;
        if (reading) {
          // One read at a time, in order; changes meanwhile make one more (of everything if ids differ).
          again = again && again.id !== id ? { id: undefined } : { id };
          return;
        }
        reading = read(id)
          .then(({ events, done }) => {
            for (const e of events) out.write(e);
            if (done) stream.end();
          })
          .catch((err) => {
            ctx.log.warn({ err }, 'op occ event stream: read failed');
          })
          .finally(() => {
            reading = undefined;
            const next = again;
            again = undefined;
            if (next) stream.changed(next.id);
          });
      },
      end() {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        clearInterval(poll);
        streams.delete(stream);
        eventStreamsOpen(-1);
        out.end();
        if (streams.size === 0) void unfollow();
      },
    };
    streams.add(stream);
    eventStreamsOpen(1);
    follow();
    // The client went away (or the socket broke): nothing more to send.
    reply.raw.once('close', () => stream.end());
    void reply
      .code(200)
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-accel-buffering', 'no')
      // A stream holds its connection to the end: none is reused after it, and none idles after a close.
      .header('connection', 'close')
      .send(out);
    stream.changed(undefined); // the current representation, once subscribed
    return reply;
  };

  app.get<{ Params: { id: string } }>(
    `${BASE}/:id/events`,
    {
      schema: {
        params: OneParams,
        summary: 'Follow an LCM operation occurrence (server-sent events)',
        description:
          'text/event-stream: `event: opocc` with the op occ (with `_progress`) as data, at once and at each change; ends after COMPLETED, FAILED or ROLLED_BACK, stays open through FAILED_TEMP. `: heartbeat` comments every 15 s.',
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const first = await getOpOcc(ctx.db, id);
      if (!first) throw notFound(`VNF LCM operation occurrence ${id} does not exist`);
      if (req.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').send();
      let last = '';
      return open(reply, async (changedId) => {
        if (changedId !== undefined && changedId !== id) return { events: [], done: false };
        const op = await getOpOcc(ctx.db, id);
        if (!op) return { events: [], done: true }; // deleted with its instance
        const text = eventText(op);
        const events = text === last ? [] : [text];
        last = text;
        return { events, done: FINAL_STATES.includes(op.operationState) };
      });
    },
  );

  app.get<{ Querystring: { vnfInstanceId?: string } }>(
    `${BASE}/events`,
    {
      schema: {
        querystring: AllQuery,
        summary: 'Follow every LCM operation occurrence, or those of one VNF instance (server-sent events)',
        description:
          'text/event-stream: `event: opocc` per change of any op occ (of `vnfInstanceId` if given), beginning with those not in a final state; never ends.',
      },
    },
    async (req, reply) => {
      const instance = req.query.vnfInstanceId;
      if (req.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').send();
      /** What was last sent per op occ not yet final (final ones are forgotten once sent). */
      const sent = new Map<string, string>();
      const emit = (ops: VnfLcmOpOcc[]) => {
        const events: string[] = [];
        for (const op of ops) {
          if (instance !== undefined && op.vnfInstanceId !== instance) continue;
          const text = eventText(op);
          if (sent.get(op.id) === text) continue;
          events.push(text);
          const final = FINAL_STATES.includes(op.operationState);
          if (final) sent.delete(op.id);
          else sent.set(op.id, text);
        }
        return { events, done: false };
      };
      return open(reply, async (changedId) => {
        if (changedId !== undefined) {
          const op = await getOpOcc(ctx.db, changedId);
          return emit(op ? [op] : []);
        }
        // Everything may have changed: the op occs not final, and those followed until now.
        const active = await queryOpOccs(ctx.db, [
          { op: 'nin', path: ['operationState'], values: [...FINAL_STATES] },
          ...(instance !== undefined
            ? [{ op: 'eq' as const, path: ['vnfInstanceId'], values: [instance] }]
            : []),
        ]);
        const followed = await Promise.all(
          [...sent.keys()].filter((id) => !active.some((o) => o.id === id)).map((id) => getOpOcc(ctx.db, id)),
        );
        return emit([...active, ...followed.filter((o): o is VnfLcmOpOcc => o !== undefined)]);
      });
    },
  );
}
