// Why a fetch() failed, in one line. fetch's own message is "fetch failed"; the reason
// an operator needs (ECONNREFUSED, a certificate the VNFM does not trust, no answer in
// time) is in its `cause` chain.
import { brief } from './api/brief.ts';

export function fetchFailure(e: unknown, timeoutMs?: number): string {
  const err = e as Error & { cause?: unknown };
  if (err?.name === 'TimeoutError')
    return timeoutMs ? `no answer within ${timeoutMs / 1000} s` : 'no answer in time';
  let cause = err?.cause;
  while (cause && typeof cause === 'object') {
    const c = cause as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.message === 'string' && c.message) {
      const code = typeof c.code === 'string' && !c.message.includes(c.code) ? ` (${c.code})` : '';
      return brief(`${c.message.split('\n')[0]}${code}`, 200);
    }
    cause = c.cause;
  }
  return brief(String(err?.message ?? e).split('\n')[0] ?? '', 200);
}
