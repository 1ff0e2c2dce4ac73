// One hook's work on the cluster: the shells it opened, the scripts staged per host,
// the secrets its errors must never show, and the script actions as journaled steps
// (a retry of the op occ replays a finished step's result instead of running it again:
// no second `init`, no second join).
import { posix } from 'node:path';
import type { HookContext, HostShell } from '../driver.ts';
import type { ClusterFacts, ClusterNode } from './cluster.ts';
import type { ClusterParams } from './params.ts';
import { requestSecrets } from './params.ts';
import { expectOk, runScript, scriptFiles, Shells, stageScripts } from './remote.ts';
import { stringsIn } from './result.ts';

/** What script actions a staged host runs. */
export type ScriptKind = 'k8s' | 'helm';

/** The ServiceAccount whose token the VIM gets (never `default`). */
export const SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'vnfm-vim' } as const;
/** Port the API servers listen on. */
export const API_PORT = 6443;

export class ClusterOp {
  readonly ctx: HookContext;
  readonly p: ClusterParams;
  readonly #shells: Shells;
  readonly #secrets = new Set<string>();
  #files: Promise<{ path: string; data: Buffer }[]> | undefined;
  readonly #staged = new Map<string, Promise<string>>();

  constructor(ctx: HookContext, p: ClusterParams, facts?: ClusterFacts) {
    this.ctx = ctx;
    this.p = p;
    this.#shells = new Shells(ctx);
    this.addSecrets(requestSecrets(p));
    if (facts) this.addSecrets([facts.token, ...stringsIn(facts.join)]);
  }

  /** Strings to redact from any output quoted in errors (short ones are left: they would redact everything). */
  addSecrets(values: readonly unknown[]): void {
    for (const v of stringsIn(values)) if (v.length >= 6) this.#secrets.add(v);
  }

  get secrets(): string[] {
    return [...this.#secrets];
  }

  async shell(node: ClusterNode): Promise<HostShell> {
    const secrets = [node.bound.host.password, node.bound.host.private_key];
    this.addSecrets(secrets.filter((s) => s !== undefined));
    return this.#shells.get(node.bound);
  }

  /** Package-relative script path of a kind (the Helm one only when the request names it). */
  script(kind: ScriptKind): string {
    if (kind === 'k8s') return this.p.script_path;
    if (!this.p.helm_installation_script_path) throw new Error('no helm_installation_script_path');
    return this.p.helm_installation_script_path;
  }

  #scriptPaths(): string[] {
    return [
      this.p.script_path,
      ...(this.p.helm_installation_script_path ? [this.p.helm_installation_script_path] : []),
    ];
  }

  /** Every file staged with the scripts, verified against the package manifest once per hook. */
  #packageFiles() {
    this.#files ??= (async () => {
      const all = new Map<string, Buffer>();
      for (const s of this.#scriptPaths())
        for (const f of await scriptFiles(this.ctx, s)) all.set(f.path, f.data);
      return [...all].map(([path, data]) => ({ path, data }));
    })();
    return this.#files;
  }

  /** The host's staging directory with the scripts in it (journaled: staged once per op occ and host). */
  staged(node: ClusterNode): Promise<string> {
    // By VNFC and host: a healed VNFC keeps its id on its new host.
    const key = `${node.bound.vnfcId}@${node.bound.host.id}`;
    let dir = this.#staged.get(key);
    if (!dir) {
      dir = this.ctx.journal.step(`stage:${key}`, () => this.stageNow(node));
      this.#staged.set(key, dir);
    }
    return dir;
  }

  /** Stages without the journal (cleanHost: a released host may have lost what was staged). */
  async stageNow(node: ClusterNode): Promise<string> {
    const shell = await this.shell(node);
    const bases = [...new Set(this.#scriptPaths().map((s) => posix.dirname(s)))];
    return stageScripts(shell, this.ctx.opOcc.id, await this.#packageFiles(), bases);
  }

  /** Runs a script action on a node as journaled step `step`; returns its MGMT_RESULT. */
  action(
    node: ClusterNode,
    kind: ScriptKind,
    action: string,
    params: Record<string, unknown>,
    step: string,
  ): Promise<Record<string, unknown>> {
    return this.ctx.journal.step(step, () => this.actionNow(node, kind, action, params, step));
  }

  /** The same without the journal (checks and wipes that may run again). */
  async actionNow(
    node: ClusterNode,
    kind: ScriptKind,
    action: string,
    params: Record<string, unknown>,
    step: string,
    dir?: string,
  ): Promise<Record<string, unknown>> {
    this.addSecrets([params]);
    const stagedDir = dir ?? (await this.staged(node));
    const result = await runScript({
      shell: await this.shell(node),
      dir: stagedDir,
      script: this.script(kind),
      action,
      params,
      step,
      secrets: this.secrets,
      timeoutMs: this.ctx.timeoutMs,
    });
    this.addSecrets([result.token, result.join]);
    return result;
  }

  /** Runs argv on a node, rc 0 expected; returns stdout. */
  async run(node: ClusterNode, step: string, argv: readonly string[], timeoutMs?: number): Promise<string> {
    return expectOk(await this.shell(node), step, argv, this.secrets, timeoutMs ?? this.ctx.timeoutMs);
  }

  close(): Promise<void> {
    return this.#shells.closeAll();
  }
}

/** Runs `fn` with a ClusterOp, closing its shells afterwards whatever happens. */
export async function withOp<T>(
  ctx: HookContext,
  p: ClusterParams,
  facts: ClusterFacts | undefined,
  fn: (op: ClusterOp) => Promise<T>,
): Promise<T> {
  const op = new ClusterOp(ctx, p, facts);
  try {
    return await fn(op);
  } finally {
    await op.close();
  }
}
