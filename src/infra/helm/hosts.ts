// The hosts helm runs on for one driver call. SSH: the first reachable master
// node (the one used last time first), plus the others on demand for what the
// spec does "on every master" (chart files, repositories). Local: the helm binary
// on the VNFM host. Which one an instance uses is decided at instantiation — an
// option, else SSH when helm_info lists master nodes — and kept in its state.
import { ProblemError } from '../../errors.ts';
import type { InfraContext } from '../driver.ts';
import { HelmError } from './errors.ts';
import { HelmCli } from './helm-cli.ts';
import { helmInfoPin, type MasterAccess, type MasterNode, resolveMasters } from './helm-info.ts';
import type { HelmInfo } from '../../vim/model.ts';
import { LocalTransport } from './local-transport.ts';
import { connectFirstReachable, MasterUnreachableError, pinnedKey, SshTransport } from './ssh-transport.ts';
import type { HelmState } from './state.ts';

export interface HostOptions {
  /** 'auto' (default): SSH when helm_info lists master nodes, else local. */
  transport: 'ssh' | 'local' | 'auto';
  helmBinary: string;
  homeDir: string;
  remoteDir: string;
  sshReadyTimeoutMs?: number;
}

export interface Hosts {
  kind: 'ssh' | 'local';
  primary: HelmCli;
  /** SSH: the master node used (its masternode_ip entry). */
  masterNode?: string;
  /** The other master nodes that answer (connected once, on first call); unreachable ones are skipped with a warning. */
  others(): Promise<HelmCli[]>;
  close(): Promise<void>;
}

/**
 * The master nodes of the context, each with its own access: the VIM's helm_info and the
 * request's under helm-info.ts's rule, resolved against the VIM as it is now. Throws a 400
 * ProblemError when the request breaks the rule (accept refuses such a request first).
 */
export function mastersOf(ctx: InfraContext): MasterAccess[] {
  return resolveMasters(ctx.vim.extra.helm_info, ctx.requestHelmInfo);
}

export function chooseTransport(
  ctx: InfraContext,
  opts: HostOptions,
  state?: Partial<HelmState>,
): 'ssh' | 'local' {
  if (state?.transport) return state.transport;
  // A VIM given inline has no master nodes: helm runs here, against its endpoint.
  if (ctx.vim.inline) return 'local';
  if (opts.transport !== 'auto') return opts.transport;
  return mastersOf(ctx).length > 0 ? 'ssh' : 'local';
}

/**
 * Opens the primary host. `hostKeys` is updated in place with every key a master
 * presented (trust on first use; a recorded key must match from then on).
 */
export async function openHosts(
  ctx: InfraContext,
  opts: HostOptions,
  state: { transport?: 'ssh' | 'local'; masterNode?: string; hostKeys: Record<string, string> },
): Promise<Hosts> {
  const kind = chooseTransport(ctx, opts, state);
  if (kind === 'local') {
    const t = await LocalTransport.open({ vim: ctx.vim, helmBinary: opts.helmBinary, homeDir: opts.homeDir });
    try {
      const primary = await HelmCli.open(t);
      return { kind, primary, others: async () => [], close: () => t.close() };
    } catch (e) {
      await t.close();
      throw e;
    }
  }

  // Resolved again here, where secrets are about to be sent: the VIM may have changed since
  // accept, and no path to a connection bypasses the rule.
  let masters: MasterAccess[];
  try {
    masters = mastersOf(ctx);
  } catch (e) {
    if (e instanceof ProblemError) throw new HelmError(e.message);
    throw e;
  }
  if (masters.length === 0)
    throw new HelmError(`VIM ${ctx.vim.id} has no master node in extra.helm_info.masternode_ip`);
  const accessOf = new Map(masters.map((m) => [m.node.address, m]));
  const infoOf = (node: { address: string }) => accessOf.get(node.address)!.info;
  // The master used last holds the instance's chart files for sure: try it first.
  const all = masters.map((m) => m.node);
  const ordered = [
    ...all.filter((n) => n.address === state.masterNode),
    ...all.filter((n) => n.address !== state.masterNode),
  ];
  const record = async (t: SshTransport) => {
    // A connection succeeded, so this key matched the pin in force (helm_info's over a recorded one): record it.
    state.hostKeys[t.node.address] = t.presentedHostKey;
    // A VIM master that nothing pins: pin it in the VIM too, for every instance and every later
    // operation. Never a master only the request names: what it presents says nothing of the VIM's.
    const access = accessOf.get(t.node.address);
    if (access?.vimMaster && !helmInfoPin(t.node, access.info))
      await ctx.recordHostKey?.(t.node.address, t.presentedHostKey);
  };
  const sshOpts = {
    remoteDir: opts.remoteDir,
    ...(opts.sshReadyTimeoutMs !== undefined ? { readyTimeoutMs: opts.sshReadyTimeoutMs } : {}),
  };
  const first = await connectFirstReachable(ordered, infoOf, state.hostKeys, {
    ...sshOpts,
    onUnreachable: (e) => ctx.log.warn({ err: e.message }, 'master node unreachable; trying the next'),
  });
  const opened: SshTransport[] = [first];
  const closeAll = async () => {
    for (const t of opened) await t.close();
  };
  try {
    await record(first);
    const primary = await HelmCli.open(first);
    let others: Promise<HelmCli[]> | undefined;
    const connectOthers = async (): Promise<HelmCli[]> => {
      const out: HelmCli[] = [];
      for (const node of ordered.filter((n) => n.address !== first.node.address)) {
        const t = await connectOne(node, infoOf(node), state.hostKeys, sshOpts, ctx);
        if (!t) continue;
        opened.push(t);
        await record(t);
        out.push(await HelmCli.open(t));
      }
      return out;
    };
    return {
      kind,
      primary,
      masterNode: first.node.address,
      others: () => (others ??= connectOthers()),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

async function connectOne(
  node: MasterNode,
  info: HelmInfo,
  recorded: Record<string, string>,
  opts: { remoteDir: string; readyTimeoutMs?: number },
  ctx: InfraContext,
): Promise<SshTransport | undefined> {
  const hostKey = pinnedKey(node, info, recorded);
  try {
    return await SshTransport.connect({ node, info, ...opts, ...(hostKey !== undefined ? { hostKey } : {}) });
  } catch (e) {
    // Another master being down must not stop the operation: the primary has what helm needs,
    // and a later operation that lands on this master stages the chart again.
    if (e instanceof MasterUnreachableError) {
      ctx.log.warn({ err: e.message }, 'master node unreachable; skipped');
      return undefined;
    }
    throw e;
  }
}
