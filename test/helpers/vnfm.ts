// A VNFM server in the test process, over real HTTP on loopback, with its log
// captured so tests can prove what it does (and does not) write there.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { RouteOptions } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { type ConfigInput, loadConfig } from '../../src/config.ts';
import { type AppContext, closeContext, createContext } from '../../src/context.ts';
import { createLogger } from '../../src/log.ts';
import type { MgmtDriver } from '../../src/mgmt/driver.ts';

export interface TestVnfm {
  url: string;
  ctx: AppContext;
  logs: () => string;
  close: () => Promise<void>;
  request: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: any; headers: Headers; raw: Buffer }>;
}

export async function startVnfm(
  database: string,
  settings: {
    pageSize?: number;
    lcmTimeoutSeconds?: number;
    dataDir?: string;
    worker?: boolean;
    /** Whether the server counts an embedded worker as its own (VNFM_EMBEDDED_WORKER; /readyz checks it). */
    embeddedWorker?: boolean;
    refreshSeconds?: number;
    helmBinary?: string;
    packageQuotaBytes?: number;
    /** MgmtDrivers enabled: artifact name → driver id (VNFM_MGMT_DRIVERS). */
    mgmtDrivers?: Record<string, string>;
    /** Drivers registered beside the built-in ones (a test's double of a plugin), enabled by `mgmtDrivers`. */
    extraMgmtDrivers?: readonly MgmtDriver[];
    /** The server's log level (debug unless given; the log is captured either way). */
    logLevel?: 'debug' | 'trace';
    /** Called for every route the server registers (they are registered once it starts). */
    onRoute?: (route: RouteOptions) => void;
    /** Further settings, as flags would give them (authentication, TLS). */
    config?: ConfigInput;
  } = {},
): Promise<TestVnfm> {
  const dataDir = settings.dataDir ?? mkdtempSync(join(tmpdir(), 'vnfm-data-'));
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk;
      cb();
    },
  });
  const { worker = true, onRoute, extraMgmtDrivers, config: more = {}, ...rest } = settings;
  const config = loadConfig({ database, dataDir, port: 0, logLevel: 'debug', ...rest, ...more });
  const ctx = await createContext(config, createLogger(config.logLevel, sink), {
    ...(extraMgmtDrivers ? { mgmtDrivers: extraMgmtDrivers } : {}),
  });
  const app = buildServer(ctx);
  if (onRoute) app.addHook('onRoute', onRoute);
  await app.listen({ host: '127.0.0.1', port: 0 });
  if (worker) {
    ctx.worker.start();
    ctx.notifier.start();
  }
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    ctx,
    logs: () => logText,
    close: async () => {
      await app.close();
      await closeContext(ctx);
    },
    request: httpClient(url),
  };
}

/** JSON (or zip, for a Buffer body) requests to a VNFM at `url`; the body parsed when it is JSON. */
export function httpClient(url: string): TestVnfm['request'] {
  return async (method, path, body, headers = {}) => {
    const binary = Buffer.isBuffer(body);
    const res = await fetch(`${url}${path}`, {
      method,
      headers:
        body === undefined
          ? headers
          : { 'content-type': binary ? 'application/zip' : 'application/json', ...headers },
      body: body === undefined ? undefined : binary ? body : JSON.stringify(body),
    });
    const raw = Buffer.from(await res.arrayBuffer());
    let parsed: unknown = raw.toString('utf8');
    try {
      parsed = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers, raw };
  };
}
