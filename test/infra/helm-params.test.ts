// Helm mode's additionalParams: the spec's table accepted as operators send it
// (booleans as strings, Tacker's sample bodies), and each bad field rejected with
// a 400 naming exactly that field.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProblemError } from '../../src/errors.ts';
import { isHelmMode, parseHelmParams, replicaValueOf } from '../../src/infra/helm/params.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import { type HelmPackage, helmPackage } from '../helpers/helm-package.ts';

let pkg: HelmPackage;
before(async () => {
  pkg = await helmPackage();
  mkdirSync(join(pkg.root, 'Files', 'dir.tgz'));
});
after(() => rmSync(pkg.root, { recursive: true, force: true }));

/** The DESIGN.md sample body: a package chart and an external one, with replica mapping. */
function sample(): Record<string, any> {
  return {
    namespace: 'default',
    use_helm: 'true',
    using_helm_install_param: [
      {
        exthelmchart: 'false',
        helmchartfile_path: CHART_PATH,
        helmreleasename: 'vdu1',
        helmparameter: ['service.port=8081'],
      },
      {
        exthelmchart: 'true',
        helmreleasename: 'vdu2',
        helmrepositoryname: 'myrepo',
        helmchartname: 'apache',
        exthelmrepo_url: 'http://charts.example.com/repo',
        helmparameter: ['service.type=NodePort'],
      },
    ],
    helm_replica_values: { vdu1_aspect: 'replicaCount', vdu2_aspect: 'replicaCount' },
    vdu_mapping: {
      VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
      VDU2: { name: 'vdu2-apache', kind: 'Deployment', helmreleasename: 'vdu2' },
    },
  };
}

const parse = (p: Record<string, any>) => parseHelmParams(p, { packageRoot: pkg.root, flavour: pkg.flavour });

function rejects(mutate: (p: Record<string, any>) => void, detail: RegExp) {
  const p = sample();
  mutate(p);
  assert.throws(
    () => parse(p),
    (e: unknown) => {
      assert.ok(e instanceof ProblemError, `not a ProblemError: ${String(e)}`);
      assert.equal(e.status, 400);
      assert.match(e.message, detail);
      return true;
    },
  );
}

describe('helm params: accepted', () => {
  test('the sample body parses into typed releases, mapping and replica paths', () => {
    const p = parse(sample());
    assert.equal(p.namespace, 'default');
    const [r1, r2] = p.using_helm_install_param;
    assert.equal(r1?.exthelmchart, false);
    assert.equal(r1?.exthelmchart === false && r1.chartFile, join(pkg.root, CHART_PATH));
    assert.deepEqual(r1?.helmparameter, [{ key: 'service.port', value: '8081' }]);
    assert.equal(r2?.exthelmchart, true);
    assert.equal(r2?.exthelmchart === true && r2.helmrepositoryname, 'myrepo');
    assert.deepEqual(p.vdu_mapping.VDU2, {
      name: 'vdu2-apache',
      kind: 'Deployment',
      helmreleasename: 'vdu2',
    });
    assert.deepEqual(replicaValueOf(p, pkg.flavour, 'VDU1'), { path: 'replicaCount', release: 'vdu1' });
  });

  test('booleans as JSON booleans; no namespace; no mapping; value with "=" kept whole', () => {
    const p = parse({
      use_helm: true,
      using_helm_install_param: [
        {
          exthelmchart: false,
          helmchartfile_path: `./${CHART_PATH}`,
          helmreleasename: 'a.b-1',
          helmparameter: ['x=a=b', 'empty=', 'podAnnotations.prometheus\\.io/scrape=true', 'env[0].a\\,b=1'],
        },
      ],
    });
    assert.equal(p.namespace, undefined);
    assert.deepEqual(p.using_helm_install_param[0]?.helmparameter, [
      { key: 'x', value: 'a=b' },
      { key: 'empty', value: '' },
      { key: 'podAnnotations.prometheus\\.io/scrape', value: 'true' },
      { key: 'env[0].a\\,b', value: '1' },
    ]);
    assert.deepEqual(p.vdu_mapping, {});
    assert.equal(replicaValueOf(p, pkg.flavour, 'VDU1'), undefined);
  });

  test('use_helm decides the mode', () => {
    assert.equal(isHelmMode({ use_helm: 'true' }), true);
    assert.equal(isHelmMode({ use_helm: true }), true);
    assert.equal(isHelmMode({ use_helm: 'false' }), false);
    assert.equal(isHelmMode({}), false);
  });
});

describe('helm params: rejected, naming the field', () => {
  const item0 = (p: Record<string, any>) => p.using_helm_install_param[0];
  const item1 = (p: Record<string, any>) => p.using_helm_install_param[1];
  const cases: [string, (p: Record<string, any>) => void, RegExp][] = [
    ['use_helm false', (p) => (p.use_helm = 'false'), /^use_helm: must be true/],
    [
      'no using_helm_install_param',
      (p) => delete p.using_helm_install_param,
      /^using_helm_install_param: is required/,
    ],
    [
      'empty using_helm_install_param',
      (p) => (p.using_helm_install_param = []),
      /^using_helm_install_param: must be a non-empty array/,
    ],
    ['bad namespace', (p) => (p.namespace = 'Bad_NS'), /^namespace: "Bad_NS" is not a valid namespace/],
    [
      'helmparameter key with a shell substitution',
      (p) => (item0(p).helmparameter = ['$(touch /tmp/x)=1']),
      /^using_helm_install_param\[0\]\.helmparameter\[0\]: the key "\$\(touch \/tmp\/x\)" is not a values path/,
    ],
    [
      'helmparameter key with a space',
      (p) => (item0(p).helmparameter = ['a b=1']),
      /^using_helm_install_param\[0\]\.helmparameter\[0\]: the key "a b" is not a values path/,
    ],
    [
      'helmparameter key like an option',
      (p) => (item0(p).helmparameter = ['--post-renderer=x']),
      /helmparameter\[0\]: the key "--post-renderer" is not a values path/,
    ],
    [
      'missing release name',
      (p) => delete item1(p).helmreleasename,
      /^using_helm_install_param\[1\]\.helmreleasename: is required/,
    ],
    [
      'upper-case release name',
      (p) => (item0(p).helmreleasename = 'VDU1'),
      /^using_helm_install_param\[0\]\.helmreleasename: "VDU1" is not a valid release name/,
    ],
    [
      'release name with a space',
      (p) => (item0(p).helmreleasename = 'a b'),
      /helmreleasename: "a b" is not a valid/,
    ],
    [
      '54-char release name',
      (p) => (item0(p).helmreleasename = 'a'.repeat(54)),
      /helmreleasename: "a{54}" is longer than 53/,
    ],
    [
      'duplicate release name',
      (p) => (item1(p).helmreleasename = 'vdu1'),
      /^using_helm_install_param\[1\]\.helmreleasename: "vdu1" is used twice/,
    ],
    [
      'exthelmchart not a boolean',
      (p) => (item0(p).exthelmchart = 'yes'),
      /^using_helm_install_param\[0\]\.exthelmchart: must be true or false/,
    ],
    [
      'missing chart path',
      (p) => delete item0(p).helmchartfile_path,
      /^using_helm_install_param\[0\]\.helmchartfile_path: is required/,
    ],
    [
      '".." in chart path',
      (p) => (item0(p).helmchartfile_path = 'Files/../../outside.tgz'),
      /^using_helm_install_param\[0\]\.helmchartfile_path: .*'\.\.' segment/,
    ],
    [
      'absolute chart path',
      (p) => (item0(p).helmchartfile_path = join(pkg.root, CHART_PATH)),
      /^using_helm_install_param\[0\]\.helmchartfile_path: .*it is absolute/,
    ],
    [
      'chart file missing',
      (p) => (item0(p).helmchartfile_path = 'Files/kubernetes/nope-0.1.0.tgz'),
      /^using_helm_install_param\[0\]\.helmchartfile_path: "Files\/kubernetes\/nope-0\.1\.0\.tgz" does not exist in the VNF package/,
    ],
    [
      'chart path is a directory',
      (p) => (item0(p).helmchartfile_path = 'Files/dir.tgz'),
      /helmchartfile_path: "Files\/dir\.tgz" is not a file/,
    ],
    [
      'missing repository name',
      (p) => delete item1(p).helmrepositoryname,
      /^using_helm_install_param\[1\]\.helmrepositoryname: is required/,
    ],
    [
      'repository name with a slash',
      (p) => (item1(p).helmrepositoryname = 'a/b'),
      /^using_helm_install_param\[1\]\.helmrepositoryname: "a\/b" is not a valid/,
    ],
    [
      'missing chart name',
      (p) => delete item1(p).helmchartname,
      /^using_helm_install_param\[1\]\.helmchartname: is required/,
    ],
    [
      'missing repo url',
      (p) => delete item1(p).exthelmrepo_url,
      /^using_helm_install_param\[1\]\.exthelmrepo_url: is required/,
    ],
    [
      'repo url not a URL',
      (p) => (item1(p).exthelmrepo_url = 'charts.example.com'),
      /exthelmrepo_url: "charts\.example\.com" is not a URL/,
    ],
    [
      'repo url ftp',
      (p) => (item1(p).exthelmrepo_url = 'ftp://x/y'),
      /exthelmrepo_url: must be an http or https URL/,
    ],
    [
      'repo url with credentials',
      (p) => (item1(p).exthelmrepo_url = 'https://u:secret@x/y'),
      /exthelmrepo_url: must not contain credentials/,
    ],
    [
      'helmparameter not an array',
      (p) => (item0(p).helmparameter = 'a=b'),
      /^using_helm_install_param\[0\]\.helmparameter: must be an array/,
    ],
    [
      'helmparameter without "="',
      (p) => (item0(p).helmparameter = ['ok=1', 'novalue']),
      /^using_helm_install_param\[0\]\.helmparameter\[1\]: must be "key=value"/,
    ],
    [
      'helmparameter empty key',
      (p) => (item0(p).helmparameter = ['=v']),
      /helmparameter\[0\]: the key before '=' is empty/,
    ],
    [
      'helmparameter key with comma',
      (p) => (item0(p).helmparameter = ['a,b=v']),
      /helmparameter\[0\]: the key must not contain ','/,
    ],
    [
      'helmparameter not a string',
      (p) => (item0(p).helmparameter = [3]),
      /helmparameter\[0\]: must be a "key=value" string/,
    ],
    [
      'vdu_mapping unknown VDU',
      (p) => (p.vdu_mapping.VDU9 = p.vdu_mapping.VDU1),
      /^vdu_mapping\.VDU9: flavour "helmchart" has no VDU "VDU9"/,
    ],
    [
      'vdu_mapping bad kind',
      (p) => (p.vdu_mapping.VDU1.kind = 'Pod'),
      /^vdu_mapping\.VDU1\.kind: must be one of Deployment/,
    ],
    [
      'vdu_mapping unknown release',
      (p) => (p.vdu_mapping.VDU2.helmreleasename = 'other'),
      /^vdu_mapping\.VDU2\.helmreleasename: "other" is not one of the releases/,
    ],
    [
      'vdu_mapping missing name',
      (p) => delete p.vdu_mapping.VDU1.name,
      /^vdu_mapping\.VDU1\.name: is required/,
    ],
    [
      'helm_replica_values unknown aspect',
      (p) => (p.helm_replica_values.nope = 'replicaCount'),
      /^helm_replica_values\.nope: flavour "helmchart" has no scaling aspect "nope"/,
    ],
    [
      'helm_replica_values bad path',
      (p) => (p.helm_replica_values.vdu1_aspect = 'a,b'),
      /^helm_replica_values\.vdu1_aspect: "a,b" is not a values path/,
    ],
    [
      'helm_replica_values VDU without mapping',
      (p) => delete p.vdu_mapping.VDU1,
      /^helm_replica_values\.vdu1_aspect: VDU "VDU1" of this aspect has no vdu_mapping entry/,
    ],
  ];
  for (const [name, mutate, detail] of cases) test(name, () => rejects(mutate, detail));
});
