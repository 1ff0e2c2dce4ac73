// Kysely over PostgreSQL (node-postgres pool): the production store, shared by
// several VNFM processes.
import { PostgresDialect } from 'kysely';
import pg from 'pg';

export function postgresDialect(url: string, poolSize = 10): PostgresDialect {
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: poolSize }) });
}

/**
 * LISTENs on `channel` with a connection of its own (a pooled one would be handed to
 * queries), calling `onNotify` per notification. The connection is made again after
 * `retryMs` when it fails, until the returned function is called; meanwhile callers
 * rely on polling, so a lost connection delays work but loses none. `onNotify` gets the
 * notification's payload; undefined once (re)connected, when anything may have been missed.
 */
export function listenFor(
  url: string,
  channel: string,
  onNotify: (payload?: string) => void,
  onError: (err: unknown) => void,
  retryMs = 1000,
): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const connect = () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    const again = (err: unknown) => {
      if (client !== c || stopped) return;
      client = undefined;
      onError(err);
      void c.end().catch(() => {});
      timer = setTimeout(connect, retryMs);
      timer.unref();
    };
    c.on('error', again);
    c.on('end', () => again(new Error('the LISTEN connection closed')));
    c.on('notification', (m) => onNotify(m.payload));
    c.connect()
      .then(() => c.query(`LISTEN ${c.escapeIdentifier(channel)}`))
      // Rows written while it was not listening are found by the caller's poll.
      .then(() => onNotify(), again);
  };
  connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  };
}
