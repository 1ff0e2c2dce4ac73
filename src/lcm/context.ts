// What every LCM operation receives (helm's action.Configuration in spirit): the
// store, the infra drivers, the package storage, the logger and limits.
import type { Db } from '../db/connect.ts';
import type { InfraContext, InfraDriver, InfraState, ProgressSink } from '../infra/driver.ts';

/** Drivers that can undo a scale their own way (Helm: `helm rollback` to the revision before). */
export type RollbackScale = (ctx: InfraContext, state: InfraState) => Promise<InfraState>;
import type { Logger } from '../log.ts';
import type { PackageStorage } from '../packages/storage.ts';
import type { MgmtRegistry } from '../mgmt/registry.ts';
import type { SecretBox } from '../secrets/box.ts';
import type { VimConnectionInfo } from './model.ts';

export interface LcmContext {
  db: Db;
  secrets: SecretBox;
  storage: PackageStorage;
  log: Logger;
  drivers: {
    manifest: InfraDriver;
    helm: InfraDriver & { rollbackScale?: RollbackScale };
    /** Instances on a hostpool VIM (src/infra/hosts). */
    hostpool: InfraDriver;
  };
  /** MgmtDrivers: every built-in one by id, and those configuration enables by artifact name. */
  mgmt: MgmtRegistry;
  /** Deadline for one operation's waits on the cluster. */
  timeoutMs: number;
  /** The running op occ's progress: set by the worker on the context it gives a run or rollback. */
  progress?: ProgressSink;
}

/** What the engine keeps per instance beside the ETSI data: how it was instantiated and the driver's own state. */
export interface EngineState {
  driver?: 'manifest' | 'helm' | 'hostpool';
  flavourId?: string;
  instantiationLevelId?: string;
  /** The instantiate request's additionalParams with secrets masked (what may be stored in the clear). */
  additionalParams?: Record<string, unknown>;
  /** SecretBox-sealed additionalParams as sent, when they hold a secret (src/mgmt/params.ts opens them). */
  additionalParamsSealed?: string;
  /** Id of the MgmtDriver running the flavour's Vnflcm hooks, fixed at instantiate (src/mgmt/select.ts). */
  mgmtDriver?: string;
  /** SecretBox-sealed additionalParams of the operation accepted last (not INSTANTIATE), when they hold a secret. */
  operationParamsSealed?: string;
  vimConnectionId?: string;
  vimId?: string;
  /** The VIM was given inline (vim/inline.ts): it is the sealed entry vimConnectionSealed, no registered one. */
  vimInline?: boolean;
  vimConnectionInfo?: VimConnectionInfo[];
  /** SecretBox-sealed vimConnectionInfo entry of the instantiate request, as sent (accessInfo, interfaceInfo, extra: may hold secrets). */
  vimConnectionSealed?: string;
  /** Rows written before vimConnectionSealed: the sealed extra of that entry only. */
  vimExtraSealed?: string;
  driverState?: Record<string, unknown>;
  /**
   * A MODIFY_INFO's vimConnectionInfo, accepted and not yet applied: the list as the
   * instance will show it (masked) and, for the entry in use, the new entry sealed.
   */
  vimConnectionModified?: { vimConnectionInfo: VimConnectionInfo[]; sealed?: string };
  /**
   * A CHANGE_VNFPKG accepted and not yet ended: the package it moves the instance to, and
   * the instance's additionalParams rewritten for that package (masked; sealed when they
   * hold a secret). They replace additionalParams on COMPLETED; a rollback drops them.
   */
  packageChange?: {
    vnfPkgId: string;
    additionalParams: Record<string, unknown>;
    additionalParamsSealed?: string;
  };
}
