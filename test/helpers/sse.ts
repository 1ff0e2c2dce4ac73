// A client of the VNFM's server-sent event streams (src/api/op-occ-events.ts), for
// tests: every event parsed as it arrives (name, data as JSON), comments counted,
// and a promise for the end of the stream.
import { setTimeout as sleep } from 'node:timers/promises';

export interface SseEvent {
  event: string;
  data: any;
}

export interface EventStream {
  status: number;
  headers: Headers;
  /** The body of a refused request (a ProblemDetails), when status is not 200. */
  problem?: any;
  events: SseEvent[];
  /** Comment lines seen (`: heartbeat`). */
  comments: string[];
  /** Resolves when the server ends the stream (or it is closed here). */
  ended: Promise<void>;
  /** The first event satisfying `pred` (already seen or still to come); rejects after `timeoutMs`. */
  until(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** Parses one event block (lines up to a blank line) per the text/event-stream rules we use. */
function parseBlock(block: string, comments: string[]): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) comments.push(line.slice(1).trim());
    else if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return undefined;
  return { event, data: JSON.parse(data.join('\n')) };
}

export async function openEventStream(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<EventStream> {
  const ac = new AbortController();
  const res = await fetch(`${url}${path}`, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: ac.signal,
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  if (res.status !== 200) {
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      problem: text ? JSON.parse(text) : undefined,
      events,
      comments,
      ended: Promise.resolve(),
      until: () => Promise.reject(new Error(`no stream: ${res.status}`)),
      close: () => {},
    };
  }
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const e = parseBlock(buffer.slice(0, at), comments);
          buffer = buffer.slice(at + 2);
          if (e) events.push(e);
        }
      }
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    }
  })();
  let done = false;
  void ended.finally(() => (done = true)).catch(() => {});
  return {
    status: res.status,
    headers: res.headers,
    events,
    comments,
    ended,
    async until(pred, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(pred);
        if (found) return found;
        if (done) throw new Error(`the stream ended without such an event: ${JSON.stringify(events)}`);
        if (Date.now() > deadline) throw new Error(`no such event within ${timeoutMs / 1000}s`);
        await sleep(50);
      }
    },
    close: () => ac.abort(),
  };
}
