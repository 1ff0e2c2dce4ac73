// Notification receivers on loopback for the benchmarks, in a child process of their
// own (so neither the VNFM's nor the benchmark's event loop delays an arrival): each
// listens on its own port, answers the VNFM's test GET with 204 at once, and answers
// every POST with 204 after its `delayMs` (0: at once). Per POST it records when the
// body had arrived and when the answer went out, with the notification's id,
// subscriptionId, timeStamp and what it is about; the benchmark fetches the records over IPC.
import { fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  /** Index of the receiver (the order they were asked for). */
  receiver: number;
  id: string;
  subscriptionId: string;
  notificationType: string;
  vnfInstanceId: string;
  /** Op occ notifications only. */
  vnfLcmOpOccId?: string;
  operationState?: string;
  /** The body's timeStamp, in ms since the epoch. */
  timeStamp: number;
  /** Date.now() when the whole body had arrived. */
  arrivedAt: number;
  /** Date.now() when the 204 was sent (arrivedAt + the receiver's delay). */
  answeredAt: number;
}

export interface Receivers {
  /** Base URL of each receiver, in the order asked for. */
  urls: string[];
  /** Every POST recorded since the start, in arrival order. */
  arrivals: () => Promise<Arrival[]>;
  /** How many POSTs each receiver got so far. */
  counts: () => Promise<number[]>;
  close: () => Promise<void>;
}

type Command = { op: 'arrivals' | 'counts' | 'close' };
const CHILD_FLAG = '--receivers-child';

/** Starts one receiver per entry of `delaysMs` (its POST answer delay) in a child process. */
export async function startReceivers(delaysMs: number[]): Promise<Receivers> {
  const child = fork(import.meta.filename, [CHILD_FLAG], { stdio: 'inherit' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // One command at a time: each answer is the next message.
  let queue: Promise<unknown> = Promise.resolve();
  const ask = <T>(cmd: Command | { op: 'start'; delaysMs: number[] }): Promise<T> => {
    const next = queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          const onExit = () => reject(new Error('the receivers process exited'));
          child.once('exit', onExit);
          child.once('message', (m) => {
            child.off('exit', onExit);
            resolve(m as T);
          });
          child.send(cmd);
        }),
    );
    queue = next.catch(() => {});
    return next;
  };
  const urls = await ask<string[]>({ op: 'start', delaysMs });
  return {
    urls,
    arrivals: () => ask<Arrival[]>({ op: 'arrivals' }),
    counts: () => ask<number[]>({ op: 'counts' }),
    close: async () => {
      await ask({ op: 'close' }).catch(() => {});
      await exited;
    },
  };
}

/** The child's side: the receivers, and the answers to the parent's commands. */
function childMain(): void {
  const arrivals: Arrival[] = [];
  let counts: number[] = [];
  const servers: Server[] = [];
  const start = async (delaysMs: number[]): Promise<string[]> => {
    counts = delaysMs.map(() => 0);
    for (const [receiver, delay] of delaysMs.entries()) {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (req.method !== 'POST') return void res.writeHead(204).end();
          const arrivedAt = Date.now();
          counts[receiver]!++;
          const answer = () => {
            res.writeHead(204).end();
            try {
              const n = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              arrivals.push({
                receiver,
                id: String(n.id),
                subscriptionId: String(n.subscriptionId),
                notificationType: String(n.notificationType),
                vnfInstanceId: String(n.vnfInstanceId),
                vnfLcmOpOccId: n.vnfLcmOpOccId,
                operationState: n.operationState,
                timeStamp: Date.parse(n.timeStamp),
                arrivedAt,
                answeredAt: Date.now(),
              });
            } catch {
              // Not a notification: counted, not recorded (the benchmark reports the shortfall).
            }
          };
          if (delay > 0) setTimeout(answer, delay);
          else answer();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
    }
    return servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  };
  process.on('message', (cmd: Command | { op: 'start'; delaysMs: number[] }) => {
    const reply = (m: unknown) => process.send?.(m ?? null);
    switch (cmd.op) {
      case 'start':
        void start(cmd.delaysMs).then(reply);
        return;
      case 'arrivals':
        return reply(arrivals);
      case 'counts':
        return reply(counts);
      case 'close':
        for (const s of servers) s.closeAllConnections();
        void Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))).then(() =>
          process.send?.(null, () => process.exit(0)),
        );
    }
  });
}

if (process.argv.includes(CHILD_FLAG)) childMain();
