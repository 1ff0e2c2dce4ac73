// Smoke test of the testbed itself: a chart installed with real helm 3 and helm 4
// against the real control plane gets Running pods (kwok), scales, self-heals
// through its ReplicaSet, and uninstalls cleanly.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writeChart } from '../helpers/chart.ts';
import { pods, runningPods } from '../helpers/pods.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { eventually } from '../helpers/wait.ts';

const execFileP = promisify(execFile);

for (const major of ['helm3', 'helm4'] as const) {
  describe(`testbed with ${major}`, () => {
    test('install, scale with upgrade, replace a deleted pod, uninstall', async () => {
      const env = await testbed();
      const core = await kubeClient();
      const home = mkdtempSync(join(tmpdir(), `vnfm-${major}-`));
      const helm = async (...args: string[]) =>
        (
          await execFileP(env[major], args, {
            env: {
              PATH: process.env.PATH,
              HOME: home,
              KUBECONFIG: env.kubeconfig,
              HELM_CACHE_HOME: join(home, 'cache'),
              HELM_CONFIG_HOME: join(home, 'config'),
              HELM_DATA_HOME: join(home, 'data'),
            },
          })
        ).stdout;

      assert.match(await helm('version', '--short'), major === 'helm3' ? /^v3\./ : /^v4\./);
      const chart = writeChart(home);
      const release = `smoke-${major}`;
      const namespace = 'default';
      const selector = `app.kubernetes.io/instance=${release}`;

      await helm('install', release, chart, '--namespace', namespace);
      await runningPods(core, namespace, selector, 1);

      await helm(
        'upgrade',
        release,
        chart,
        '--namespace',
        namespace,
        '--reuse-values',
        '--set',
        'replicaCount=3',
      );
      const three = await runningPods(core, namespace, selector, 3);

      const victim = three[0]?.name ?? '';
      await core.deleteNamespacedPod({ name: victim, namespace });
      const healed = await runningPods(core, namespace, selector, 3);
      assert.ok(!healed.some((p) => p.name === victim), 'the deleted pod is replaced by a new one');

      await helm('uninstall', release, '--namespace', namespace, '--wait');
      await eventually(
        'no pods left',
        () => pods(core, namespace, selector),
        (ps) => ps.length === 0,
      );
      const services = await core.listNamespacedService({
        namespace,
        fieldSelector: `metadata.name=${release}-svc`,
      });
      assert.equal(services.items.length, 0, 'the Service is removed');
      // Only this release: other files install into `default` beside this one.
      assert.equal(
        (await helm('list', '--namespace', namespace, '--short', '--filter', `^${release}$`)).trim(),
        '',
      );
    });
  });
}
