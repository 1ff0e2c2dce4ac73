// A TCP proxy on loopback that a test can cut and restore: the way to make a
// VIM's API server "unreachable" without stopping the shared testbed cluster.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../testbed/lib/proc.ts';
import { testbed } from './testbed.ts';

export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  #drop = 0;
  #frozen = false;
  readonly #pairs = new Set<[Socket, Socket]>();
  /** Connections accepted so far (dropped ones included). */
  accepted = 0;
  readonly port: number;
  readonly targetHost: string;
  readonly targetPort: number;
  constructor(port: number, targetHost: string, targetPort: number) {
    this.port = port;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  async open(): Promise<void> {
    this.#server = createServer((client) => {
      this.accepted++;
      if (this.#frozen) {
        // Accepted and never answered: a peer gone silent, not one refusing.
        this.#sockets.add(client);
        client.on('close', () => this.#sockets.delete(client));
        client.on('error', () => client.destroy());
        return;
      }
      if (this.#drop > 0) {
        this.#drop--;
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      client.on('close', () => this.#pairs.delete(pair));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.#server?.listen(this.port, '127.0.0.1', r));
  }

  /** Accepts the next `n` connections and closes them at once, as sshd does beyond MaxStartups. */
  dropNext(n: number): void {
    this.#drop = n;
  }

  /** Keeps every connection open but passes nothing on either way, now and for new ones: a silent API server. */
  freeze(): void {
    this.#frozen = true;
    for (const [client, upstream] of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Cuts every open connection and goes on accepting new ones: a connection reset, not an outage. */
  reset(): void {
    for (const s of this.#sockets) s.destroy();
  }

  /** Stops listening and cuts every open connection. */
  async cut(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
    this.#server = undefined;
  }
}

/** An open proxy to the testbed's API server, for a VIM whose cluster a test can cut off. */
export async function apiServerProxy(): Promise<TcpProxy> {
  const api = new URL((await testbed()).apiServer);
  const proxy = new TcpProxy(await freePort(), api.hostname, Number(api.port));
  await proxy.open();
  return proxy;
}
