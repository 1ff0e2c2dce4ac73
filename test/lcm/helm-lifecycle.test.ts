// Helm mode through the SOL003 API with the spec's request bodies: a package
// chart and an external chart from a repository on loopback, helm run on a master
// node over SSH (the first listed master unreachable, so the next is used) and on
// the VNFM host; instantiate, scale out/in, heal, terminate with pod counts and
// vnfcResourceInfo matching the cluster at each step; no secret in any answer or log.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fingerprint } from '../../src/ssh/session.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import { type ChartRepo, helm, removeHelperFiles, serveChartRepo } from '../helpers/helm-driver.ts';
import {
  createInstance,
  onboardPackage,
  registerTestbedVim,
  runOp,
  vnfcsMatchCluster,
} from '../helpers/lcm.ts';
import { pods } from '../helpers/pods.ts';
import { isHelm, watchProcesses } from '../helpers/process-watch.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const HOSTILE = `a b'c"d;e $(touch /tmp/vnfm-pwned) \`id\` x,y`;

for (const transport of ['ssh', 'local'] as const) {
  describe(`Helm mode over ${transport}`, () => {
    let vnfm: TestVnfm;
    let repo: ChartRepo;
    let vimId = '';
    let vnfdId = '';
    let password = '';
    before(async () => {
      const env = await testbed();
      repo = await serveChartRepo(env);
      vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 90, helmBinary: env.helm4 });
      const node = env.sshNodes[1];
      assert.ok(node);
      password = node.password;
      const helmInfo =
        transport === 'ssh'
          ? {
              masternode_ip: ['127.0.0.9:1', `${node.host}:${node.port}`],
              masternode_username: node.user,
              masternode_password: node.password,
            }
          : { masternode_ip: [] };
      vimId = await registerTestbedVim(vnfm, `helm-${transport}`, { helm_info: helmInfo });
      vnfdId = (await onboardPackage(vnfm)).vnfdId;
    });
    after(async () => {
      await vnfm.close();
      await repo.close();
      removeHelperFiles();
    });

    test('instantiate, scale out and in, heal, terminate', async () => {
      const env = await testbed();
      const ns = `helm-${transport}-${randomBytes(3).toString('hex')}`;
      const id = await createInstance(vnfm, vnfdId);
      const instance = async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
      const core = await kubeClient();
      const matches = (counts: Record<string, number>) =>
        vnfcsMatchCluster(vnfm, id, ns, counts, (vdu) => (vdu === 'VDU1' ? 'vdu1' : 'vdu2'));

      const watch = watchProcesses([env.bearerToken, password]);
      await runOp(vnfm, id, 'instantiate', {
        flavourId: 'helmchart',
        instantiationLevelId: 'instantiation_level_1',
        vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
        additionalParams: {
          namespace: ns,
          use_helm: 'true',
          using_helm_install_param: [
            {
              exthelmchart: 'false',
              helmchartfile_path: CHART_PATH,
              helmreleasename: 'vdu1',
              helmparameter: ['service.port=8081', `image=${HOSTILE}`],
            },
            {
              exthelmchart: 'true',
              helmreleasename: 'vdu2',
              helmrepositoryname: `repo-${transport}`,
              helmchartname: repo.chart,
              exthelmrepo_url: repo.url,
              helmparameter: ['service.type=NodePort'],
            },
          ],
          helm_replica_values: { vdu1_aspect: 'replicaCount', vdu2_aspect: 'replicaCount' },
          vdu_mapping: {
            VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
            VDU2: { name: 'vdu2-app', kind: 'Deployment', helmreleasename: 'vdu2' },
          },
        },
      });
      await matches({ VDU1: 1, VDU2: 1 });
      if (transport === 'ssh') {
        // The master's key, first seen now, is pinned in the VIM for every later connection.
        const node = env.sshNodes[1]!;
        const vim = (await vnfm.request('GET', `/v1.0/vims/${vimId}`)).body.vim;
        assert.deepEqual(vim.extra.helm_info.masternode_host_keys, {
          [`${node.host}:${node.port}`]: fingerprint(Buffer.from(node.hostKey.split(' ')[1]!, 'base64')),
        });
      }
      const values = await helm(env, 'get', 'values', 'vdu1', '--namespace', ns, '-o', 'json');
      assert.equal(
        JSON.parse(values.stdout).image,
        HOSTILE,
        'a hostile helmparameter arrives as exactly itself',
      );

      await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 2 });
      await matches({ VDU1: 3, VDU2: 1 });
      const scaled = await helm(env, 'get', 'values', 'vdu1', '--namespace', ns, '-o', 'json');
      assert.equal(
        JSON.parse(scaled.stdout).replicaCount,
        3,
        'scaled through helm upgrade --set replicaCount',
      );
      await runOp(vnfm, id, 'scale', { type: 'SCALE_IN', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
      await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu2_aspect', numberOfSteps: 1 });
      await matches({ VDU1: 2, VDU2: 2 });

      const victim = (await instance()).instantiatedVnfInfo.vnfcResourceInfo.find(
        (v: any) => v.vduId === 'VDU2',
      ).id;
      await runOp(vnfm, id, 'heal', { vnfcInstanceId: [victim] });
      await matches({ VDU1: 2, VDU2: 2 });
      assert.ok(!(await instance()).instantiatedVnfInfo.vnfcResourceInfo.some((v: any) => v.id === victim));

      await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
      await eventually(
        'pods gone',
        () => pods(core, ns, 'app.kubernetes.io/instance'),
        (ps) => ps.length === 0,
      );
      const left = await helm(env, 'list', '--namespace', ns, '-q');
      assert.equal(left.stdout.trim(), '', 'no release left');
      assert.equal((await instance()).instantiationState, 'NOT_INSTANTIATED');
      const seen = watch.stop();
      assert.ok([...seen.programs].some(isHelm), `the process watch saw helm run (${seen.samples} samples)`);
      assert.deepEqual(seen.leaks, [], 'no token or password on a command line or in a child environment');

      const everything =
        vnfm.logs() +
        JSON.stringify((await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs?all_fields')).body);
      assert.ok(!everything.includes(env.bearerToken), 'no token in logs or answers');
      if (transport === 'ssh')
        assert.ok(!everything.includes(password), 'no master-node password in logs or answers');
    });

    test('bad Helm parameters are refused before anything runs', async () => {
      const id = await createInstance(vnfm, vnfdId, 'bad-helm');
      const base = {
        flavourId: 'helmchart',
        vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
      };
      const cases: [object, RegExp][] = [
        [
          {
            use_helm: true,
            using_helm_install_param: [
              { exthelmchart: 'false', helmchartfile_path: '../../etc/passwd', helmreleasename: 'a' },
            ],
          },
          /helmchartfile_path/,
        ],
        [
          {
            use_helm: true,
            using_helm_install_param: [
              { exthelmchart: 'false', helmchartfile_path: '/etc/passwd', helmreleasename: 'a' },
            ],
          },
          /helmchartfile_path/,
        ],
        [
          {
            use_helm: true,
            using_helm_install_param: [
              {
                exthelmchart: 'false',
                helmchartfile_path: 'Files/kubernetes/none.tgz',
                helmreleasename: 'a',
              },
            ],
          },
          /none\.tgz/,
        ],
        [
          {
            use_helm: true,
            using_helm_install_param: [
              { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'Bad_Name' },
            ],
          },
          /helmreleasename/,
        ],
        [
          { use_helm: true, using_helm_install_param: [{ exthelmchart: 'true', helmreleasename: 'a' }] },
          /helmrepositoryname|helmchartname|exthelmrepo_url/,
        ],
      ];
      for (const [additionalParams, detail] of cases) {
        const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, {
          ...base,
          additionalParams,
        });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.match(res.body.detail, detail);
      }
      assert.equal(
        (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiationState,
        'NOT_INSTANTIATED',
      );
    });
  });
}
