// The one helm command builder, shared by the SSH and the local transport: every
// helm invocation of the driver is an argv array made here, for the helm version
// that will run it (Helm 3 and 4 differ in a few flags). Arrays, never strings:
// the SSH transport quotes each element, the local one passes it to execve.
// Nothing secret is ever an argument (credentials travel by kubeconfig or SSH).
import { MAX_TIMER_MS, timerMs } from '../../timers.ts';
import { HelmError } from './errors.ts';
import type { HelmParameter } from './params.ts';

export interface HelmVersion {
  major: number;
  minor: number;
  patch: number;
  /** As helm printed it (`v3.22.0+g…`, or `v3.22` for builds stamped without a patch). */
  text: string;
}

/** Reads `helm version --short` output; throws when it is not a helm 3 or 4 version. */
export function parseHelmVersion(out: string): HelmVersion {
  const text = out.trim().split('\n')[0]?.trim() ?? '';
  const m = /^v(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) throw new Error(`cannot read the helm version from ${JSON.stringify(text.slice(0, 80))}`);
  const v = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text };
  if (v.major !== 3 && v.major !== 4) throw new Error(`helm ${text} is not supported (Helm 3 or 4 is)`);
  return v;
}

/** Release labels (`--labels`, stored on the release's Secret) exist from helm 3.13 (helm/helm#10533). */
export const supportsReleaseLabels = (v: HelmVersion) => v.major > 3 || (v.major === 3 && v.minor >= 13);

/** `--set-json` exists from helm 3.10 (helm/helm#10693). */
export const supportsSetJson = (v: HelmVersion) => v.major > 3 || (v.major === 3 && v.minor >= 10);

/** `--set-literal` exists from helm 3.12 (helm/helm#9182). */
export const supportsSetLiteral = (v: HelmVersion) => v.major > 3 || (v.major === 3 && v.minor >= 12);

// What helm's strvals parser would interpret in a --set value rather than keep: ',' separates
// assignments, '\' escapes, and a leading '{' starts a list.
const STRVALS_SPECIAL = /[,\\]|^\{/;

/**
 * The flags that make helm set `key` to exactly `value`. A plain value keeps `--set`, so
 * numbers and booleans are typed as operators expect (`replicaCount=2`); a value helm would
 * otherwise split or reinterpret is passed whole with `--set-literal`, or, on a helm older
 * than 3.12, escaped per strvals' rules under `--set-string`.
 */
export function setFlags(p: HelmParameter, v: HelmVersion): string[] {
  // A helm_parameters value (v2 style) is JSON: helm decodes it whole, nothing re-parsed.
  if (p.json) {
    if (!supportsSetJson(v))
      throw new HelmError(
        `helm ${v.text} has no --set-json (helm 3.10 or later passes helm_parameters exactly)`,
      );
    return ['--set-json', `${p.key}=${p.value}`];
  }
  if (!STRVALS_SPECIAL.test(p.value)) return ['--set', `${p.key}=${p.value}`];
  if (supportsSetLiteral(v)) return ['--set-literal', `${p.key}=${p.value}`];
  const escaped = p.value.replace(/[,\\]/g, (c) => `\\${c}`).replace(/^\{/, '\\{');
  return ['--set-string', `${p.key}=${escaped}`];
}

export interface WaitOptions {
  timeoutSeconds: number;
}

/** The most slack the VNFM gives a helm command past its --timeout (see runTimeoutMs). */
const MAX_SLACK_MS = 60_000;

/** helm's --timeout for a wait, in whole seconds: at least 1, and small enough that runTimeoutMs fits a timer. */
export const helmTimeoutSeconds = (w: WaitOptions): number =>
  Math.min(Math.floor((MAX_TIMER_MS - MAX_SLACK_MS) / 1000), Math.max(1, Math.ceil(w.timeoutSeconds)));

/**
 * The VNFM's deadline for a helm command given `--timeout`, after which it stops the command
 * (the transports kill it). Always later than helm's own timeout, so helm normally reports
 * first; but not much later, because helm's timeout bounds each phase (every hook, the wait),
 * not the command: a quarter more, between 5 and 60 s.
 */
export function runTimeoutMs(w: WaitOptions): number {
  const ms = helmTimeoutSeconds(w) * 1000;
  return timerMs(ms + Math.min(MAX_SLACK_MS, Math.max(5_000, ms / 4)));
}

export interface ReleaseRef {
  release: string;
  /** Absent: the kubeconfig context's namespace. */
  namespace?: string;
}

export interface InstallOptions extends ReleaseRef {
  /** A chart directory, or `<repo>/<chart>`. */
  chart: string;
  /** Chart version to pin (repository charts). */
  version?: string;
  createNamespace?: boolean;
  /** `helmparameter` entries, then replica values: later ones win in helm. */
  values?: HelmParameter[];
  description?: string;
  /** Release labels (values must be label values: no ','); left out on helm older than 3.13. */
  labels?: Record<string, string>;
  wait?: WaitOptions;
  /** Undo the operation when it fails (`--atomic` in Helm 3, `--rollback-on-failure` in 4). */
  rollbackOnFailure?: boolean;
  /** Replace resources that cannot be patched (`--force` in Helm 3, `--force-replace` in 4). */
  forceReplace?: boolean;
  /** Print the release written, manifest included, as JSON (`-o json`; HelmCli.write reads it). */
  json?: boolean;
}

export interface UpgradeOptions extends Omit<InstallOptions, 'createNamespace'> {
  /** Keep the release's values and change only those given (scale changes one path). */
  reuseValues?: boolean;
  /** Start from the chart's own defaults, dropping the release's values (a package change gives them all again). */
  resetValues?: boolean;
  /**
   * Helm 4's server-side apply takes fields other managers own (the VNFM's own replica
   * counts set through the scale subresource) instead of failing on the conflict. Helm 3
   * applies client-side and has no such conflict: left out there.
   */
  forceConflicts?: boolean;
}

const ns = (r: ReleaseRef) => (r.namespace ? ['--namespace', r.namespace] : []);

export class HelmCommands {
  readonly version: HelmVersion;

  constructor(version: HelmVersion) {
    this.version = version;
  }

  get helm4(): boolean {
    return this.version.major >= 4;
  }

  /** Helm 3's `--wait` is a switch; Helm 4's takes a strategy, and `watcher` (kstatus) is its readiness check. */
  waitFlags(w: WaitOptions | undefined): string[] {
    if (!w) return [];
    return [this.helm4 ? '--wait=watcher' : '--wait', '--timeout', `${helmTimeoutSeconds(w)}s`];
  }

  #common(o: InstallOptions | UpgradeOptions): string[] {
    const out: string[] = [];
    if (o.version) out.push('--version', o.version);
    for (const p of o.values ?? []) out.push(...setFlags(p, this.version));
    if (o.description !== undefined) out.push('--description', o.description);
    const labels = Object.entries(o.labels ?? {});
    if (labels.length > 0 && supportsReleaseLabels(this.version))
      out.push('--labels', labels.map(([k, v]) => `${k}=${v}`).join(','));
    out.push(...this.waitFlags(o.wait));
    if (o.rollbackOnFailure) out.push(this.helm4 ? '--rollback-on-failure' : '--atomic');
    if (o.forceReplace) out.push(this.helm4 ? '--force-replace' : '--force');
    if (o.json) out.push('-o', 'json');
    return out;
  }

  versionShort(): string[] {
    return ['helm', 'version', '--short'];
  }

  install(o: InstallOptions): string[] {
    return [
      'helm',
      'install',
      o.release,
      o.chart,
      ...ns(o),
      ...(o.createNamespace && o.namespace ? ['--create-namespace'] : []),
      ...this.#common(o),
    ];
  }

  upgrade(o: UpgradeOptions): string[] {
    return [
      'helm',
      'upgrade',
      o.release,
      o.chart,
      ...ns(o),
      ...(o.reuseValues ? ['--reuse-values'] : []),
      ...(o.resetValues ? ['--reset-values'] : []),
      ...(o.forceConflicts && this.helm4 ? ['--force-conflicts'] : []),
      ...this.#common(o),
    ];
  }

  uninstall(o: ReleaseRef & { wait?: WaitOptions }): string[] {
    return ['helm', 'uninstall', o.release, ...ns(o), ...this.waitFlags(o.wait)];
  }

  rollback(
    o: ReleaseRef & {
      revision: number;
      wait?: WaitOptions;
      forceReplace?: boolean;
      forceConflicts?: boolean;
    },
  ): string[] {
    if (!Number.isInteger(o.revision) || o.revision < 1) throw new RangeError(`bad revision ${o.revision}`);
    return [
      'helm',
      'rollback',
      o.release,
      String(o.revision),
      ...ns(o),
      ...this.waitFlags(o.wait),
      ...(o.forceReplace ? [this.helm4 ? '--force-replace' : '--force'] : []),
      ...(o.forceConflicts && this.helm4 ? ['--force-conflicts'] : []),
    ];
  }

  getManifest(o: ReleaseRef): string[] {
    return ['helm', 'get', 'manifest', o.release, ...ns(o)];
  }

  getValues(o: ReleaseRef & { all?: boolean }): string[] {
    return ['helm', 'get', 'values', o.release, ...ns(o), ...(o.all ? ['--all'] : []), '-o', 'json'];
  }

  status(o: ReleaseRef): string[] {
    return ['helm', 'status', o.release, ...ns(o), '-o', 'json'];
  }

  history(o: ReleaseRef): string[] {
    return ['helm', 'history', o.release, ...ns(o), '-o', 'json'];
  }

  /** Releases in one namespace (or all with `allNamespaces`), in every state, optionally filtered by a regexp. */
  list(o: { namespace?: string; allNamespaces?: boolean; filter?: string } = {}): string[] {
    return [
      'helm',
      'list',
      ...(o.allNamespaces ? ['--all-namespaces'] : o.namespace ? ['--namespace', o.namespace] : []),
      '--all',
      ...(o.filter !== undefined ? ['--filter', o.filter] : []),
      '-o',
      'json',
    ];
  }

  repoAdd(name: string, url: string): string[] {
    return ['helm', 'repo', 'add', name, url];
  }

  repoRemove(name: string): string[] {
    return ['helm', 'repo', 'remove', name];
  }

  repoUpdate(name: string): string[] {
    return ['helm', 'repo', 'update', name];
  }
}
