// The MgmtDriver contract. A VNFD's `interfaces.Vnflcm.<hook>.implementation` names an
// artifact; configuration (VNFM_MGMT_DRIVERS) maps artifact names to drivers compiled
// into the VNFM, so package code never runs on the VNFM host. The LCM workflows call
// `<op>_start` before the infra driver acts and `<op>_end` after it. A hook is re-run
// whole on retry: every step with an effect goes through `ctx.journal.step`, which runs
// it once per op occ and replays its recorded output afterwards.
import type { LcmOperation, VimConnectionInfo, VnfInstance, VnfLcmOpOcc } from '../lcm/model.ts';
import type { BoundHost } from '../infra/hosts/model.ts';
import type { Logger } from '../log.ts';
import type { Flavour } from '../packages/vnfd/index.ts';
import type { ExecResult } from '../ssh/session.ts';
import type { Vim } from '../vim/model.ts';

export const HOOKS = [
  'instantiate_start',
  'instantiate_end',
  'scale_start',
  'scale_end',
  'heal_start',
  'heal_end',
  'terminate_start',
  'terminate_end',
  'modify_information_start',
  'modify_information_end',
] as const;
export type HookName = (typeof HOOKS)[number];

/** Runs each named step once per op occ; outputs are JSON, sealed at rest (they may hold tokens). */
export interface StepJournal {
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** The recorded output of a finished step of this op occ, if any. */
  done<T>(name: string): Promise<T | undefined>;
}

/** Driver-owned state of one VNF instance that outlives op occs (cluster facts, VIM id); sealed at rest. */
export interface InstanceStore {
  get<T>(): Promise<T | undefined>;
  set<T>(value: T): Promise<void>;
}

/** A shell on one pool host: pinned host key, the pool's (or the request's) credential. */
export interface HostShell {
  readonly host: BoundHost;
  /** The login user's home directory (absolute). */
  readonly home: string;
  /**
   * Runs argv, every argument quoted; resolves with any exit code (never throws on one).
   * No stdin: the channel's stdin is the command's guard (src/ssh/session.ts), so secrets
   * go in a file written by `writeFile`, never in argv. Deadline: `timeoutMs`, else the context's.
   */
  exec(argv: readonly string[], opts?: { timeoutMs?: number }): Promise<ExecResult>;
  /** Writes a file by SFTP (mode default 0600, set before the content is written), creating nothing else. */
  writeFile(remotePath: string, content: string | Buffer, mode?: number): Promise<void>;
  /** Copies local files by SFTP (mode default 0600). */
  putFiles(files: readonly { local: string; remote: string; mode?: number }[]): Promise<void>;
  close(): Promise<void>;
}

/** What a driver may do to VIMs: only those it registered for its own instance. */
export interface OwnedVims {
  /** Registers (or, same owner and name, updates in place) a Kubernetes VIM; the cluster is proven first. Idempotent. */
  upsert(body: {
    name: string;
    auth_url: string;
    auth_cred: { bearer_token: string; ssl_ca_cert: string };
    extra?: Record<string, unknown>;
  }): Promise<Vim>;
  get(vimId: string): Promise<Vim | undefined>;
  /** Marks the VIM UNREACHABLE while its cluster is rebuilt. */
  setStatus(vimId: string, status: Vim['status']): Promise<void>;
  remove(vimId: string): Promise<void>;
  /** Ids of VNF instances (other than the owner) whose vimConnectionInfo uses the VIM. */
  usedBy(vimId: string): Promise<string[]>;
}

export interface HookContext {
  hook: HookName;
  opOcc: Pick<VnfLcmOpOcc, 'id' | 'operation' | 'operationParams'> & { operation: LcmOperation };
  /** The instance as stored when the hook starts. */
  instance: Readonly<VnfInstance>;
  flavour: Flavour;
  /** additionalParams of the instantiate request, secrets included (sealed at rest; never log them). */
  instantiateParams: Record<string, unknown>;
  /** additionalParams of this operation's request (instantiate: the same as instantiateParams). */
  operationParams: Record<string, unknown>;
  /** Pool hosts bound to the instance now, in binding order. */
  vnfcs: BoundHost[];
  /** What this operation changes: hosts bound (`added`), to be released (`removed`), swapped by heal (`replaced`). */
  changes: { added: BoundHost[]; removed: BoundHost[]; replaced: { before: BoundHost; after: BoundHost }[] };
  /** Absolute path of the package's extracted content; read only files the manifest hashes (verifiedFile). */
  packageRoot: string;
  /** A package file's bytes after checking its SHA-256 against the package manifest; throws if unlisted or changed. */
  verifiedFile(path: string): Promise<Buffer>;
  journal: StepJournal;
  store: InstanceStore;
  vims: OwnedVims;
  ssh(host: BoundHost): Promise<HostShell>;
  log: Logger;
  /** Deadline for one step's remote commands. */
  timeoutMs: number;
}

export interface HookResult {
  /** Entries to put into VnfInstance.vimConnectionInfo (replacing one of the same id, else appended). */
  vimConnectionInfo?: VimConnectionInfo[];
  /** Ids of vimConnectionInfo entries to drop. */
  removeVimConnectionIds?: string[];
}

export interface MgmtDriver {
  /** Built-in id that configuration maps artifact names to (e.g. `kubernetes-cluster`). */
  id: string;
  /** Checks the instantiate request's additionalParams against the flavour before anything is touched (throws 400). */
  validate?(flavour: Flavour, additionalParams: Record<string, unknown>): void;
  /** Checks an operation's request at accept (e.g. scaling the master aspect, healing the only master: 400/409). */
  accept?(
    ctx: Omit<HookContext, 'hook' | 'journal' | 'changes' | 'ssh' | 'opOcc'>,
    operation: LcmOperation,
    body: Record<string, unknown>,
  ): Promise<void>;
  hooks: Partial<Record<HookName, (ctx: HookContext) => Promise<HookResult | void>>>;
  /**
   * Undoes what the failed op occ's hooks did (its journal says what); run at rollback before
   * hosts are released. `ctx.hook` is the operation's `_end` hook, `ctx.journal` the failed op occ's.
   */
  compensate?(ctx: HookContext): Promise<HookResult | void>;
  /**
   * Wipes what the driver installed on a released host, before it is FREE again. Must succeed on
   * a clean host. Run as the journaled step `clean:<hostId>:<vnfcId>` of the releasing op occ;
   * `ctx.hook` is that operation's `_end` hook, `ctx.changes.removed` the host.
   */
  cleanHost?(ctx: HookContext, host: BoundHost): Promise<void>;
}

/** A remote step failed: the operator reads host, step, exit code and the output's tail (secrets redacted). */
export class RemoteCommandFailed extends Error {
  override name = 'RemoteCommandFailed';
  readonly step: string;
  readonly hostId: string;
  readonly code: number;
  readonly tail: string;
  constructor(step: string, hostId: string, code: number, tail: string) {
    super(`${step} on host ${hostId} exited ${code}${tail ? `: ${tail}` : ''}`);
    this.step = step;
    this.hostId = hostId;
    this.code = code;
    this.tail = tail;
  }
}
