// `vnfm version`: this CLI's version and, when the VNFM answers, the server's (from
// /healthz, which needs no credentials) and the API versions it implements (SOL013
// api_versions). An unreachable server is said on stderr; the command still succeeds.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { clientFor } from './context.ts';
import { type Column, outputOf, renderFields, serialize } from './output.ts';

interface Versions {
  client: { version: string };
  server: {
    url: string;
    version?: string;
    apiVersions?: Record<string, string[]>;
    error?: string;
  };
}

/** The version in the project's package.json (the CLI is the project). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function versions(cmd: Command): Promise<Versions> {
  const client = clientFor(cmd);
  const out: Versions = { client: { version: cliVersion() }, server: { url: client.base } };
  try {
    const health = await client.send('GET', '/healthz', { ok: [200, 503] });
    out.server.version = String((health.body as { version?: unknown }).version ?? 'unknown');
    const apiVersions: Record<string, string[]> = {};
    for (const api of ['vnflcm', 'vnfpkgm']) {
      const a = await client.get<{ apiVersions?: { version: string }[] }>(`/${api}/v1/api_versions`);
      apiVersions[api] = (a.apiVersions ?? []).map((v) => v.version);
    }
    out.server.apiVersions = apiVersions;
  } catch (e) {
    out.server.error = (e as Error).message;
  }
  return out;
}

export function addVersionCommand(program: Command): void {
  program
    .command('version')
    .description("this CLI's version and the VNFM server's (with the API versions it implements)")
    .action(async (_o, cmd: Command) => {
      const v = await versions(cmd);
      const { format } = outputOf(cmd);
      if (v.server.error) process.stderr.write(`vnfm: ${v.server.error}\n`);
      if (format === 'json' || format === 'yaml') return void process.stdout.write(serialize(v, format));
      const columns: Column<Versions>[] = [
        { header: 'client', get: (x) => x.client.version },
        {
          header: 'server',
          get: (x) =>
            x.server.version ? `${x.server.version} at ${x.server.url}` : `unreachable at ${x.server.url}`,
        },
        ...Object.keys(v.server.apiVersions ?? {}).map((api) => ({
          header: api,
          get: (x: Versions) => x.server.apiVersions?.[api],
        })),
      ];
      process.stdout.write(renderFields(v, columns));
    });
}
