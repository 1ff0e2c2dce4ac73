// helm on one host: the transport plus the command builder for the helm version
// found there (two master nodes may run different helm majors). Runs a command,
// turns a non-zero exit into an error naming the host and operation with helm's
// own message, and reads helm's JSON answers.
import { HelmCommands, parseHelmVersion, type ReleaseRef } from './commands.ts';
import { HelmError } from './errors.ts';
import type { ExecResult, RunOptions, Transport } from './transport.ts';
import { helmSubcommand, observeHelm, secondsSince } from '../../metrics/registry.ts';

export interface HistoryEntry {
  revision: number;
  status: string;
  /** `<chart name>-<chart version>`. */
  chart: string;
  app_version?: string;
  description: string;
}

/** A release as helm prints it after writing it (`install`/`upgrade -o json`): its revision and manifest at once. */
export interface ReleaseInfo extends HistoryEntry {
  manifest: string;
}

/** helm's answer for a release it does not have (status, history, get, uninstall; helm 3 and 4). */
export const isReleaseNotFound = (stderr: string) => /release: not found/.test(stderr);

/** helm install's refusal of a name some release already has (helm 3 says "re-use", helm 4 "reuse"). */
export const isNameInUse = (stderr: string) => /cannot re-?use a name that is still in use/.test(stderr);

/** Reads the release JSON helm prints with `-o json` (the same shape in helm 3 and 4). */
export function parseReleaseJson(out: string): ReleaseInfo {
  let r: {
    version?: unknown;
    manifest?: unknown;
    info?: { status?: unknown; description?: unknown };
    chart?: { metadata?: { name?: unknown; version?: unknown; appVersion?: unknown } };
  };
  try {
    r = JSON.parse(out) as typeof r;
  } catch {
    throw new HelmError(`helm printed no release JSON: ${JSON.stringify(out.slice(0, 200))}`);
  }
  const meta = r.chart?.metadata ?? {};
  if (!Number.isInteger(r.version) || typeof r.info?.status !== 'string')
    throw new HelmError('helm printed a release without a revision or status');
  return {
    revision: r.version as number,
    status: r.info.status,
    chart: `${String(meta.name ?? '')}-${String(meta.version ?? '')}`,
    ...(typeof meta.appVersion === 'string' ? { app_version: meta.appVersion } : {}),
    description: typeof r.info.description === 'string' ? r.info.description : '',
    manifest: typeof r.manifest === 'string' ? r.manifest : '',
  };
}

/** The last lines of helm's stderr, which hold its error. */
function helmMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  return lines.slice(-3).join(' | ').slice(0, 1000) || 'no message';
}

/** Runs argv on the transport; a helm command's duration goes to the metrics (every helm command passes here). */
async function timedRun(transport: Transport, argv: string[], opts: RunOptions): Promise<ExecResult> {
  const subcommand = helmSubcommand(argv);
  const started = performance.now();
  let ok = false;
  try {
    const r = await transport.run(argv, opts);
    ok = r.code === 0;
    return r;
  } finally {
    if (subcommand) observeHelm(subcommand, transport.kind, ok, secondsSince(started));
  }
}

export class HelmCli {
  readonly transport: Transport;
  readonly cmd: HelmCommands;

  private constructor(transport: Transport, cmd: HelmCommands) {
    this.transport = transport;
    this.cmd = cmd;
  }

  /** Finds the helm version on the host, so every command is built for it. */
  static async open(transport: Transport): Promise<HelmCli> {
    const version = await transport.remember('helm version', async () => {
      const r = await timedRun(transport, ['helm', 'version', '--short'], { timeoutMs: 30_000 });
      if (r.code !== 0)
        throw new HelmError(
          `${transport.where}: helm does not run: ${transport.redact(helmMessage(r.stderr))}`,
        );
      try {
        return parseHelmVersion(r.stdout);
      } catch (e) {
        throw new HelmError(`${transport.where}: ${(e as Error).message}`);
      }
    });
    return new HelmCli(transport, new HelmCommands(version));
  }

  get where(): string {
    return this.transport.where;
  }

  /** Runs argv; returns stdout, or throws naming `what` and helm's message. */
  async run(argv: string[], what: string, timeoutMs?: number): Promise<string> {
    const r = await this.tryRun(argv, timeoutMs);
    if (r.code !== 0)
      throw new HelmError(`${this.where}: ${what} failed: ${this.transport.redact(helmMessage(r.stderr))}`);
    return r.stdout;
  }

  /**
   * Runs an install or upgrade built with `json: true` and returns the release helm
   * wrote, which must be deployed: no `helm history` or `helm get manifest` after it.
   */
  async write(argv: string[], what: string, timeoutMs?: number): Promise<ReleaseInfo> {
    return this.written(await this.tryRun(argv, timeoutMs), what);
  }

  /** The release an install or upgrade with `json: true` wrote, from its result. */
  written(r: ExecResult, what: string): ReleaseInfo {
    if (r.code !== 0)
      throw new HelmError(`${this.where}: ${what} failed: ${this.transport.redact(helmMessage(r.stderr))}`);
    let rel: ReleaseInfo;
    try {
      rel = parseReleaseJson(r.stdout);
    } catch (e) {
      throw new HelmError(`${this.where}: ${what}: ${(e as Error).message}`);
    }
    if (rel.status !== 'deployed')
      throw new HelmError(`${this.where}: ${what}: revision ${rel.revision} is ${rel.status}, not deployed`);
    return rel;
  }

  tryRun(argv: string[], timeoutMs?: number) {
    return timedRun(this.transport, argv, timeoutMs !== undefined ? { timeoutMs } : {});
  }

  /** The release's revisions, oldest first; undefined when helm has no such release. */
  async history(ref: ReleaseRef): Promise<HistoryEntry[] | undefined> {
    const r = await this.tryRun(this.cmd.history(ref));
    if (r.code !== 0) {
      if (isReleaseNotFound(r.stderr)) return undefined;
      throw new HelmError(
        `${this.where}: helm history ${ref.release} failed: ${this.transport.redact(helmMessage(r.stderr))}`,
      );
    }
    const list = JSON.parse(r.stdout || '[]') as HistoryEntry[];
    return list.map((h) => ({ ...h, revision: Number(h.revision) })).sort((a, b) => a.revision - b.revision);
  }

  manifest(ref: ReleaseRef): Promise<string> {
    return this.run(this.cmd.getManifest(ref), `helm get manifest ${ref.release}`);
  }

  async values(ref: ReleaseRef): Promise<Record<string, unknown>> {
    const out = await this.run(this.cmd.getValues(ref), `helm get values ${ref.release}`);
    return (JSON.parse(out || '{}') ?? {}) as Record<string, unknown>;
  }

  /** The namespace helm uses when none is given: its kubeconfig context's (`helm env`). */
  async defaultNamespace(): Promise<string> {
    const out = await this.run(['helm', 'env'], 'helm env');
    return /^HELM_NAMESPACE="?([^"\n]*)"?$/m.exec(out)?.[1] || 'default';
  }
}
