// `--wait` under a pseudo-terminal (util-linux `script`): the live display redrawn in
// place — operation, state, elapsed, the step, pods ready/wanted per VDU — and its final
// line; Ctrl-C stops the waiting and not the operation. The operation is held where the
// test wants it without any timing: the namespace has a ResourceQuota of zero pods, so
// helm's --wait sees 0 of 1 pods ready until the quota goes (or the deadline passes).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { buildPackage } from '../../src/packages/build.ts';
import { runVnfm, VNFM_BIN } from '../helpers/cli.ts';
import { onboardZip, registerTestbedVim } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const SAMPLE = new URL('../../samples/helm-cnf/', import.meta.url).pathname;
/** Generous bound on any one wait for output: the condition is what is waited for. */
const BOUND_MS = 120_000;
const ESC = '\u001b';

let vnfm: TestVnfm;
let vimId = '';
let pkgId = '';
const ns = `cli-tty-${randomBytes(3).toString('hex')}`;
const children: ChildProcess[] = [];

before(async () => {
  const env = await testbed();
  // The deadline only ends the held instantiate (FAILED_TEMP) after the test has seen what it waits for.
  vnfm = await startVnfm(await freshStore('sqlite'), { lcmTimeoutSeconds: 45, helmBinary: env.helm4 });
  vimId = await registerTestbedVim(vnfm, 'cli-tty', { helm_info: { masternode_ip: [] } });
  pkgId = await onboardZip(vnfm, await buildPackage(SAMPLE));
  const core = await kubeClient();
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedResourceQuota({
    namespace: ns,
    body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } },
  });
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await vnfm?.close();
});

const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface OnTty {
  child: ChildProcess;
  text: () => string;
  until: (done: (text: string) => boolean, what: string) => Promise<string>;
  exited: Promise<number | null>;
}

/** `vnfm …args` on a pseudo-terminal: everything it draws (stdout and stderr share the terminal). */
function onTty(args: string[]): OnTty {
  const command = [VNFM_BIN, ...args].map(shellWord).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, VNFM_URL: vnfm.url, TERM: 'xterm' },
  });
  children.push(child);
  let text = '';
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', (b: Buffer) => ((text += b.toString()), poke()));
  child.stderr!.on('data', (b: Buffer) => ((text += b.toString()), poke()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => (resolve(code), poke())),
  );
  const until: OnTty['until'] = (done, what) =>
    new Promise((resolve, reject) => {
      const bound = setTimeout(() => finish(new Error(`no ${what} within ${BOUND_MS} ms`)), BOUND_MS);
      const finish = (e?: Error) => {
        clearTimeout(bound);
        waiters.delete(check);
        if (e) reject(new Error(`${e.message}; the terminal showed: ${JSON.stringify(text)}`));
        else resolve(text);
      };
      const check = () => {
        if (done(text)) finish();
        else if (child.exitCode !== null) finish(new Error(`exited before ${what}`));
      };
      waiters.add(check);
      check();
    });
  return { child, text: () => text, until, exited };
}

/** The frames drawn: each redraw starts by moving the cursor up over the last one and clearing below. */
const frames = (text: string) => text.split(new RegExp(`\\r?${ESC}\\[\\d+A${ESC}\\[0J`));

async function cli(args: string[], expect = 0) {
  const r = await runVnfm(args, { env: { VNFM_URL: vnfm.url } });
  assert.equal(
    r.code,
    expect,
    `vnfm ${args.join(' ')}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
  );
  return r;
}

test('the live display, Ctrl-C leaving the operation running, the wait taken up again, the end', async () => {
  const id = (await cli(['vnf', 'create', '--package', pkgId, '--name', 'tty', '-q'])).stdout.trim();
  const waiting = onTty([
    'vnf',
    'instantiate',
    id,
    '-f',
    `${SAMPLE}instantiate.json`,
    '--vim',
    vimId,
    '--namespace',
    ns,
    '--wait',
  ]);
  // Held by the quota: helm installs and waits, no pod can start.
  const shown = await waiting.until(
    (t) =>
      /step {2}helm install web/.test(t) &&
      /VDU1 {2}0\/1 pods ready/.test(t) &&
      /VDU2 {2}0\/1 pods ready/.test(t),
    'the step and the pods of both VDUs',
  );
  const opId = /operation (\S+) accepted; waiting \(Ctrl-C stops waiting, not the operation\)/.exec(
    shown,
  )?.[1];
  assert.ok(opId, shown);
  const last = frames(shown).at(-1) ?? '';
  assert.match(last, new RegExp(`^INSTANTIATE {2}PROCESSING {2}\\d+s {2}op ${opId}\\r?$`, 'm'));
  assert.ok(frames(shown).length > 1, 'redrawn in place');

  // Ctrl-C: the CLI stops waiting and says the operation goes on; it does.
  waiting.child.stdin!.write('\u0003');
  assert.equal(await waiting.exited, 130);
  assert.match(
    waiting.text(),
    new RegExp(`stopped waiting after \\d+s; operation ${opId} goes on \\(vnfm op wait ${opId}\\)`),
  );
  const op = (await vnfm.request('GET', `/vnflcm/v1/vnf_lcm_op_occs/${opId}`)).body;
  assert.equal(op.operationState, 'PROCESSING');
  assert.equal(op.isCancelPending, false);

  // Waiting again (no terminal: plain lines) until the deadline fails it: exit 1, the error, the step it failed at.
  const failed = await cli(['op', 'wait', opId!], 1);
  const errorLines = failed.stderr.split('\n').filter((l) => l.startsWith('vnfm: '));
  assert.equal(errorLines.length, 1, failed.stderr);
  assert.match(
    errorLines[0]!,
    new RegExp(`^vnfm: INSTANTIATE FAILED_TEMP: Operation failed: .*\\(op ${opId}; at step helm install web`),
  );
  assert.match(
    failed.stderr,
    /^INSTANTIATE PROCESSING step helm install web .*VDU1 0\/1 VDU2 0\/1 \(\d+s\)$/m,
  );

  // The quota goes; retry under the terminal: the pods come, the final frame and line.
  const core = await kubeClient();
  await core.deleteNamespacedResourceQuota({ name: 'no-pods', namespace: ns });
  const retry = onTty(['op', 'retry', opId!, '--wait']);
  assert.equal(await retry.exited, 0, retry.text());
  const end = frames(retry.text()).at(-1) ?? '';
  assert.match(end, new RegExp(`^INSTANTIATE {2}COMPLETED {2}\\d+s {2}op ${opId}\\r?$`, 'm'));
  assert.match(end, /^ {2}VDU1 {2}1\/1 pods ready\r?$/m);
  assert.match(end, /^ {2}VDU2 {2}1\/1 pods ready\r?$/m);
  assert.match(end, /^INSTANTIATE COMPLETED in \d+s\r?$/m);
  await eventually(
    'the instance INSTANTIATED',
    async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body.instantiationState,
    (s) => s === 'INSTANTIATED',
  );

  const term = onTty(['vnf', 'terminate', id, '--wait']);
  assert.equal(await term.exited, 0, term.text());
  assert.match(term.text(), /TERMINATE COMPLETED in \d+s/);
  await cli(['vnf', 'delete', id]);
});
