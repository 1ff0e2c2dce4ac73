// A test double of a MgmtDriver plugin: it records what the framework hands each
// hook, journals a step, registers the testbed cluster as its own VIM and fails on
// request. Not a mock of a VNFM component: the framework under test is real.
import { readFileSync } from 'node:fs';
import { badRequest } from '../../src/errors.ts';
import type { BoundHost } from '../../src/infra/hosts/model.ts';
import {
  type HookContext,
  type HookName,
  HOOKS,
  type MgmtDriver,
  RemoteCommandFailed,
} from '../../src/mgmt/driver.ts';
import { testbed } from '../helpers/testbed.ts';

export interface Call {
  hook: HookName | 'compensate' | 'accept';
  instanceId: string;
  opOccId?: string;
  operation?: string;
  changes?: HookContext['changes'];
  vnfcs?: number;
  instantiateParams?: Record<string, unknown>;
  operationParams?: Record<string, unknown>;
  journalBeforeFailure?: unknown;
  verified?: { listed: boolean; unlisted: string };
}

export class TestDriver {
  readonly calls: Call[] = [];
  /** Times the journaled step ran, by op occ. */
  readonly stepRuns = new Map<string, number>();
  /** Hooks that fail (the next `n` times) with RemoteCommandFailed. */
  readonly failures = new Map<HookName, number>();

  /** Hosts the driver wiped (cleanHost), in order. */
  readonly cleaned: string[] = [];
  readonly id: string;
  /** Set: the driver logs in to every host a hook adds and leaves a marker file in `~/<onHosts>`. */
  readonly onHosts: string | undefined;
  constructor(id = 'test-driver', onHosts?: string) {
    this.id = id;
    this.onHosts = onHosts;
  }

  callsOf(instanceId: string): Call[] {
    return this.calls.filter((c) => c.instanceId === instanceId);
  }

  get driver(): MgmtDriver {
    const hooks: MgmtDriver['hooks'] = {};
    for (const hook of HOOKS) hooks[hook] = (ctx) => this.#hook(hook, ctx);
    return {
      id: this.id,
      validate: (_flavour, params) => {
        const own = params.k8s_cluster_installation_param as Record<string, unknown> | undefined;
        if (own?.refuse_me !== undefined)
          throw badRequest(
            'additionalParams.k8s_cluster_installation_param.refuse_me: the test driver refuses it',
          );
      },
      accept: async (ctx, operation, body) => {
        this.calls.push({
          hook: 'accept',
          instanceId: ctx.instance.id,
          operation,
          operationParams: ctx.operationParams,
        });
        if ((body as { aspectId?: string }).aspectId === 'vdu2_aspect')
          throw badRequest('aspectId: the test driver does not scale vdu2_aspect');
      },
      hooks,
      ...(this.onHosts
        ? {
            cleanHost: async (ctx: HookContext, host: BoundHost) => {
              const shell = await ctx.ssh(host);
              const res = await shell.exec(['rm', '-rf', `${shell.home}/${this.onHosts}`]);
              if (res.code !== 0) throw new RemoteCommandFailed('clean', host.host.id, res.code, res.stderr);
              this.cleaned.push(host.host.id);
            },
          }
        : {}),
      compensate: async (ctx) => {
        this.calls.push({
          hook: 'compensate',
          instanceId: ctx.instance.id,
          opOccId: ctx.opOcc.id,
          journalBeforeFailure: await ctx.journal.done('before-failure'),
        });
        const state = await ctx.store.get<{ vimId?: string }>();
        if (state?.vimId) await ctx.vims.remove(state.vimId);
        await ctx.store.set(undefined);
        return { removeVimConnectionIds: ['cluster'] };
      },
    };
  }

  async #hook(hook: HookName, ctx: HookContext) {
    const call: Call = {
      hook,
      instanceId: ctx.instance.id,
      opOccId: ctx.opOcc.id,
      operation: ctx.opOcc.operation,
      changes: ctx.changes,
      vnfcs: ctx.vnfcs.length,
      instantiateParams: ctx.instantiateParams,
      operationParams: ctx.operationParams,
    };
    this.calls.push(call);
    if (hook === 'instantiate_end') {
      // A step with an effect, journaled: on retry its output is replayed, it does not run again.
      await ctx.journal.step('before-failure', async () => {
        this.stepRuns.set(ctx.opOcc.id, (this.stepRuns.get(ctx.opOcc.id) ?? 0) + 1);
        return { joinToken: 'journal-join-token-0123456789' };
      });
      const listed = (await ctx.verifiedFile('Files/mgmt/driver.py')).toString().includes('test driver');
      const unlisted = await ctx.verifiedFile('Scripts/unlisted.sh').then(
        () => 'read',
        (e: Error) => e.message,
      );
      call.verified = { listed, unlisted };
    }
    if (this.onHosts) {
      for (const host of [...ctx.changes.added, ...ctx.changes.replaced.map((r) => r.after)])
        await ctx.journal.step(`mark:${host.host.id}`, () => this.#mark(ctx, host));
    }
    const left = this.failures.get(hook) ?? 0;
    if (left > 0) {
      this.failures.set(hook, left - 1);
      throw new RemoteCommandFailed(`${hook}.init`, 'host-a', 7, 'kubeadm: boom');
    }
    if (hook === 'instantiate_end') {
      const env = await testbed();
      const body = {
        name: `cluster-of-${ctx.instance.id}`,
        auth_url: env.apiServer,
        auth_cred: { bearer_token: env.bearerToken, ssl_ca_cert: readFileSync(env.caFile, 'utf8') },
      };
      // Twice, as a retried registration would: one VIM.
      await ctx.vims.upsert(body);
      const vim = await ctx.vims.upsert(body);
      await ctx.store.set({ vimId: vim.id });
      return {
        vimConnectionInfo: [
          { id: 'cluster', vimId: vim.id, vimType: 'kubernetes', accessInfo: { authUrl: env.apiServer } },
        ],
      };
    }
    if (hook === 'terminate_end') {
      const state = await ctx.store.get<{ vimId?: string }>();
      if (state?.vimId) {
        if ((await ctx.vims.usedBy(state.vimId)).length > 0) throw new Error('the cluster VIM is in use');
        await ctx.vims.remove(state.vimId);
      }
      await ctx.store.set(undefined);
      return { removeVimConnectionIds: ['cluster'] };
    }
    return undefined;
  }

  /** A private directory and a 0600 file with a secret in it, written by SFTP; its mode read back by a command. */
  async #mark(ctx: HookContext, host: BoundHost): Promise<{ home: string; mode: string }> {
    const shell = await ctx.ssh(host);
    const dir = `${shell.home}/${this.onHosts}`;
    const mkdir = await shell.exec(['mkdir', '-p', '-m', '700', dir]);
    if (mkdir.code !== 0) throw new RemoteCommandFailed('mark', host.host.id, mkdir.code, mkdir.stderr);
    await shell.writeFile(`${dir}/marker`, `vnfc ${host.vnfcId} secret-on-host`);
    const stat = await shell.exec(['stat', '-c', '%a', `${dir}/marker`]);
    const failed = await shell.exec(['sh', '-c', 'exit 3']);
    if (failed.code !== 3) throw new Error(`exec gave ${failed.code} for exit 3`);
    return { home: shell.home, mode: stat.stdout.trim() };
  }
}
