// The Helm driver's package change when the VNFM stops mid-way, against the real
// testbed: the engine's checkpoints are the only memory, so a "crash" is a checkpoint
// that persists the state and then never returns control (it throws). From what was
// persisted, a retry finishes the change without upgrading the release done before,
// and a rollback returns both releases to their recorded revisions and the old chart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InfraContext, InfraState } from '../../src/infra/driver.ts';
import { createHelmDriver, type HelmState } from '../../src/infra/helm/index.ts';
import type { TestbedEnv } from '../../testbed/index.ts';
import { CHART_PATH, chartTgz } from '../helpers/cnf-package.ts';
import { helm, infraContext, releaseHistory, removeHelperFiles, testVim } from '../helpers/helm-driver.ts';
import { type HelmPackage, helmPackage } from '../helpers/helm-package.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';

const NEW_CHART = 'Files/kubernetes/app-0.1.1.tgz';
let env: TestbedEnv;
let oldPkg: HelmPackage;
let newRoot = '';
const scratch = mkdtempSync(join(tmpdir(), 'helm-change-'));
const NS = `hd-change-${randomBytes(3).toString('hex')}`;

before(async () => {
  env = await testbed();
  oldPkg = await helmPackage();
  newRoot = mkdtempSync(join(tmpdir(), 'helm-pkg-new-'));
  cpSync(oldPkg.root, newRoot, { recursive: true });
  rmSync(join(newRoot, CHART_PATH));
  writeFileSync(join(newRoot, NEW_CHART), await chartTgz('app', '0.1.1'));
  await (await kubeClient()).createNamespace({ body: { metadata: { name: NS } } });
});

after(async () => {
  await (await kubeClient()).deleteNamespace({ name: NS }).catch(() => undefined);
  for (const d of [scratch, newRoot, oldPkg.root]) rmSync(d, { recursive: true, force: true });
  removeHelperFiles();
});

/** Two releases of the package chart: `<name>` carries VDU1 (replicas a value), `<name>-b` VDU2. */
function params(release: string, chart: string) {
  return {
    namespace: NS,
    use_helm: true,
    using_helm_install_param: [release, `${release}-b`].map((r) => ({
      exthelmchart: false,
      helmchartfile_path: chart,
      helmreleasename: r,
      helmparameter: ['service.port=8081'],
    })),
    helm_replica_values: { vdu1_aspect: 'replicaCount' },
    vdu_mapping: {
      VDU1: { name: `${release}-app`, kind: 'Deployment', helmreleasename: release },
      VDU2: { name: `${release}-b-app`, kind: 'Deployment', helmreleasename: `${release}-b` },
    },
  };
}

class Crash extends Error {}

/** A checkpoint that persists into `saved` and "crashes" the VNFM once `when` holds for what it persists. */
function crashingCheckpoint(saved: { state?: InfraState }, when: (s: HelmState) => boolean) {
  return async (s: InfraState) => {
    saved.state = structuredClone(s);
    if (when(s as unknown as HelmState)) throw new Crash('the VNFM stopped here');
  };
}

async function revisions(release: string) {
  return ((await releaseHistory(env, release, NS)) ?? []).map((h) => h.revision);
}

describe('package change: crash, then retry or rollback from the checkpoints', () => {
  for (const then of ['retry', 'rollback'] as const) {
    test(`crash after the first release is upgraded, then ${then}`, async () => {
      const driver = createHelmDriver({
        transport: 'local',
        helmBinary: env.helm4,
        homeDir: join(scratch, then),
      });
      const name = `chg-${then}`;
      const oldCtx: InfraContext = infraContext(testVim(env), oldPkg, params(name, CHART_PATH));
      const installed = await driver.instantiate(oldCtx, { VDU1: 2, VDU2: 1 }, {});
      const newCtx: InfraContext = {
        ...oldCtx,
        packageRoot: newRoot,
        additionalParams: await driver.packageParams!(
          { ...oldCtx, packageRoot: newRoot },
          { helm_chart_path: NEW_CHART },
          installed,
        ),
      };
      const saved: { state?: InfraState } = {};
      // Stops once the first release's new revision has been persisted.
      newCtx.checkpoint = crashingCheckpoint(
        saved,
        (s) => s.releases.find((r) => r.name === name)?.revision === 2,
      );
      await assert.rejects(driver.changeVnfpkg!(newCtx, { VDU1: 2, VDU2: 1 }, installed), Crash);
      const persisted = saved.state as unknown as HelmState;
      assert.equal(persisted.lastChange?.pending, true);
      assert.deepEqual(
        persisted.lastChange?.releases.map((r) => [r.name, r.revision, r.helmChart]),
        [
          [name, 1, 'app-0.1.0'],
          [`${name}-b`, 1, 'app-0.1.0'],
        ],
      );
      assert.deepEqual(await revisions(name), [1, 2]);
      assert.deepEqual(await revisions(`${name}-b`), [1], 'the second release was not reached');

      if (then === 'retry') {
        delete newCtx.checkpoint;
        const done = (await driver.changeVnfpkg!(
          newCtx,
          { VDU1: 2, VDU2: 1 },
          saved.state!,
        )) as unknown as HelmState;
        assert.deepEqual(
          await revisions(name),
          [1, 2],
          'the release done before the crash is not upgraded again',
        );
        assert.deepEqual(await revisions(`${name}-b`), [1, 2]);
        for (const r of [name, `${name}-b`]) {
          const h = (await releaseHistory(env, r, NS))!.at(-1)!;
          assert.equal(h.status, 'deployed');
        }
        const values = JSON.parse(
          (await helm(env, 'get', 'values', name, '--namespace', NS, '-o', 'json')).stdout,
        );
        assert.deepEqual(values, { service: { port: 8081 }, replicaCount: 2 }, 'given whole, nothing reused');
        assert.equal(done.lastChange?.pending, false);
        assert.deepEqual(
          done.releases.map((r) => r.package?.path),
          [NEW_CHART, NEW_CHART],
        );
        await driver.terminate(newCtx, done as unknown as InfraState);
      } else {
        const back = (await driver.rollbackChangeVnfpkg!(
          oldCtx,
          { VDU1: 2, VDU2: 1 },
          saved.state!,
        )) as unknown as HelmState;
        const h1 = (await releaseHistory(env, name, NS))!;
        assert.deepEqual(
          h1.map((h) => h.revision),
          [1, 2, 3],
        );
        assert.match(h1.at(-1)!.description, /Rollback to 1/);
        assert.deepEqual(await revisions(`${name}-b`), [1], 'nothing to undo on the release never upgraded');
        assert.equal(back.lastChange, undefined);
        assert.deepEqual(
          back.releases.map((r) => r.package?.path),
          [CHART_PATH, CHART_PATH],
        );
        // Rolling back again (a crashed rollback retried) changes nothing more.
        await driver.rollbackChangeVnfpkg!(oldCtx, { VDU1: 2, VDU2: 1 }, saved.state!);
        assert.deepEqual(await revisions(name), [1, 2, 3]);
        await driver.terminate(oldCtx, back as unknown as InfraState);
      }
    });
  }
});
