// The VNFM under archive bombs, measured from outside: `bin/vnfm serve` is given a
// zip bomb split into 3000 entries of 1 MiB of zeros (3.4 MB), then a package whose
// chart is a 3 MB .tgz inflating to 3 GiB, and a Helm-mode instantiate naming that
// chart. Meanwhile GET /healthz is asked back to back and timed, and the server's
// RSS is read from /proc. Targets: every /healthz under 100 ms, RSS growth < 64 MiB,
// both bombs refused (ERROR naming the ratio; 400 naming the limit).
//
//   node_modules/.bin/node bench/archive-bombs.ts [--quick]
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bombChart, writeZipStreaming } from '../test/helpers/bombs.ts';
import { CHART_PATH, vnfdFiles } from '../test/helpers/cnf-package.ts';
import { createInstance, onboardPackage, registerTestbedVim } from '../test/helpers/lcm.ts';
import { fixed, median, MiB, options, summary, table, verdict } from './lib/report.ts';
import { asHelperVnfm, peakRssBytes, resetPeakRss, rssBytes, startVnfmProcess } from './lib/server.ts';

const TARGET_HEALTHZ_MS = 100;
const TARGET_GROWTH_MIB = 64;
const opts = options({});
const GiB = 1024 * MiB;
const chartBytes = opts.quick ? GiB : 3 * GiB;
const splitEntries = opts.quick ? 500 : 3000;

const dir = mkdtempSync(join(tmpdir(), 'bench-bombs-'));
let vnfm: Awaited<ReturnType<typeof startVnfmProcess>> | undefined;
try {
  const chartFile = join(dir, 'bomb.tgz');
  await bombChart(chartFile, chartBytes);
  const splitFile = join(dir, 'split.zip');
  await writeZipStreaming(splitFile, [
    {
      name: 'TOSCA-Metadata/TOSCA.meta',
      data: 'TOSCA-Meta-File-Version: 1.0\nCreated-by: bench\nCSAR-Version: 1.1\nEntry-Definitions: Definitions/sample_cnf_top.vnfd.yaml\n',
    },
    ...[...vnfdFiles('bench-split')].map(([name, data]) => ({ name, data })),
    ...Array.from({ length: splitEntries }, (_, i) => ({ name: `Files/split/${i}.bin`, zeros: MiB })),
  ]);

  vnfm = await startVnfmProcess({
    database: `sqlite:${join(dir, 'vnfm.sqlite')}`,
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'vnfm.log'),
  });
  const { pid } = vnfm;
  const helper = asHelperVnfm(vnfm);
  // Warm-up, so one-time costs are in the baseline: a package onboarded, a VIM registered.
  const vimId = await registerTestbedVim(helper, 'bench-bombs');
  const { vnfdId } = await onboardPackage(helper, {
    edit: (f) => f.set(CHART_PATH, readFileSync(chartFile)),
    stored: [CHART_PATH], // as `zip -n .tgz` does: deflated again it trips the zip ratio check
  });
  const instanceId = await createInstance(helper, vnfdId);
  const idle: number[] = [];
  for (let i = 0; i < 20; i++, await sleep(50)) idle.push(rssBytes(pid));
  const baseline = median(idle);

  // /healthz back to back for as long as `during` runs; the slowest answer and RSS peak.
  async function probed<T>(during: () => Promise<T>) {
    let done = false;
    let slowest = 0;
    let answers = 0;
    const kernelPeak = resetPeakRss(pid);
    let sampled = rssBytes(pid);
    const prober = (async () => {
      while (!done) {
        const t = performance.now();
        const res = await vnfm!.request('GET', '/healthz');
        if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
        slowest = Math.max(slowest, performance.now() - t);
        answers++;
        sampled = Math.max(sampled, rssBytes(pid));
      }
    })();
    const t0 = performance.now();
    const result = await during();
    const ms = performance.now() - t0;
    done = true;
    await prober;
    const peak = Math.max(sampled, kernelPeak ? peakRssBytes(pid) : 0);
    return { result, ms, slowest, answers, peak };
  }

  const split = await probed(async () => {
    const pkg = (await vnfm!.request('POST', '/vnfpkgm/v1/vnf_packages', {})).body as { id: string };
    const put = await vnfm!.request(
      'PUT',
      `/vnfpkgm/v1/vnf_packages/${pkg.id}/package_content`,
      readFileSync(splitFile),
    );
    if (put.status !== 202) throw new Error(`split bomb upload answered ${put.status}`);
    for (;;) {
      const p = (await vnfm!.request('GET', `/vnfpkgm/v1/vnf_packages/${pkg.id}`)).body;
      if (p.onboardingState === 'ERROR') return String(p.onboardingFailureDetails?.detail);
      if (p.onboardingState === 'ONBOARDED') throw new Error('the split bomb onboarded');
      await sleep(20);
    }
  });

  const chart = await probed(async () => {
    const res = await vnfm!.request('POST', `/vnflcm/v1/vnf_instances/${instanceId}/instantiate`, {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
      additionalParams: {
        use_helm: true,
        using_helm_install_param: [
          { exthelmchart: 'false', helmchartfile_path: CHART_PATH, helmreleasename: 'vdu1' },
        ],
        helm_replica_values: { vdu1_aspect: 'replicaCount' },
        vdu_mapping: { VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' } },
      },
    });
    if (res.status !== 400)
      throw new Error(`instantiate answered ${res.status}: ${JSON.stringify(res.body)}`);
    return String(res.body.detail);
  });
  await sleep(1000);
  const after = median(Array.from({ length: 10 }, () => rssBytes(pid)));

  const slowest = Math.max(split.slowest, chart.slowest);
  const growth = (Math.max(split.peak, chart.peak) - baseline) / MiB;
  const healthMet = slowest < TARGET_HEALTHZ_MS;
  const growthMet = growth < TARGET_GROWTH_MIB;
  const mib = (b: number) => `${fixed(b / MiB)} MiB`;
  console.log(`\narchive bombs against bin/vnfm serve (SQLite, pid ${pid})\n`);
  console.log(
    table([
      ['figure', 'split zip bomb', 'chart bomb'],
      [
        'input',
        `${splitEntries} × 1 MiB zeros, ${mib(statSync(splitFile).size)}`,
        `${fixed(chartBytes / GiB)} GiB in ${mib(statSync(chartFile).size)}`,
      ],
      ['refused after', `${fixed(split.ms)} ms`, `${fixed(chart.ms)} ms`],
      ['/healthz answers meanwhile', split.answers, chart.answers],
      ['slowest /healthz', `${fixed(split.slowest)} ms`, `${fixed(chart.slowest)} ms`],
      ['peak RSS', mib(split.peak), mib(chart.peak)],
    ]),
  );
  console.log(`\nsplit bomb: ${split.result}\nchart bomb: ${chart.result}\n`);
  console.log(
    table([
      ['figure', 'value'],
      ['baseline RSS', mib(baseline)],
      ['RSS 1 s after', mib(after)],
      [
        'growth (peak - baseline)',
        `${fixed(growth)} MiB (target < ${TARGET_GROWTH_MIB}: ${verdict(growthMet)})`,
      ],
      ['slowest /healthz', `${fixed(slowest)} ms (target < ${TARGET_HEALTHZ_MS}: ${verdict(healthMet)})`],
    ]),
  );
  summary('archive-bombs', {
    splitEntries,
    chartGiB: chartBytes / GiB,
    splitRefusedMs: +fixed(split.ms),
    chartRefusedMs: +fixed(chart.ms),
    slowestHealthzMs: +fixed(slowest),
    baselineRssMiB: +fixed(baseline / MiB),
    afterRssMiB: +fixed(after / MiB),
    growthMiB: +fixed(growth),
    met: healthMet && growthMet,
  });
} finally {
  await vnfm?.stop();
  rmSync(dir, { recursive: true, force: true });
}
