// Chart archives are read streaming, within limits, in a worker thread: real
// archives (test/helpers/bombs.ts writes them without holding what they inflate
// to) crossing each limit are refused naming it; and through the API, a package
// whose chart is a 3 MB → 3 GiB bomb is refused at a Helm-mode instantiate with a
// 400 naming the limit, while the event loop stays free, /healthz answers, and
// memory stays where it was.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  activeChartReaders,
  type ChartLimits,
  DEFAULT_CHART_LIMITS,
  inspectChartArchive,
} from '../../src/infra/helm/charts.ts';
import { bombChart, writeTgz } from '../helpers/bombs.ts';
import { CHART_PATH, chartTgz } from '../helpers/cnf-package.ts';
import { createInstance, onboardPackage, registerTestbedVim } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const tmp = mkdtempSync(join(tmpdir(), 'chart-archive-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (label: string) => join(tmp, `${++n}-${label}`);

const refused = (file: string, why: RegExp, limits?: ChartLimits) =>
  assert.rejects(inspectChartArchive(file, limits), (e: Error) => {
    assert.match(e.message, why);
    return true;
  });

/** Only `only` of the limits applies (the others out of reach). */
const onlyLimit = (only: Partial<ChartLimits>): ChartLimits => ({
  maxBytes: Number.MAX_SAFE_INTEGER,
  maxEntryBytes: Number.MAX_SAFE_INTEGER,
  maxEntries: Number.MAX_SAFE_INTEGER,
  maxRatio: Number.MAX_SAFE_INTEGER,
  maxMillis: DEFAULT_CHART_LIMITS.maxMillis,
  ...only,
});

/** A chart of `count` entries of `each` bytes of zeros: no entry is large, together they are. */
const splitBomb = (file: string, count: number, each: number) =>
  writeTgz(file, [
    { name: 'split/' },
    { name: 'split/Chart.yaml', data: 'apiVersion: v2\nname: split\nversion: 0.1.0\n' },
    ...Array.from({ length: count }, (_, i) => ({ name: `split/z${i}.bin`, zeros: each })),
  ]);

describe('chart archive limits', () => {
  test('a real chart reads as before: its directory, name and version', async () => {
    const file = fresh('app.tgz');
    writeFileSync(file, await chartTgz('app', '1.2.3'));
    assert.deepEqual(await inspectChartArchive(file), { dir: 'app', name: 'app', version: '1.2.3' });
  });

  test('one entry declaring GiBs: refused at its header, naming the entry size limit', async () => {
    const file = fresh('bomb.tgz');
    assert.equal(await bombChart(file, 3 * GiB), 3 * GiB + 4608);
    assert.ok(statSync(file).size < 4 * MiB, 'a few MB on disk');
    await refused(
      file,
      new RegExp(
        `entry "bomb/big\\.bin" declares ${3 * GiB} bytes, over the entry size limit of ${32 * MiB}`,
      ),
    );
  });

  test('many small entries of zeros: refused by the compression ratio limit, then by the size limit', async () => {
    const file = fresh('split.tgz');
    await splitBomb(file, 40, MiB); // 40 MiB in ~40 KB
    await refused(file, /ratio \d+:1\), over the compression ratio limit of 200:1/);
    await refused(
      file,
      /inflates to more than 16777216 bytes \(the uncompressed size limit of a chart archive\)/,
      onlyLimit({ maxBytes: 16 * MiB }),
    );
  });

  test('too many entries: refused naming the entry count limit', async () => {
    const file = fresh('many.tgz');
    await splitBomb(file, 20, 10);
    await refused(file, /more than 10 entries \(the entry count limit\)/, onlyLimit({ maxEntries: 10 }));
  });

  test('an inspection that runs too long is stopped, naming the time limit', async () => {
    // Nothing else stops 3 GiB of zeros; inflating them takes far more than 50 ms.
    const file = fresh('slow.tgz');
    await bombChart(file, 3 * GiB);
    await refused(file, /took more than 50 ms \(the time limit\)/, onlyLimit({ maxMillis: 50 }));
    assert.equal(activeChartReaders(), 0, 'the reader is gone');
  });

  test('a gzip inside the gzip, and what is no gzip tar, are refused', async () => {
    const twice = fresh('twice.tgz');
    writeFileSync(twice, gzipSync(await chartTgz()));
    await refused(twice, /compressed twice/);
    const garbage = fresh('garbage.tgz');
    writeFileSync(garbage, 'not a chart at all');
    await refused(garbage, /not a gzip tar archive/);
  });
});

describe('a chart bomb in a package, through the API', () => {
  let vnfm: TestVnfm;
  let bomb: Buffer;
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 60 });
    const file = fresh('pkg-bomb.tgz');
    await bombChart(file, 3 * GiB);
    bomb = readFileSync(file);
  });
  after(() => vnfm?.close());

  test('Helm-mode instantiate: 400 naming the limit; event loop free, /healthz answering, memory kept', async () => {
    const vimId = await registerTestbedVim(vnfm, 'chart-bomb');
    // Onboarding does not inflate charts: the bomb onboards, as it did in the report.
    // Stored, not deflated again: its repeated gzip members would deflate far and
    // trip the zip's own ratio check.
    const { vnfdId } = await onboardPackage(vnfm, {
      edit: (f) => f.set(CHART_PATH, bomb),
      stored: [CHART_PATH],
    });
    const id = await createInstance(vnfm, vnfdId);
    const body = {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
      additionalParams: {
        namespace: 'chart-bomb',
        use_helm: true,
        using_helm_install_param: [
          { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'vdu1' },
        ],
        helm_replica_values: { vdu1_aspect: 'replicaCount' },
        vdu_mapping: { VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' } },
      },
    };

    const rssBefore = process.memoryUsage().rss;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const answer = vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, body);
    let answered = false;
    void answer.finally(() => (answered = true));
    // Every turn of the event loop until the reader runs: it lives across several
    // (its thread answers by a message, never within the turn that started it).
    while (activeChartReaders() === 0 && !answered) await new Promise((go) => setImmediate(go));
    assert.ok(activeChartReaders() > 0, 'the chart archive is being read in a worker thread');
    // Asked while the archive is being read: the API answers.
    const health = await vnfm.request('GET', '/healthz');
    assert.equal(health.status, 200, JSON.stringify(health.body));
    const res = await answer;
    delay.disable();

    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(
      res.body.detail,
      /^using_helm_install_param\[0\]\.helmchartfile_path: "Files\/kubernetes\/app-0\.1\.0\.tgz" is not a usable Helm chart archive: its entry "bomb\/big\.bin" declares 3221225472 bytes, over the entry size limit of 33554432$/,
    );
    assert.ok(delay.max < 1e9, `event loop stalled ${Math.round(delay.max / 1e6)} ms`);
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 512 * MiB, `RSS grew by ${Math.round(grown / MiB)} MiB`);
    // The request changed nothing: the instance is still NOT_INSTANTIATED, no op occ was made.
    const inst = await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`);
    assert.equal(inst.body.instantiationState, 'NOT_INSTANTIATED');
    assert.equal(activeChartReaders(), 0);
  });
});
